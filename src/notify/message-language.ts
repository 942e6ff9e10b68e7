/** What one language provides to the templates: subjects, bodies and reason names. */
import type { Block } from './message-blocks.ts';
import type { LockNotice, LockReason, NoticeKind } from './notice.ts';

export interface TemplateContext {
  notice: LockNotice;
  /** The notice's reason, unknown values mapped to 'other'. */
  reason: LockReason;
  /** The server as the customer knows it: its name, with the id when that differs. */
  server: string;
}

export interface MessageLanguage {
  /** The subject without the Blocking ID tag (the caller adds it in one place). */
  subject(kind: NoticeKind, serverName: string): string;
  body(context: TemplateContext): Block[];
  reasonName(reason: LockReason): string;
}

/** Time parts in UTC, so a message reads the same whatever the host's time zone. */
export function utcParts(ms: number): { year: string; month: string; day: string; hour: string; minute: string } {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return {
    year: String(d.getUTCFullYear()),
    month: two(d.getUTCMonth() + 1),
    day: two(d.getUTCDate()),
    hour: two(d.getUTCHours()),
    minute: two(d.getUTCMinutes()),
  };
}

/** An address to run traceroute to: the first single address the lock (or else the server) covers. */
export function traceTarget(notice: LockNotice): string | undefined {
  for (const entry of [...notice.scope, ...notice.server.addresses]) {
    const [address, length] = entry.split('/');
    if (length === undefined || length === '32' || length === '128') return address;
  }
  return undefined;
}
