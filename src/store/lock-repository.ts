/** Locks, their incidents, history and unblock requests. State changes go through `transition`. */
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Lock, LockEvent, LockReason, LockSource, LockState, UnblockRequest } from '../cases/lock-types.ts';
import type { DatabaseSchema, LockTable, UnblockRequestTable } from './database-schema.ts';

type Db = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

export interface LockQuery {
  serverId?: string;
  customerId?: string;
  states?: readonly LockState[];
  reason?: LockReason;
  source?: LockSource;
  beforeMs?: number;
  limit?: number;
}

/** Every column but the log file, which is large and read on its own. */
const LOCK_COLUMNS = [
  'blockingId',
  'serverId',
  'customerId',
  'reason',
  'scope',
  'addresses',
  'state',
  'source',
  'statement',
  'requiresApproval',
  'dryRun',
  'createdAtMs',
  'createdBy',
  'updatedAtMs',
  'releasedAtMs',
] as const;

function fromRow(row: Omit<LockTable, 'logFile'>): Lock {
  return {
    blockingId: row.blockingId,
    serverId: row.serverId,
    customerId: row.customerId,
    reason: row.reason as LockReason,
    scope: row.scope as Lock['scope'],
    addresses: JSON.parse(row.addresses) as string[],
    state: row.state as LockState,
    source: row.source as LockSource,
    statement: row.statement,
    requiresApproval: row.requiresApproval === 1,
    dryRun: row.dryRun === 1,
    createdAtMs: row.createdAtMs,
    createdBy: row.createdBy,
    updatedAtMs: row.updatedAtMs,
    releasedAtMs: row.releasedAtMs,
  };
}

function requestFromRow(row: Selectable<UnblockRequestTable>): UnblockRequest {
  return {
    id: row.id,
    blockingId: row.blockingId,
    createdAtMs: row.createdAtMs,
    createdBy: row.createdBy,
    cause: row.cause,
    measures: row.measures,
    confirmed: row.confirmed === 1,
    state: row.state as UnblockRequest['state'],
    decidedBy: row.decidedBy,
    decidedAtMs: row.decidedAtMs,
    decisionMessage: row.decisionMessage,
  };
}

export class LockRepository {
  readonly #db: Kysely<DatabaseSchema>;
  constructor(db: Kysely<DatabaseSchema>) {
    this.#db = db;
  }

  transaction<T>(work: (trx: Transaction<DatabaseSchema>) => Promise<T>): Promise<T> {
    return this.#db.transaction().execute(work);
  }

  async insert(lock: Lock, logFile: string, db: Db): Promise<void> {
    await db
      .insertInto('locks')
      .values({
        ...lock,
        addresses: JSON.stringify(lock.addresses),
        requiresApproval: lock.requiresApproval ? 1 : 0,
        dryRun: lock.dryRun ? 1 : 0,
        logFile,
      })
      .execute();
  }

  async get(blockingId: string, db: Db = this.#db): Promise<Lock | undefined> {
    const row = await db.selectFrom('locks').select(LOCK_COLUMNS).where('blockingId', '=', blockingId).executeTakeFirst();
    return row === undefined ? undefined : fromRow(row);
  }

  async logFile(blockingId: string): Promise<string | undefined> {
    const row = await this.#db.selectFrom('locks').select('logFile').where('blockingId', '=', blockingId).executeTakeFirst();
    return row?.logFile;
  }

  async setLogFile(blockingId: string, logFile: string, db: Db = this.#db): Promise<void> {
    await db.updateTable('locks').set({ logFile }).where('blockingId', '=', blockingId).execute();
  }

  async list(query: LockQuery = {}, db: Db = this.#db): Promise<Lock[]> {
    let q = db.selectFrom('locks').select(LOCK_COLUMNS);
    if (query.serverId !== undefined) q = q.where('serverId', '=', query.serverId);
    if (query.customerId !== undefined) q = q.where('customerId', '=', query.customerId);
    if (query.states !== undefined) q = q.where('state', 'in', [...query.states]);
    if (query.reason !== undefined) q = q.where('reason', '=', query.reason);
    if (query.source !== undefined) q = q.where('source', '=', query.source);
    if (query.beforeMs !== undefined) q = q.where('createdAtMs', '<', query.beforeMs);
    const rows = await q
      .orderBy('createdAtMs', 'desc')
      .limit(Math.min(query.limit ?? 100, 10_000))
      .execute();
    return rows.map(fromRow);
  }

  /** The open lock (review, active or unblock requested) of a server for a reason. */
  async openLockOf(serverId: string, reason: LockReason, db: Db = this.#db): Promise<Lock | undefined> {
    const rows = await this.list({ serverId, reason, states: ['review', 'active', 'unblock_requested'], limit: 1 }, db);
    return rows[0];
  }

