/** People who sign in. Validation and hashing live in src/auth; this only persists. */
import type { Kysely, Selectable } from 'kysely';
import type { User, UserLanguage, UserRole } from '../auth/user.ts';
import type { DatabaseSchema, UserTable } from './database-schema.ts';

export type UserWithHash = User & { passwordHash: string };

function fromRow(row: Selectable<UserTable>): UserWithHash {
  return {
    id: row.id,
    email: row.email,
    role: row.role as UserRole,
    customerId: row.customerId,
    language: row.language as UserLanguage,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    disabledAt: row.disabledAt,
    passwordHash: row.passwordHash,
  };
}

function withoutHash(user: UserWithHash): User {
  const { passwordHash: _hash, ...rest } = user;
  return rest;
}

export class UserRepository {
  readonly #db: Kysely<DatabaseSchema>;
  constructor(db: Kysely<DatabaseSchema>) {
    this.#db = db;
  }

  /** Inserts a user; undefined when the e-mail key is taken (the unique index decides, not a prior read). */
  async create(user: Omit<UserWithHash, 'id' | 'updatedAt' | 'disabledAt'> & { emailKey: string }): Promise<User | undefined> {
    const row = await this.#db
      .insertInto('users')
      .values({ ...user, updatedAt: user.createdAt, disabledAt: null })
      .onConflict((oc) => oc.column('emailKey').doNothing())
      .returningAll()
      .executeTakeFirst();
    return row === undefined ? undefined : withoutHash(fromRow(row));
  }

  /** With the hash, for sign-in. */
  async findByEmailKey(emailKey: string): Promise<UserWithHash | undefined> {
    const row = await this.#db.selectFrom('users').selectAll().where('emailKey', '=', emailKey).executeTakeFirst();
    return row === undefined ? undefined : fromRow(row);
  }

  async get(id: number): Promise<User | undefined> {
    const row = await this.#db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : withoutHash(fromRow(row));
  }

  async getWithHash(id: number): Promise<UserWithHash | undefined> {
    const row = await this.#db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : fromRow(row);
  }

  async list(query: { customerId?: string; role?: UserRole; search?: string; limit?: number } = {}): Promise<User[]> {
    let q = this.#db.selectFrom('users').selectAll();
    if (query.customerId !== undefined) q = q.where('customerId', '=', query.customerId);
    if (query.role !== undefined) q = q.where('role', '=', query.role);
    if (query.search !== undefined && query.search !== '') q = q.where('emailKey', 'like', `%${query.search.toLowerCase()}%`);
    const rows = await q
      .orderBy('id')
      .limit(Math.min(query.limit ?? 100, 1000))
      .execute();
    return rows.map((r) => withoutHash(fromRow(r)));
  }

  async setPasswordHash(id: number, passwordHash: string, now: number): Promise<boolean> {
    const result = await this.#db.updateTable('users').set({ passwordHash, updatedAt: now }).where('id', '=', id).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async setLanguage(id: number, language: UserLanguage, now: number): Promise<boolean> {
    const result = await this.#db.updateTable('users').set({ language, updatedAt: now }).where('id', '=', id).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Disables (at = a time) or re-enables (at = null) an account. */
  async setDisabled(id: number, at: number | null, now: number): Promise<boolean> {
    const result = await this.#db.updateTable('users').set({ disabledAt: at, updatedAt: now }).where('id', '=', id).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
