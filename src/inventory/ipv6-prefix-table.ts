import { AddressIndexError } from './address-index-error.ts';

/**
 * IPv6 longest-prefix match: one open-addressing hash of (masked address, length) probed
 * once per prefix length present, longest first, behind a /32 guard.
 *
 * Why this design: IPv6 inventories are a few provider /32s (or /29s) holding many /64
 * subnets and /128 addresses, so only a handful of distinct prefix lengths exist. A
 * multibit trie would spend a node path per /128 (kilobytes each); a hash keeps memory at
 * a few dozen bytes per prefix and a hit on the longest length costs one probe. Misses are
 * the common case on the hot path and are nearly all outside the provider's space: the
 * guard, a tiny hash set of the first 32 bits of every prefix of length >= 32, rejects
 * them with one probe before any length is tried. Prefixes shorter than /32 (rare: a /0
 * default, a whole /29) are not guarded and are always probed, after the longer ones.
 *
 * Lookups read four int32 words from the bytes and touch only typed arrays: no allocation.
 * A table of a million prefixes is far larger than the CPU caches, so what a lookup costs
 * is the memory round trips it waits for. Two arrays keep that at one per hit, none per miss:
 * - `fps`, a 16-bit fingerprint per slot (2 MiB per million slots, cache-resident under
 *   load): linear probing scans it, so a miss, and each wrong length tried before a hit,
 *   stays in cache. In bench/lookup.ts this cut a miss inside the provider's /32 (four
 *   lengths tried) from about 520 to 165 ns.
 * - `slotWords`, 8 int32 words per slot (tag, 4 key words, length, value, spare: 32 bytes,
 *   half a cache line), read only when the fingerprint matches. A hit pays this one
 *   round trip (about 200 ns measured on the 2-core dev VM; the lookup is too long for the
 *   CPU to overlap it with the next one, unlike the IPv4 table's few-instruction lookup).
 * Deletion shifts entries back instead of leaving tombstones, so churn does not slow
 * lookups.
 *
 * Memory (stated, bounded): 34 bytes per slot. The table grows at 70% load and halves
 * below 1/8 load, so it holds between 1.43 and 8 slots per prefix (at most 2^26 slots,
 * about 47 million prefixes); the guard holds 8 bytes per slot at <= 50% load for each
 * distinct /32 in use.
 */
const MAX_LOAD = 0.7;
const MIN_CAPACITY = 1024;
const MAX_CAPACITY = 1 << 26;
/** Int32 words per slot: tag, key0..key3, length, value, spare (32 bytes, half a cache line). */
const STRIDE = 8; // slot s starts at s << 3
/** Length of the guard key: the first word of the address. */
const GUARD_LENGTH = 32;

/** MASKS[L * 4 + k]: network mask word k (0 = most significant) for prefix length L. */
const MASKS = new Int32Array(129 * 4);
for (let length = 0; length <= 128; length++) {
  for (let k = 0; k < 4; k++) {
    const bits = Math.max(0, Math.min(32, length - k * 32));
    MASKS[length * 4 + k] = bits === 0 ? 0 : -1 << (32 - bits);
  }
}

/** Mixes the masked words and length; sequential multiply-xorshift so clustered keys spread. */
function hashKey(a: number, b: number, c: number, d: number, length: number): number {
  let h = Math.imul(a ^ length, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15) ^ b, 0x85ebca77);
  h = Math.imul(h ^ (h >>> 13) ^ c, 0xc2b2ae3d);
  h = Math.imul(h ^ (h >>> 16) ^ d, 0x27d4eb2f);
  return h ^ (h >>> 15);
}

function hashGuard(w: number): number {
  const h = Math.imul(w ^ (w >>> 16), 0x85ebca6b);
  return h ^ (h >>> 13);
}

/** 16-bit slot fingerprint from the tag, odd so that 0 can mean "empty". */
function fingerprint(tag: number): number {
  return (Math.imul(tag, 0x9e3779b1) >>> 16) | 1;
}

/** Reads the four bytes at `offset` as one big-endian int32 word. */
function word(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3];
}

export class Ipv6PrefixTable {
  private capacity = MIN_CAPACITY;
  private mask = MIN_CAPACITY - 1;
  /**
   * Slot s at s * 8: [tag, key0, key1, key2, key3, length, value, spare]. The tag is
   * hash | 1 and the home slot is (tag >>> 1) & mask.
   */
  private slotWords: Int32Array = new Int32Array(MIN_CAPACITY * STRIDE);
  /** fps[s]: 0 = slot s is empty, otherwise fingerprint(tag of slot s). */
  private fps: Uint16Array = new Uint16Array(MIN_CAPACITY);
  private count = 0;

  /** Prefix count per length, and the present lengths longest first. */
  private readonly lengthCount = new Int32Array(129);
  private order: Int32Array = new Int32Array(129);
  private orderCount = 0;
  /** Index in `order` of the first length shorter than the guard. */
  private firstShort = 0;

