import { AddressIndexError } from './address-index-error.ts';
import {
  type AddressPrefix,
  formatAddressPrefix,
  parseAddress,
  parseAddressPrefix,
  validateAddressPrefix,
} from './address-prefix.ts';
import { Ipv4PrefixTable } from './ipv4-prefix-table.ts';
import { Ipv6PrefixTable } from './ipv6-prefix-table.ts';

/**
 * In-memory longest-prefix-match index from IPv4/IPv6 prefixes to small integers (the
 * inventory's server slots), for the flow hot path: two lookups per flow, most of them
 * misses, no allocation.
 *
 * IPv4 is a DIR-24-8 table (one or two typed-array reads per lookup, see
 * ipv4-prefix-table.ts); IPv6 is one hash of (network, length), probed once per prefix
 * length present, longest first, behind a /32 guard (see ipv6-prefix-table.ts). Both are
 * updated incrementally: removing a longer prefix reveals the covering shorter one again.
 * The tables are plain (not shared) typed arrays: each worker thread that looks addresses
 * up holds its own index.
 *
 * Decisions callers rely on:
 * - Prefixes with host bits set (`192.0.2.1/24`) are rejected (`host_bits_set`), not
 *   normalized: inventory typos must surface, not move traffic to another server.
 * - A bare address is a host prefix (/32, /128).
 * - Families never mix. IPv4-mapped IPv6 (`::ffff:192.0.2.1`) is an IPv6 address here and
 *   matches only IPv6 prefixes, in `lookup6` and in `lookup(text)` alike, so both paths
 *   agree; flows carry IPv4 as IPv4, and a caller that wants mapped addresses folded must
 *   convert them itself.
 * - `insert` of an existing prefix replaces its value (an address moved to another
 *   server); `build` replaces the whole content and refuses the same prefix twice with
 *   different values.
 * - Values are integers 0..MAX_ADDRESS_INDEX_VALUE; lookups return -1 for no match.
 * - The hot-path lookups trust their input (no checks per call): `lookup4` takes any
 *   uint32 or its int32 alias, `lookup6` reads 16 bytes at `offset` that must exist.
 */
export const MAX_ADDRESS_INDEX_VALUE = 0x7ffffffe;

export interface AddressIndexEntry {
  readonly prefix: string | AddressPrefix;
  readonly value: number;
}

export interface AddressIndexStats {
  ipv4Prefixes: number;
  ipv6Prefixes: number;
  /** /24s split into 256-entry chunks because they hold prefixes longer than /24. */
  ipv4Chunks: number;
  /** Slots of the IPv6 hash (34 bytes each). */
  ipv6Slots: number;
  /** Allocated bytes of the IPv4 tables (the 80 MiB base is resident only where used). */
  ipv4Bytes: number;
  ipv6Bytes: number;
  /** ipv4Bytes + ipv6Bytes: an estimate of allocated memory, not a measurement. */
  memoryBytes: number;
}

export class AddressIndex {
  private v4 = new Ipv4PrefixTable();
  private v6 = new Ipv6PrefixTable();

  /** Number of prefixes of both families. */
  get size(): number {
    return this.v4.size + this.v6.size;
  }

  /** Value for an IPv4 address given as uint32 (FlowRecord.srcAddr4), or -1. Never allocates. */
  lookup4(addr: number): number {
    return this.v4.lookup(addr);
  }

  /** Value for the 16 IPv6 bytes at `offset` (FlowRecord.srcAddr), or -1. Never allocates. */
  lookup6(bytes: Uint8Array, offset = 0): number {
    return this.v6.lookup(bytes, offset);
  }

  /** Value for an address in text form, or -1; throws `invalid_address` on bad text. Allocates. */
  lookup(text: string): number {
    const address = parseAddress(text);
    return address.family === 4 ? this.v4.lookup(address.address) : this.v6.lookup(address.bytes, 0);
  }

  /** Value stored for exactly this prefix (no longest-prefix matching), or -1. */
  get(prefix: string | AddressPrefix): number {
    const p = toPrefix(prefix);
    if (p.family === 4) return this.v4.get(p.address, p.length);
    const w = words(p.bytes);
    return this.v6.get(w[0], w[1], w[2], w[3], p.length);
  }

  /** Adds a prefix or replaces its value; returns true when the prefix was new. */
  insert(prefix: string | AddressPrefix, value: number): boolean {
    const p = toPrefix(prefix);
    checkValue(value, p);
    if (p.family === 4) return this.v4.insert(p.address, p.length, value);
    const w = words(p.bytes);
    return this.v6.insert(w[0], w[1], w[2], w[3], p.length, value);
  }

