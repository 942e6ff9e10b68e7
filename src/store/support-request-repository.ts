/** Customers' support requests. */
import type { Kysely, Selectable } from 'kysely';
import type { SupportRequest, SupportState } from '../portal/support-request.ts';
import type { DatabaseSchema, SupportRequestTable } from './database-schema.ts';

function fromRow(row: Selectable<SupportRequestTable>): SupportRequest {
  return { ...row, state: row.state as SupportState };
}

export class SupportRequestRepository {
  readonly #db: Kysely<DatabaseSchema>;
  constructor(db: Kysely<DatabaseSchema>) {
    this.#db = db;
  }

  async create(request: Omit<SupportRequest, 'id' | 'state' | 'closedAt' | 'closedBy' | 'staffMessage'>): Promise<SupportRequest> {
    const row = await this.#db
      .insertInto('supportRequests')
      .values({ ...request, state: 'open', closedAt: null, closedBy: null, staffMessage: '' })
      .returningAll()
      .executeTakeFirstOrThrow();
    return fromRow(row);
  }

  async get(id: number): Promise<SupportRequest | undefined> {
    const row = await this.#db.selectFrom('supportRequests').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : fromRow(row);
  }

  /** Newest first; `beforeId` pages backwards. */
  async list(query: { customerId?: string; state?: SupportState; serverId?: string; beforeId?: number; limit?: number } = {}): Promise<SupportRequest[]> {
    let q = this.#db.selectFrom('supportRequests').selectAll();
    if (query.customerId !== undefined) q = q.where('customerId', '=', query.customerId);
    if (query.state !== undefined) q = q.where('state', '=', query.state);
    if (query.serverId !== undefined) q = q.where('serverId', '=', query.serverId);
    if (query.beforeId !== undefined) q = q.where('id', '<', query.beforeId);
    const rows = await q
      .orderBy('id', 'desc')
      .limit(Math.min(query.limit ?? 100, 1000))
      .execute();
    return rows.map(fromRow);
  }

  /** Closes an open request; undefined when it was not open. */
  async close(id: number, change: { at: number; by: string; message: string }): Promise<SupportRequest | undefined> {
    const result = await this.#db
      .updateTable('supportRequests')
      .set({ state: 'closed', closedAt: change.at, closedBy: change.by, staffMessage: change.message })
      .where('id', '=', id)
      .where('state', '=', 'open')
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return undefined;
    return this.get(id);
  }
}
