/**
 * The e-mail outbox. A message is claimed before it is sent: the claim marks it 'sending'
 * and sets a lease (next_attempt_at); a message whose lease ran out (its sender crashed or
 * hung) is due again, so no message is lost across restarts, and two workers never send
 * the same due message at once.
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { DatabaseSchema, OutboxState, OutboxTable } from './database-schema.ts';

type Db = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

export type { OutboxState };
export type OutboxMessage = Selectable<OutboxTable>;
export type NewOutboxMessage = Pick<OutboxMessage, 'blockingId' | 'kind' | 'recipient' | 'subject' | 'language' | 'message'>;

export interface OutboxQuery {
  blockingId?: string;
  state?: OutboxState;
  /** Messages with a smaller id than this (paging backwards). */
  beforeId?: number;
  limit?: number;
}

export const OUTBOX_STATES: readonly OutboxState[] = ['pending', 'sending', 'sent', 'failed'];

export class OutboxRepository {
  readonly #db: Kysely<DatabaseSchema>;
  constructor(db: Kysely<DatabaseSchema>) {
    this.#db = db;
  }

  /** Stores a message as pending and due now; `db` lets a caller add it inside its own transaction. */
  async add(message: NewOutboxMessage, now: number, db: Db = this.#db): Promise<number> {
    const row = await db
      .insertInto('outbox')
      .values({ ...message, createdAt: now, state: 'pending', attempts: 0, nextAttemptAt: now, lastError: null, sentAt: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /**
   * Claims up to `limit` due messages (pending and due, or sending with an expired lease):
   * each becomes 'sending' with one more attempt and a lease until `leaseUntil`. A row
   * another worker claimed first is skipped (the update's condition no longer matches).
   */
  async claimDue(now: number, leaseUntil: number, limit: number): Promise<OutboxMessage[]> {
    const candidates = await this.#db
      .selectFrom('outbox')
      .select(['id', 'state', 'attempts', 'nextAttemptAt'])
      .where('state', 'in', ['pending', 'sending'])
      .where('nextAttemptAt', '<=', now)
      .orderBy('nextAttemptAt')
      .orderBy('id')
      .limit(limit)
      .execute();
    const claimed: OutboxMessage[] = [];
    for (const candidate of candidates) {
      const row = await this.#db
        .updateTable('outbox')
        .set({ state: 'sending', attempts: candidate.attempts + 1, nextAttemptAt: leaseUntil })
        .where('id', '=', candidate.id)
        .where('state', '=', candidate.state)
        .where('attempts', '=', candidate.attempts)
        .where('nextAttemptAt', '=', candidate.nextAttemptAt)
        .returningAll()
        .executeTakeFirst();
      if (row !== undefined) claimed.push(row);
    }
    return claimed;
  }

  /** Unconditional: the message was delivered, whatever another worker thinks. */
  async markSent(id: number, now: number): Promise<void> {
    await this.#db.updateTable('outbox').set({ state: 'sent', sentAt: now, lastError: null }).where('id', '=', id).execute();
  }

  /**
   * Back to pending for a later attempt. Only the claim that made attempt `attempt` may do
   * this, so a sender whose lease ran out cannot undo a newer claim's 'sent'.
   */
  async markRetry(id: number, attempt: number, nextAttemptAt: number, error: string): Promise<boolean> {
    const result = await this.#db
      .updateTable('outbox')
      .set({ state: 'pending', nextAttemptAt, lastError: error })
      .where('id', '=', id)
      .where('state', '=', 'sending')
      .where('attempts', '=', attempt)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Failed for good (same guard as markRetry). */
  async markFailed(id: number, attempt: number, error: string): Promise<boolean> {
    const result = await this.#db
      .updateTable('outbox')
      .set({ state: 'failed', lastError: error })
      .where('id', '=', id)
      .where('state', '=', 'sending')
      .where('attempts', '=', attempt)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async get(id: number): Promise<OutboxMessage | undefined> {
    return this.#db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Newest first; the message text is left out (it can be large), fetch one with get(). */
  async list(query: OutboxQuery = {}): Promise<Array<Omit<OutboxMessage, 'message'>>> {
    let q = this.#db
      .selectFrom('outbox')
      .select(['id', 'createdAt', 'blockingId', 'kind', 'recipient', 'subject', 'language', 'state', 'attempts', 'nextAttemptAt', 'lastError', 'sentAt']);
    if (query.blockingId !== undefined) q = q.where('blockingId', '=', query.blockingId);
    if (query.state !== undefined) q = q.where('state', '=', query.state);
    if (query.beforeId !== undefined) q = q.where('id', '<', query.beforeId);
    return q
      .orderBy('id', 'desc')
      .limit(Math.min(query.limit ?? 100, 1000))
      .execute();
  }

  async countByState(): Promise<Record<OutboxState, number>> {
    const rows = await this.#db
      .selectFrom('outbox')
      .select((eb) => ['state', eb.fn.countAll<number | string | bigint>().as('count')])
      .groupBy('state')
      .execute();
    const counts: Record<OutboxState, number> = { pending: 0, sending: 0, sent: 0, failed: 0 };
    for (const row of rows) counts[row.state] = Number(row.count);
    return counts;
  }
}