  /** Removes a prefix; returns false when it was not there. */
  remove(prefix: string | AddressPrefix): boolean {
    const p = toPrefix(prefix);
    if (p.family === 4) return this.v4.remove(p.address, p.length);
    const w = words(p.bytes);
    return this.v6.remove(w[0], w[1], w[2], w[3], p.length);
  }

  /**
   * Replaces the whole content with `entries` (the initial load, or a full reload).
   * All-or-nothing: every entry is validated into fresh tables first, so on an error the
   * index keeps its previous content. IPv4 prefixes go in shortest first, so each table
   * slot is written about once instead of once per nesting level.
   */
  build(entries: Iterable<AddressIndexEntry>): void {
    const v4Address: number[] = [];
    const v4Length: number[] = [];
    const v4Value: number[] = [];
    const v6 = new Ipv6PrefixTable();
    for (const entry of entries) {
      const p = toPrefix(entry.prefix);
      checkValue(entry.value, p);
      if (p.family === 4) {
        v4Address.push(p.address);
        v4Length.push(p.length);
        v4Value.push(entry.value);
        continue;
      }
      const w = words(p.bytes);
      const existing = v6.get(w[0], w[1], w[2], w[3], p.length);
      if (existing >= 0 && existing !== entry.value) throw duplicate(p, existing, entry.value);
      v6.insert(w[0], w[1], w[2], w[3], p.length, entry.value);
    }
    // An empty IPv4 table is all zeros already: fill it in place rather than allocate a
    // second 80 MiB table, and empty it again if the load fails.
    const v4 = this.v4.size === 0 ? this.v4 : new Ipv4PrefixTable();
    try {
      for (const i of orderByLength(v4Length)) {
        const existing = v4.get(v4Address[i], v4Length[i]);
        if (existing >= 0 && existing !== v4Value[i]) {
          throw duplicate({ family: 4, address: v4Address[i], length: v4Length[i] }, existing, v4Value[i]);
        }
        v4.insert(v4Address[i], v4Length[i], v4Value[i]);
      }
    } catch (err) {
      if (v4 === this.v4) v4.clear();
      throw err;
    }
    this.v4 = v4;
    this.v6 = v6;
  }

  /** Every prefix with its value (IPv4 shortest first, then IPv6). Allocates; not for the hot path. */
  *entries(): Generator<{ prefix: AddressPrefix; value: number }> {
    for (const [address, length, value] of this.v4.entries()) yield { prefix: { family: 4, address, length }, value };
    for (const [w0, w1, w2, w3, length, value] of this.v6.entries()) {
      const bytes = new Uint8Array(16);
      const view = new DataView(bytes.buffer);
      view.setInt32(0, w0);
      view.setInt32(4, w1);
      view.setInt32(8, w2);
      view.setInt32(12, w3);
      yield { prefix: { family: 6, bytes, length }, value };
    }
  }

  stats(): AddressIndexStats {
    const ipv4Bytes = this.v4.memoryBytes();
    const ipv6Bytes = this.v6.memoryBytes();
    return {
      ipv4Prefixes: this.v4.size,
      ipv6Prefixes: this.v6.size,
      ipv4Chunks: this.v4.chunks,
      ipv6Slots: this.v6.slots,
      ipv4Bytes,
      ipv6Bytes,
      memoryBytes: ipv4Bytes + ipv6Bytes,
    };
  }
}

function toPrefix(prefix: string | AddressPrefix): AddressPrefix {
  return typeof prefix === 'string' ? parseAddressPrefix(prefix) : validateAddressPrefix(prefix);
}

function checkValue(value: number, prefix: AddressPrefix): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_ADDRESS_INDEX_VALUE) {
    throw new AddressIndexError(
      'invalid_value',
      `invalid value ${String(value)} for ${formatAddressPrefix(prefix)}: must be an integer 0..${MAX_ADDRESS_INDEX_VALUE}`,
    );
  }
}

function duplicate(prefix: AddressPrefix, first: number, second: number): AddressIndexError {
  return new AddressIndexError(
    'duplicate_prefix',
    `duplicate prefix ${formatAddressPrefix(prefix)} in build: values ${first} and ${second}`,
  );
}

/** The 16 bytes as four big-endian int32 words. */
function words(bytes: Uint8Array): [number, number, number, number] {
  const w = (i: number) => (bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3];
  return [w(0), w(4), w(8), w(12)];
}

/** Indexes of `lengths` ordered by length, stable (a counting sort: lengths are 0..32). */
function orderByLength(lengths: number[]): Int32Array {
  const starts = new Int32Array(34);
  for (const l of lengths) starts[l + 1]++;
  for (let l = 1; l < 34; l++) starts[l] += starts[l - 1];
  const order = new Int32Array(lengths.length);
  for (let i = 0; i < lengths.length; i++) order[starts[lengths[i]]++] = i;
  return order;
}
