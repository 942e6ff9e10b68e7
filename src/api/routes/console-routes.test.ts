/**
 * The abuse-desk console over real HTTP: search by address, Blocking ID, server,
 * customer and portal e-mail; the audit log in pages; the review queue; a server's page;
 * the traffic chart from stored samples with threshold lines and incident markers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sampleSnapshot } from '../../../test/helpers/factories.ts';
import { createPerson, type SessionClient, signIn } from '../../../test/helpers/session-client.ts';
import { startTestServer, type TestServer } from '../../../test/helpers/test-server.ts';
import { createLock } from '../../cases/create-lock.ts';
import type { Lock } from '../../cases/lock-types.ts';
import { emptyRates, type Incident } from '../../detect/incident.ts';

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const MIN = 60_000;

function incident(id: string, firstSeenMs: number, endedMs: number | null): Incident {
  return {
    id,
    serverId: 'EX-1',
    customerId: 'K100',
    address: '203.0.113.10',
    kind: 'flood',
    direction: 'out',
    status: endedMs === null ? 'open' : 'ended',
    firstSeenMs,
    lastSeenMs: endedMs ?? firstSeenMs + MIN,
    endedMs,
    exceeded: [{ metric: 'packetsPerSecond', threshold: 100_000, peak: 135_580 }],
    peak: { ...emptyRates(), packetsPerSecond: 135_580, bitsPerSecond: 161e6 },
    totals: { packets: 1, flows: 1, bytes: 1 },
    summary: null,
    netscan: null,
    sourceAddress: null,
    samples: [],
  };
}

describe('abuse-desk console', () => {
  let server: TestServer;
  let desk: SessionClient;
  let reader: string;
  let review: Lock;
  before(async () => {
    server = await startTestServer({ detect: { overrides: { servers: { 'EX-1': { outbound: { packetsPerSecond: 50_000 } } } } } });
    const admin = await server.token(['admin']);
    reader = await server.token(['read']);
    assert.equal((await server.request('POST', '/api/v1/inventory/import', { token: admin, body: sampleSnapshot() })).status, 200);
    await createPerson(server, 'desk@example.net', 'staff');
    await createPerson(server, 'webmaster@acme.example', 'customer', 'K200');
    desk = await signIn(server, 'desk@example.net');
    const repos = server.netwarden.repositories;
    await repos.incidents.save(incident('inc-old', T0 - 30 * MIN, T0 - 20 * MIN));
    await repos.incidents.save(incident('inc-now', T0 + 5 * MIN, null));
    await repos.incidents.save(incident('inc-before-range', T0 - 5 * 60 * MIN, T0 - 4 * 60 * MIN));
    const cases = server.netwarden.cases;
    const incidents = [(await repos.incidents.get('inc-now')) as Incident];
    review = await cases.locks.transaction((trx) =>
      createLock(cases, { serverId: 'EX-1', reason: 'attack_from_server', scope: 'server', addresses: [], state: 'review', source: 'detection', statement: '', incidents, note: 'policy: review' }, { type: 'system', id: 'policy' }, trx),
    );
  });
  after(() => server.close());

  it('finds a server and its customer by address, a lock by Blocking ID, and text anywhere', async () => {
    const search = async (q: string) => {
      const response = await desk.request('GET', `/api/v1/console/search?q=${encodeURIComponent(q)}`);
      assert.equal(response.status, 200, response.text);
      return response.body as { kind: string; address: { owner: { serverId: string; prefix: string } | null; protected: boolean } | null; servers: Array<{ id: string }>; customers: Array<{ id: string }>; locks: Array<{ blockingId: string }> };
    };
    const byIp = await search('2001:db8:10::abcd');
    assert.equal(byIp.kind, 'address');
    assert.deepEqual([byIp.address?.owner?.serverId, byIp.address?.owner?.prefix, byIp.address?.protected], ['EX-1', '2001:db8:10::/64', false]);
    assert.deepEqual([byIp.servers.map((s) => s.id), byIp.customers.map((c) => c.id), byIp.locks.map((l) => l.blockingId)], [['EX-1'], ['K100'], [review.blockingId]]);
    const protectedIp = await search('192.0.2.3');
    assert.deepEqual([protectedIp.address?.owner, protectedIp.address?.protected], [null, true]);
    const byBlockingId = await search(review.blockingId.toLowerCase());
    assert.deepEqual([byBlockingId.kind, byBlockingId.locks.map((l) => l.blockingId), byBlockingId.servers.map((s) => s.id)], ['blocking_id', [review.blockingId], ['EX-1']]);
    assert.deepEqual((await search('db01')).servers.map((s) => s.id), ['EX-2'], 'server name');
    assert.deepEqual((await search('noc@example')).customers.map((c) => c.id), ['K100'], 'customer contact e-mail');
    assert.deepEqual((await search('Acme')).customers.map((c) => c.id), ['K200'], 'customer name');
    assert.deepEqual((await search('webmaster@acme')).customers.map((c) => c.id), ['K200'], 'portal account e-mail');
    const empty = await desk.request('GET', '/api/v1/console/search?q=%20');
    assert.equal(empty.status, 400);
  });

  it('lists the review queue with the incidents, until staff confirm', async () => {
    const queue = (await desk.request('GET', '/api/v1/console/review-queue')).body as Array<{ blockingId: string; state: string; incidents: Array<{ id: string; peak: { packetsPerSecond: number } }> }>;
    assert.deepEqual(
      queue.map((l) => [l.blockingId, l.state, l.incidents.map((i) => [i.id, i.peak.packetsPerSecond])]),
      [[review.blockingId, 'review', [['inc-now', 135_580]]]],
    );
    const confirmed = await desk.request('POST', `/api/v1/locks/${review.blockingId}/review`, { body: { decision: 'confirm', message: 'confirmed from the chart' } });
    assert.equal(confirmed.status, 200, confirmed.text);
    assert.deepEqual((await desk.request('GET', '/api/v1/console/review-queue')).body, []);
  });

  it('draws the traffic chart from stored samples, with threshold lines and incident markers', async () => {
    const samples = Array.from({ length: 120 }, (_, i) => ({ serverId: 'EX-1', at: T0 - 60 * MIN + i * MIN, packetsIn: 10, packetsOut: i === 77 ? 135_000 : 1000 + i, bitsIn: 8e4, bitsOut: 8e6 }));
    await server.netwarden.repositories.trafficSamples.record(samples);
    await server.netwarden.repositories.trafficSamples.record([{ serverId: 'EX-2', at: T0, packetsIn: 1, packetsOut: 1, bitsIn: 1, bitsOut: 1 }]);
    const from = new Date(T0 - 60 * MIN).toISOString();
    const to = new Date(T0 + 60 * MIN).toISOString();
    const chart = await server.request('GET', `/api/v1/console/servers/EX-1/traffic?from=${from}&to=${to}`, { token: reader });
    assert.equal(chart.status, 200, chart.text);
    const body = chart.body as {
      samples: Array<{ at: string; packetsOut: number }>;
      thresholds: { outbound: { packetsPerSecond: number; bitsPerSecond: number }; inbound: { packetsPerSecond: number } };
      incidents: Array<{ id: string; start: string; end: string | null }>;
    };
    assert.equal(body.samples.length, 120);
    assert.equal(body.samples[0].at, from);
    assert.equal(body.samples[77].packetsOut, 135_000);
    assert.deepEqual(body.thresholds, {
      outbound: { packetsPerSecond: 50_000, bitsPerSecond: 5_000_000_000 },
      inbound: { packetsPerSecond: 1_000_000, bitsPerSecond: 10_000_000_000 },
    });
    assert.deepEqual(
      body.incidents.map((i) => [i.id, i.start, i.end]),
      [
        ['inc-old', new Date(T0 - 30 * MIN).toISOString(), new Date(T0 - 20 * MIN).toISOString()],
        ['inc-now', new Date(T0 + 5 * MIN).toISOString(), null],
      ],
    );
    const coarse = (await server.request('GET', `/api/v1/console/servers/EX-1/traffic?from=${from}&to=${to}&maxPoints=12`, { token: reader })).body as typeof body;
    assert.equal(coarse.samples.length, 12);
    assert.equal(Math.max(...coarse.samples.map((s) => s.packetsOut)), 135_000, 'merging keeps the peak');
    assert.equal(coarse.samples[1].at, new Date(T0 - 50 * MIN).toISOString());
    const backwards = await server.request('GET', `/api/v1/console/servers/EX-1/traffic?from=${to}&to=${from}`, { token: reader });
    assert.equal(backwards.status, 400);
    assert.equal((await server.request('GET', '/api/v1/console/servers/EX-9/traffic', { token: reader })).status, 404);
  });

  it('shows a server\'s page', async () => {
    const page = (await desk.request('GET', '/api/v1/console/servers/EX-1')).body as { server: { id: string }; customer: { id: string }; locks: Array<{ blockingId: string; state: string }>; openIncidents: Array<{ id: string }> };
    assert.deepEqual(
      [page.server.id, page.customer.id, page.locks.map((l) => [l.blockingId, l.state]), page.openIncidents.map((i) => i.id)],
      ['EX-1', 'K100', [[review.blockingId, 'active']], ['inc-now']],
    );
  });

  it('pages through the audit log with every actor', async () => {
    const first = (await desk.request('GET', '/api/v1/console/audit?limit=2')).body as { entries: Array<{ id: number; actor: { type: string; id: string }; action: string }>; nextBeforeId: number };
    assert.equal(first.entries.length, 2);
    assert.deepEqual(first.entries[0].actor, { type: 'staff', id: 'desk@example.net' });
    assert.equal(first.nextBeforeId, first.entries[1].id);
    const second = (await desk.request('GET', `/api/v1/console/audit?limit=2&beforeId=${first.nextBeforeId}`)).body as typeof first;
    assert.ok(second.entries[0].id < first.entries[1].id);
    const all = (await desk.request('GET', '/api/v1/console/audit?limit=500')).body as typeof first;
    assert.equal(all.nextBeforeId, null);
    assert.ok(all.entries.some((e) => e.action === 'lock.review_confirmed' && e.actor.id === 'desk@example.net'));
    assert.ok(all.entries.some((e) => e.action === 'user.created' && e.actor.type === 'cli'));
    const byActor = (await desk.request('GET', '/api/v1/console/audit?actorId=desk%40example.net')).body as typeof first;
    assert.ok(byActor.entries.length > 0 && byActor.entries.every((e) => e.actor.id === 'desk@example.net'));
  });

  it('lets read tokens read but not decide', async () => {
    assert.equal((await server.request('GET', '/api/v1/console/review-queue', { token: reader })).status, 200);
    const decide = await server.request('POST', '/api/v1/console/remote-console-bookings/1/decision', { token: reader, body: { decision: 'confirm' } });
    assert.equal(decide.status, 403);
  });
});
