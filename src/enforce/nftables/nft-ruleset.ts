/**
 * The nftables table Netwarden owns on a gateway, as one `nft -f` batch. The batch adds
 * the table (so deleting it cannot fail), deletes it and defines it anew: nft applies a
 * file as one kernel transaction, so the gateway switches from the old state to the new
 * one at once, never through an empty or half-filled table, and nothing else is touched.
 * nft parses all of its input before it sends anything, so if Netwarden dies while
 * writing the batch, the cut-off input is a syntax error (an unclosed brace) and nft
 * changes nothing; the only complete prefix that would parse, the first two lines, is
 * far inside the first pipe write.
 *
 * The chain hooks prerouting at raw priority (-300), before conntrack and routing:
 * - a locked server's packets die however established the connection was;
 * - the gateway rejects a probe before its TTL is checked, so the gateway itself answers
 *   (ICMP administratively prohibited) and a traceroute ends there, as the customer
 *   documentation says ("ends at the first router of the provider").
 * Reject rather than drop for the same reason; and ICMP rather than a TCP reset, since a
 * reset would carry the server's address as its source and a TCP traceroute would seem to
 * reach the server.
 */
import type { CidrPair } from '../cidr.ts';
import { formatCidr } from '../cidr.ts';
import type { EnforcedState } from '../enforcer.ts';
import type { EnforcementEntry } from '../enforcement-entry.ts';
import { entryTargets, pairText } from '../entry-targets.ts';

export const NFT_CHAIN = 'prerouting';
export const NFT_PRIORITY = -300;

export interface NftSetSpec {
  name: string;
  type: string;
  /** The type as `nft -j` lists it. */
  jsonType: string | string[];
}

export const NFT_SETS = {
  locked4: { name: 'locked4', type: 'ipv4_addr', jsonType: 'ipv4_addr' },
  locked6: { name: 'locked6', type: 'ipv6_addr', jsonType: 'ipv6_addr' },
  allowed4: { name: 'allowed4', type: 'ipv4_addr . ipv4_addr', jsonType: ['ipv4_addr', 'ipv4_addr'] },
  allowed6: { name: 'allowed6', type: 'ipv6_addr . ipv6_addr', jsonType: ['ipv6_addr', 'ipv6_addr'] },
} as const satisfies Record<string, NftSetSpec>;

export interface NftRuleSpec {
  /** Rule comment: how a rule is recognised when read back. */
  comment: string;
  text: string;
  /** Strings the rule's JSON must contain (sets it uses, its verdict). */
  signature: string[];
}

const REJECT = 'reject with icmpx type admin-prohibited';

function lockRule(family: 4 | 6, direction: 'to' | 'from'): NftRuleSpec {
  const ip = family === 4 ? 'ip' : 'ip6';
  const [locked, other] = direction === 'to' ? ['daddr', 'saddr'] : ['saddr', 'daddr'];
  const lockedSet = family === 4 ? NFT_SETS.locked4.name : NFT_SETS.locked6.name;
  const allowedSet = family === 4 ? NFT_SETS.allowed4.name : NFT_SETS.allowed6.name;
  return {
    comment: `netwarden:${direction}-locked${family}`,
    // Both ends are checked: a packet between two locked servers passes only if each allows the other.
    text: `${ip} ${locked} @${lockedSet} ${ip} ${locked} . ${ip} ${other} != @${allowedSet} ${REJECT}`,
    signature: [`"@${lockedSet}"`, `"@${allowedSet}"`, '"reject"', '"admin-prohibited"', `"${locked}"`],
  };
}

export const NFT_RULES: readonly NftRuleSpec[] = [
  {
    // A locked IPv6 server must still resolve its gateway's link-layer address, or even
    // its static-IP traffic would stop; hop limit 255 keeps this to on-link messages.
    comment: 'netwarden:neighbor-discovery',
    text: 'icmpv6 type { nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 accept',
    signature: ['"nd-neighbor-solicit"', '"nd-neighbor-advert"', '"accept"'],
  },
  lockRule(4, 'to'),
  lockRule(4, 'from'),
  lockRule(6, 'to'),
  lockRule(6, 'from'),
];

export interface NftContent {
  locked4: string[];
  locked6: string[];
  allowed4: string[];
  allowed6: string[];
}

/** The set elements for `entries`, in nft syntax (`203.0.113.10/32`, `203.0.113.10/32 . 192.0.2.10/32`). */
export function nftContent(entries: readonly EnforcementEntry[]): NftContent {
  const targets = entryTargets(entries);
  const pairs = (list: CidrPair[]) => list.map(pairText);
  return {
    locked4: targets.locked4.map(formatCidr),
    locked6: targets.locked6.map(formatCidr),
    allowed4: pairs(targets.allowed4),
    allowed6: pairs(targets.allowed6),
  };
}

function setBlock(spec: NftSetSpec, elements: string[]): string[] {
  const lines = [`  set ${spec.name} {`, `    type ${spec.type}`, '    flags interval'];
  // `elements = { }` is a syntax error: an empty set simply has no elements line.
  if (elements.length > 0) lines.push(`    elements = {\n      ${elements.join(',\n      ')}\n    }`);
  lines.push('  }');
  return lines;
}

/** The complete `nft -f` batch that replaces table `inet <table>` with `entries`. */
export function nftBatch(table: string, entries: readonly EnforcementEntry[]): string {
  const content = nftContent(entries);
  return [
    `table inet ${table}`,
    `delete table inet ${table}`,
    `table inet ${table} {`,
    ...setBlock(NFT_SETS.locked4, content.locked4),
    ...setBlock(NFT_SETS.locked6, content.locked6),
    ...setBlock(NFT_SETS.allowed4, content.allowed4),
    ...setBlock(NFT_SETS.allowed6, content.allowed6),
    `  chain ${NFT_CHAIN} {`,
    `    type filter hook prerouting priority ${NFT_PRIORITY}; policy accept;`,
    ...NFT_RULES.map((rule) => `    ${rule.text} comment "${rule.comment}"`),
    '  }',
    '}',
    '',
  ].join('\n');
}

/** What reading the table back yields once `entries` are applied. */
export function expectedNftState(entries: readonly EnforcementEntry[]): EnforcedState {
  const content = nftContent(entries);
  return {
    locked: [...content.locked4, ...content.locked6].sort(),
    allowed: [...content.allowed4, ...content.allowed6].sort(),
    problems: [],
  };
}
