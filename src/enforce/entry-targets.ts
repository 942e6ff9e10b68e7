/**
 * What a gateway's entries amount to, independent of the adapter: the locked prefixes
 * and the (locked, allowed) pairs, both reduced to non-overlapping sets in canonical
 * text, and a check that finds entries no adapter can use.
 */
import { type Cidr, type CidrPair, canonicalCidr, disjointCidrs, disjointPairs, formatCidr, parseCidr } from './cidr.ts';
import type { EnforcementEntry } from './enforcement-entry.ts';

export interface EntryTargets {
  locked4: Cidr[];
  locked6: Cidr[];
  allowed4: CidrPair[];
  allowed6: CidrPair[];
}

export function entryTargets(entries: readonly EnforcementEntry[]): EntryTargets {
  const locked: Cidr[] = [];
  const pairs: CidrPair[] = [];
  for (const entry of entries) {
    const allow = entry.allow.map(parseCidr);
    for (const text of entry.addresses) {
      const address = parseCidr(text);
      locked.push(address);
      for (const a of allow) if (a.family === address.family) pairs.push([address, a]);
    }
  }
  const lockedSet = disjointCidrs(locked);
  const pairSet = disjointPairs(pairs);
  return {
    locked4: lockedSet.filter((c) => c.family === 4),
    locked6: lockedSet.filter((c) => c.family === 6),
    allowed4: pairSet.filter((p) => p[0].family === 4),
    allowed6: pairSet.filter((p) => p[0].family === 6),
  };
}

export function pairText(pair: CidrPair): string {
  return `${formatCidr(pair[0])} . ${formatCidr(pair[1])}`;
}

/** Problems that make an entry unusable (each names the field), empty when it is fine. */
export function entryProblems(entry: EnforcementEntry): string[] {
  const problems: string[] = [];
  if (typeof entry.gateway !== 'string' || entry.gateway === '') problems.push('gateway: missing');
  if (!Array.isArray(entry.addresses) || entry.addresses.length === 0) problems.push('addresses: no locked address');
  const check = (field: 'addresses' | 'allow') => {
    if (!Array.isArray(entry[field])) {
      problems.push(`${field}: not a list`);
      return;
    }
    entry[field].forEach((text, i) => {
      try {
        if (canonicalCidr(text) !== text) problems.push(`${field}[${i}]: ${JSON.stringify(text)} is not canonical (${canonicalCidr(text)})`);
      } catch (error) {
        problems.push(`${field}[${i}]: ${(error as Error).message}`);
      }
    });
  };
  check('addresses');
  check('allow');
  return problems;
}
