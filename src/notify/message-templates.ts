/**
 * Turns a notice into the subject and the two body alternatives in the customer's
 * language. The subject always starts with the Blocking ID tag, in both languages the
 * same, so customers' filters and our ticket system can match on it.
 */
import { blocksToHtml, blocksToText } from './message-blocks.ts';
import type { MessageLanguage, TemplateContext } from './message-language.ts';
import { german } from './message-text-de.ts';
import { english } from './message-text-en.ts';
import { LOCK_REASONS, type LockNotice, type LockReason, type NoticeLanguage } from './notice.ts';

export interface RenderedNotice {
  language: NoticeLanguage;
  subject: string;
  text: string;
  html: string;
}

const LANGUAGES: Record<NoticeLanguage, MessageLanguage> = { en: english, de: german };

export function normalizeReason(reason: string): LockReason {
  return (LOCK_REASONS as readonly string[]).includes(reason) ? (reason as LockReason) : 'other';
}

/** Human-readable name of a lock reason; an unknown reason reads as 'other'. */
export function reasonName(reason: string, language: NoticeLanguage): string {
  return LANGUAGES[language].reasonName(normalizeReason(reason));
}

/** Values from the database go into a header: a line break there must not start a new one. */
function oneLine(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ').trim();
}

export function blockingIdTag(blockingId: string): string {
  return `[Blocking ID ${oneLine(blockingId)}]`;
}

export function renderNotice(notice: LockNotice): RenderedNotice {
  // Anything but German gets English, the safer default for an unexpected value.
  const language: NoticeLanguage = notice.customer.language === 'de' ? 'de' : 'en';
  const texts = LANGUAGES[language];
  const serverName = oneLine(notice.server.name) || notice.server.id;
  const context: TemplateContext = {
    notice,
    reason: normalizeReason(notice.reason),
    server: serverName === notice.server.id ? serverName : `${serverName} (${notice.server.id})`,
  };
  const subject = `${blockingIdTag(notice.blockingId)} ${texts.subject(notice.kind, serverName)}`;
  const blocks = texts.body(context);
  return { language, subject, text: blocksToText(blocks), html: blocksToHtml(blocks, subject, language) };
}
