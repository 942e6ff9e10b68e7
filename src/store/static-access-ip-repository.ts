/**
 * Static access IPs per server. Validation (public addresses, at most a /29 or /125)
 * lives in src/enforce/static-access-ip.ts; this persists and enforces the per-server
 * limit atomically, so two concurrent registrations cannot both take the last slot.
 */
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from './database-schema.ts';

export interface StaticAccessIp {
  serverId: string;
  prefix: string;
  createdAt: number;
  createdBy: string;
}

export type AddStaticAccessIpResult = 'added' | 'exists' | 'limit' | 'no-server';

export class StaticAccessIpRepository {
  readonly #db: Kysely<DatabaseSchema>;
  constructor(db: Kysely<DatabaseSchema>) {
    this.#db = db;
  }

  async list(serverId: string): Promise<StaticAccessIp[]> {
    return this.#db.selectFrom('staticAccessIps').selectAll().where('serverId', '=', serverId).orderBy('prefix').execute();
  }

  /** Prefixes per server for many servers at once (building the gateways' desired state). */
  async prefixesByServer(serverIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (serverIds.length === 0) return out;
    const rows = await this.#db
      .selectFrom('staticAccessIps')
      .select(['serverId', 'prefix'])
      .where('serverId', 'in', [...serverIds])
      .orderBy('serverId')
      .orderBy('prefix')
      .execute();
    for (const row of rows) {
      const list = out.get(row.serverId);
      if (list === undefined) out.set(row.serverId, [row.prefix]);
      else list.push(row.prefix);
    }
    return out;
  }

  /**
   * Adds a prefix unless the server already has `max` of them. The server row is locked
   * first (a no-op update: a row lock in PostgreSQL, the write lock in SQLite), so the
   * count and the insert cannot interleave with another registration for the server.
   */
  async add(entry: StaticAccessIp, max: number): Promise<AddStaticAccessIpResult> {
    return this.#db.transaction().execute(async (trx) => {
      const locked = await trx
        .updateTable('servers')
        .set((eb) => ({ updatedAt: eb.ref('updatedAt') }))
        .where('id', '=', entry.serverId)
        .executeTakeFirst();
      if (Number(locked.numUpdatedRows) === 0) return 'no-server';
      const existing = await trx.selectFrom('staticAccessIps').select('prefix').where('serverId', '=', entry.serverId).execute();
      if (existing.some((r) => r.prefix === entry.prefix)) return 'exists';
      if (existing.length >= max) return 'limit';
      await trx.insertInto('staticAccessIps').values(entry).execute();
      return 'added';
    });
  }

  async remove(serverId: string, prefix: string): Promise<boolean> {
    const result = await this.#db.deleteFrom('staticAccessIps').where('serverId', '=', serverId).where('prefix', '=', prefix).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
