/**
 * The `notify` configuration section: sender, portal link, where .eml files go when no
 * SMTP server is configured (the embedded default), the SMTP server, and the retry policy.
 */
import { type Static, Type } from '@sinclair/typebox';

const closed = { additionalProperties: false } as const;

export const SmtpSettings = Type.Object(
  {
    host: Type.String({ minLength: 1, description: 'SMTP server host name or address' }),
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 587, description: 'SMTP server port (587 submission, 465 implicit TLS, 25 relay)' }),
    secure: Type.Boolean({
      default: false,
      description: 'TLS from the first byte (port 465); false: a plain connection, upgraded with STARTTLS when the server offers it',
    }),
    requireTls: Type.Boolean({ default: false, description: 'with secure false: refuse to send unless the server upgrades with STARTTLS' }),
    verifyCertificate: Type.Boolean({ default: true, description: 'check the server\'s TLS certificate (switch off only for a relay with a self-signed one)' }),
    user: Type.Optional(Type.String({ description: 'user name for SMTP AUTH (no authentication when absent)' })),
    password: Type.Optional(Type.String({ description: 'password for SMTP AUTH' })),
    timeoutSeconds: Type.Number({ minimum: 1, maximum: 600, default: 30, description: 'connect, greeting and idle timeout of one delivery' }),
  },
  { ...closed, description: 'SMTP server that delivers the mail' },
);

export const RetrySettings = Type.Object(
  {
    initialDelaySeconds: Type.Number({ minimum: 0.01, default: 30, description: 'wait before the second attempt; doubles with every further attempt' }),
    maxDelaySeconds: Type.Number({ minimum: 0.01, default: 3600, description: 'longest wait between two attempts' }),
    maxAttempts: Type.Integer({ minimum: 1, maximum: 1000, default: 12, description: 'attempts before a message is marked failed for good' }),
    pollSeconds: Type.Number({ minimum: 0.01, maximum: 3600, default: 5, description: 'how often the outbox is checked for due messages (new messages are sent at once)' }),
    sendingLeaseSeconds: Type.Number({
      minimum: 1,
      default: 300,
      description: 'a message still marked sending after this long (its sender crashed) is sent again; keep it above the SMTP timeout',
    }),
  },
  { ...closed, default: {}, description: 'Retries with exponential backoff' },
);

export const NotifySection = Type.Object(
  {
    from: Type.String({
      pattern: '@',
      default: 'Netwarden Abuse Team <abuse@localhost>',
      description: 'sender of customer e-mail, "Name <address>" or a bare address',
    }),
    replyTo: Type.Optional(Type.String({ pattern: '@', description: 'Reply-To address (the abuse desk mailbox), if it differs from the sender' })),
    portalUrl: Type.String({
      pattern: '^https?://',
      default: 'http://127.0.0.1:8080',
      description: 'base URL of the customer portal, used for the links in the e-mails',
    }),
    outboxDir: Type.String({ minLength: 1, default: './data/outbox', description: 'without smtp: every message is written here as an .eml file' }),
    smtp: Type.Union([SmtpSettings, Type.Null()], {
      default: null,
      description: 'SMTP server; null (the default) writes .eml files to outboxDir instead of sending',
    }),
    retry: RetrySettings,
  },
  { ...closed, default: {}, description: 'Customer e-mail: lock, unblock request, release and rejection notices.' },
);

export type NotifyConfig = Static<typeof NotifySection>;
export type SmtpConfig = Static<typeof SmtpSettings>;
export type RetryConfig = Static<typeof RetrySettings>;
