/**
 * The abuse desk's one search box: an IP address finds the server it belongs to (longest
 * prefix match), a Blocking ID its lock, anything else servers by id or name and
 * customers by id, name, contact e-mail or the e-mail of one of their portal accounts.
 */
import ipaddr from 'ipaddr.js';
import type { Lock } from '../cases/lock-types.ts';
import { invalidInput } from '../errors.ts';
import type { InventoryIndex } from '../inventory/inventory-index.ts';
import type { AddressOwner, Customer, Server } from '../inventory/inventory-types.ts';
import type { InventoryRepository } from '../store/inventory-repository.ts';
import type { LockRepository } from '../store/lock-repository.ts';
import type { UserRepository } from '../store/user-repository.ts';

export type SearchKind = 'address' | 'blocking_id' | 'text';

export interface SearchResult {
  query: string;
  kind: SearchKind;
  /** For an address: who it belongs to and whether it is protected. */
  address: { ip: string; owner: AddressOwner | null; protected: boolean; providerSpace: boolean } | null;
  servers: Server[];
  customers: Customer[];
  locks: Lock[];
}

export interface SearchDeps {
  index: InventoryIndex;
  inventory: InventoryRepository;
  locks: LockRepository;
  users: UserRepository;
}

const BLOCKING_ID = /^[A-Z]{1,6}-[0-9A-Z]{8}$/;
const LIMIT = 20;

export async function searchConsole(deps: SearchDeps, text: unknown): Promise<SearchResult> {
  const query = typeof text === 'string' ? text.trim() : '';
  if (query === '') throw invalidInput([{ field: 'q', message: 'enter an IP address, a server, a customer or a Blocking ID' }]);
  if (query.length > 200) throw invalidInput([{ field: 'q', message: 'must be at most 200 characters' }]);

  if (ipaddr.isValid(query)) {
    const ip = ipaddr.process(query).toString();
    const owner = deps.index.lookup(ip) ?? null;
    const server = owner === null ? undefined : await deps.inventory.getServer(owner.serverId);
    const customer = owner === null ? undefined : await deps.inventory.getCustomer(owner.customerId);
    return {
      query,
      kind: 'address',
      address: { ip, owner, protected: deps.index.isProtected(ip), providerSpace: deps.index.isProviderSpace(ip) },
      servers: server === undefined ? [] : [server],
      customers: customer === undefined ? [] : [customer],
      locks: owner === null ? [] : await deps.locks.list({ serverId: owner.serverId, limit: LIMIT }),
    };
  }

  if (BLOCKING_ID.test(query.toUpperCase())) {
    const lock = await deps.locks.get(query.toUpperCase());
    if (lock !== undefined) {
      const server = await deps.inventory.getServer(lock.serverId);
      const customer = await deps.inventory.getCustomer(lock.customerId);
      return { query, kind: 'blocking_id', address: null, servers: server === undefined ? [] : [server], customers: customer === undefined ? [] : [customer], locks: [lock] };
    }
  }

  const servers = await deps.inventory.listServers({ search: query, limit: LIMIT });
  const customers = await deps.inventory.listCustomers({ search: query, limit: LIMIT });
  const seen = new Set(customers.map((c) => c.id));
  for (const user of await deps.users.list({ search: query, role: 'customer', limit: LIMIT })) {
    if (user.customerId === null || seen.has(user.customerId) || customers.length >= LIMIT) continue;
    const customer = await deps.inventory.getCustomer(user.customerId);
    if (customer !== undefined) {
      customers.push(customer);
      seen.add(customer.id);
    }
  }
  return { query, kind: 'text', address: null, servers, customers, locks: [] };
}
