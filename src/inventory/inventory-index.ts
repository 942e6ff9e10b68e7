/**
 * The live view of the inventory that the hot path asks: which server owns an address,
 * is an address protected, is it inside the provider's own space. Servers get a small
 * integer slot so the address index stores numbers only and lookups allocate nothing.
 */
import ipaddr from 'ipaddr.js';
import { AddressIndex } from './address-index.ts';
import type { AddressOwner } from './inventory-types.ts';

export interface ServerSlotInfo {
  serverId: string;
  customerId: string;
  hostGroupId: string | null;
  uplinkGateway: string;
}

export class InventoryIndex {
  readonly #addresses = new AddressIndex();
  readonly #protected = new AddressIndex();
  readonly #provider = new AddressIndex();
  /** Slot -> server; a freed slot is undefined until reused. */
  readonly #slots: Array<ServerSlotInfo | undefined> = [];
  readonly #freeSlots: number[] = [];
  readonly #slotOf = new Map<string, number>();
  /** Server id -> the prefixes it holds in the index, to remove them on change. */
  readonly #prefixesOf = new Map<string, string[]>();
  /** Prefix -> slot, to resolve a lookup back to the assignment that matched. */
  readonly #prefixSlot = new Map<string, number>();
  /** Bumped on every change, so caches derived from server data know to refresh. */
  generation = 0;

  /** Replaces the whole content (startup and periodic reload). */
  load(assignments: AddressOwner[], protectedPrefixes: string[], providerPrefixes: string[]): void {
    for (const id of [...this.#slotOf.keys()]) this.removeServer(id);
    const byServer = new Map<string, { info: ServerSlotInfo; prefixes: string[] }>();
    for (const a of assignments) {
      const entry = byServer.get(a.serverId) ?? {
        info: { serverId: a.serverId, customerId: a.customerId, hostGroupId: a.hostGroupId, uplinkGateway: a.uplinkGateway },
        prefixes: [],
      };
      entry.prefixes.push(a.prefix);
      byServer.set(a.serverId, entry);
    }
    for (const { info, prefixes } of byServer.values()) this.setServer(info, prefixes);
    this.setProtected(protectedPrefixes);
    this.setProvider(providerPrefixes);
  }

  /** Adds or updates a server and replaces its prefixes. */
  setServer(info: ServerSlotInfo, prefixes: string[]): void {
    this.generation++;
    let slot = this.#slotOf.get(info.serverId);
    if (slot === undefined) {
      slot = this.#freeSlots.pop() ?? this.#slots.length;
      this.#slotOf.set(info.serverId, slot);
    }
    this.#slots[slot] = { ...info };
    for (const prefix of this.#prefixesOf.get(info.serverId) ?? []) {
      this.#addresses.remove(prefix);
      this.#prefixSlot.delete(prefix);
    }
    for (const prefix of prefixes) {
      this.#addresses.insert(prefix, slot);
      this.#prefixSlot.set(prefix, slot);
    }
    this.#prefixesOf.set(info.serverId, [...prefixes]);
  }

  removeServer(serverId: string): void {
    this.generation++;
    const slot = this.#slotOf.get(serverId);
    if (slot === undefined) return;
    for (const prefix of this.#prefixesOf.get(serverId) ?? []) {
      this.#addresses.remove(prefix);
      this.#prefixSlot.delete(prefix);
    }
    this.#prefixesOf.delete(serverId);
    this.#slotOf.delete(serverId);
    this.#slots[slot] = undefined;
    this.#freeSlots.push(slot);
  }

  setProtected(prefixes: string[]): void {
    this.#protected.build([]);
    for (const p of prefixes) this.#protected.insert(p, 1);
  }

  setProvider(prefixes: string[]): void {
    this.#provider.build([]);
    for (const p of prefixes) this.#provider.insert(p, 1);
  }

  // Hot path: numbers in, numbers out.

  /** Server slot owning an IPv4 address (uint32), or -1. */
  slotOf4(address: number): number {
    return this.#addresses.lookup4(address);
  }

  /** Server slot owning an IPv6 address (16 bytes at offset), or -1. */
  slotOf6(bytes: Uint8Array, offset = 0): number {
    return this.#addresses.lookup6(bytes, offset);
  }

  isProtected4(address: number): boolean {
    return this.#protected.lookup4(address) >= 0;
  }

  isProtected6(bytes: Uint8Array, offset = 0): boolean {
    return this.#protected.lookup6(bytes, offset) >= 0;
  }

  isProviderSpace4(address: number): boolean {
    return this.#provider.lookup4(address) >= 0;
  }

  isProviderSpace6(bytes: Uint8Array, offset = 0): boolean {
    return this.#provider.lookup6(bytes, offset) >= 0;
  }

  slotInfo(slot: number): ServerSlotInfo | undefined {
    return slot >= 0 ? this.#slots[slot] : undefined;
  }

  slotOfServer(serverId: string): number {
    return this.#slotOf.get(serverId) ?? -1;
  }

  /** Upper bound of slot numbers in use (for arrays indexed by slot). */
  get slotCapacity(): number {
    return this.#slots.length;
  }

  // Convenience (allocates): text in, owner out.

  lookup(address: string): AddressOwner | undefined {
    const slot = this.#addresses.lookup(address);
    const info = this.slotInfo(slot);
    if (info === undefined) return undefined;
    return { ...info, prefix: this.#matchingPrefix(info.serverId, address) };
  }

  /** The longest of the server's prefixes that contains the address. */
  #matchingPrefix(serverId: string, address: string): string {
    const parsed = ipaddr.process(address);
    let best = '';
    let bestLength = -1;
    for (const prefix of this.#prefixesOf.get(serverId) ?? []) {
      const [network, length] = ipaddr.parseCIDR(prefix);
      if (network.kind() === parsed.kind() && length > bestLength && parsed.match(network, length)) {
        best = prefix;
        bestLength = length;
      }
    }
    return best;
  }

  isProtected(address: string): boolean {
    return this.#protected.lookup(address) >= 0;
  }

  isProviderSpace(address: string): boolean {
    return this.#provider.lookup(address) >= 0;
  }

  stats(): { servers: number; prefixes: number; protectedPrefixes: number; providerPrefixes: number } {
    return {
      servers: this.#slotOf.size,
      prefixes: this.#prefixSlot.size,
      protectedPrefixes: this.#protected.size,
      providerPrefixes: this.#provider.size,
    };
  }
}
