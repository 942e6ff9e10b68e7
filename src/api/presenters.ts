/** The only place a domain object becomes API JSON (times as ISO 8601). */
import type { Lock, LockEvent, UnblockRequest } from '../cases/lock-types.ts';
import type { Incident } from '../detect/incident.ts';
import type { Customer, PrefixNote, Server } from '../inventory/inventory-types.ts';

const iso = (ms: number): string => new Date(ms).toISOString();

export function presentCustomer(c: Customer) {
  return { id: c.id, name: c.name, email: c.email, language: c.language, createdAt: iso(c.createdAt), updatedAt: iso(c.updatedAt) };
}

export function presentServer(s: Server) {
  return {
    id: s.id,
    name: s.name,
    customerId: s.customerId,
    hostGroupId: s.hostGroupId,
    uplinkGateway: s.uplinkGateway,
    addresses: s.addresses,
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
  };
}

export function presentPrefix(p: PrefixNote) {
  return { prefix: p.prefix, description: p.description, createdAt: iso(p.createdAt) };
}

export function presentIncident(i: Incident) {
  return {
    id: i.id,
    serverId: i.serverId,
    customerId: i.customerId,
    address: i.address,
    kind: i.kind,
    direction: i.direction,
    status: i.status,
    firstSeen: iso(i.firstSeenMs),
    lastSeen: iso(i.lastSeenMs),
    ended: i.endedMs === null ? null : iso(i.endedMs),
    exceeded: i.exceeded,
    peak: i.peak,
    totals: i.totals,
    summary: i.summary,
    netscan: i.netscan === null ? null : { ...i.netscan, attempts: i.netscan.attempts.map((a) => ({ ...a, time: iso(a.timeMs) })) },
    sourceAddress: i.sourceAddress,
    sampledPackets: i.samples.length,
  };
}

export function presentLock(l: Lock) {
  return {
    blockingId: l.blockingId,
    serverId: l.serverId,
    customerId: l.customerId,
    reason: l.reason,
    scope: l.scope,
    addresses: l.addresses,
    state: l.state,
    enforced: !l.dryRun && (l.state === 'active' || l.state === 'unblock_requested'),
    source: l.source,
    statement: l.statement,
    requiresApproval: l.requiresApproval,
    dryRun: l.dryRun,
    created: iso(l.createdAtMs),
    createdBy: l.createdBy,
    updated: iso(l.updatedAtMs),
    released: l.releasedAtMs === null ? null : iso(l.releasedAtMs),
  };
}

export function presentLockEvent(e: LockEvent) {
  return { at: iso(e.atMs), actor: e.actor, action: e.action, from: e.fromState, to: e.toState, message: e.message };
}

export function presentUnblockRequest(r: UnblockRequest) {
  return {
    id: r.id,
    blockingId: r.blockingId,
    created: iso(r.createdAtMs),
    createdBy: r.createdBy,
    cause: r.cause,
    measures: r.measures,
    confirmed: r.confirmed,
    state: r.state,
    decidedBy: r.decidedBy,
    decided: r.decidedAtMs === null ? null : iso(r.decidedAtMs),
    decisionMessage: r.decisionMessage,
  };
}
