/**
 * Customers, host groups, servers with their assigned prefixes, and the provider's
 * protected and own prefixes. Validation lives in src/inventory; this only persists.
 */
import type { Kysely, Transaction } from 'kysely';
import type { AddressOwner, Customer, HostGroup, InventorySnapshot, PrefixNote, Server } from '../inventory/inventory-types.ts';
import type { DatabaseSchema } from './database-schema.ts';

type Db = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;
export type PrefixList = 'protectedPrefixes' | 'providerPrefixes';

export interface ListQuery {
  search?: string;
  customerId?: string;
  limit?: number;
  offset?: number;
}

function familyOf(prefix: string): 4 | 6 {
  return prefix.includes(':') ? 6 : 4;
}

export class InventoryRepository {
  readonly #db: Kysely<DatabaseSchema>;
  constructor(db: Kysely<DatabaseSchema>) {
    this.#db = db;
  }

  transaction<T>(work: (trx: Transaction<DatabaseSchema>) => Promise<T>): Promise<T> {
    return this.#db.transaction().execute(work);
  }

  // Customers

  async listCustomers(query: ListQuery = {}): Promise<Customer[]> {
    let q = this.#db.selectFrom('customers').selectAll();
    if (query.search !== undefined && query.search !== '') {
      const like = `%${query.search.toLowerCase()}%`;
      q = q.where((eb) => eb.or([eb(eb.fn('lower', ['id']), 'like', like), eb(eb.fn('lower', ['name']), 'like', like), eb(eb.fn('lower', ['email']), 'like', like)]));
    }
    return q
      .orderBy('id')
      .limit(query.limit ?? 100)
      .offset(query.offset ?? 0)
      .execute();
  }

