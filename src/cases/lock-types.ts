/** Locks: what the customer sees under a Blocking ID, and how it came to be. */

export const LOCK_REASONS = [
  'attack_from_server',
  'attack_on_server',
  'netscan',
  'network_configuration',
  'non_payment',
  'abuse_phishing',
  'abuse_malware',
  'abuse_copyright',
  'abuse_spam',
  'other',
] as const;
export type LockReason = (typeof LOCK_REASONS)[number];

/**
 * - review: waits for staff to confirm (not enforced)
 * - active: enforced at the uplink gateway
 * - unblock_requested: the customer sent an unblock request (still enforced)
 * - released: no longer enforced (final)
 * - dismissed: staff decided against a lock waiting for review (never enforced, final)
 * - notified: notify-only policy: the customer was warned, nothing is enforced (final)
 */
export const LOCK_STATES = ['review', 'active', 'unblock_requested', 'released', 'dismissed', 'notified'] as const;
export type LockState = (typeof LOCK_STATES)[number];

/** States in which the gateway blocks the server. */
export const ENFORCED_STATES: readonly LockState[] = ['active', 'unblock_requested'];
/** States that still count as "the" lock of a server and reason (new incidents attach). */
export const OPEN_STATES: readonly LockState[] = ['review', 'active', 'unblock_requested'];

export type LockSource = 'detection' | 'staff' | 'billing';

export interface Lock {
  blockingId: string;
  serverId: string;
  customerId: string;
  reason: LockReason;
  /** 'server': every address of the server; 'addresses': only those listed. */
  scope: 'server' | 'addresses';
  /** Locked addresses/prefixes (for 'server', the server's assignments when locked). */
  addresses: string[];
  state: LockState;
  source: LockSource;
  /** Staff's written statement (abuse complaints), or the billing reference. */
  statement: string;
  /** Repeat offender: an unblock needs staff approval. */
  requiresApproval: boolean;
  /** Made while the global dry-run was on: recorded, never enforced. */
  dryRun: boolean;
  createdAtMs: number;
  createdBy: string;
  updatedAtMs: number;
  releasedAtMs: number | null;
}

export interface LockEvent {
  id: number;
  blockingId: string;
  atMs: number;
  actor: { type: string; id: string };
  action: string;
  fromState: LockState | null;
  toState: LockState;
  message: string;
}

export interface UnblockRequest {
  id: number;
  blockingId: string;
  createdAtMs: number;
  createdBy: string;
  cause: string;
  measures: string;
  confirmed: boolean;
  state: 'open' | 'approved' | 'rejected';
  decidedBy: string | null;
  decidedAtMs: number | null;
  decisionMessage: string;
}

export function reasonOfIncident(kind: string, direction: string): LockReason {
  if (kind === 'netscan') return 'netscan';
  if (kind === 'wrong_source_address') return 'network_configuration';
  return direction === 'in' ? 'attack_on_server' : 'attack_from_server';
}

/** Reasons the billing system may lock and release. */
export const BILLING_REASONS: readonly LockReason[] = ['non_payment'];
