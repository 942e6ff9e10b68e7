/** Incidents as detection reports them; evidence kept as JSON, packet samples as base64. */
import type { Kysely } from 'kysely';
import type { Incident, IncidentKind, SampledPacket } from '../detect/incident.ts';
import type { DatabaseSchema, IncidentTable } from './database-schema.ts';

export interface IncidentQuery {
  serverId?: string;
  customerId?: string;
  status?: 'open' | 'ended';
  kind?: IncidentKind;
  /** Incidents first seen before this time (paging backwards). */
  beforeMs?: number;
  limit?: number;
}

type StoredEvidence = Pick<Incident, 'exceeded' | 'totals' | 'summary' | 'netscan' | 'sourceAddress'> & {
  samples: Array<{ timeMs: number; data: string; originalLength: number }>;
};

function toRow(incident: Incident, now: number): IncidentTable {
  const evidence: StoredEvidence = {
    exceeded: incident.exceeded,
    totals: incident.totals,
    summary: incident.summary,
    netscan: incident.netscan,
    sourceAddress: incident.sourceAddress,
    samples: incident.samples.map((s) => ({ timeMs: s.timeMs, data: Buffer.from(s.data).toString('base64'), originalLength: s.originalLength })),
  };
  return {
    id: incident.id,
    serverId: incident.serverId,
    customerId: incident.customerId,
    address: incident.address,
    kind: incident.kind,
    direction: incident.direction,
    status: incident.status,
    firstSeenMs: incident.firstSeenMs,
    lastSeenMs: incident.lastSeenMs,
    endedMs: incident.endedMs,
    peak: JSON.stringify(incident.peak),
    evidence: JSON.stringify(evidence),
    updatedAt: now,
  };
}

function fromRow(row: IncidentTable): Incident {
  const evidence = JSON.parse(row.evidence) as StoredEvidence;
  const samples: SampledPacket[] = evidence.samples.map((s) => ({ timeMs: s.timeMs, data: new Uint8Array(Buffer.from(s.data, 'base64')), originalLength: s.originalLength }));
  return {
    id: row.id,
    serverId: row.serverId,
    customerId: row.customerId,
    address: row.address,
    kind: row.kind as Incident['kind'],
    direction: row.direction as Incident['direction'],
    status: row.status as Incident['status'],
    firstSeenMs: row.firstSeenMs,
    lastSeenMs: row.lastSeenMs,
    endedMs: row.endedMs,
    peak: JSON.parse(row.peak) as Incident['peak'],
    exceeded: evidence.exceeded,
    totals: evidence.totals,
    summary: evidence.summary,
    netscan: evidence.netscan,
    sourceAddress: evidence.sourceAddress,
    samples,
  };
}

export class IncidentRepository {
  readonly #db: Kysely<DatabaseSchema>;
  constructor(db: Kysely<DatabaseSchema>) {
    this.#db = db;
  }

  async save(incident: Incident, now = Date.now()): Promise<void> {
    const row = toRow(incident, now);
    const { id: _id, ...changes } = row;
    await this.#db
      .insertInto('incidents')
      .values(row)
      .onConflict((oc) => oc.column('id').doUpdateSet(changes))
      .execute();
  }

  async get(id: string): Promise<Incident | undefined> {
    const row = await this.#db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : fromRow(row);
  }

  async list(query: IncidentQuery = {}): Promise<Incident[]> {
    let q = this.#db.selectFrom('incidents').selectAll();
    if (query.serverId !== undefined) q = q.where('serverId', '=', query.serverId);
    if (query.customerId !== undefined) q = q.where('customerId', '=', query.customerId);
    if (query.status !== undefined) q = q.where('status', '=', query.status);
    if (query.kind !== undefined) q = q.where('kind', '=', query.kind);
    if (query.beforeMs !== undefined) q = q.where('firstSeenMs', '<', query.beforeMs);
    const rows = await q
      .orderBy('firstSeenMs', 'desc')
      .limit(Math.min(query.limit ?? 100, 1000))
      .execute();
    return rows.map(fromRow);
  }
}
