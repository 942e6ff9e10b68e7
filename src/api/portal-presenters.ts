/**
 * Where session, portal and staff-side portal objects become API JSON. Customer views
 * leave out what belongs to the provider: who on the desk acted (only "provider"),
 * internal states, dry runs.
 */
import type { User } from '../auth/user.ts';
import type { Lock, LockEvent, UnblockRequest } from '../cases/lock-types.ts';
import type { Server } from '../inventory/inventory-types.ts';
import type { ConsoleBooking } from '../portal/console-booking.ts';
import type { ServerLockStatus } from '../portal/server-lock-status.ts';
import type { SupportRequest } from '../portal/support-request.ts';
import type { StaticAccessIp } from '../store/static-access-ip-repository.ts';

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export function presentUser(u: User) {
  return { id: u.id, email: u.email, role: u.role, customerId: u.customerId, language: u.language, createdAt: iso(u.createdAt) };
}

export function presentSessionInfo(s: { user: User; csrfToken: string; expiresAt: number; idleTimeoutMs: number }) {
  return { user: presentUser(s.user), csrfToken: s.csrfToken, expiresAt: iso(s.expiresAt), idleTimeoutSeconds: Math.round(s.idleTimeoutMs / 1000) };
}

/** `since`: when the lock took effect (see lockedSince). */
export function presentPortalLock(l: Lock, since: number) {
  return {
    blockingId: l.blockingId,
    serverId: l.serverId,
    reason: l.reason,
    scope: l.scope,
    addresses: l.addresses,
    state: l.state,
    enforced: !l.dryRun && (l.state === 'active' || l.state === 'unblock_requested'),
    statement: l.statement,
    since: iso(since),
    released: isoOrNull(l.releasedAtMs),
    canRequestUnblock: l.state === 'active',
    requiresApproval: l.requiresApproval,
  };
}

export function presentPortalLockEvent(e: LockEvent) {
  // Only people's words reach the customer: the policy's own notes ("policy for netscan: auto") are internal.
  const message = e.actor.type === 'system' ? '' : e.message;
  return { at: iso(e.atMs), action: e.action, from: e.fromState, to: e.toState, by: e.actor.type === 'customer' ? ('customer' as const) : ('provider' as const), message };
}

export function presentPortalUnblockRequest(r: UnblockRequest) {
  return {
    id: r.id,
    blockingId: r.blockingId,
    created: iso(r.createdAtMs),
    cause: r.cause,
    measures: r.measures,
    confirmed: r.confirmed,
    state: r.state,
    decided: isoOrNull(r.decidedAtMs),
    decisionMessage: r.decisionMessage,
  };
}

export function presentLockStatus(serverId: string, s: ServerLockStatus) {
  return { serverId, status: s.status, locked: s.locked, blockingIds: s.locks.map((l) => l.blockingId) };
}

export function presentPortalServer(server: Server, status: ServerLockStatus, sinceOf: (lock: Lock) => number) {
  return {
    id: server.id,
    name: server.name,
    addresses: server.addresses,
    lockStatus: presentLockStatus(server.id, status),
    locks: status.locks.map((l) => presentPortalLock(l, sinceOf(l))),
  };
}

export function presentStaticIp(e: StaticAccessIp) {
  return { prefix: e.prefix, created: iso(e.createdAt) };
}

export function presentConsoleBooking(b: ConsoleBooking, view: 'customer' | 'staff') {
  const common = {
    id: b.id,
    serverId: b.serverId,
    start: iso(b.startsAt),
    end: iso(b.endsAt),
    note: b.note,
    state: b.state,
    created: iso(b.createdAt),
    decided: isoOrNull(b.decidedAt),
    staffMessage: b.staffMessage,
  };
  return view === 'customer' ? common : { ...common, customerId: b.customerId, createdBy: b.createdBy, decidedBy: b.decidedBy };
}

export function presentSupportRequest(r: SupportRequest, view: 'customer' | 'staff') {
  const common = {
    id: r.id,
    serverId: r.serverId,
    blockingId: r.blockingId,
    subject: r.subject,
    message: r.message,
    state: r.state,
    created: iso(r.createdAt),
    closed: isoOrNull(r.closedAt),
    staffMessage: r.staffMessage,
  };
  return view === 'customer' ? common : { ...common, customerId: r.customerId, createdBy: r.createdBy, closedBy: r.closedBy };
}
