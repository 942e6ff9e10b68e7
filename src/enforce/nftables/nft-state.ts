/**
 * Reads Netwarden's table back from `nft -j list table inet <table>` into the canonical
 * EnforcedState, noting every structural difference from what nft-ruleset writes (a
 * deleted or added rule, a changed hook) as a problem, so the reconciler re-applies.
 */
import { canonicalCidr } from '../cidr.ts';
import { EnforceError } from '../enforce-error.ts';
import type { EnforcedState } from '../enforcer.ts';
import { NFT_CHAIN, NFT_PRIORITY, NFT_RULES, NFT_SETS, type NftSetSpec } from './nft-ruleset.ts';

type Json = unknown;

interface NftObject {
  table?: { family: string; name: string };
  set?: { family: string; table: string; name: string; type: Json; flags?: string[]; elem?: Json[] };
  chain?: { family: string; table: string; name: string; type?: string; hook?: string; prio?: number; policy?: string };
  rule?: { family: string; table: string; chain: string; comment?: string; expr?: Json[] };
}

/** The state of a table that does not exist. */
export function missingTableState(table: string): EnforcedState {
  return { locked: [], allowed: [], problems: [`table inet ${table} is missing`] };
}

export function parseNftTable(table: string, jsonText: string): EnforcedState {
  let objects: NftObject[];
  try {
    const parsed = JSON.parse(jsonText) as { nftables?: NftObject[] };
    if (!Array.isArray(parsed.nftables)) throw new Error('no "nftables" array');
    objects = parsed.nftables;
  } catch (cause) {
    throw new EnforceError('GATEWAY_OUTPUT_INVALID', `nft -j output for table inet ${table} is not readable: ${(cause as Error).message}`, { cause });
  }
  const ours = (o: { family: string; table?: string; name?: string }) => o.family === 'inet' && (o.table ?? o.name) === table;
  const problems: string[] = [];
  if (!objects.some((o) => o.table !== undefined && ours(o.table))) return missingTableState(table);

  const sets = new Map(objects.flatMap((o) => (o.set !== undefined && ours(o.set) ? [[o.set.name, o.set] as const] : [])));
  const elements = (spec: NftSetSpec, concat: boolean): string[] => {
    const set = sets.get(spec.name);
    if (set === undefined) {
      problems.push(`set ${spec.name} is missing`);
      return [];
    }
    sets.delete(spec.name);
    if (JSON.stringify(set.type) !== JSON.stringify(spec.jsonType)) problems.push(`set ${spec.name} has type ${JSON.stringify(set.type)}`);
    if (!(set.flags ?? []).includes('interval')) problems.push(`set ${spec.name} lost its interval flag`);
    return (set.elem ?? []).map((e) => (concat ? concatText(e) : elementText(e))).sort();
  };
  const locked = [...elements(NFT_SETS.locked4, false), ...elements(NFT_SETS.locked6, false)].sort();
  const allowed = [...elements(NFT_SETS.allowed4, true), ...elements(NFT_SETS.allowed6, true)].sort();
  for (const name of sets.keys()) problems.push(`unexpected set ${name}`);

  const chains = objects.flatMap((o) => (o.chain !== undefined && ours(o.chain) ? [o.chain] : []));
  const chain = chains.find((c) => c.name === NFT_CHAIN);
  if (chain === undefined) problems.push(`chain ${NFT_CHAIN} is missing`);
  else if (chain.type !== 'filter' || chain.hook !== 'prerouting' || chain.prio !== NFT_PRIORITY || chain.policy !== 'accept') {
    problems.push(`chain ${NFT_CHAIN} is ${chain.type} hook ${chain.hook} priority ${chain.prio} policy ${chain.policy}`);
  }
  for (const c of chains) if (c.name !== NFT_CHAIN) problems.push(`unexpected chain ${c.name}`);

  const rules = objects.flatMap((o) => (o.rule !== undefined && ours(o.rule) ? [o.rule] : []));
  const comments = rules.map((r) => `${r.chain}/${r.comment ?? '(no comment)'}`);
  const wanted = NFT_RULES.map((r) => `${NFT_CHAIN}/${r.comment}`);
  if (JSON.stringify(comments) !== JSON.stringify(wanted)) {
    const missing = wanted.filter((w) => !comments.includes(w));
    const extra = comments.filter((c) => !wanted.includes(c));
    problems.push(
      missing.length + extra.length === 0
        ? `rules are out of order: ${comments.join(', ')}`
        : [...missing.map((m) => `rule ${m} is missing`), ...extra.map((e) => `unexpected rule ${e}`)].join('; '),
    );
  }
  for (const spec of NFT_RULES) {
    const rule = rules.find((r) => r.chain === NFT_CHAIN && r.comment === spec.comment);
    if (rule === undefined) continue;
    const text = JSON.stringify(rule.expr ?? []);
    const lacking = spec.signature.filter((s) => !text.includes(s));
    if (lacking.length > 0) problems.push(`rule ${spec.comment} was changed (lacks ${lacking.join(', ')})`);
  }
  return { locked, allowed, problems };
}

/** One element of a plain address set: `"203.0.113.10"`, `{prefix}`, `{range}`, or any of them wrapped in `{elem}`. */
function elementText(element: Json): string {
  const e = unwrap(element);
  if (typeof e === 'string') return canonicalCidr(e);
  if (isRecord(e) && isRecord(e.prefix)) return canonicalCidr(`${String(e.prefix.addr)}/${String(e.prefix.len)}`);
  if (isRecord(e) && Array.isArray(e.range)) return `${String(e.range[0])}-${String(e.range[1])}`;
  throw new EnforceError('GATEWAY_OUTPUT_INVALID', `unreadable set element ${JSON.stringify(element)}`);
}

function concatText(element: Json): string {
  const e = unwrap(element);
  if (isRecord(e) && Array.isArray(e.concat)) return e.concat.map(elementText).join(' . ');
  throw new EnforceError('GATEWAY_OUTPUT_INVALID', `unreadable set element ${JSON.stringify(element)}`);
}

function unwrap(element: Json): Json {
  // Elements with a timeout, counter or comment are listed as {"elem": {"val": ...}}.
  return isRecord(element) && isRecord(element.elem) ? element.elem.val : element;
}

function isRecord(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
