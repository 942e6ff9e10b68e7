import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../errors.ts';
import { parseCsv, parseInventoryCsv, parseInventoryJson } from './inventory-file.ts';

function fieldsOf(fn: () => unknown): Array<{ field: string; message: string }> {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof DomainError);
    assert.equal(error.code, 'VALIDATION_FAILED');
    assert.match(error.message, /nothing was written/);
    return error.fields;
  }
  assert.fail('expected the file to be refused');
}

const HEADER = 'customer_id,customer_name,customer_email,customer_language,server_id,server_name,host_group,uplink_gateway,addresses';

describe('inventory files', () => {
  it('parses RFC 4180 CSV with quotes, doubled quotes and CRLF', () => {
    assert.deepEqual(parseCsv('a,"b,c","d ""e"""\r\n1,2,3\n'), [
      { line: 1, fields: ['a', 'b,c', 'd "e"'] },
      { line: 2, fields: ['1', '2', '3'] },
    ]);
  });

  it('reads a CMDB export: one server per row, customers and host groups deduplicated', () => {
    const csv = [
      HEADER,
      'K100,Example GmbH,noc@example.com,de,EX-1,web01,dedicated,fsn1-dc14-uplink-gw,"203.0.113.10 2001:db8:10::/64"',
      'K100,Example GmbH,noc@example.com,de,EX-2,web02,dedicated,fsn1-dc14-uplink-gw,203.0.113.11;198.51.100.8/29',
    ].join('\n');
    const snapshot = parseInventoryCsv(csv);
    assert.deepEqual(snapshot.customers, [{ id: 'K100', name: 'Example GmbH', email: 'noc@example.com', language: 'de' }]);
    assert.deepEqual(snapshot.hostGroups, [{ id: 'dedicated', name: 'dedicated', description: '' }]);
    assert.deepEqual(
      snapshot.servers.map((s) => [s.id, s.addresses]),
      [
        ['EX-1', ['203.0.113.10/32', '2001:db8:10::/64']],
        ['EX-2', ['203.0.113.11/32', '198.51.100.8/29']],
      ],
    );
  });

  it('names the line and field of every bad row', () => {
    const csv = [
      HEADER,
      'K100,Example GmbH,noc@example.com,de,EX-1,web01,,fsn1-dc14-uplink-gw,203.0.113.10',
      'K100,Example GmbH,other@example.com,de,EX-2,web02,,fsn1-dc14-uplink-gw,203.0.113.11',
      'K200,Acme,not-an-email,en,EX-3,web03,,fsn1-dc14-uplink-gw,203.0.113.300',
      'K300,Beta,b@example.com,en,EX-1,dup,,,203.0.113.12',
      'K400,Short,row@example.com',
    ].join('\n');
    assert.deepEqual(fieldsOf(() => parseInventoryCsv(csv)), [
      { field: 'line 3, customer_id', message: 'customer K100 has different details on line 2' },
      { field: 'line 4, customer_email', message: '"not-an-email" is not an e-mail address' },
      { field: 'line 4, addresses', message: '"203.0.113.300" is not an IP address or prefix' },
      { field: 'line 5, uplink_gateway', message: 'is required (e.g. fsn1-dc14-uplink-gw)' },
      { field: 'line 6', message: 'has 3 fields, the header has 9' },
    ]);
  });

  it('refuses unknown and missing columns', () => {
    const fields = fieldsOf(() => parseInventoryCsv('customer_id,server_id,colour\nK1,S1,red\n'));
    assert.ok(fields.some((f) => f.message === 'missing column customer_email'));
    assert.ok(fields.some((f) => f.message.startsWith('unknown column "colour"')));
  });

  it('validates JSON snapshots with paths', () => {
    const json = JSON.stringify({
      customers: [{ id: 'K1', name: 'One', email: 'one@example.com' }, { id: 'K1', name: 'Dup', email: 'x@example.com' }],
      servers: [{ id: 'S1', customerId: 'K1', uplinkGateway: 'gw1', addresses: ['2001:db8::1/64'] }],
      protectedPrefixes: [{ prefix: '192.0.2.0/24' }],
      colour: 'red',
    });
    assert.deepEqual(fieldsOf(() => parseInventoryJson(json)), [
      { field: 'colour', message: 'unknown key (expected customers, hostGroups, servers, protectedPrefixes, providerPrefixes)' },
      { field: 'servers[0].addresses[0]', message: '"2001:db8::1/64" has host bits set (the network is 2001:db8::/64)' },
      { field: 'customers[1].id', message: 'K1 appears twice' },
    ]);
    assert.equal(fieldsOf(() => parseInventoryJson('{nope'))[0].field, '(file)');
  });
});
