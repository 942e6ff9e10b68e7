/**
 * Sign-in sessions, keyed by the SHA-256 of the cookie's secret. A session is valid until
 * its absolute expiry and while it is used at least every idle timeout; both are checked
 * in the query, so an expired row is never returned even before it is pruned.
 */
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from './database-schema.ts';
import type { User, UserLanguage, UserRole } from '../auth/user.ts';

export interface StoredSession {
  idHash: string;
  userId: number;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  clientAddress: string;
  userAgent: string;
}

export class SessionRepository {
  readonly #db: Kysely<DatabaseSchema>;
  constructor(db: Kysely<DatabaseSchema>) {
    this.#db = db;
  }

  async create(session: StoredSession): Promise<void> {
    await this.#db.insertInto('sessions').values(session).execute();
  }

  /** The live session and its (enabled) user, or undefined. */
  async findLive(idHash: string, now: number, idleMs: number): Promise<{ session: StoredSession; user: User } | undefined> {
    const row = await this.#db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.userId')
      .select([
        'sessions.idHash as idHash',
        'sessions.userId as userId',
        'sessions.createdAt as createdAt',
        'sessions.lastSeenAt as lastSeenAt',
        'sessions.expiresAt as expiresAt',
        'sessions.clientAddress as clientAddress',
        'sessions.userAgent as userAgent',
        'users.email as email',
        'users.role as role',
        'users.customerId as customerId',
        'users.language as language',
        'users.createdAt as userCreatedAt',
        'users.updatedAt as userUpdatedAt',
      ])
      .where('sessions.idHash', '=', idHash)
      .where('sessions.expiresAt', '>', now)
      .where('sessions.lastSeenAt', '>', now - idleMs)
      .where('users.disabledAt', 'is', null)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    const user: User = {
      id: row.userId,
      email: row.email,
      role: row.role as UserRole,
      customerId: row.customerId,
      language: row.language as UserLanguage,
      createdAt: row.userCreatedAt,
      updatedAt: row.userUpdatedAt,
      disabledAt: null,
    };
    const session: StoredSession = {
      idHash: row.idHash,
      userId: row.userId,
      createdAt: row.createdAt,
      lastSeenAt: row.lastSeenAt,
      expiresAt: row.expiresAt,
      clientAddress: row.clientAddress,
      userAgent: row.userAgent,
    };
    return { session, user };
  }

  async touch(idHash: string, now: number): Promise<void> {
    await this.#db.updateTable('sessions').set({ lastSeenAt: now }).where('idHash', '=', idHash).execute();
  }

  async delete(idHash: string): Promise<boolean> {
    const result = await this.#db.deleteFrom('sessions').where('idHash', '=', idHash).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Ends every session of a user (password change, disabling), except one if given. */
  async deleteOfUser(userId: number, exceptIdHash?: string): Promise<number> {
    let q = this.#db.deleteFrom('sessions').where('userId', '=', userId);
    if (exceptIdHash !== undefined) q = q.where('idHash', '<>', exceptIdHash);
    const result = await q.executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Removes sessions past their expiry or idle timeout. */
  async prune(now: number, idleMs: number): Promise<number> {
    const result = await this.#db
      .deleteFrom('sessions')
      .where((eb) => eb.or([eb('expiresAt', '<=', now), eb('lastSeenAt', '<=', now - idleMs)]))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async countOfUser(userId: number): Promise<number> {
    const row = await this.#db
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('userId', '=', userId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
