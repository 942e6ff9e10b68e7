/**
 * Inventory operations: validate, persist with an audit entry in the same transaction,
 * then bring the in-memory address index up to date so detection sees the change at once.
 */
import { conflict, type FieldProblem, invalidInput, notFound } from '../errors.ts';
import type { Actor, AuditRepository } from '../store/audit-repository.ts';
import type { InventoryRepository, ListQuery, PrefixList } from '../store/inventory-repository.ts';
import type { InventoryIndex } from './inventory-index.ts';
import type { AddressOwner, Customer, HostGroup, InventorySnapshot, PrefixNote, Server } from './inventory-types.ts';
import { validateCustomer, validateHostGroup, validatePrefixList, validateServer } from './inventory-validation.ts';
import { parsePrefix } from './prefix.ts';

export interface InventoryServiceDeps {
  repository: InventoryRepository;
  audit: AuditRepository;
  index: InventoryIndex;
  now?: () => number;
}

export class InventoryService {
  readonly #repo: InventoryRepository;
  readonly #audit: AuditRepository;
  readonly index: InventoryIndex;
  readonly #now: () => number;

  constructor(deps: InventoryServiceDeps) {
    this.#repo = deps.repository;
    this.#audit = deps.audit;
    this.index = deps.index;
    this.#now = deps.now ?? Date.now;
  }

  /** Rebuilds the address index from the store (startup, periodic reload, after import). */
  async reloadIndex(): Promise<void> {
    const [assignments, protectedPrefixes, providerPrefixes] = await Promise.all([
      this.#repo.allAssignments(),
      this.#repo.listPrefixes('protectedPrefixes'),
      this.#repo.listPrefixes('providerPrefixes'),
    ]);
    this.index.load(
      assignments,
      protectedPrefixes.map((p) => p.prefix),
      providerPrefixes.map((p) => p.prefix),
    );
  }

  lookup(address: string): AddressOwner | undefined {
    try {
      parsePrefix(address);
    } catch (error) {
      throw invalidInput([{ field: 'ip', message: (error as Error).message }]);
    }
    return this.index.lookup(address);
  }

  // Customers

  listCustomers(query: ListQuery = {}): Promise<Customer[]> {
    return this.#repo.listCustomers(query);
  }

  async getCustomer(id: string): Promise<Customer> {
    const customer = await this.#repo.getCustomer(id);
    if (customer === undefined) throw notFound('customer', id);
    return customer;
  }