  async getCustomer(id: string, db: Db = this.#db): Promise<Customer | undefined> {
    return db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async upsertCustomer(customer: Omit<Customer, 'createdAt' | 'updatedAt'>, now: number, db: Db = this.#db): Promise<Customer> {
    const row = await db
      .insertInto('customers')
      .values({ ...customer, createdAt: now, updatedAt: now })
      .onConflict((oc) => oc.column('id').doUpdateSet({ name: customer.name, email: customer.email, language: customer.language, updatedAt: now }))
      .returningAll()
      .executeTakeFirstOrThrow();
    return row;
  }

  async deleteCustomer(id: string, db: Db = this.#db): Promise<boolean> {
    const result = await db.deleteFrom('customers').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async countServersOfCustomer(customerId: string, db: Db = this.#db): Promise<number> {
    const row = await db
      .selectFrom('servers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('customerId', '=', customerId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  // Host groups

  async listHostGroups(): Promise<HostGroup[]> {
    return this.#db.selectFrom('hostGroups').selectAll().orderBy('id').execute();
  }

  async getHostGroup(id: string, db: Db = this.#db): Promise<HostGroup | undefined> {
    return db.selectFrom('hostGroups').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async upsertHostGroup(group: HostGroup, db: Db = this.#db): Promise<HostGroup> {
    return db
      .insertInto('hostGroups')
      .values(group)
      .onConflict((oc) => oc.column('id').doUpdateSet({ name: group.name, description: group.description }))
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async deleteHostGroup(id: string, db: Db = this.#db): Promise<boolean> {
    await db.updateTable('servers').set({ hostGroupId: null }).where('hostGroupId', '=', id).execute();
    const result = await db.deleteFrom('hostGroups').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  // Servers

  async listServers(query: ListQuery = {}): Promise<Server[]> {
    let q = this.#db.selectFrom('servers').selectAll();
    if (query.customerId !== undefined) q = q.where('customerId', '=', query.customerId);
    if (query.search !== undefined && query.search !== '') {
      const like = `%${query.search.toLowerCase()}%`;
      q = q.where((eb) => eb.or([eb(eb.fn('lower', ['id']), 'like', like), eb(eb.fn('lower', ['name']), 'like', like)]));
    }
    const rows = await q
      .orderBy('id')
      .limit(query.limit ?? 100)
      .offset(query.offset ?? 0)
      .execute();
    return this.#withAddresses(rows, this.#db);
  }

  async getServer(id: string, db: Db = this.#db): Promise<Server | undefined> {
    const row = await db.selectFrom('servers').selectAll().where('id', '=', id).executeTakeFirst();
    if (row === undefined) return undefined;
    return (await this.#withAddresses([row], db))[0];
  }

  async #withAddresses(rows: Array<Omit<Server, 'addresses'>>, db: Db): Promise<Server[]> {
    if (rows.length === 0) return [];
    const addresses = await db
      .selectFrom('serverAddresses')
      .select(['serverId', 'prefix'])
      .where(
        'serverId',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('prefix')
      .execute();
    const byServer = new Map<string, string[]>();
    for (const a of addresses) {
      const list = byServer.get(a.serverId) ?? [];
      list.push(a.prefix);
      byServer.set(a.serverId, list);
    }
    return rows.map((r) => ({ ...r, addresses: byServer.get(r.id) ?? [] }));
  }

  /** Which server holds exactly this prefix, if any. */
  async prefixHolder(prefix: string, db: Db = this.#db): Promise<string | undefined> {
    const row = await db.selectFrom('serverAddresses').select('serverId').where('prefix', '=', prefix).executeTakeFirst();
    return row?.serverId;
  }

  /** Creates or replaces a server and its whole address list. */
  async upsertServer(server: Omit<Server, 'createdAt' | 'updatedAt'>, now: number, db: Db): Promise<Server> {
    const { addresses, ...row } = server;
    await db
      .insertInto('servers')
      .values({ ...row, createdAt: now, updatedAt: now })
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({
          name: row.name,
          customerId: row.customerId,
          hostGroupId: row.hostGroupId,
          uplinkGateway: row.uplinkGateway,
          updatedAt: now,
        }),
      )
      .execute();
    await db.deleteFrom('serverAddresses').where('serverId', '=', server.id).execute();
    if (addresses.length > 0) {
      await db
        .insertInto('serverAddresses')
        .values(addresses.map((prefix) => ({ prefix, serverId: server.id, family: familyOf(prefix) })))
        .execute();
    }
    const stored = await this.getServer(server.id, db);
    if (stored === undefined) throw new Error(`server ${server.id} vanished during upsert`);
    return stored;
  }

  async deleteServer(id: string, db: Db = this.#db): Promise<boolean> {
    await db.deleteFrom('serverAddresses').where('serverId', '=', id).execute();
    const result = await db.deleteFrom('servers').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Every assignment with its owner, for building the address index. */
  async allAssignments(): Promise<AddressOwner[]> {
    return this.#db
      .selectFrom('serverAddresses')
      .innerJoin('servers', 'servers.id', 'serverAddresses.serverId')
      .select(['serverAddresses.prefix as prefix', 'servers.id as serverId', 'servers.customerId as customerId', 'servers.hostGroupId as hostGroupId', 'servers.uplinkGateway as uplinkGateway'])
      .execute();
  }

  async counts(): Promise<{ customers: number; servers: number; addresses: number }> {
    const count = async (table: 'customers' | 'servers' | 'serverAddresses'): Promise<number> =>
      Number((await this.#db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    return { customers: await count('customers'), servers: await count('servers'), addresses: await count('serverAddresses') };
  }

  // Protected and provider prefixes

  async listPrefixes(list: PrefixList): Promise<PrefixNote[]> {
    return this.#db.selectFrom(list).selectAll().orderBy('prefix').execute();
  }

  async upsertPrefix(list: PrefixList, note: { prefix: string; description: string }, now: number, db: Db = this.#db): Promise<PrefixNote> {
    return db
      .insertInto(list)
      .values({ ...note, createdAt: now })
      .onConflict((oc) => oc.column('prefix').doUpdateSet({ description: note.description }))
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async deletePrefix(list: PrefixList, prefix: string, db: Db = this.#db): Promise<boolean> {
    const result = await db.deleteFrom(list).where('prefix', '=', prefix).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Writes a whole validated snapshot in one transaction: all of it or nothing. */
  async importSnapshot(snapshot: InventorySnapshot, now: number, db: Db): Promise<void> {
    for (const group of snapshot.hostGroups) await this.upsertHostGroup(group, db);
    for (const customer of snapshot.customers) await this.upsertCustomer(customer, now, db);
    // Free every imported server's addresses first, so addresses can move between them.
    const ids = snapshot.servers.map((s) => s.id);
    for (let i = 0; i < ids.length; i += 500) {
      await db.deleteFrom('serverAddresses').where('serverId', 'in', ids.slice(i, i + 500)).execute();
    }
    for (const server of snapshot.servers) await this.upsertServer(server, now, db);
    for (const p of snapshot.protectedPrefixes) await this.upsertPrefix('protectedPrefixes', p, now, db);
    for (const p of snapshot.providerPrefixes) await this.upsertPrefix('providerPrefixes', p, now, db);
  }
}