  /** Guard: first words of prefixes of length >= 32, with reference counts (0 = empty). */
  private guardKeys: Int32Array = new Int32Array(16);
  private guardCounts: Int32Array = new Int32Array(16);
  private guardMask = 15;
  private guardSize = 0;

  get size(): number {
    return this.count;
  }

  /** Slots allocated in the main hash (34 bytes each; for stats). */
  get slots(): number {
    return this.capacity;
  }

  /** Value of the longest prefix containing the 16 bytes at `offset`, or -1. Never allocates. */
  lookup(bytes: Uint8Array, offset: number): number {
    return this.lookupWords(word(bytes, offset), word(bytes, offset + 4), word(bytes, offset + 8), word(bytes, offset + 12));
  }

  /** Same as lookup, on the address as four int32 words, most significant first. */
  lookupWords(w0: number, w1: number, w2: number, w3: number): number {
    const order = this.order;
    const n = this.orderCount;
    let k = this.guardHas(w0) ? 0 : this.firstShort;
    for (; k < n; k++) {
      const v = this.probe(w0, w1, w2, w3, order[k]);
      if (v >= 0) return v;
    }
    return -1;
  }

  /** Value stored for exactly this prefix (words already masked), or -1. */
  get(w0: number, w1: number, w2: number, w3: number, length: number): number {
    return this.lengthCount[length] === 0 ? -1 : this.probe(w0, w1, w2, w3, length);
  }

  /** Adds the prefix (words with host bits clear) or replaces its value; true when new. */
  insert(w0: number, w1: number, w2: number, w3: number, length: number, value: number): boolean {
    const found = this.find(w0, w1, w2, w3, length);
    if (found >= 0) {
      this.slotWords[(found << 3) + 6] = value;
      return false;
    }
    if (this.count + 1 > this.capacity * MAX_LOAD) {
      if (this.capacity >= MAX_CAPACITY) {
        throw new AddressIndexError('capacity_exceeded', `ipv6 index: more than ${MAX_CAPACITY * MAX_LOAD} prefixes`);
      }
      this.resize(this.capacity * 2);
    }
    const tag = hashKey(w0, w1, w2, w3, length) | 1;
    let p = (tag >>> 1) & this.mask;
    const words = this.slotWords;
    while (this.fps[p] !== 0) p = (p + 1) & this.mask;
    this.fps[p] = fingerprint(tag);
    const q = p << 3;
    words[q] = tag;
    words[q + 1] = w0;
    words[q + 2] = w1;
    words[q + 3] = w2;
    words[q + 4] = w3;
    words[q + 5] = length;
    words[q + 6] = value;
    this.count++;
    if (this.lengthCount[length]++ === 0) this.rebuildOrder();
    if (length >= GUARD_LENGTH) this.guardAdd(w0);
    return true;
  }

  /** Removes the prefix; false when absent. Shorter covering prefixes show through again. */
  remove(w0: number, w1: number, w2: number, w3: number, length: number): boolean {
    const p = this.find(w0, w1, w2, w3, length);
    if (p < 0) return false;
    this.deleteSlot(p);
    this.count--;
    if (--this.lengthCount[length] === 0) this.rebuildOrder();
    if (length >= GUARD_LENGTH) this.guardRemove(w0);
    if (this.capacity > MIN_CAPACITY && this.count < this.capacity / 8) this.resize(this.capacity / 2);
    return true;
  }

  /** Allocated bytes of the hash and the guard. */
  memoryBytes(): number {
    return this.capacity * (STRIDE * 4 + 2) + this.guardKeys.length * 8 + 129 * 8;
  }

  /** Every prefix as [four words, length, value], in table order. */
  *entries(): Generator<[number, number, number, number, number, number]> {
    const words = this.slotWords;
    for (let p = 0; p < this.capacity; p++) {
      const q = p << 3;
      if (this.fps[p] !== 0) yield [words[q + 1], words[q + 2], words[q + 3], words[q + 4], words[q + 5], words[q + 6]];
    }
  }

  /** Masks the address to `length` and returns that prefix's value, or -1. */
  private probe(w0: number, w1: number, w2: number, w3: number, length: number): number {
    const m = length << 2;
    const a = w0 & MASKS[m];
    const b = w1 & MASKS[m + 1];
    const c = w2 & MASKS[m + 2];
    const d = w3 & MASKS[m + 3];
    const tag = hashKey(a, b, c, d, length) | 1;
    const fp = fingerprint(tag);
    const fps = this.fps;
    const words = this.slotWords;
    const mask = this.mask;
    let p = (tag >>> 1) & mask;
    for (;;) {
      const f = fps[p];
      if (f === 0) return -1;
      if (f === fp) {
        const q = p << 3;
        if (words[q + 1] === a && words[q + 2] === b && words[q + 3] === c && words[q + 4] === d && words[q + 5] === length) {
          return words[q + 6];
        }
      }
      p = (p + 1) & mask;
    }
  }

