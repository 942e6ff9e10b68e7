/** Where the abuse-desk console's objects become API JSON. */
import type { Incident } from '../detect/incident.ts';
import type { SearchResult } from '../console/search.ts';
import type { ThresholdLines } from '../console/traffic-series.ts';
import type { AuditEntry } from '../store/audit-repository.ts';
import type { TrafficSample } from '../store/traffic-sample-repository.ts';
import { presentCustomer, presentLock, presentServer } from './presenters.ts';

const iso = (ms: number): string => new Date(ms).toISOString();

export function presentAuditEntry(e: AuditEntry) {
  return { id: e.id, at: iso(e.at), actor: e.actor, action: e.action, subjectType: e.subjectType, subjectId: e.subjectId, details: e.details };
}

export function presentSearchResult(r: SearchResult) {
  return {
    query: r.query,
    kind: r.kind,
    address: r.address,
    servers: r.servers.map(presentServer),
    customers: r.customers.map(presentCustomer),
    locks: r.locks.map(presentLock),
  };
}

/** An incident as a marker on the chart. */
export function presentIncidentMarker(i: Incident) {
  return { id: i.id, kind: i.kind, direction: i.direction, status: i.status, start: iso(i.firstSeenMs), end: i.endedMs === null ? null : iso(i.endedMs), lastSeen: iso(i.lastSeenMs) };
}

export function presentTrafficSeries(s: {
  serverId: string;
  fromMs: number;
  toMs: number;
  samples: readonly TrafficSample[];
  thresholds: ThresholdLines;
  incidents: readonly Incident[];
}) {
  return {
    serverId: s.serverId,
    from: iso(s.fromMs),
    to: iso(s.toMs),
    samples: s.samples.map((x) => ({ at: iso(x.at), packetsIn: x.packetsIn, packetsOut: x.packetsOut, bitsIn: x.bitsIn, bitsOut: x.bitsOut })),
    thresholds: s.thresholds,
    incidents: s.incidents.map(presentIncidentMarker),
  };
}
