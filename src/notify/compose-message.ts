/**
 * Builds the complete RFC 5322 message for a notice once, at enqueue time: the outbox
 * stores these bytes, so every retry and the .eml file carry the same Message-ID, Date and
 * body, and a receiver can tell a repeated delivery from a new notice.
 */
import { basename } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer';
import { renderNotice } from './message-templates.ts';
import type { LockNotice, NoticeKind, NoticeLanguage } from './notice.ts';

export interface ComposeOptions {
  /** Sender, "Name <address>" or a bare address. */
  from: string;
  replyTo?: string;
  /** The Date header (ms since the epoch). */
  now: number;
}

export interface ComposedMessage {
  blockingId: string;
  kind: NoticeKind;
  recipient: string;
  subject: string;
  language: NoticeLanguage;
  /** The full message, CRLF line ends, 7-bit (non-ASCII text is quoted-printable or base64). */
  message: string;
}

/** The attachment's name as the customer sees it: no directories, no control characters. */
export function attachmentName(filename: string, blockingId: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point.
  const name = basename(filename.replace(/\\/g, '/')).replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return name === '' || name === '.' || name === '..' ? `${blockingId}.log` : name;
}

export async function composeMessage(notice: LockNotice, options: ComposeOptions): Promise<ComposedMessage> {
  const rendered = renderNotice(notice);
  const log = notice.logFile;
  const composer = new MailComposer({
    from: options.from,
    to: { name: notice.customer.name, address: notice.customer.email },
    ...(options.replyTo !== undefined ? { replyTo: options.replyTo } : {}),
    subject: rendered.subject,
    date: new Date(options.now),
    text: rendered.text,
    html: rendered.html,
    headers: {
      // RFC 3834: no vacation replies or other auto-responses to a system notice.
      'Auto-Submitted': 'auto-generated',
      'Content-Language': rendered.language,
      'X-Netwarden-Blocking-Id': notice.blockingId,
      'X-Netwarden-Notice': notice.kind,
    },
    attachments:
      log === undefined
        ? []
        : [{ filename: attachmentName(log.filename, notice.blockingId), content: log.content, contentType: 'text/plain; charset=utf-8' }],
    // The message must not pull in anything from the file system or the network.
    disableFileAccess: true,
    disableUrlAccess: true,
    newline: 'windows',
  });
  const message = await composer.compile().build();
  return {
    blockingId: notice.blockingId,
    kind: notice.kind,
    recipient: notice.customer.email,
    subject: rendered.subject,
    language: rendered.language,
    message: message.toString('utf8'),
  };
}
