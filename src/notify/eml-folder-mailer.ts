/**
 * The mailer without an SMTP server: each message becomes one .eml file (RFC 5322 text,
 * readable by any mail client) in a folder. Files appear atomically (temp file, fsync,
 * rename), so whatever picks them up never sees half a message.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type DeliveryResult, type Mailer, MailerError, type OutgoingMail } from './mailer.ts';

export interface EmlFolderMailerOptions {
  directory: string;
}

/** `20260301T140509Z-L-2026-000123-42.eml`: sorts by time, names the lock, unique per message. */
export function emlFileName(mail: Pick<OutgoingMail, 'id' | 'blockingId' | 'createdAt'>): string {
  const stamp = new Date(mail.createdAt).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const lock = mail.blockingId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64);
  return `${stamp}-${lock}-${mail.id}.eml`;
}

export class EmlFolderMailer implements Mailer {
  readonly kind = 'eml';
  readonly directory: string;

  constructor(options: EmlFolderMailerOptions) {
    this.directory = resolve(options.directory);
  }

  async send(mail: OutgoingMail): Promise<DeliveryResult> {
    const file = join(this.directory, emlFileName(mail));
    // Hidden and suffixed, so a watcher of the folder ignores it.
    const temp = join(this.directory, `.${randomUUID()}.tmp`);
    try {
      await mkdir(this.directory, { recursive: true });
      const handle = await open(temp, 'wx', 0o640);
      try {
        await handle.writeFile(mail.message, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, file);
    } catch (cause) {
      // Best effort: when the folder itself is the problem there is nothing to remove.
      await rm(temp, { force: true }).catch(() => {});
      const code = (cause as { code?: string }).code ?? 'EIO';
      throw new MailerError(code, `cannot write ${file}: ${(cause as Error).message}`, { cause });
    }
    return { response: `written ${file}` };
  }

  async close(): Promise<void> {}
}
