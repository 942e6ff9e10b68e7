import { AddressIndexError } from './address-index-error.ts';
import { ipv4Mask } from './address-prefix.ts';

/**
 * IPv4 longest-prefix match, DIR-24-8 (Gupta, Lin, McKeown 1998).
 *
 * Why this design: every flow needs two lookups and most of them miss (remote peers), so a
 * lookup must cost the same whether it hits or misses and must not allocate. DIR-24-8 does
 * it in one typed-array read (two when the /24 holds prefixes longer than /24), with no
 * branches that depend on how many prefixes exist:
 *
 *   t24[addr >>> 8]: 0 = no match, > 0 = value + 1, < 0 = ~chunk (a /24 split further)
 *   t8[chunk * 256 + (addr & 255)]: 0 = no match, > 0 = value + 1
 *
 * "0 means no match" lets a fresh table be a zero-filled allocation, so the OS only backs
 * the pages of /24s that are actually used (a provider's blocks), not all 64 MiB.
 *
 * Updates are incremental. Every expanded slot also records the length of the prefix that
 * filled it (len24, len8): an insert of /L overwrites the slots in its range whose length
 * is <= L; a remove of /L rewrites the slots whose length is exactly L (only that prefix
 * can own them) with the longest remaining covering prefix, found in `byLength`, the side
 * structure of the real prefixes. A chunk is returned to the free list when its last
 * prefix longer than /24 goes.
 *
 * Memory (stated, bounded): t24 64 MiB + len24 16 MiB, allocated up front but resident
 * only where touched; plus 1,284 bytes per chunk (one chunk per /24 that holds a prefix
 * longer than /24, so never more chunks than such prefixes, and at most 2^23), in a pool
 * that doubles, so up to twice the chunks in use; plus the side maps at about 30 bytes per
 * prefix (measured for V8 Maps of int keys). bench/lookup.ts prints measured figures.
 */
const SLOTS_24 = 1 << 24;
/** Chunk ids are stored as ~id in t24 and shifted left by 8 in lookup: keep id * 256 < 2^31. */
const MAX_CHUNKS = 1 << 23;
const INITIAL_CHUNKS = 64;
/** Measured V8 Map cost per int-keyed entry, for the memory estimate only. */
const MAP_BYTES_PER_ENTRY = 30;

export class Ipv4PrefixTable {
  private t24: Int32Array = new Int32Array(SLOTS_24);
  private len24: Uint8Array = new Uint8Array(SLOTS_24);
  private t8: Int32Array = new Int32Array(INITIAL_CHUNKS * 256);
  private len8: Uint8Array = new Uint8Array(INITIAL_CHUNKS * 256);
  /** Per chunk: how many prefixes longer than /24 live in it; 0 frees the chunk. */
  private chunkLong: Int32Array = new Int32Array(INITIAL_CHUNKS);
  private chunkCapacity = INITIAL_CHUNKS;
  /** Chunks ever handed out (high-water mark); ids below it not in freeChunks are in use. */
  private chunkHigh = 0;
  private freeChunks: number[] = [];
  /** byLength[L]: network (as int32) -> value, the real prefixes behind the expansion. */
  private readonly byLength: Map<number, number>[] = Array.from({ length: 33 }, () => new Map<number, number>());
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Chunks in use (each is one /24 that holds a prefix longer than /24). */
  get chunks(): number {
    return this.chunkHigh - this.freeChunks.length;
  }

  /** Value of the longest prefix containing `addr` (a uint32 or its int32 alias), or -1. Never allocates. */
  lookup(addr: number): number {
    const e = this.t24[addr >>> 8];
    if (e >= 0) return e - 1;
    return this.t8[(~e << 8) | (addr & 255)] - 1;
  }

  /** Value stored for exactly this prefix, or -1. */
  get(address: number, length: number): number {
    return this.byLength[length].get(address | 0) ?? -1;
  }

  /**
   * Adds the prefix or replaces its value; returns true when it was new. The caller has
   * validated the prefix (host bits clear) and the value (0..0x7ffffffe).
   */
  insert(address: number, length: number, value: number): boolean {
    const map = this.byLength[length];
    const key = address | 0;
    const isNew = !map.has(key);
    if (isNew && length > 24 && this.t24[address >>> 8] >= 0 && this.chunks >= MAX_CHUNKS) {
      throw new AddressIndexError('capacity_exceeded', `ipv4 index: more than ${MAX_CHUNKS} /24s hold prefixes longer than /24`);
    }
    map.set(key, value);
    if (isNew) this.count++;
    this.fill(address, length, value + 1, length, true, isNew ? 1 : 0);
    return isNew;
  }

