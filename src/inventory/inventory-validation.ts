/**
 * Validation of inventory input: every problem is collected with its field, so a form or
 * an import file is fixed in one pass.
 */
import type { FieldProblem } from '../errors.ts';
import type { Customer, HostGroup, Language, Server } from './inventory-types.ts';
import { parsePrefix } from './prefix.ts';

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const GATEWAY = /^[a-z0-9][a-z0-9.-]{0,127}$/;

export type CustomerInput = Omit<Customer, 'createdAt' | 'updatedAt'>;
export type ServerInput = Omit<Server, 'createdAt' | 'updatedAt'>;

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value.trim() : undefined;
}

function requireId(value: unknown, field: string, problems: FieldProblem[]): string {
  const id = text(value) ?? '';
  if (id === '') problems.push({ field, message: 'is required' });
  else if (!ID.test(id)) problems.push({ field, message: 'must be 1-64 letters, digits or . _ : - (starting with a letter or digit)' });
  return id;
}

function requireText(value: unknown, field: string, problems: FieldProblem[], max = 200): string {
  const t = text(value) ?? '';
  if (t === '') problems.push({ field, message: 'is required' });
  else if (t.length > max) problems.push({ field, message: `must be at most ${max} characters` });
  return t;
}

export function validateCustomer(input: Record<string, unknown>, prefix = ''): { value: CustomerInput; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const id = requireId(input.id, `${prefix}id`, problems);
  const name = requireText(input.name, `${prefix}name`, problems);
  const email = text(input.email) ?? '';
  if (email === '') problems.push({ field: `${prefix}email`, message: 'is required' });
  else if (!EMAIL.test(email) || email.length > 254) problems.push({ field: `${prefix}email`, message: `${JSON.stringify(email)} is not an e-mail address` });
  const languageText = text(input.language) ?? 'en';
  if (languageText !== 'en' && languageText !== 'de') {
    problems.push({ field: `${prefix}language`, message: `must be "en" or "de" (got ${JSON.stringify(languageText)})` });
  }
  return { value: { id, name, email, language: languageText as Language }, problems };
}

export function validateHostGroup(input: Record<string, unknown>, prefix = ''): { value: HostGroup; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const id = requireId(input.id, `${prefix}id`, problems);
  const name = text(input.name) || id;
  const description = text(input.description) ?? '';
  return { value: { id, name, description }, problems };
}

/** Canonical prefixes of a list, with a problem per bad or repeated entry. */
export function validatePrefixList(input: unknown, field: string, problems: FieldProblem[]): string[] {
  if (input === undefined || input === null) return [];
  const items = Array.isArray(input) ? input : typeof input === 'string' ? input.split(/[\s,;]+/).filter((s) => s !== '') : null;
  if (items === null) {
    problems.push({ field, message: 'must be a list of addresses or prefixes' });
    return [];
  }
  const seen = new Set<string>();
  const out: string[] = [];
  items.forEach((item, i) => {
    if (typeof item !== 'string') {
      problems.push({ field: `${field}[${i}]`, message: 'must be a string' });
      return;
    }
    try {
      const parsed = parsePrefix(item);
      if (seen.has(parsed.text)) problems.push({ field: `${field}[${i}]`, message: `${parsed.text} is listed twice` });
      seen.add(parsed.text);
      out.push(parsed.text);
    } catch (error) {
      problems.push({ field: `${field}[${i}]`, message: (error as Error).message });
    }
  });
  return out;
}

export function validateServer(input: Record<string, unknown>, prefix = ''): { value: ServerInput; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const id = requireId(input.id, `${prefix}id`, problems);
  const name = text(input.name) || id;
  const customerId = requireId(input.customerId, `${prefix}customerId`, problems);
  const hostGroupText = text(input.hostGroupId);
  const hostGroupId = hostGroupText === undefined || hostGroupText === '' ? null : hostGroupText;
  const uplinkGateway = text(input.uplinkGateway) ?? '';
  if (uplinkGateway === '') problems.push({ field: `${prefix}uplinkGateway`, message: 'is required (e.g. fsn1-dc14-uplink-gw)' });
  else if (!GATEWAY.test(uplinkGateway)) {
    problems.push({ field: `${prefix}uplinkGateway`, message: 'must be a lower-case host name such as fsn1-dc14-uplink-gw' });
  }
  const addresses = validatePrefixList(input.addresses, `${prefix}addresses`, problems);
  return { value: { id, name, customerId, hostGroupId, uplinkGateway, addresses }, problems };
}
