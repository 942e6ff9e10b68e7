/**
 * Only configured exporters may feed Netwarden. The verdict per source address is cached
 * (one Map lookup per datagram); the cache is bounded so spoofed sources cannot grow it.
 */
import ipaddr from 'ipaddr.js';

export class ExporterAllowlist {
  readonly #ranges: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]>;
  readonly #cache = new Map<string, boolean>();
  readonly #maxCached: number;

  constructor(prefixes: string[], maxCached = 10_000) {
    this.#ranges = prefixes.map((p) => {
      const text = p.includes('/') ? p : `${p}/${p.includes(':') ? 128 : 32}`;
      return ipaddr.parseCIDR(text);
    });
    this.#maxCached = maxCached;
  }

  allows(address: string): boolean {
    const cached = this.#cache.get(address);
    if (cached !== undefined) return cached;
    const verdict = this.#match(address);
    if (this.#cache.size < this.#maxCached) this.#cache.set(address, verdict);
    return verdict;
  }

  #match(address: string): boolean {
    let parsed: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      parsed = ipaddr.process(address.replace(/%.*$/, ''));
    } catch {
      return false;
    }
    for (const [network, length] of this.#ranges) {
      if (network.kind() === parsed.kind() && parsed.match(network, length)) return true;
    }
    return false;
  }
}
