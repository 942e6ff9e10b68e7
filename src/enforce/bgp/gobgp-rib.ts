/**
 * The gobgp CLI as the BGP adapter uses it: the argument vectors for adding, withdrawing
 * and listing routes in gobgpd's global RIB, and a reader for the `-j` listing.
 */
import { canonicalCidr } from '../cidr.ts';
import { EnforceError } from '../enforce-error.ts';

export interface GobgpApi {
  host: string;
  port: number;
}

export interface RibRoute {
  prefix: string;
  nextHop: string;
  /** `65535:666` style; large and extended communities are not read. */
  communities: string[];
}

/** Splits `host:port`, `[v6]:port`; throws on anything else. */
export function parseGobgpApi(text: string): GobgpApi {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const port = m === null ? Number.NaN : Number(m[3]);
  if (m === null || port < 1 || port > 65535) throw new Error(`${JSON.stringify(text)} is not host:port ([v6]:port for IPv6)`);
  return { host: m[1] ?? m[2], port };
}

function base(api: GobgpApi): string[] {
  return ['gobgp', '-u', api.host, '-p', String(api.port)];
}

export function family(prefix: string): 'ipv4' | 'ipv6' {
  return prefix.includes(':') ? 'ipv6' : 'ipv4';
}

export function ribAddCommand(api: GobgpApi, prefix: string, nextHop: string, community: string): string[] {
  return [...base(api), 'global', 'rib', 'add', '-a', family(prefix), prefix, 'nexthop', nextHop, 'community', community];
}

export function ribDeleteCommand(api: GobgpApi, prefix: string): string[] {
  return [...base(api), 'global', 'rib', 'del', '-a', family(prefix), prefix];
}

export function ribListCommand(api: GobgpApi, afi: 'ipv4' | 'ipv6'): string[] {
  return [...base(api), 'global', 'rib', '-a', afi, '-j'];
}

/** Standard community as a 32-bit number (how gobgp lists it) to `high:low`. */
export function communityText(value: number): string {
  return `${Math.floor(value / 65536)}:${value % 65536}`;
}

/**
 * Reads `gobgp global rib -a <afi> -j`: `{ "<prefix>": [path, ...] }`, each path with
 * attrs of type 3 (NEXT_HOP), 8 (COMMUNITIES) and, for IPv6, 14 (MP_REACH_NLRI, which
 * carries the next hop).
 */
export function parseRibJson(jsonText: string): RibRoute[] {
  const trimmed = jsonText.trim();
  if (trimmed === '' || trimmed === 'null') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch (cause) {
    throw new EnforceError('GATEWAY_OUTPUT_INVALID', `gobgp rib listing is not JSON: ${trimmed.slice(0, 80)}`, { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new EnforceError('GATEWAY_OUTPUT_INVALID', `gobgp rib listing is not an object: ${trimmed.slice(0, 80)}`);
  }
  const routes: RibRoute[] = [];
  for (const [prefix, paths] of Object.entries(parsed as Record<string, unknown>)) {
    if (!Array.isArray(paths)) continue;
    for (const path of paths as Array<{ attrs?: Array<{ type?: number; nexthop?: string; communities?: number[] }> }>) {
      const attrs = path.attrs ?? [];
      const nextHop = attrs.find((a) => (a.type === 3 || a.type === 14) && typeof a.nexthop === 'string')?.nexthop ?? '';
      const communities = (attrs.find((a) => a.type === 8)?.communities ?? []).map(communityText);
      routes.push({ prefix: canonicalCidr(prefix), nextHop, communities });
    }
  }
  return routes;
}
