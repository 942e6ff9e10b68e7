/**
 * Traffic per remote address of one watched server and direction: the "External" lines of
 * the packet-limit summary. Bounded: the first `max` addresses get a line; the traffic of
 * any further ones is added up together, and how many distinct addresses those were is
 * estimated from a 4 KiB bitmap (linear counting), not counted in a set: under a flood from
 * a botnet every flow brings a new address, and a set of them cost a hash lookup per flow
 * and about 800 KB per watched direction.
 */
import { addressKeyText } from './address-text.ts';
import type { RemoteTraffic, TrafficTotals } from './incident.ts';

const BITMAP_BITS = 32_768;
/** Float64 words per IPv4 entry: the key, then packets, bytes, flows. */
const ENTRY = 4;
const EMPTY = Number.NaN;

/**
 * murmur3's finalizer over an int32: linear counting needs bits as scattered as random
 * ones (a plain multiplicative hash spreads consecutive addresses too evenly and
 * overestimates), and the table's probes need consecutive addresses spread out.
 */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** FNV-1a over the 16-byte string key of an IPv6 address. */
function hash6(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return mix(h);
}

export class PeerTable {
  readonly #max: number;
  /**
   * IPv4 peers in one open-addressing table whose entry holds the key and its traffic
   * side by side: a flow's lookup and update touch one cache line. With hundreds of
   * servers watched during a flood, these tables are mostly not in the CPU cache, and the
   * separate index, traffic array and bitmaps this replaced cost three or four misses per
   * sample (the detector's top cost in the sFlow ingest benchmark). Grown by doubling at
   * half full, up to the power of two that holds `max` entries at half load.
   */
  #entries: Float64Array;
  #mask: number;
  /** IPv6 peers (rare): key -> index into #traffic6 (three numbers each). */
  readonly #index6 = new Map<string, number>();
  readonly #keys6: string[] = [];
  #traffic6 = new Float64Array(0);
  #listed = 0;
  readonly #other: TrafficTotals = { packets: 0, flows: 0, bytes: 0 };
  /** Bits of the addresses beyond the listed ones (linear counting). */
  readonly #otherBits = new Uint32Array(BITMAP_BITS / 32);
  #otherBitsSet = 0;

  constructor(max: number) {
    this.#max = max;
    this.#entries = new Float64Array(16 * ENTRY).fill(EMPTY);
    this.#mask = 15;
  }

  /** Adds a flow of the remote IPv4 address `key` (int32). */
  add4(key: number, packets: number, bytes: number, flows: number): void {
    const h = mix(key);
    const entries = this.#entries;
    const mask = this.#mask;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const at = slot * ENTRY;
      const k = entries[at];
      if (k === key) {
        entries[at + 1] += packets;
        entries[at + 2] += bytes;
        entries[at + 3] += flows;
        return;
      }
      if (k !== k) {
        // An empty slot: the address is not listed.
        if (this.#listed >= this.#max) {
          this.#addOther(h, packets, bytes, flows);
          return;
        }
        entries[at] = key;
        entries[at + 1] = packets;
        entries[at + 2] = bytes;
        entries[at + 3] = flows;
        this.#listed++;
        if (this.#listed * 2 > mask + 1 && this.#listed < this.#max) this.#grow();
        return;
      }
    }
  }

  /** Adds a flow of the remote IPv6 address with this ipv6Key. */
  add6(key: string, packets: number, bytes: number, flows: number): void {
    let at = this.#index6.get(key);
    if (at === undefined) {
      if (this.#listed >= this.#max) {
        this.#addOther(hash6(key), packets, bytes, flows);
        return;
      }
      at = this.#keys6.length * 3;
      this.#index6.set(key, at);
      this.#keys6.push(key);
      this.#listed++;
      if (at + 3 > this.#traffic6.length) {
        const grown = new Float64Array(Math.max(24, this.#traffic6.length * 2));
        grown.set(this.#traffic6);
        this.#traffic6 = grown;
      }
    }
    const t = this.#traffic6;
    t[at] += packets;
    t[at + 1] += bytes;
    t[at + 2] += flows;
  }

  #addOther(h: number, packets: number, bytes: number, flows: number): void {
    const o = this.#other;
    o.packets += packets;
    o.bytes += bytes;
    o.flows += flows;
    // The hash's top 15 bits: independent of the low bits that placed it in the table.
    const bit = h >>> 17;
    const mask = 1 << (bit & 31);
    const word = bit >>> 5;
    if ((this.#otherBits[word] & mask) === 0) {
      this.#otherBits[word] |= mask;
      this.#otherBitsSet++;
    }
  }

  #grow(): void {
    const old = this.#entries;
    const slots = (this.#mask + 1) * 2;
    const entries = new Float64Array(slots * ENTRY).fill(EMPTY);
    const mask = slots - 1;
    for (let at = 0; at < old.length; at += ENTRY) {
      const key = old[at];
      if (key !== key) continue;
      let slot = mix(key) & mask;
      while (entries[slot * ENTRY] === entries[slot * ENTRY]) slot = (slot + 1) & mask;
      entries.set(old.subarray(at, at + ENTRY), slot * ENTRY);
    }
    this.#entries = entries;
    this.#mask = mask;
  }

  get size(): number {
    return this.#listed;
  }

  /** Traffic of the addresses beyond the listed ones, with their estimated number. */
  get others(): TrafficTotals & { addresses: number } {
    const zeros = BITMAP_BITS - this.#otherBitsSet;
    // Linear counting: n = -m ln(zeros / m); with every bit set, report the bitmap's reach.
    const addresses = zeros === 0 ? Math.round(BITMAP_BITS * Math.log(BITMAP_BITS)) : Math.round(-BITMAP_BITS * Math.log(zeros / BITMAP_BITS));
    return { ...this.#other, addresses };
  }

  /** Largest first (by packets, then bytes, then address). */
  top(limit: number): RemoteTraffic[] {
    const list: RemoteTraffic[] = [];
    const e = this.#entries;
    for (let at = 0; at < e.length; at += ENTRY) {
      const key = e[at];
      if (key === key) list.push({ address: addressKeyText(key), packets: e[at + 1], bytes: e[at + 2], flows: e[at + 3] });
    }
    const t = this.#traffic6;
    for (let k = 0; k < this.#keys6.length; k++) list.push({ address: addressKeyText(this.#keys6[k]), packets: t[k * 3], bytes: t[k * 3 + 1], flows: t[k * 3 + 2] });
    list.sort((a, b) => b.packets - a.packets || b.bytes - a.bytes || a.address.localeCompare(b.address));
    return list.slice(0, limit);
  }
}
