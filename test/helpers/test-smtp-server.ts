/**
 * For tests: a real SMTP server (smtp-server) in this process on 127.0.0.1 and a random
 * port, keeping what arrived. It can refuse the next recipients with a 4xx/5xx answer and
 * hold the end of DATA, to test retries and that nothing waits for delivery.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  mailFrom: string;
  rcptTo: string[];
  raw: Buffer;
}

export interface TestSmtpServer {
  readonly port: number;
  readonly received: ReceivedMail[];
  /** RCPT TO commands seen, refused ones included. */
  readonly recipientAttempts: number;
  /** Refuses the next `count` recipients with this reply code. */
  refuseNext(count: number, code: number, text?: string): void;
  /** Delays the reply to DATA until the returned function is called. */
  hold(): () => void;
  close(): Promise<void>;
}

export async function startTestSmtpServer(): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  let refusals: { count: number; code: number; text: string } = { count: 0, code: 0, text: '' };
  let recipientAttempts = 0;
  let gate: Promise<void> = Promise.resolve();
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    // No TLS here: nodemailer would try STARTTLS and reject smtp-server's self-signed certificate.
    disabledCommands: ['STARTTLS', 'AUTH'],
    size: 10 * 1024 * 1024,
    onRcptTo(_address, _session, callback) {
      recipientAttempts++;
      if (refusals.count > 0) {
        refusals.count--;
        const error = Object.assign(new Error(refusals.text), { responseCode: refusals.code });
        callback(error);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const mailFrom = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
        const mail = { mailFrom, rcptTo: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks) };
        void gate.then(() => {
          received.push(mail);
          callback(null, 'queued as test');
        });
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    received,
    get recipientAttempts() {
      return recipientAttempts;
    },
    refuseNext(count, code, text = 'try again later') {
      refusals = { count, code, text };
    },
    hold() {
      let release = () => {};
      gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      return release;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