  /** Slot of exactly this prefix, or -1. */
  private find(w0: number, w1: number, w2: number, w3: number, length: number): number {
    const tag = hashKey(w0, w1, w2, w3, length) | 1;
    const words = this.slotWords;
    let p = (tag >>> 1) & this.mask;
    for (;;) {
      if (this.fps[p] === 0) return -1;
      const q = p << 3;
      if (words[q] === tag && words[q + 1] === w0 && words[q + 2] === w1 && words[q + 3] === w2 && words[q + 4] === w3 && words[q + 5] === length) {
        return p;
      }
      p = (p + 1) & this.mask;
    }
  }

  /** Backward-shift deletion: pull later entries of the run into the hole when allowed. */
  private deleteSlot(slot: number): void {
    const words = this.slotWords;
    const fps = this.fps;
    const mask = this.mask;
    let hole = slot;
    let j = slot;
    for (;;) {
      j = (j + 1) & mask;
      if (fps[j] === 0) break;
      const home = (words[j << 3] >>> 1) & mask;
      // The entry at j may move to the hole unless its home lies cyclically in (hole, j].
      const stays = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (stays) continue;
      words.copyWithin(hole << 3, j << 3, (j << 3) + STRIDE);
      fps[hole] = fps[j];
      hole = j;
    }
    fps[hole] = 0;
  }

  private resize(capacity: number): void {
    const old = this.slotWords;
    const oldFps = this.fps;
    const words = new Int32Array(capacity * STRIDE);
    const fps = new Uint16Array(capacity);
    const mask = capacity - 1;
    for (let s = 0; s < oldFps.length; s++) {
      if (oldFps[s] === 0) continue;
      const q = s << 3;
      let p = (old[q] >>> 1) & mask;
      while (fps[p] !== 0) p = (p + 1) & mask;
      fps[p] = oldFps[s];
      words.set(old.subarray(q, q + STRIDE), p << 3);
    }
    this.slotWords = words;
    this.fps = fps;
    this.capacity = capacity;
    this.mask = mask;
  }

  private rebuildOrder(): void {
    let n = 0;
    let firstShort = -1;
    for (let length = 128; length >= 0; length--) {
      if (this.lengthCount[length] === 0) continue;
      if (length < GUARD_LENGTH && firstShort < 0) firstShort = n;
      this.order[n++] = length;
    }
    this.orderCount = n;
    this.firstShort = firstShort < 0 ? n : firstShort;
  }

  private guardHas(w0: number): boolean {
    const keys = this.guardKeys;
    const counts = this.guardCounts;
    const mask = this.guardMask;
    let p = hashGuard(w0) & mask;
    for (;;) {
      if (counts[p] === 0) return false;
      if (keys[p] === w0) return true;
      p = (p + 1) & mask;
    }
  }

  private guardAdd(w0: number): void {
    let p = hashGuard(w0) & this.guardMask;
    while (this.guardCounts[p] !== 0) {
      if (this.guardKeys[p] === w0) {
        this.guardCounts[p]++;
        return;
      }
      p = (p + 1) & this.guardMask;
    }
    this.guardKeys[p] = w0;
    this.guardCounts[p] = 1;
    if (++this.guardSize * 2 > this.guardKeys.length) this.resizeGuard(this.guardKeys.length * 2);
  }

  private guardRemove(w0: number): void {
    const mask = this.guardMask;
    const keys = this.guardKeys;
    const counts = this.guardCounts;
    let p = hashGuard(w0) & mask;
    while (keys[p] !== w0 || counts[p] === 0) p = (p + 1) & mask;
    if (--counts[p] > 0) return;
    this.guardSize--;
    let hole = p;
    let j = p;
    for (;;) {
      j = (j + 1) & mask;
      if (counts[j] === 0) break;
      const home = hashGuard(keys[j]) & mask;
      const stays = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (stays) continue;
      keys[hole] = keys[j];
      counts[hole] = counts[j];
      hole = j;
    }
    counts[hole] = 0;
  }

  private resizeGuard(capacity: number): void {
    const { guardKeys: keys, guardCounts: counts } = this;
    this.guardKeys = new Int32Array(capacity);
    this.guardCounts = new Int32Array(capacity);
    this.guardMask = capacity - 1;
    for (let s = 0; s < keys.length; s++) {
      if (counts[s] === 0) continue;
      let p = hashGuard(keys[s]) & this.guardMask;
      while (this.guardCounts[p] !== 0) p = (p + 1) & this.guardMask;
      this.guardKeys[p] = keys[s];
      this.guardCounts[p] = counts[s];
    }
  }
}
