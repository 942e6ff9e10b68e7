/**
 * Validation of the static access IPs a customer registers for a locked server: the
 * addresses the gateway keeps letting through both ways, so the customer can still log
 * in and clean up. Each must be a public address or a small prefix (at most a /29 or a
 * /125, eight addresses): anything wider would reopen the server to a whole network.
 */
import { type FieldProblem, invalidInput } from '../errors.ts';
import { formatCidr, overlaps, parseCidr } from './cidr.ts';
import { SPECIAL_RANGES } from './special-purpose-ranges.ts';

export const WIDEST_STATIC_PREFIX = { 4: 29, 6: 125 } as const;

export type StaticAccessIpCheck = { ok: true; prefix: string } | { ok: false; message: string };

/** Checks one address or prefix; the canonical CIDR text when it is acceptable. */
export function checkStaticAccessIp(input: unknown): StaticAccessIpCheck {
  if (typeof input !== 'string' || input.trim() === '') return { ok: false, message: 'enter an IPv4 or IPv6 address, or a prefix of at most 8 addresses' };
  const text = input.trim();
  let cidr: ReturnType<typeof parseCidr>;
  try {
    cidr = parseCidr(text);
  } catch (error) {
    // The parser's own wording is for inventory files; customers get a shorter one.
    const message = (error as Error).message;
    const network = /the network is ([^)]+)\)/.exec(message)?.[1];
    if (network !== undefined) return { ok: false, message: `${text} has host bits set: did you mean ${network}?` };
    return { ok: false, message: message.replace(/^invalid prefix /, '') };
  }
  const prefix = formatCidr(cidr);
  const widest = WIDEST_STATIC_PREFIX[cidr.family];
  if (cidr.length < widest) {
    return { ok: false, message: `${prefix} is too wide: a static access prefix may be at most a /${widest} (8 addresses)` };
  }
  const special = SPECIAL_RANGES.find((r) => overlaps(r.cidr, cidr));
  if (special !== undefined) {
    return { ok: false, message: `${prefix} is in ${special.text}, ${special.name}: a static access IP must be a public address` };
  }
  return { ok: true, prefix };
}

/**
 * Checks a whole list as a customer submits it (`field[i]` names each bad item), and the
 * limit per server. Duplicates (also written differently: `192.0.2.7` and `192.0.2.7/32`)
 * are problems, not silently merged.
 */
export function validateStaticAccessIps(input: unknown, options: { max: number; field?: string }): { prefixes: string[]; problems: FieldProblem[] } {
  const field = options.field ?? 'staticIps';
  if (!Array.isArray(input)) return { prefixes: [], problems: [{ field, message: 'must be a list of addresses or prefixes' }] };
  const problems: FieldProblem[] = [];
  const prefixes: string[] = [];
  input.forEach((item, i) => {
    const result = checkStaticAccessIp(item);
    if (!result.ok) {
      problems.push({ field: `${field}[${i}]`, message: result.message });
    } else if (prefixes.includes(result.prefix)) {
      problems.push({ field: `${field}[${i}]`, message: `${result.prefix} is listed twice` });
    } else {
      prefixes.push(result.prefix);
    }
  });
  if (input.length > options.max) {
    problems.push({ field, message: `at most ${options.max} static access IPs per server (got ${input.length})` });
  }
  return { prefixes, problems };
}

/** The canonical prefix, or a VALIDATION_FAILED DomainError naming `field`. */
export function requireStaticAccessIp(input: unknown, field = 'prefix'): string {
  const result = checkStaticAccessIp(input);
  if (!result.ok) throw invalidInput([{ field, message: result.message }], 'invalid static access IP');
  return result.prefix;
}
