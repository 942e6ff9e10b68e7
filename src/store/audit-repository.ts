/**
 * The append-only audit trail: every state change with its actor. The table itself refuses
 * UPDATE and DELETE (triggers from the first migration), so history cannot be edited.
 */
import type { Kysely, Transaction } from 'kysely';
import type { DatabaseSchema } from './database-schema.ts';

export interface Actor {
  /** 'system' | 'staff' | 'admin' | 'customer' | 'token' | 'billing' | 'cli' */
  type: string;
  id: string;
}

export interface AuditEntry {
  id: number;
  at: number;
  actor: Actor;
  action: string;
  subjectType: string;
  subjectId: string;
  details: Record<string, unknown>;
}

export interface AuditQuery {
  subjectType?: string;
  subjectId?: string;
  actorId?: string;
  /** Entries with a smaller id than this (paging backwards through history). */
  beforeId?: number;
  limit?: number;
}

type Db = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

export class AuditRepository {
  readonly #db: Kysely<DatabaseSchema>;
  constructor(db: Kysely<DatabaseSchema>) {
    this.#db = db;
  }

  async append(
    entry: { actor: Actor; action: string; subjectType: string; subjectId: string; details?: Record<string, unknown>; at?: number },
    db: Db = this.#db,
  ): Promise<void> {
    await db
      .insertInto('auditLog')
      .values({
        at: entry.at ?? Date.now(),
        actorType: entry.actor.type,
        actorId: entry.actor.id,
        action: entry.action,
        subjectType: entry.subjectType,
        subjectId: entry.subjectId,
        details: JSON.stringify(entry.details ?? {}),
      })
      .execute();
  }

  async list(query: AuditQuery = {}): Promise<AuditEntry[]> {
    let q = this.#db.selectFrom('auditLog').selectAll();
    if (query.subjectType !== undefined) q = q.where('subjectType', '=', query.subjectType);
    if (query.subjectId !== undefined) q = q.where('subjectId', '=', query.subjectId);
    if (query.actorId !== undefined) q = q.where('actorId', '=', query.actorId);
    if (query.beforeId !== undefined) q = q.where('id', '<', query.beforeId);
    const rows = await q
      .orderBy('id', 'desc')
      .limit(Math.min(query.limit ?? 100, 1000))
      .execute();
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      actor: { type: r.actorType, id: r.actorId },
      action: r.action,
      subjectType: r.subjectType,
      subjectId: r.subjectId,
      details: JSON.parse(r.details) as Record<string, unknown>,
    }));
  }
}