  async putCustomer(input: Record<string, unknown>, actor: Actor): Promise<Customer> {
    const { value, problems } = validateCustomer(input);
    if (problems.length > 0) throw invalidInput(problems);
    return this.#repo.transaction(async (trx) => {
      const existed = (await this.#repo.getCustomer(value.id, trx)) !== undefined;
      const stored = await this.#repo.upsertCustomer(value, this.#now(), trx);
      await this.#audit.append(
        { actor, action: existed ? 'customer.updated' : 'customer.created', subjectType: 'customer', subjectId: value.id, details: { ...value } },
        trx,
      );
      return stored;
    });
  }

  async deleteCustomer(id: string, actor: Actor): Promise<void> {
    await this.#repo.transaction(async (trx) => {
      if ((await this.#repo.getCustomer(id, trx)) === undefined) throw notFound('customer', id);
      const servers = await this.#repo.countServersOfCustomer(id, trx);
      if (servers > 0) throw conflict(`customer ${id} still has ${servers} server(s); delete or move them first`);
      await this.#repo.deleteCustomer(id, trx);
      await this.#audit.append({ actor, action: 'customer.deleted', subjectType: 'customer', subjectId: id }, trx);
    });
  }

  // Host groups

  listHostGroups(): Promise<HostGroup[]> {
    return this.#repo.listHostGroups();
  }

  async putHostGroup(input: Record<string, unknown>, actor: Actor): Promise<HostGroup> {
    const { value, problems } = validateHostGroup(input);
    if (problems.length > 0) throw invalidInput(problems);
    return this.#repo.transaction(async (trx) => {
      const stored = await this.#repo.upsertHostGroup(value, trx);
      await this.#audit.append({ actor, action: 'host_group.saved', subjectType: 'host_group', subjectId: value.id, details: { ...value } }, trx);
      return stored;
    });
  }

  async deleteHostGroup(id: string, actor: Actor): Promise<void> {
    await this.#repo.transaction(async (trx) => {
      if (!(await this.#repo.deleteHostGroup(id, trx))) throw notFound('host group', id);
      await this.#audit.append({ actor, action: 'host_group.deleted', subjectType: 'host_group', subjectId: id }, trx);
    });
    await this.reloadIndex();
  }

  // Servers

  listServers(query: ListQuery = {}): Promise<Server[]> {
    return this.#repo.listServers(query);
  }

  async getServer(id: string): Promise<Server> {
    const server = await this.#repo.getServer(id);
    if (server === undefined) throw notFound('server', id);
    return server;
  }

  async putServer(input: Record<string, unknown>, actor: Actor): Promise<Server> {
    const { value, problems } = validateServer(input);
    if (problems.length > 0) throw invalidInput(problems);
    const stored = await this.#repo.transaction(async (trx) => {
      const fieldProblems: FieldProblem[] = [];
      if ((await this.#repo.getCustomer(value.customerId, trx)) === undefined) {
        fieldProblems.push({ field: 'customerId', message: `customer ${JSON.stringify(value.customerId)} does not exist` });
      }
      if (value.hostGroupId !== null && (await this.#repo.getHostGroup(value.hostGroupId, trx)) === undefined) {
        fieldProblems.push({ field: 'hostGroupId', message: `host group ${JSON.stringify(value.hostGroupId)} does not exist` });
      }
      if (fieldProblems.length > 0) throw invalidInput(fieldProblems);
      const taken: FieldProblem[] = [];
      for (const [i, prefix] of value.addresses.entries()) {
        const holder = await this.#repo.prefixHolder(prefix, trx);
        if (holder !== undefined && holder !== value.id) taken.push({ field: `addresses[${i}]`, message: `${prefix} is assigned to server ${holder}` });
      }
      if (taken.length > 0) throw conflict('address already assigned to another server', taken);
      const before = await this.#repo.getServer(value.id, trx);
      const saved = await this.#repo.upsertServer(value, this.#now(), trx);
      await this.#audit.append(
        {
          actor,
          action: before === undefined ? 'server.created' : 'server.updated',
          subjectType: 'server',
          subjectId: value.id,
          details: { ...value, previousAddresses: before?.addresses ?? [] },
        },
        trx,
      );
      return saved;
    });
    this.index.setServer(
      { serverId: stored.id, customerId: stored.customerId, hostGroupId: stored.hostGroupId, uplinkGateway: stored.uplinkGateway },
      stored.addresses,
    );
    return stored;
  }

  async deleteServer(id: string, actor: Actor): Promise<void> {
    await this.#repo.transaction(async (trx) => {
      if (!(await this.#repo.deleteServer(id, trx))) throw notFound('server', id);
      await this.#audit.append({ actor, action: 'server.deleted', subjectType: 'server', subjectId: id }, trx);
    });
    this.index.removeServer(id);
  }

  // Protected and provider prefixes

  listPrefixes(list: PrefixList): Promise<PrefixNote[]> {
    return this.#repo.listPrefixes(list);
  }

  async putPrefix(list: PrefixList, input: Record<string, unknown>, actor: Actor): Promise<PrefixNote> {
    const problems: FieldProblem[] = [];
    const [prefix] = validatePrefixList([input.prefix ?? ''], 'prefix', problems);
    if (problems.length > 0) throw invalidInput(problems.map((p) => ({ ...p, field: 'prefix' })));
    const description = typeof input.description === 'string' ? input.description.trim().slice(0, 500) : '';
    const stored = await this.#repo.transaction(async (trx) => {
      const saved = await this.#repo.upsertPrefix(list, { prefix, description }, this.#now(), trx);
      await this.#audit.append({ actor, action: `${listName(list)}.saved`, subjectType: listName(list), subjectId: prefix, details: { description } }, trx);
      return saved;
    });
    await this.#refreshPrefixList(list);
    return stored;
  }

  async deletePrefix(list: PrefixList, prefixText: string, actor: Actor): Promise<void> {
    let prefix: string;
    try {
      prefix = parsePrefix(prefixText).text;
    } catch (error) {
      throw invalidInput([{ field: 'prefix', message: (error as Error).message }]);
    }
    await this.#repo.transaction(async (trx) => {
      if (!(await this.#repo.deletePrefix(list, prefix, trx))) throw notFound(listName(list).replace('_', ' '), prefix);
      await this.#audit.append({ actor, action: `${listName(list)}.deleted`, subjectType: listName(list), subjectId: prefix }, trx);
    });
    await this.#refreshPrefixList(list);
  }

  async #refreshPrefixList(list: PrefixList): Promise<void> {
    const prefixes = (await this.#repo.listPrefixes(list)).map((p) => p.prefix);
    if (list === 'protectedPrefixes') this.index.setProtected(prefixes);
    else this.index.setProvider(prefixes);
  }

  // Import

  /**
   * Imports a whole snapshot: validated completely first (every problem reported), then
   * written in one transaction, so a bad row leaves the inventory untouched.
   */
  async importSnapshot(snapshot: InventorySnapshot, actor: Actor, problemsSoFar: FieldProblem[] = []): Promise<ImportSummary> {
    const problems = [...problemsSoFar];
    const owners = new Map<string, string>();
    for (const server of snapshot.servers) {
      for (const prefix of server.addresses) {
        const other = owners.get(prefix);
        if (other !== undefined && other !== server.id) problems.push({ field: `server ${server.id}`, message: `${prefix} is also assigned to server ${other} in this file` });
        owners.set(prefix, server.id);
      }
    }
    const customerIds = new Set(snapshot.customers.map((c) => c.id));
    const groupIds = new Set(snapshot.hostGroups.map((g) => g.id));
    const importedServers = new Set(snapshot.servers.map((s) => s.id));
    if (problems.length > 0) throw invalidInput(problems, 'import refused, nothing was written');
    await this.#repo.transaction(async (trx) => {
      const dbProblems: FieldProblem[] = [];
      for (const server of snapshot.servers) {
        if (!customerIds.has(server.customerId) && (await this.#repo.getCustomer(server.customerId, trx)) === undefined) {
          dbProblems.push({ field: `server ${server.id}`, message: `customer ${server.customerId} does not exist` });
        }
        if (server.hostGroupId !== null && !groupIds.has(server.hostGroupId) && (await this.#repo.getHostGroup(server.hostGroupId, trx)) === undefined) {
          dbProblems.push({ field: `server ${server.id}`, message: `host group ${server.hostGroupId} does not exist` });
        }
        for (const prefix of server.addresses) {
          const holder = await this.#repo.prefixHolder(prefix, trx);
          if (holder !== undefined && holder !== server.id && !importedServers.has(holder)) {
            dbProblems.push({ field: `server ${server.id}`, message: `${prefix} is assigned to server ${holder}` });
          }
        }
      }
      if (dbProblems.length > 0) throw invalidInput(dbProblems, 'import refused, nothing was written');
      await this.#repo.importSnapshot(snapshot, this.#now(), trx);
      await this.#audit.append(
        {
          actor,
          action: 'inventory.imported',
          subjectType: 'inventory',
          subjectId: '*',
          details: { customers: snapshot.customers.length, servers: snapshot.servers.length, hostGroups: snapshot.hostGroups.length },
        },
        trx,
      );
    });
    await this.reloadIndex();
    return {
      customers: snapshot.customers.length,
      hostGroups: snapshot.hostGroups.length,
      servers: snapshot.servers.length,
      addresses: snapshot.servers.reduce((n, s) => n + s.addresses.length, 0),
      protectedPrefixes: snapshot.protectedPrefixes.length,
      providerPrefixes: snapshot.providerPrefixes.length,
    };
  }
}

export interface ImportSummary {
  customers: number;
  hostGroups: number;
  servers: number;
  addresses: number;
  protectedPrefixes: number;
  providerPrefixes: number;
}

function listName(list: PrefixList): string {
  return list === 'protectedPrefixes' ? 'protected_prefix' : 'provider_prefix';
}

