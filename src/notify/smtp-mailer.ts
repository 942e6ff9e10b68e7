/** Delivers the stored message text unchanged to one SMTP server (nodemailer, no pool). */
import nodemailer from 'nodemailer';
import { type DeliveryResult, type Mailer, MailerError, type OutgoingMail } from './mailer.ts';
import type { SmtpConfig } from './notify-config.ts';

export interface SmtpMailerOptions extends SmtpConfig {
  /** MAIL FROM: the bare sender address (bounces go there). */
  envelopeFrom: string;
}

export class SmtpMailer implements Mailer {
  readonly kind = 'smtp';
  readonly #envelopeFrom: string;
  readonly #transport: ReturnType<typeof nodemailer.createTransport>;

  constructor(options: SmtpMailerOptions) {
    this.#envelopeFrom = options.envelopeFrom;
    const timeout = options.timeoutSeconds * 1000;
    // One connection per message: notices are few, and a stale pooled connection to a
    // restarted relay would only turn into a retry.
    this.#transport = nodemailer.createTransport({
      host: options.host,
      port: options.port,
      secure: options.secure,
      requireTLS: options.requireTls,
      tls: { rejectUnauthorized: options.verifyCertificate },
      ...(options.user !== undefined ? { auth: { user: options.user, pass: options.password ?? '' } } : {}),
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
      // Never let SMTP traffic (with the customer's data) go to the logs.
      logger: false,
      debug: false,
    });
  }

  async send(mail: OutgoingMail): Promise<DeliveryResult> {
    try {
      const info = await this.#transport.sendMail({ envelope: { from: this.#envelopeFrom, to: [mail.recipient] }, raw: mail.message });
      return { response: info.response };
    } catch (cause) {
      const error = cause as { code?: string; responseCode?: number; permanent?: boolean; message?: string };
      throw new MailerError(error.code ?? 'ESMTP', `smtp delivery to ${mail.recipient} failed: ${error.message ?? String(cause)}`, {
        ...(error.responseCode !== undefined ? { responseCode: error.responseCode } : {}),
        permanent: error.permanent === true,
        cause,
      });
    }
  }

  async close(): Promise<void> {
    this.#transport.close();
  }
}
