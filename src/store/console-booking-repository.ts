/**
 * Remote-console bookings. `book` serialises bookings of one server (the server row is
 * locked first, as for static access IPs) so the per-server limit and the free-slot check
 * cannot interleave; the partial unique index on live slots is the backstop.
 */
import type { Kysely, Selectable } from 'kysely';
import { type BookingState, type ConsoleBooking, LIVE_BOOKING_STATES } from '../portal/console-booking.ts';
import type { ConsoleBookingTable, DatabaseSchema } from './database-schema.ts';

export interface BookingQuery {
  customerId?: string;
  serverId?: string;
  states?: readonly BookingState[];
  /** Bookings ending after this time. */
  fromMs?: number;
  /** Bookings starting before this time. */
  toMs?: number;
  limit?: number;
}

export type BookResult = { result: 'booked'; booking: ConsoleBooking } | { result: 'taken' } | { result: 'limit' } | { result: 'no-server' };

function fromRow(row: Selectable<ConsoleBookingTable>): ConsoleBooking {
  return { ...row, state: row.state as BookingState };
}

/** A unique-index violation in either database. */
function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; errcode?: unknown; message?: unknown };
  return e.code === '23505' || e.errcode === 2067 || (typeof e.message === 'string' && e.message.includes('UNIQUE constraint failed'));
}

export class ConsoleBookingRepository {
  readonly #db: Kysely<DatabaseSchema>;
  constructor(db: Kysely<DatabaseSchema>) {
    this.#db = db;
  }

  async book(booking: Omit<ConsoleBooking, 'id' | 'state' | 'decidedAt' | 'decidedBy' | 'staffMessage'>, options: { maxLivePerServer: number; nowMs: number }): Promise<BookResult> {
    try {
      return await this.#db.transaction().execute(async (trx): Promise<BookResult> => {
        const locked = await trx
          .updateTable('servers')
          .set((eb) => ({ updatedAt: eb.ref('updatedAt') }))
          .where('id', '=', booking.serverId)
          .executeTakeFirst();
        if (Number(locked.numUpdatedRows) === 0) return { result: 'no-server' };
        const live = await trx
          .selectFrom('consoleBookings')
          .select(['startsAt'])
          .where('serverId', '=', booking.serverId)
          .where('state', 'in', [...LIVE_BOOKING_STATES])
          .where('endsAt', '>', options.nowMs)
          .execute();
        if (live.some((b) => b.startsAt === booking.startsAt)) return { result: 'taken' };
        if (live.length >= options.maxLivePerServer) return { result: 'limit' };
        const row = await trx
          .insertInto('consoleBookings')
          .values({ ...booking, state: 'requested', decidedAt: null, decidedBy: null, staffMessage: '' })
          .returningAll()
          .executeTakeFirstOrThrow();
        return { result: 'booked', booking: fromRow(row) };
      });
    } catch (error) {
      if (isUniqueViolation(error)) return { result: 'taken' };
      throw error;
    }
  }

  async get(id: number): Promise<ConsoleBooking | undefined> {
    const row = await this.#db.selectFrom('consoleBookings').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : fromRow(row);
  }

  async list(query: BookingQuery = {}): Promise<ConsoleBooking[]> {
    let q = this.#db.selectFrom('consoleBookings').selectAll();
    if (query.customerId !== undefined) q = q.where('customerId', '=', query.customerId);
    if (query.serverId !== undefined) q = q.where('serverId', '=', query.serverId);
    if (query.states !== undefined) q = q.where('state', 'in', [...query.states]);
    if (query.fromMs !== undefined) q = q.where('endsAt', '>', query.fromMs);
    if (query.toMs !== undefined) q = q.where('startsAt', '<', query.toMs);
    const rows = await q
      .orderBy('startsAt')
      .orderBy('id')
      .limit(Math.min(query.limit ?? 100, 1000))
      .execute();
    return rows.map(fromRow);
  }

  /** Starts of the slots of a server held by live bookings in [fromMs, toMs). */
  async takenStarts(serverId: string, fromMs: number, toMs: number): Promise<number[]> {
    const rows = await this.#db
      .selectFrom('consoleBookings')
      .select('startsAt')
      .where('serverId', '=', serverId)
      .where('state', 'in', [...LIVE_BOOKING_STATES])
      .where('startsAt', '>=', fromMs)
      .where('startsAt', '<', toMs)
      .execute();
    return rows.map((r) => r.startsAt);
  }

  /** Moves a booking from one of `from` to `to`; undefined when it was not in one of `from`. */
  async transition(id: number, from: readonly BookingState[], to: BookingState, change: { at: number; by: string; message: string }): Promise<ConsoleBooking | undefined> {
    const result = await this.#db
      .updateTable('consoleBookings')
      .set({ state: to, decidedAt: change.at, decidedBy: change.by, staffMessage: change.message })
      .where('id', '=', id)
      .where('state', 'in', [...from])
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return undefined;
    return this.get(id);
  }
}
