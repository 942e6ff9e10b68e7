/** Picks the mailer the configuration asks for: SMTP when a server is set, else .eml files. */
import { EmlFolderMailer } from './eml-folder-mailer.ts';
import { envelopeAddress, type Mailer } from './mailer.ts';
import type { NotifyConfig } from './notify-config.ts';
import { SmtpMailer } from './smtp-mailer.ts';

export function createMailer(config: NotifyConfig): Mailer {
  if (config.smtp === null) return new EmlFolderMailer({ directory: config.outboxDir });
  return new SmtpMailer({ ...config.smtp, envelopeFrom: envelopeAddress(config.from) });
}
