/**
 * Reads inventory import files. JSON holds a whole snapshot; CSV holds one server per row
 * with its customer (as a provider's CMDB exports it). Every bad row is reported with its
 * line and field, and nothing is returned unless the whole file is good.
 */
import { type FieldProblem, invalidInput } from '../errors.ts';
import type { InventorySnapshot } from './inventory-types.ts';
import { validateCustomer, validateHostGroup, validatePrefixList, validateServer } from './inventory-validation.ts';

export const CSV_COLUMNS = [
  'customer_id',
  'customer_name',
  'customer_email',
  'customer_language',
  'server_id',
  'server_name',
  'host_group',
  'uplink_gateway',
  'addresses',
] as const;

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF. Returns rows with their line numbers. */
export function parseCsv(text: string): Array<{ line: number; fields: string[] }> {
  const rows: Array<{ line: number; fields: string[] }> = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      if (fields.length > 1 || fields[0] !== '') rows.push({ line: rowLine, fields });
      fields = [];
      field = '';
      line++;
      rowLine = line;
    } else field += c;
  }
  if (quoted) throw invalidInput([{ field: `line ${rowLine}`, message: 'unterminated quoted field' }], 'import refused, nothing was written');
  if (field !== '' || fields.length > 0) {
    fields.push(field);
    rows.push({ line: rowLine, fields });
  }
  return rows;
}

function emptySnapshot(): InventorySnapshot {
  return { customers: [], hostGroups: [], servers: [], protectedPrefixes: [], providerPrefixes: [] };
}

export function parseInventoryCsv(text: string): InventorySnapshot {
  const rows = parseCsv(text.replace(/^\uFEFF/, ''));
  if (rows.length === 0) throw invalidInput([{ field: 'line 1', message: 'the file is empty' }], 'import refused, nothing was written');
  const header = rows[0].fields.map((h) => h.trim().toLowerCase());
  const problems: FieldProblem[] = [];
  const missing = CSV_COLUMNS.filter((c) => !header.includes(c) && c !== 'host_group' && c !== 'server_name' && c !== 'customer_language');
  for (const column of missing) problems.push({ field: `line ${rows[0].line}`, message: `missing column ${column}` });
  for (const column of header) {
    if (!(CSV_COLUMNS as readonly string[]).includes(column)) problems.push({ field: `line ${rows[0].line}`, message: `unknown column ${JSON.stringify(column)} (expected ${CSV_COLUMNS.join(', ')})` });
  }
  if (problems.length > 0) throw invalidInput(problems, 'import refused, nothing was written');
  const snapshot = emptySnapshot();
  const customers = new Map<string, { line: number; json: string }>();
  const groups = new Set<string>();
  const servers = new Set<string>();
  for (const { line, fields } of rows.slice(1)) {
    const get = (column: string): string => (fields[header.indexOf(column)] ?? '').trim();
    if (fields.length !== header.length) {
      problems.push({ field: `line ${line}`, message: `has ${fields.length} fields, the header has ${header.length}` });
      continue;
    }
    const at = (field: string): string => `line ${line}, ${field}`;
    const customer = validateCustomer({ id: get('customer_id'), name: get('customer_name'), email: get('customer_email'), language: get('customer_language') || 'en' });
    for (const p of customer.problems) problems.push({ field: at(`customer_${p.field}`), message: p.message });
    const groupId = get('host_group');
    const server = validateServer({
      id: get('server_id'),
      name: get('server_name'),
      customerId: get('customer_id'),
      hostGroupId: groupId,
      uplinkGateway: get('uplink_gateway'),
      addresses: get('addresses'),
    });
    for (const p of server.problems) {
      if (p.field === 'customerId') continue; // already reported as customer_id
      const field = p.field.startsWith('addresses') ? 'addresses' : p.field === 'uplinkGateway' ? 'uplink_gateway' : `server_${p.field}`;
      problems.push({ field: at(field), message: p.message });
    }
    if (customer.problems.length === 0) {
      const json = JSON.stringify(customer.value);
      const seen = customers.get(customer.value.id);
      if (seen === undefined) {
        customers.set(customer.value.id, { line, json });
        snapshot.customers.push(customer.value);
      } else if (seen.json !== json) {
        problems.push({ field: at('customer_id'), message: `customer ${customer.value.id} has different details on line ${seen.line}` });
      }
    }
    if (groupId !== '' && !groups.has(groupId)) {
      const group = validateHostGroup({ id: groupId });
      for (const p of group.problems) problems.push({ field: at('host_group'), message: p.message });
      groups.add(groupId);
      if (group.problems.length === 0) snapshot.hostGroups.push(group.value);
    }
    if (server.problems.length === 0) {
      if (servers.has(server.value.id)) problems.push({ field: at('server_id'), message: `server ${server.value.id} appears twice` });
      servers.add(server.value.id);
      snapshot.servers.push(server.value);
    }
  }
  if (problems.length > 0) throw invalidInput(problems, 'import refused, nothing was written');
  return snapshot;
}

export function parseInventoryJson(text: string): InventorySnapshot {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw invalidInput([{ field: '(file)', message: `is not valid JSON: ${(error as Error).message}` }], 'import refused, nothing was written');
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw invalidInput([{ field: '(file)', message: 'must be an object with customers, hostGroups, servers, protectedPrefixes, providerPrefixes' }], 'import refused, nothing was written');
  }
  const root = data as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  const allowed = ['customers', 'hostGroups', 'servers', 'protectedPrefixes', 'providerPrefixes'];
  for (const key of Object.keys(root)) if (!allowed.includes(key)) problems.push({ field: key, message: `unknown key (expected ${allowed.join(', ')})` });
  const list = (key: string): Array<Record<string, unknown>> => {
    const value = root[key];
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      problems.push({ field: key, message: 'must be a list' });
      return [];
    }
    return value.map((item, i) => {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) {
        problems.push({ field: `${key}[${i}]`, message: 'must be an object' });
        return {};
      }
      return item as Record<string, unknown>;
    });
  };
  const snapshot = emptySnapshot();
  list('customers').forEach((c, i) => {
    const r = validateCustomer(c, `customers[${i}].`);
    problems.push(...r.problems);
    snapshot.customers.push(r.value);
  });
  list('hostGroups').forEach((g, i) => {
    const r = validateHostGroup(g, `hostGroups[${i}].`);
    problems.push(...r.problems);
    snapshot.hostGroups.push(r.value);
  });
  list('servers').forEach((s, i) => {
    const r = validateServer(s, `servers[${i}].`);
    problems.push(...r.problems);
    snapshot.servers.push(r.value);
  });
  for (const key of ['protectedPrefixes', 'providerPrefixes'] as const) {
    list(key).forEach((p, i) => {
      const [prefix] = validatePrefixList([p.prefix], `${key}[${i}].prefix`, problems);
      if (prefix !== undefined) snapshot[key].push({ prefix, description: typeof p.description === 'string' ? p.description : '' });
    });
  }
  const dupes = (items: Array<{ id: string }>, key: string): void => {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      if (seen.has(item.id)) problems.push({ field: `${key}[${i}].id`, message: `${item.id} appears twice` });
      seen.add(item.id);
    });
  };
  dupes(snapshot.customers, 'customers');
  dupes(snapshot.hostGroups, 'hostGroups');
  dupes(snapshot.servers, 'servers');
  if (problems.length > 0) throw invalidInput(problems, 'import refused, nothing was written');
  return snapshot;
}

export function parseInventoryFile(name: string, text: string): InventorySnapshot {
  return name.toLowerCase().endsWith('.csv') ? parseInventoryCsv(text) : parseInventoryJson(text);
}
