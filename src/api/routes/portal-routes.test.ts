/**
 * The customer portal over real HTTP: servers with their lock state, locks and their log,
 * unblock requests (incomplete forms refused field by field), static access IPs, remote
 * console bookings, support requests — and every portal route called with another
 * customer's ids answers 404, changing nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sampleSnapshot } from '../../../test/helpers/factories.ts';
import { createPerson, type SessionClient, signIn } from '../../../test/helpers/session-client.ts';
import { startTestServer, type TestServer } from '../../../test/helpers/test-server.ts';
import { createLock } from '../../cases/create-lock.ts';
import { lockServer } from '../../cases/lock-server.ts';
import type { Lock } from '../../cases/lock-types.ts';

type ErrorResponse = { error: { code: string; message: string; fields: Array<{ field: string; message: string }> } };
const errorOf = (body: unknown) => (body as ErrorResponse).error;
const DESK = { type: 'staff', id: 'desk@example.net' };
const HOUR = 3_600_000;

describe('customer portal', () => {
  let server: TestServer;
  let alice: SessionClient;
  let bob: SessionClient;
  let desk: SessionClient;
  let aliceLock: Lock;
  let reviewLock: Lock;
  let bobLock: Lock;
  let bobBookingId: number;
  let bobRequestId: number;
  const bobStaticIp = '198.51.100.200/32';

  before(async () => {
    server = await startTestServer({ enforce: { maxStaticIps: 2 } });
    const admin = await server.token(['admin']);
    assert.equal((await server.request('POST', '/api/v1/inventory/import', { token: admin, body: sampleSnapshot() })).status, 200);
    await createPerson(server, 'alice@example.com', 'customer', 'K100');
    await createPerson(server, 'bob@example.org', 'customer', 'K200');
    await createPerson(server, 'desk@example.net', 'staff');
    [alice, bob, desk] = [await signIn(server, 'alice@example.com'), await signIn(server, 'bob@example.org'), await signIn(server, 'desk@example.net')];
    const cases = server.netwarden.cases;
    aliceLock = await lockServer(cases, { serverId: 'EX-1', reason: 'abuse_phishing', statement: 'Phishing page reported by a CERT: http://203.0.113.10/login.html' }, DESK, 'staff');
    reviewLock = await cases.locks.transaction((trx) =>
      createLock(cases, { serverId: 'EX-1', reason: 'netscan', scope: 'server', addresses: [], state: 'review', source: 'detection', statement: '', incidents: [], note: 'policy: review' }, { type: 'system', id: 'policy' }, trx),
    );
    bobLock = await lockServer(cases, { serverId: 'EX-2', reason: 'abuse_malware', statement: 'Malware hosted at http://203.0.113.20/x.exe, reported twice' }, DESK, 'staff');
    assert.equal((await bob.request('POST', '/api/v1/portal/servers/EX-2/static-ips', { body: { prefix: '198.51.100.200' } })).status, 201);
    const slots = (await bob.request('GET', '/api/v1/portal/servers/EX-2/remote-console-slots')).body as { free: string[] };
    const booking = await bob.request('POST', '/api/v1/portal/servers/EX-2/remote-console-bookings', { body: { start: slots.free[3] } });
    assert.equal(booking.status, 201, booking.text);
    bobBookingId = (booking.body as { id: number }).id;
    const request = await bob.request('POST', '/api/v1/portal/support-requests', { body: { subject: 'Malware?', message: 'We found nothing, please check again.', serverId: 'EX-2' } });
    assert.equal(request.status, 201, request.text);
    bobRequestId = (request.body as { id: number }).id;
  });
  after(() => server.close());

  it('lists my servers with their lock state, and answers "is my server locked?"', async () => {
    const response = await alice.request('GET', '/api/v1/portal/servers');
    assert.equal(response.status, 200, response.text);
    const servers = response.body as Array<{ id: string; addresses: string[]; lockStatus: { status: string; locked: boolean; blockingIds: string[] }; locks: Array<Record<string, unknown>> }>;
    assert.deepEqual(
      servers.map((s) => s.id),
      ['EX-1'],
    );
    assert.deepEqual(servers[0].lockStatus, { serverId: 'EX-1', status: 'locked', locked: true, blockingIds: [aliceLock.blockingId] }, 'the lock waiting for review is not shown');
    assert.deepEqual(servers[0].locks[0], {
      blockingId: aliceLock.blockingId,
      serverId: 'EX-1',
      reason: 'abuse_phishing',
      scope: 'server',
      addresses: ['2001:db8:10::/64', '203.0.113.10/32'],
      state: 'active',
      enforced: true,
      statement: 'Phishing page reported by a CERT: http://203.0.113.10/login.html',
      since: new Date(aliceLock.createdAtMs).toISOString(),
      released: null,
      canRequestUnblock: true,
      requiresApproval: false,
    });
    const status = await alice.request('GET', '/api/v1/portal/servers/EX-1/lock-status');
    assert.deepEqual(status.body, { serverId: 'EX-1', status: 'locked', locked: true, blockingIds: [aliceLock.blockingId] });
  });

  it('shows a lock with its history without naming staff, and its log to read and download', async () => {
    const list = await alice.request('GET', '/api/v1/portal/locks');
    assert.deepEqual(
      (list.body as Array<{ blockingId: string }>).map((l) => l.blockingId),
      [aliceLock.blockingId],
    );
    const detail = await alice.request('GET', `/api/v1/portal/locks/${aliceLock.blockingId}`);
    assert.equal(detail.status, 200);
    const body = detail.body as { history: Array<{ action: string; by: string; to: string }>; unblockRequests: unknown[] };
    assert.deepEqual(
      body.history.map((h) => [h.action, h.by, h.to]),
      [['created', 'provider', 'active']],
    );
    assert.ok(!detail.text.includes('desk@example.net'), 'no staff identity reaches the customer');
    assert.ok(!detail.text.includes('createdBy'), 'no internal fields');
    assert.equal((await alice.request('GET', `/api/v1/portal/locks/${reviewLock.blockingId}`)).status, 404, 'a lock waiting for review does not exist for the customer yet');
    const log = await alice.request('GET', `/api/v1/portal/locks/${aliceLock.blockingId}/log`);
    assert.equal(log.status, 200);
    assert.equal(log.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(log.headers.get('content-disposition'), `inline; filename="${aliceLock.blockingId}.log"`);
    assert.equal(log.text, await server.netwarden.repositories.locks.logFile(aliceLock.blockingId));
    assert.ok(log.text.length > 0);
    const download = await alice.request('GET', `/api/v1/portal/locks/${aliceLock.blockingId}/log?download=true`);
    assert.equal(download.headers.get('content-disposition'), `attachment; filename="${aliceLock.blockingId}.log"`);
    assert.equal(download.text, log.text);
  });

  it('manages static access IPs within the limit, with the enforcement\'s validation', async () => {
    const add = (prefix: string) => alice.request('POST', '/api/v1/portal/servers/EX-1/static-ips', { body: { prefix } });
    const added = await add('198.51.100.7');
    assert.equal(added.status, 201, added.text);
    assert.equal((added.body as { prefix: string }).prefix, '198.51.100.7/32');
    const privateAddress = await add('10.1.2.3');
    assert.equal(privateAddress.status, 400);
    assert.equal(errorOf(privateAddress.body).fields[0].field, 'prefix');
    assert.match(errorOf(privateAddress.body).fields[0].message, /private-use/);
    assert.equal(errorOf((await add('198.51.100.7/32')).body).code, 'STATIC_IP_EXISTS');
    assert.equal((await add('2001:db8:77::1')).status, 201);
    const full = await add('192.0.2.77');
    assert.equal(full.status, 409);
    assert.equal(errorOf(full.body).code, 'STATIC_IP_LIMIT');
    const list = await alice.request('GET', '/api/v1/portal/servers/EX-1/static-ips');
    assert.deepEqual(
      { max: (list.body as { max: number }).max, items: (list.body as { items: Array<{ prefix: string }> }).items.map((i) => i.prefix) },
      { max: 2, items: ['198.51.100.7/32', '2001:db8:77::1/128'] },
    );
    assert.equal((await alice.request('DELETE', '/api/v1/portal/servers/EX-1/static-ips/198.51.100.7%2F32')).status, 204);
    assert.equal((await alice.request('DELETE', `/api/v1/portal/servers/EX-1/static-ips/${encodeURIComponent('2001:db8:77::1')}`)).status, 204, 'a bare address means its /128');
    assert.equal((await alice.request('DELETE', '/api/v1/portal/servers/EX-1/static-ips/198.51.100.7%2F32')).status, 404);
    const audit = await server.netwarden.repositories.audit.list({ subjectType: 'server', subjectId: 'EX-1' });
    assert.deepEqual(
      audit.filter((a) => a.action.startsWith('static_ip.')).map((a) => [a.action, a.actor.type, a.actor.id, a.details.prefix]),
      [
        ['static_ip.removed', 'customer', 'alice@example.com', '2001:db8:77::1/128'],
        ['static_ip.removed', 'customer', 'alice@example.com', '198.51.100.7/32'],
        ['static_ip.added', 'customer', 'alice@example.com', '2001:db8:77::1/128'],
        ['static_ip.added', 'customer', 'alice@example.com', '198.51.100.7/32'],
      ],
    );
  });

  it('books a remote console for a free future slot within 14 days, once per slot; the desk confirms', async () => {
    const slots = (await alice.request('GET', '/api/v1/portal/servers/EX-1/remote-console-slots')).body as { slotMinutes: number; free: string[] };
    assert.equal(slots.slotMinutes, 60);
    const first = Date.parse(slots.free[0]);
    assert.ok(first > Date.now() && first - Date.now() <= HOUR);
    assert.ok(slots.free.length >= 14 * 24 - 1 && slots.free.length <= 14 * 24, `${slots.free.length} slots`);
    const book = (body: Record<string, unknown>) => alice.request('POST', '/api/v1/portal/servers/EX-1/remote-console-bookings', { body });
    const booked = await book({ start: slots.free[5], note: 'need to fix the firewall' });
    assert.equal(booked.status, 201, booked.text);
    const booking = booked.body as { id: number; start: string; end: string; state: string };
    assert.deepEqual([booking.start, Date.parse(booking.end) - Date.parse(booking.start), booking.state], [slots.free[5], HOUR, 'requested']);
    assert.equal(errorOf((await book({ start: slots.free[5] })).body).code, 'SLOT_TAKEN');
    const hour = Math.floor(Date.now() / HOUR) * HOUR;
    const refused = async (start: string | undefined) => errorOf((await book(start === undefined ? {} : { start })).body).fields.map((f) => `${f.field}: ${f.message}`);
    assert.deepEqual(await refused(undefined), ['start: is required: pick a date and a time slot']);
    assert.deepEqual(await refused(new Date(hour).toISOString()), ['start: must be a slot in the future']);
    assert.deepEqual(await refused(new Date(hour + 2 * HOUR + 30 * 60_000).toISOString()), ['start: slots start every 60 minutes (UTC)']);
    assert.deepEqual(await refused(new Date(hour + 15 * 24 * HOUR).toISOString()), ['start: must be within the next 14 days']);
    assert.deepEqual(await refused('tomorrow at noon'), ['start: must be a date and time (ISO 8601, e.g. 2030-01-31T14:00:00Z)']);
    const after = (await alice.request('GET', '/api/v1/portal/servers/EX-1/remote-console-slots')).body as { free: string[] };
    assert.ok(!after.free.includes(slots.free[5]), 'a booked slot is no longer offered');

    const queue = await desk.request('GET', '/api/v1/console/remote-console-bookings');
    const mine = (queue.body as Array<{ id: number; customerId: string; createdBy: string }>).find((b) => b.id === booking.id);
    assert.deepEqual([mine?.customerId, mine?.createdBy], ['K100', 'customer/alice@example.com']);
    const confirmed = await desk.request('POST', `/api/v1/console/remote-console-bookings/${booking.id}/decision`, { body: { decision: 'confirm', message: 'LARA will be attached at the start of the slot.' } });
    assert.equal(confirmed.status, 200, confirmed.text);
    const seen = (await alice.request('GET', '/api/v1/portal/remote-console-bookings')).body as Array<{ id: number; state: string; staffMessage: string; decidedBy?: string }>;
    assert.deepEqual(seen.map((b) => [b.id, b.state, b.staffMessage, b.decidedBy]), [[booking.id, 'confirmed', 'LARA will be attached at the start of the slot.', undefined]]);
    const cancelled = await alice.request('POST', `/api/v1/portal/remote-console-bookings/${booking.id}/cancel`);
    assert.equal((cancelled.body as { state: string }).state, 'cancelled');
    assert.equal(errorOf((await alice.request('POST', `/api/v1/portal/remote-console-bookings/${booking.id}/cancel`)).body).code, 'BOOKING_CLOSED');
  });

  it('takes support requests about my server and Blocking ID; the desk closes them', async () => {
    const incomplete = await alice.request('POST', '/api/v1/portal/support-requests', { body: { message: 'short' } });
    assert.equal(incomplete.status, 400);
    assert.deepEqual(
      errorOf(incomplete.body).fields.map((f) => f.field),
      ['subject', 'message'],
    );
    const submitted = await alice.request('POST', '/api/v1/portal/support-requests', { body: { subject: 'x', message: 'a long enough message', blockingId: aliceLock.blockingId, serverId: 'EX-1' } });
    assert.equal(submitted.status, 201, submitted.text);
    const created = submitted.body as { id: number; serverId: string; blockingId: string; state: string };
    assert.deepEqual([created.serverId, created.blockingId, created.state], ['EX-1', aliceLock.blockingId, 'open']);
    const open = await desk.request('GET', '/api/v1/console/support-requests?state=open&customerId=K100');
    assert.ok((open.body as Array<{ id: number }>).some((r) => r.id === created.id));
    const closed = await desk.request('POST', `/api/v1/console/support-requests/${created.id}/close`, { body: { message: 'Answered by phone.' } });
    assert.equal((closed.body as { state: string; closedBy: string }).state, 'closed');
    const seen = await alice.request('GET', `/api/v1/portal/support-requests/${created.id}`);
    assert.deepEqual([(seen.body as { state: string }).state, (seen.body as { staffMessage: string }).staffMessage, 'closedBy' in (seen.body as object)], ['closed', 'Answered by phone.', false]);
  });

  it('refuses an incomplete unblock request naming every missing field; the desk approves a complete one', async () => {
    const path = `/api/v1/portal/locks/${aliceLock.blockingId}/unblock-requests`;
    const empty = await alice.request('POST', path, { body: {} });
    assert.equal(empty.status, 400);
    assert.deepEqual(
      errorOf(empty.body).fields.map((f) => f.field),
      ['cause', 'measures', 'confirmed'],
    );
    const partial = await alice.request('POST', path, { body: { cause: 'An outdated WordPress plugin was exploited.', confirmed: true } });
    assert.deepEqual(
      errorOf(partial.body).fields.map((f) => f.field),
      ['measures'],
    );
    const sent = await alice.request('POST', path, {
      body: { cause: 'An outdated WordPress plugin was exploited.', measures: 'Removed the phishing kit, updated all plugins, changed passwords.', confirmed: true },
    });
    assert.equal(sent.status, 201, sent.text);
    assert.equal((sent.body as { lock: { state: string } }).lock.state, 'unblock_requested');
    assert.equal(errorOf((await alice.request('POST', path, { body: { cause: 'x'.repeat(30), measures: 'y'.repeat(30), confirmed: true } })).body).code, 'UNBLOCK_ALREADY_REQUESTED');
    const open = (await desk.request('GET', '/api/v1/unblock-requests?state=open')).body as Array<{ id: number; blockingId: string; createdBy: string }>;
    const request = open.find((r) => r.blockingId === aliceLock.blockingId);
    assert.equal(request?.createdBy, 'customer/alice@example.com');
    const approved = await desk.request('POST', `/api/v1/unblock-requests/${request?.id}/decision`, { body: { decision: 'approve', message: 'Thanks, released.' } });
    assert.equal(approved.status, 200, approved.text);
    const status = await alice.request('GET', '/api/v1/portal/servers/EX-1/lock-status');
    assert.deepEqual(status.body, { serverId: 'EX-1', status: 'not_locked', locked: false, blockingIds: [] });
    const detail = (await alice.request('GET', `/api/v1/portal/locks/${aliceLock.blockingId}`)).body as { state: string; history: Array<{ action: string; by: string }>; unblockRequests: Array<{ state: string; decisionMessage: string }> };
    assert.equal(detail.state, 'released');
    assert.deepEqual(
      detail.history.map((h) => [h.action, h.by]),
      [
        ['created', 'provider'],
        ['unblock_requested', 'customer'],
        ['released', 'provider'],
      ],
    );
    assert.deepEqual(detail.unblockRequests.map((r) => [r.state, r.decisionMessage]), [['approved', 'Thanks, released.']]);
    const audit = await server.netwarden.repositories.audit.list({ subjectType: 'lock', subjectId: aliceLock.blockingId });
    assert.deepEqual(
      audit.map((a) => [a.action, a.actor.type, a.actor.id]),
      [
        ['lock.released', 'staff', 'desk@example.net'],
        ['unblock_request.created', 'customer', 'alice@example.com'],
        ['lock.created', 'staff', 'desk@example.net'],
      ],
    );
  });

  it('answers 404 on every portal route called with another customer\'s ids, and changes nothing', async () => {
    const slots = (await alice.request('GET', '/api/v1/portal/servers/EX-1/remote-console-slots')).body as { free: string[] };
    const completeUnblock = { cause: 'Something we found and fixed for good.', measures: 'Everything we did to make it stop again.', confirmed: true };
    // [method, OpenAPI path, request path, body]
    const withForeignIds: Array<[string, string, string, unknown?]> = [
      ['GET', '/api/v1/portal/servers/{serverId}', '/api/v1/portal/servers/EX-2'],
      ['GET', '/api/v1/portal/servers/{serverId}/lock-status', '/api/v1/portal/servers/EX-2/lock-status'],
      ['GET', '/api/v1/portal/locks', '/api/v1/portal/locks?serverId=EX-2'],
      ['GET', '/api/v1/portal/locks/{blockingId}', `/api/v1/portal/locks/${bobLock.blockingId}`],
      ['GET', '/api/v1/portal/locks/{blockingId}/log', `/api/v1/portal/locks/${bobLock.blockingId}/log?download=true`],
      ['POST', '/api/v1/portal/locks/{blockingId}/unblock-requests', `/api/v1/portal/locks/${bobLock.blockingId}/unblock-requests`, completeUnblock],
      ['GET', '/api/v1/portal/servers/{serverId}/static-ips', '/api/v1/portal/servers/EX-2/static-ips'],
      ['POST', '/api/v1/portal/servers/{serverId}/static-ips', '/api/v1/portal/servers/EX-2/static-ips', { prefix: '198.51.100.99' }],
      ['DELETE', '/api/v1/portal/servers/{serverId}/static-ips/{prefix}', `/api/v1/portal/servers/EX-2/static-ips/${encodeURIComponent(bobStaticIp)}`],
      ['GET', '/api/v1/portal/servers/{serverId}/remote-console-slots', '/api/v1/portal/servers/EX-2/remote-console-slots'],
      ['POST', '/api/v1/portal/servers/{serverId}/remote-console-bookings', '/api/v1/portal/servers/EX-2/remote-console-bookings', { start: slots.free[7] }],
      ['GET', '/api/v1/portal/remote-console-bookings', '/api/v1/portal/remote-console-bookings?serverId=EX-2'],
      ['POST', '/api/v1/portal/remote-console-bookings/{id}/cancel', `/api/v1/portal/remote-console-bookings/${bobBookingId}/cancel`],
      ['GET', '/api/v1/portal/support-requests/{id}', `/api/v1/portal/support-requests/${bobRequestId}`],
      ['POST', '/api/v1/portal/support-requests', '/api/v1/portal/support-requests', { subject: 'About EX-2', message: 'Naming a server that is not mine.', serverId: 'EX-2' }],
      ['POST', '/api/v1/portal/support-requests', '/api/v1/portal/support-requests', { subject: 'About a lock', message: 'Naming a lock that is not mine.', blockingId: bobLock.blockingId }],
    ];
    // Routes that take no id: what they return must not contain the other customer's things.
    const listsOnly: Array<[string, string]> = [
      ['GET', '/api/v1/portal/servers'],
      ['GET', '/api/v1/portal/support-requests'],
    ];

    const openapi = (await server.request('GET', '/api/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const portalRoutes = Object.entries(openapi.paths)
      .filter(([path]) => path.startsWith('/api/v1/portal/'))
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    const covered = new Set([...withForeignIds.map(([m, p]) => `${m} ${p}`), ...listsOnly.map(([m, p]) => `${m} ${p}`)]);
    assert.deepEqual(
      portalRoutes.filter((r) => !covered.has(r)),
      [],
      'every portal route is in this test',
    );
    assert.ok(portalRoutes.length >= 17, `${portalRoutes.length} portal routes`);

    for (const [method, , path, body] of withForeignIds) {
      const response = await alice.request(method, path, body === undefined ? {} : { body });
      assert.equal(response.status, 404, `${method} ${path}: ${response.text}`);
      assert.equal(errorOf(response.body).code, 'NOT_FOUND', `${method} ${path}`);
    }
    // Indistinguishable from ids that do not exist at all.
    const foreign = await alice.request('GET', '/api/v1/portal/servers/EX-2');
    const missing = await alice.request('GET', '/api/v1/portal/servers/EX-9');
    assert.equal(foreign.text.replace('EX-2', 'EX-9'), missing.text);

    const bobsThings = ['EX-2', bobLock.blockingId, bobStaticIp, 'K200'];
    for (const path of ['/api/v1/portal/servers', '/api/v1/portal/locks', '/api/v1/portal/remote-console-bookings', '/api/v1/portal/support-requests']) {
      const response = await alice.request('GET', path);
      assert.equal(response.status, 200, path);
      for (const thing of bobsThings) assert.ok(!response.text.includes(thing), `${path} shows ${thing}`);
      assert.ok(!(response.body as Array<{ id: number }>).some((x) => x.id === bobBookingId && path.includes('booking')), path);
      assert.ok(!(response.body as Array<{ id: number }>).some((x) => x.id === bobRequestId && path.includes('support')), path);
    }

    // Bob's things are as they were.
    assert.equal((await server.netwarden.repositories.locks.get(bobLock.blockingId))?.state, 'active');
    assert.deepEqual(
      (await server.netwarden.repositories.staticAccessIps.list('EX-2')).map((s) => s.prefix),
      [bobStaticIp],
    );
    assert.equal((await server.netwarden.repositories.consoleBookings.get(bobBookingId))?.state, 'requested');
    assert.equal((await bob.request('GET', `/api/v1/portal/support-requests/${bobRequestId}`)).status, 200);
    assert.equal((await bob.request('GET', '/api/v1/portal/servers/EX-2/lock-status')).status, 200);
    assert.equal(((await bob.request('GET', '/api/v1/portal/support-requests')).body as unknown[]).length, 1, 'no request was filed for bob');
  });

  it('is closed to staff sessions and API tokens', async () => {
    assert.equal(errorOf((await desk.request('GET', '/api/v1/portal/servers')).body).code, 'FORBIDDEN');
    const token = await server.token(['admin']);
    assert.equal((await server.request('GET', '/api/v1/portal/servers', { token })).status, 403);
    assert.equal((await server.request('GET', '/api/v1/portal/servers')).status, 401);
  });
});
