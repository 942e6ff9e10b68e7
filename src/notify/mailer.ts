/**
 * How a finished message leaves Netwarden: over SMTP, or (no SMTP configured, the
 * embedded default) as an .eml file in a folder. The outbox worker only sees this interface.
 */
import addressparser from 'nodemailer/lib/addressparser';

export interface OutgoingMail {
  /** Outbox id: names the .eml file, so writing the same message twice overwrites it. */
  id: number;
  blockingId: string;
  createdAt: number;
  /** Envelope recipient. */
  recipient: string;
  /** The complete RFC 5322 message, sent as is. */
  message: string;
}

export interface DeliveryResult {
  /** The server's final reply or the file written, for the log. */
  response: string;
}

export interface Mailer {
  readonly kind: 'smtp' | 'eml';
  send(mail: OutgoingMail): Promise<DeliveryResult>;
  close(): Promise<void>;
}

/** A delivery that did not happen; `permanent` when the SMTP server said 5xx (retrying gets the same answer). */
export class MailerError extends Error {
  readonly code: string;
  readonly responseCode: number | undefined;
  readonly permanent: boolean;
  constructor(code: string, message: string, options: { responseCode?: number; permanent?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.responseCode = options.responseCode;
    this.permanent = options.permanent ?? false;
  }
}

/** The bare address of a "Name <address>" sender, for the SMTP envelope. */
export function envelopeAddress(from: string): string {
  const first = addressparser(from, { flatten: true })[0];
  if (first?.address === undefined || !first.address.includes('@')) throw new Error(`notify.from ${JSON.stringify(from)} has no e-mail address`);
  return first.address;
}
