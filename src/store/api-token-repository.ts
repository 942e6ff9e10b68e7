/** API tokens for machines (billing, automation, read-only): only a hash of the secret is kept. */
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from './database-schema.ts';

export interface ApiToken {
  id: string;
  name: string;
  scopes: string[];
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export class ApiTokenRepository {
  readonly #db: Kysely<DatabaseSchema>;
  constructor(db: Kysely<DatabaseSchema>) {
    this.#db = db;
  }

  async create(token: { id: string; name: string; secretHash: string; scopes: string[]; createdAt: number }): Promise<void> {
    await this.#db
      .insertInto('apiTokens')
      .values({ ...token, scopes: JSON.stringify(token.scopes), lastUsedAt: null, revokedAt: null })
      .execute();
  }

  async findActive(id: string): Promise<(ApiToken & { secretHash: string }) | undefined> {
    const row = await this.#db.selectFrom('apiTokens').selectAll().where('id', '=', id).where('revokedAt', 'is', null).executeTakeFirst();
    return row === undefined ? undefined : { ...row, scopes: JSON.parse(row.scopes) as string[] };
  }

  async touch(id: string, at: number): Promise<void> {
    await this.#db.updateTable('apiTokens').set({ lastUsedAt: at }).where('id', '=', id).execute();
  }

  async list(): Promise<ApiToken[]> {
    const rows = await this.#db.selectFrom('apiTokens').select(['id', 'name', 'scopes', 'createdAt', 'lastUsedAt', 'revokedAt']).orderBy('createdAt').execute();
    return rows.map((r) => ({ ...r, scopes: JSON.parse(r.scopes) as string[] }));
  }

  async revoke(id: string, at: number): Promise<boolean> {
    const result = await this.#db.updateTable('apiTokens').set({ revokedAt: at }).where('id', '=', id).where('revokedAt', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