  /** Locks of a server created since a time (repeat offenders), dry runs and dismissed ones excluded. */
  async countRecentLocks(serverId: string, sinceMs: number, db: Db = this.#db): Promise<number> {
    const row = await db
      .selectFrom('locks')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('serverId', '=', serverId)
      .where('createdAtMs', '>=', sinceMs)
      .where('dryRun', '=', 0)
      .where('state', 'not in', ['dismissed', 'notified'])
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Automatic (detection) locks created since a time: the blast-radius counter. */
  async countAutomaticSince(sinceMs: number, db: Db = this.#db): Promise<number> {
    const row = await db
      .selectFrom('locks')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('source', '=', 'detection')
      .where('createdAtMs', '>=', sinceMs)
      .where('state', 'in', ['active', 'unblock_requested', 'released'])
      .where('createdBy', '=', 'system/policy')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async attachIncident(blockingId: string, incidentId: string, db: Db = this.#db): Promise<boolean> {
    const existing = await db.selectFrom('lockIncidents').select('incidentId').where('blockingId', '=', blockingId).where('incidentId', '=', incidentId).executeTakeFirst();
    if (existing !== undefined) return false;
    await db.insertInto('lockIncidents').values({ blockingId, incidentId }).execute();
    return true;
  }

  async incidentIds(blockingId: string, db: Db = this.#db): Promise<string[]> {
    const rows = await db.selectFrom('lockIncidents').select('incidentId').where('blockingId', '=', blockingId).execute();
    return rows.map((r) => r.incidentId);
  }

  async lockOfIncident(incidentId: string, db: Db = this.#db): Promise<string | undefined> {
    const row = await db.selectFrom('lockIncidents').select('blockingId').where('incidentId', '=', incidentId).executeTakeFirst();
    return row?.blockingId;
  }

  /**
   * Moves a lock from one state to another, only if it is still in `from` (so two staff
   * members deciding at once cannot both win), and records the event.
   */
  async transition(
    blockingId: string,
    from: readonly LockState[],
    to: LockState,
    event: { atMs: number; actor: { type: string; id: string }; action: string; message?: string },
    db: Db,
    extra: Partial<Pick<LockTable, 'requiresApproval' | 'releasedAtMs'>> = {},
  ): Promise<Lock | undefined> {
    const before = await this.get(blockingId, db);
    if (before === undefined || !from.includes(before.state)) return undefined;
    const result = await db
      .updateTable('locks')
      .set({ state: to, updatedAtMs: event.atMs, ...extra })
      .where('blockingId', '=', blockingId)
      .where('state', '=', before.state)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return undefined;
    await this.recordEvent(blockingId, before.state, to, event, db);
    return this.get(blockingId, db);
  }

  async recordEvent(
    blockingId: string,
    fromState: LockState | null,
    toState: LockState,
    event: { atMs: number; actor: { type: string; id: string }; action: string; message?: string },
    db: Db,
  ): Promise<void> {
    await db
      .insertInto('lockEvents')
      .values({
        blockingId,
        atMs: event.atMs,
        actorType: event.actor.type,
        actorId: event.actor.id,
        action: event.action,
        fromState,
        toState,
        message: event.message ?? '',
      })
      .execute();
  }

  async events(blockingId: string): Promise<LockEvent[]> {
    const rows = await this.#db.selectFrom('lockEvents').selectAll().where('blockingId', '=', blockingId).orderBy('id').execute();
    return rows.map((r) => ({
      id: r.id,
      blockingId: r.blockingId,
      atMs: r.atMs,
      actor: { type: r.actorType, id: r.actorId },
      action: r.action,
      fromState: r.fromState as LockState | null,
      toState: r.toState as LockState,
      message: r.message,
    }));
  }

  async insertUnblockRequest(request: Omit<UnblockRequest, 'id'>, db: Db): Promise<UnblockRequest> {
    const row = await db
      .insertInto('unblockRequests')
      .values({ ...request, confirmed: request.confirmed ? 1 : 0 })
      .returningAll()
      .executeTakeFirstOrThrow();
    return requestFromRow(row);
  }

  async unblockRequests(query: { blockingId?: string; state?: UnblockRequest['state']; limit?: number } = {}, db: Db = this.#db): Promise<UnblockRequest[]> {
    let q = db.selectFrom('unblockRequests').selectAll();
    if (query.blockingId !== undefined) q = q.where('blockingId', '=', query.blockingId);
    if (query.state !== undefined) q = q.where('state', '=', query.state);
    const rows = await q
      .orderBy('id', 'desc')
      .limit(query.limit ?? 100)
      .execute();
    return rows.map(requestFromRow);
  }

  async unblockRequest(id: number, db: Db = this.#db): Promise<UnblockRequest | undefined> {
    const row = await db.selectFrom('unblockRequests').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : requestFromRow(row);
  }

  async decideUnblockRequest(id: number, state: 'approved' | 'rejected', decidedBy: string, atMs: number, message: string, db: Db): Promise<boolean> {
    const result = await db
      .updateTable('unblockRequests')
      .set({ state, decidedBy, decidedAtMs: atMs, decisionMessage: message })
      .where('id', '=', id)
      .where('state', '=', 'open')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Every lock the gateways must enforce now. */
  async enforced(db: Db = this.#db): Promise<Lock[]> {
    const rows = await db.selectFrom('locks').select(LOCK_COLUMNS).where('state', 'in', ['active', 'unblock_requested']).where('dryRun', '=', 0).execute();
    return rows.map(fromRow);
  }
}
