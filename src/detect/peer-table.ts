/**
 * Traffic per remote address of one watched server and direction: the "External" lines of
 * the packet-limit summary. Bounded: past `max` addresses, new ones are added up together.
 */
import { addressKeyText } from './address-text.ts';
import type { RemoteTraffic, TrafficTotals } from './incident.ts';

export class PeerTable {
  readonly #max: number;
  readonly #peers = new Map<number | string, Float64Array>();
  readonly #addresses = new Map<number | string, string>();
  readonly others: TrafficTotals & { addresses: number } = { packets: 0, flows: 0, bytes: 0, addresses: 0 };
  readonly #otherKeys = new Set<number | string>();

  constructor(max: number) {
    this.#max = max;
  }

  /** `key`: the remote address as an address key (uint32 IPv4, ipv6Key); formatted when first listed. */
  add(key: number | string, packets: number, bytes: number, flows: number): void {
    let entry = this.#peers.get(key);
    if (entry === undefined) {
      if (this.#peers.size >= this.#max) {
        this.others.packets += packets;
        this.others.bytes += bytes;
        this.others.flows += flows;
        if (this.#otherKeys.size < this.#max * 10 && !this.#otherKeys.has(key)) {
          this.#otherKeys.add(key);
          this.others.addresses++;
        }
        return;
      }
      entry = new Float64Array(3);
      this.#peers.set(key, entry);
      this.#addresses.set(key, addressKeyText(key));
    }
    entry[0] += packets;
    entry[1] += bytes;
    entry[2] += flows;
  }

  get size(): number {
    return this.#peers.size;
  }

  /** Largest first (by packets, then bytes). */
  top(limit: number): RemoteTraffic[] {
    const list: RemoteTraffic[] = [];
    for (const [key, v] of this.#peers) list.push({ address: this.#addresses.get(key) ?? '', packets: v[0], bytes: v[1], flows: v[2] });
    list.sort((a, b) => b.packets - a.packets || b.bytes - a.bytes || a.address.localeCompare(b.address));
    return list.slice(0, limit);
  }
}
