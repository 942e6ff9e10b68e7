/**
 * What the lock layer hands to notify: plain data about one lock event, already resolved
 * from the database, so notify renders messages without knowing cases or store types.
 */

export const NOTICE_KINDS = ['locked', 'warning', 'unblock_received', 'released', 'rejected'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

// The reasons are the lock layer's; the templates name each of them.
export { LOCK_REASONS, type LockReason } from '../cases/lock-types.ts';

export type NoticeLanguage = 'en' | 'de';

export interface NoticeLogFile {
  /** Shown to the customer as the attachment's name, e.g. `L-2026-000123.log`. */
  filename: string;
  /** The log text (the evidence log); attached as text/plain UTF-8. */
  content: string;
}

export interface LockNotice {
  kind: NoticeKind;
  blockingId: string;
  customer: { id: string; name: string; email: string; language: NoticeLanguage };
  server: { id: string; name: string; addresses: string[] };
  /** One of LOCK_REASONS; an unknown value is rendered as 'other'. */
  reason: string;
  /** The addresses the lock covers. */
  scope: string[];
  /** When the lock took effect (ms since the epoch). */
  sinceMs: number;
  /** A message from the abuse desk, e.g. why an unblock request was rejected. */
  message?: string;
  /** Where the customer sends the unblock request for this lock; shown as given. */
  portalUrl: string;
  logFile?: NoticeLogFile;
}
