/**
 * The plain answer to "is my server locked?": locked (the whole server), partly locked
 * (some of its addresses), or not locked, with the locks that make it so.
 */
import { ENFORCED_STATES, type Lock } from '../cases/lock-types.ts';

export type LockStatus = 'locked' | 'partly_locked' | 'not_locked';

export interface ServerLockStatus {
  status: LockStatus;
  locked: boolean;
  /** Enforced locks, oldest first. */
  locks: Lock[];
}

/** `locks`: the customer-visible locks of one server. */
export function serverLockStatus(locks: readonly Lock[]): ServerLockStatus {
  const enforced = locks.filter((l) => ENFORCED_STATES.includes(l.state) && !l.dryRun).sort((a, b) => a.createdAtMs - b.createdAtMs);
  const status: LockStatus = enforced.length === 0 ? 'not_locked' : enforced.some((l) => l.scope === 'server') ? 'locked' : 'partly_locked';
  return { status, locked: enforced.length > 0, locks: enforced };
}

/**
 * Since when a lock is in force: its confirmation, if staff confirmed it from the review
 * queue, else its creation.
 */
export function lockedSince(lock: Lock, events: ReadonlyArray<{ atMs: number; fromState: string | null; toState: string }>): number {
  const confirmed = events.find((e) => e.fromState === 'review' && e.toState === 'active');
  return confirmed?.atMs ?? lock.createdAtMs;
}
