/**
 * Prefixes as (family, network as a bigint, length), for the set arithmetic the
 * enforcers need: containment, difference, and reducing lists to non-overlapping ones.
 * Parsing is the inventory's strict parser, so the canonical text is the same everywhere.
 */
import { type AddressPrefix, formatAddressPrefix, parseAddressPrefix } from '../inventory/address-prefix.ts';

export interface Cidr {
  readonly family: 4 | 6;
  readonly network: bigint;
  readonly length: number;
}

const BITS = { 4: 32, 6: 128 } as const;

/** Parses canonical or bare-address text; throws on anything the inventory would refuse. */
export function parseCidr(text: string): Cidr {
  return fromAddressPrefix(parseAddressPrefix(text));
}

function fromAddressPrefix(prefix: AddressPrefix): Cidr {
  if (prefix.family === 4) return { family: 4, network: BigInt(prefix.address), length: prefix.length };
  let network = 0n;
  for (const byte of prefix.bytes) network = (network << 8n) | BigInt(byte);
  return { family: 6, network, length: prefix.length };
}

export function formatCidr(cidr: Cidr): string {
  if (cidr.family === 4) return formatAddressPrefix({ family: 4, address: Number(cidr.network), length: cidr.length });
  const bytes = new Uint8Array(16);
  let rest = cidr.network;
  for (let i = 15; i >= 0; i--) {
    bytes[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return formatAddressPrefix({ family: 6, bytes, length: cidr.length });
}

/** Canonical text of a prefix (`203.0.113.5` becomes `203.0.113.5/32`). */
export function canonicalCidr(text: string): string {
  return formatCidr(parseCidr(text));
}

export function isHostCidr(cidr: Cidr): boolean {
  return cidr.length === BITS[cidr.family];
}

/** True when `outer` covers all of `inner` (equal prefixes included). */
export function covers(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || outer.length > inner.length) return false;
  const shift = BigInt(BITS[outer.family] - outer.length);
  return outer.network >> shift === inner.network >> shift;
}

/** Two prefixes overlap exactly when one covers the other. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  return covers(a, b) || covers(b, a);
}

/** `outer` minus `inner` (which it must cover) as the fewest prefixes: one per bit between the lengths. */
export function subtract(outer: Cidr, inner: Cidr): Cidr[] {
  if (!covers(outer, inner)) return [outer];
  const bits = BITS[outer.family];
  const out: Cidr[] = [];
  for (let length = outer.length + 1; length <= inner.length; length++) {
    // The sibling of inner's ancestor at this length: same upper bits, last bit flipped.
    const shift = BigInt(bits - length);
    const ancestor = (inner.network >> shift) << shift;
    out.push({ family: outer.family, network: ancestor ^ (1n << shift), length });
  }
  return out;
}

export function compareCidr(a: Cidr, b: Cidr): number {
  if (a.family !== b.family) return a.family - b.family;
  if (a.network !== b.network) return a.network < b.network ? -1 : 1;
  return a.length - b.length;
}

/**
 * The same addresses as `list`, without duplicates and without prefixes covered by
 * others, sorted. nftables interval sets refuse overlapping elements, and two servers
 * may hold nested prefixes (a /28 and a /32 carved out of it).
 */
export function disjointCidrs(list: readonly Cidr[]): Cidr[] {
  const sorted = [...list].sort(compareCidr);
  const out: Cidr[] = [];
  for (const cidr of sorted) {
    const last = out[out.length - 1];
    // Sorted by network then length, a covering prefix always comes before what it covers.
    if (last !== undefined && covers(last, cidr)) continue;
    out.push(cidr);
  }
  return out;
}

export type CidrPair = readonly [Cidr, Cidr];

function pairCovers(outer: CidrPair, inner: CidrPair): boolean {
  return covers(outer[0], inner[0]) && covers(outer[1], inner[1]);
}

function pairsOverlap(a: CidrPair, b: CidrPair): boolean {
  return overlaps(a[0], b[0]) && overlaps(a[1], b[1]);
}

/**
 * The same set of (locked, allowed) address pairs as `pairs`, as non-overlapping boxes.
 * Two boxes either nest (the inner one is dropped) or cross (one has the narrower locked
 * prefix, the other the narrower allowed one); a crossing box loses the part of its
 * locked prefix the other already covers. Boxes can only overlap when their locked
 * prefixes do, so the quadratic step runs per group of nested locked prefixes, which in
 * practice is one server's handful of static IPs.
 */
export function disjointPairs(pairs: readonly CidrPair[]): CidrPair[] {
  const roots = disjointCidrs(pairs.map((p) => p[0]));
  const groups = new Map<Cidr, CidrPair[]>();
  for (const pair of pairs) {
    const root = findCovering(roots, pair[0]);
    const group = groups.get(root);
    if (group === undefined) groups.set(root, [pair]);
    else group.push(pair);
  }
  const out: CidrPair[] = [];
  for (const group of groups.values()) out.push(...disjointGroup(group));
  return out.sort((a, b) => compareCidr(a[0], b[0]) || compareCidr(a[1], b[1]));
}

function findCovering(sortedRoots: readonly Cidr[], cidr: Cidr): Cidr {
  let lo = 0;
  let hi = sortedRoots.length - 1;
  // The covering root is the last root that sorts at or before the prefix.
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (compareCidr(sortedRoots[mid], cidr) <= 0) lo = mid;
    else hi = mid - 1;
  }
  return sortedRoots[lo];
}

function disjointGroup(input: CidrPair[]): CidrPair[] {
  const boxes = [...input];
  // Each step removes a box or shrinks one; the bound only guards against a logic error.
  for (let step = 0; step < 100_000; step++) {
    const found = findOverlap(boxes);
    if (found === null) return boxes;
    const [i, j] = found;
    const a = boxes[i];
    const b = boxes[j];
    if (pairCovers(b, a)) {
      boxes.splice(i, 1);
    } else if (pairCovers(a, b)) {
      boxes.splice(j, 1);
    } else {
      // Crossing: `narrow` has the narrower locked prefix, `wide` the narrower allowed one.
      const [narrowIndex, wideIndex] = covers(b[0], a[0]) ? [i, j] : [j, i];
      const narrow = boxes[narrowIndex];
      const wide = boxes[wideIndex];
      const pieces = subtract(wide[0], narrow[0]).map((locked): CidrPair => [locked, wide[1]]);
      boxes.splice(wideIndex, 1, ...pieces);
    }
  }
  throw new Error('disjointPairs did not converge');
}

function findOverlap(boxes: readonly CidrPair[]): [number, number] | null {
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      if (pairsOverlap(boxes[i], boxes[j])) return [i, j];
    }
  }
  return null;
}