  /** Removes the prefix, revealing the covering one; returns false when it was absent. */
  remove(address: number, length: number): boolean {
    const key = address | 0;
    if (!this.byLength[length].delete(key)) return false;
    this.count--;
    let stored = 0;
    let storedLength = 0;
    for (let l = length - 1; l >= 0; l--) {
      const map = this.byLength[l];
      if (map.size === 0) continue;
      const v = map.get(key & ipv4Mask(l));
      if (v !== undefined) {
        stored = v + 1;
        storedLength = l;
        break;
      }
    }
    this.fill(address, length, stored, storedLength, false, -1);
    return true;
  }

  /**
   * Writes `stored`/`storedLength` into the slots of the prefix (address, length): on
   * insert the slots owned by a prefix no longer than it, on remove the slots it owned.
   * `longDelta` adjusts the chunk's count of prefixes longer than /24 (+1 new, 0 replaced
   * value, -1 removed).
   */
  private fill(
    address: number,
    length: number,
    stored: number,
    storedLength: number,
    inserting: boolean,
    longDelta: number,
  ): void {
    const t24 = this.t24;
    const len24 = this.len24;
    if (length <= 24) {
      const start = address >>> 8;
      const end = start + (1 << (24 - length));
      for (let i = start; i < end; i++) {
        const e = t24[i];
        if (e < 0) {
          this.fillChunk(~e << 8, 256, length, stored, storedLength, inserting);
        } else if (inserting ? len24[i] <= length : len24[i] === length) {
          t24[i] = stored;
          len24[i] = storedLength;
        }
      }
      return;
    }
    const i = address >>> 8;
    let e = t24[i];
    if (e >= 0) {
      // Only an insert can get here: a prefix longer than /24 always lives in a chunk.
      const chunk = this.allocateChunk(e, len24[i]);
      e = ~chunk;
      t24[i] = e;
    }
    const chunk = ~e;
    this.fillChunk((chunk << 8) | (address & 255), 1 << (32 - length), length, stored, storedLength, inserting);
    this.chunkLong[chunk] += longDelta;
    if (this.chunkLong[chunk] === 0) {
      // Nothing longer than /24 is left, so all 256 slots hold the same covering value.
      t24[i] = this.t8[chunk << 8];
      len24[i] = this.len8[chunk << 8];
      this.freeChunks.push(chunk);
    }
  }

  private fillChunk(base: number, n: number, length: number, stored: number, storedLength: number, inserting: boolean): void {
    const t8 = this.t8;
    const len8 = this.len8;
    for (let j = base; j < base + n; j++) {
      if (inserting ? len8[j] <= length : len8[j] === length) {
        t8[j] = stored;
        len8[j] = storedLength;
      }
    }
  }

  private allocateChunk(stored: number, storedLength: number): number {
    let chunk = this.freeChunks.pop();
    if (chunk === undefined) {
      chunk = this.chunkHigh++;
      if (chunk >= this.chunkCapacity) this.growChunks();
    }
    const base = chunk << 8;
    this.t8.fill(stored, base, base + 256);
    this.len8.fill(storedLength, base, base + 256);
    this.chunkLong[chunk] = 0;
    return chunk;
  }

  private growChunks(): void {
    const capacity = Math.min(this.chunkCapacity * 2, MAX_CHUNKS);
    const t8 = new Int32Array(capacity * 256);
    t8.set(this.t8);
    const len8 = new Uint8Array(capacity * 256);
    len8.set(this.len8);
    const chunkLong = new Int32Array(capacity);
    chunkLong.set(this.chunkLong);
    this.t8 = t8;
    this.len8 = len8;
    this.chunkLong = chunkLong;
    this.chunkCapacity = capacity;
  }

  /** Drops every prefix; fresh zeroed arrays let the OS reclaim the touched pages. */
  clear(): void {
    this.t24 = new Int32Array(SLOTS_24);
    this.len24 = new Uint8Array(SLOTS_24);
    this.t8 = new Int32Array(INITIAL_CHUNKS * 256);
    this.len8 = new Uint8Array(INITIAL_CHUNKS * 256);
    this.chunkLong = new Int32Array(INITIAL_CHUNKS);
    this.chunkCapacity = INITIAL_CHUNKS;
    this.chunkHigh = 0;
    this.freeChunks = [];
    for (const map of this.byLength) map.clear();
    this.count = 0;
  }

  /** Allocated bytes: tables at full size (resident memory can be less) plus the side maps. */
  memoryBytes(): number {
    return SLOTS_24 * 5 + this.chunkCapacity * (256 * 5 + 4) + this.count * MAP_BYTES_PER_ENTRY;
  }

  /** Every prefix as [address (uint32), length, value], shortest first. */
  *entries(): Generator<[number, number, number]> {
    for (let l = 0; l <= 32; l++) {
      for (const [key, value] of this.byLength[l]) yield [key >>> 0, l, value];
    }
  }
}
