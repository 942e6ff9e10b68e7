/** The inventory API through a real HTTP server. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sampleSnapshot } from '../../../test/helpers/factories.ts';
import { startTestServer, type TestServer } from '../../../test/helpers/test-server.ts';

describe('inventory API', () => {
  let server: TestServer;
  let admin: string;
  let reader: string;
  before(async () => {
    server = await startTestServer();
    admin = await server.token(['inventory']);
    reader = await server.token(['read']);
  });
  after(() => server.close());

  it('answers /healthz, /metrics and the OpenAPI document without a token', async () => {
    assert.deepEqual((await server.request('GET', '/healthz')).body, { status: 'ok', checks: { store: 'ok' } });
    assert.match((await server.request('GET', '/metrics')).text, /^# HELP netwarden_/m);
    const openapi = (await server.request('GET', '/api/openapi.json')).body as { openapi: string; paths: Record<string, unknown> };
    assert.equal(openapi.openapi, '3.1.0');
    assert.ok('/api/v1/servers/{id}' in openapi.paths);
    assert.equal((await server.request('GET', '/api/docs/')).status, 200);
  });

  it('requires a token and the right scope', async () => {
    assert.equal((await server.request('GET', '/api/v1/servers')).status, 401);
    assert.equal((await server.request('GET', '/api/v1/servers', { token: 'nwt_000000000000_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' })).status, 401);
    const denied = await server.request('PUT', '/api/v1/customers/K1', { token: reader, body: { name: 'x', email: 'x@example.com' } });
    assert.equal(denied.status, 403);
    assert.equal((denied.body as { error: { code: string } }).error.code, 'FORBIDDEN');
  });

  it('creates, reads, looks up and deletes', async () => {
    const created = await server.request('PUT', '/api/v1/customers/K1', { token: admin, body: { name: 'One', email: 'one@example.com', language: 'de' } });
    assert.equal(created.status, 200);
    assert.equal((created.body as { language: string }).language, 'de');
    const put = await server.request('PUT', '/api/v1/servers/S1', {
      token: admin,
      body: { customerId: 'K1', name: 'web', uplinkGateway: 'fsn1-dc14-uplink-gw', addresses: ['203.0.113.7', '2001:db8:7::/64'] },
    });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual((put.body as { addresses: string[] }).addresses, ['2001:db8:7::/64', '203.0.113.7/32']);
    const lookup = await server.request('GET', '/api/v1/lookup?ip=2001:db8:7::1', { token: reader });
    assert.deepEqual((lookup.body as { server: unknown }).server, {
      serverId: 'S1',
      customerId: 'K1',
      hostGroupId: null,
      uplinkGateway: 'fsn1-dc14-uplink-gw',
      prefix: '2001:db8:7::/64',
    });
    const list = await server.request('GET', '/api/v1/servers?customerId=K1', { token: reader });
    assert.deepEqual(
      (list.body as Array<{ id: string }>).map((s) => s.id),
      ['S1'],
    );
    assert.equal((await server.request('DELETE', '/api/v1/servers/S1', { token: admin })).status, 204);
    assert.equal((await server.request('GET', '/api/v1/servers/S1', { token: reader })).status, 404);
    const gone = await server.request('GET', '/api/v1/lookup?ip=203.0.113.7', { token: reader });
    assert.equal((gone.body as { server: unknown }).server, null);
  });

  it('answers bad input with a stable code and every field named', async () => {
    const bad = await server.request('PUT', '/api/v1/servers/S2', { token: admin, body: { customerId: '', addresses: ['nope'] } });
    assert.equal(bad.status, 400);
    const error = (bad.body as { error: { code: string; fields: Array<{ field: string }> } }).error;
    assert.equal(error.code, 'VALIDATION_FAILED');
    assert.deepEqual(
      error.fields.map((f) => f.field),
      ['customerId', 'uplinkGateway', 'addresses[0]'],
    );
    const badIp = await server.request('GET', '/api/v1/lookup?ip=999.1.1.1', { token: reader });
    assert.equal(badIp.status, 400);
  });

  it('imports JSON and CSV, all or nothing', async () => {
    const imported = await server.request('POST', '/api/v1/inventory/import', { token: admin, body: sampleSnapshot() });
    assert.equal(imported.status, 200, imported.text);
    assert.equal((imported.body as { servers: number }).servers, 2);
    const csv =
      'customer_id,customer_name,customer_email,customer_language,server_id,server_name,host_group,uplink_gateway,addresses\n' +
      'K300,Gamma,g@example.com,en,EX-3,web03,,fsn1-dc14-uplink-gw,203.0.113.30\n' +
      'K300,Gamma,g@example.com,en,EX-4,web04,,fsn1-dc14-uplink-gw,203.0.113.10\n';
    const refused = await server.request('POST', '/api/v1/inventory/import', { token: admin, body: csv, contentType: 'text/csv' });
    assert.equal(refused.status, 400);
    assert.match((refused.body as { error: { fields: Array<{ message: string }> } }).error.fields[0].message, /203\.0\.113\.10\/32 is assigned to server EX-1/);
    assert.equal((await server.request('GET', '/api/v1/servers/EX-3', { token: reader })).status, 404, 'nothing of the refused file was written');
    const ok = await server.request('POST', '/api/v1/inventory/import', { token: admin, body: csv.replace('203.0.113.10\n', '203.0.113.40\n'), contentType: 'text/csv' });
    assert.equal(ok.status, 200, ok.text);
    const audit = await server.netwarden.repositories.audit.list({ subjectType: 'inventory' });
    assert.equal(audit.length, 2);
    assert.match(audit[0].actor.id, /^test-inventory\//);
  });
});
