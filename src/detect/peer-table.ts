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
import { NumberIndex } from './number-index.ts';

const BITMAP_BITS = 32_768;
const BITMAP_MASK = BITMAP_BITS - 1;

/** A 15-bit hash of an address key (int32 IPv4, or the 16-byte string of an IPv6 address). */
function bitOf(key: number | string): number {
  let h: number;
  if (typeof key === 'number') h = key;
  else {
    h = 0x811c9dc5;
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  }
  // murmur3's finalizer: linear counting needs bits as scattered as random ones (a plain
  // multiplicative hash spreads consecutive addresses too evenly and overestimates).
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) & BITMAP_MASK;
}

export class PeerTable {
  readonly #max: number;
  /** Remote address key -> its index in #traffic: IPv4 (int32) in a typed index, IPv6 in a Map. */
  readonly #index4 = new NumberIndex();
  readonly #index6 = new Map<string, number>();
  /** Packets, bytes, flows per listed address, three numbers each (grown as the list grows). */
  #traffic = new Float64Array(3 * 64);
  /**
   * The listed addresses as keys, formatted only when the summary is written: when a
   * flood starts, hundreds of servers are watched at once and each lists up to `max`
   * addresses within a second; formatting them as they came stalled detection until the
   * receive threads dropped batches (0.3 s worth in the ingest benchmark at 100 k datagrams/s).
   */
  readonly #keys: Array<number | string> = [];
  readonly #other: TrafficTotals = { packets: 0, flows: 0, bytes: 0 };
  /**
   * Two bitmaps, interleaved word by word so that a flow's check touches one cache line,
   * not two (with hundreds of servers watched, these are mostly not in the cache):
   * even words, the listed addresses' bits (once the list is full, an address whose bit is
   * clear is surely not listed, and most flows skip the lookup: about 6 % false positives
   * with 2,000 listed); odd words, the other addresses' bits (linear counting).
   */
  readonly #bits = new Uint32Array((BITMAP_BITS / 32) * 2);
  #otherBitsSet = 0;

  constructor(max: number) {
    this.#max = max;
  }

  /** `key`: the remote address as an address key (int32 IPv4, ipv6Key). */
  add(key: number | string, packets: number, bytes: number, flows: number): void {
    const bit = bitOf(key);
    const word = (bit >>> 5) << 1;
    const mask = 1 << (bit & 31);
    const full = this.#keys.length >= this.#max;
    let at = -1;
    if (!full || (this.#bits[word] & mask) !== 0) at = typeof key === 'number' ? this.#index4.get(key) : (this.#index6.get(key) ?? -1);
    if (at < 0) {
      if (full) {
        const o = this.#other;
        o.packets += packets;
        o.bytes += bytes;
        o.flows += flows;
        if ((this.#bits[word + 1] & mask) === 0) {
          this.#bits[word + 1] |= mask;
          this.#otherBitsSet++;
        }
        return;
      }
      at = this.#keys.length * 3;
      if (typeof key === 'number') this.#index4.set(key, at);
      else this.#index6.set(key, at);
      this.#bits[word] |= mask;
      this.#keys.push(key);
      if (at + 3 > this.#traffic.length) {
        const grown = new Float64Array(Math.min(this.#max * 3, this.#traffic.length * 2));
        grown.set(this.#traffic);
        this.#traffic = grown;
      }
    }
    const t = this.#traffic;
    t[at] += packets;
    t[at + 1] += bytes;
    t[at + 2] += flows;
  }

  get size(): number {
    return this.#keys.length;
  }

  /** Traffic of the addresses beyond the listed ones, with their estimated number. */
  get others(): TrafficTotals & { addresses: number } {
    const zeros = BITMAP_BITS - this.#otherBitsSet;
    // Linear counting: n = -m ln(zeros / m); with every bit set, report the bitmap's reach.
    const addresses = zeros === 0 ? Math.round(BITMAP_BITS * Math.log(BITMAP_BITS)) : Math.round(-BITMAP_BITS * Math.log(zeros / BITMAP_BITS));
    return { ...this.#other, addresses };
  }

  /** Largest first (by packets, then bytes). */
  top(limit: number): RemoteTraffic[] {
    const list: RemoteTraffic[] = [];
    const t = this.#traffic;
    for (let k = 0; k < this.#keys.length; k++) list.push({ address: addressKeyText(this.#keys[k]), packets: t[k * 3], bytes: t[k * 3 + 1], flows: t[k * 3 + 2] });
    list.sort((a, b) => b.packets - a.packets || b.bytes - a.bytes || a.address.localeCompare(b.address));
    return list.slice(0, limit);
  }
}
