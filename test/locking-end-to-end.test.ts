/**
 * From scan to unlock through the running service: a NetFlow v9 netscan over UDP opens an
 * incident, policy locks the server, the customer's e-mail with the log attached arrives
 * at a real SMTP server, the abuse desk works the unblock request through the API, and
 * the release is mailed too. Billing locks and releases payment locks with its own token.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { sampleSnapshot } from './helpers/factories.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { startTestSmtpServer, type TestSmtpServer } from './helpers/test-smtp-server.ts';
import { type SyntheticFlow, toNetflowV9Datagrams } from './helpers/traffic-scenarios.ts';

const NETFLOW_PORT = 48055;

async function until<T>(probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail('timed out');
}

describe('locking end to end', () => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  let abuse: string;
  let billing: string;
  before(async () => {
    smtp = await startTestSmtpServer();
    server = await startTestServer(
      {
        collector: { sflow: [], netflow: [`127.0.0.1:${NETFLOW_PORT}`], ipfix: [], workers: 1 },
        notify: { from: 'Abuse Desk <abuse@example.net>', portalUrl: 'https://robot.example.net', smtp: { host: '127.0.0.1', port: smtp.port, timeoutSeconds: 5 } },
      },
      ['collector', 'detector', 'api', 'worker'],
    );
    abuse = await server.token(['abuse', 'inventory']);
    billing = await server.token(['billing']);
    assert.equal((await server.request('POST', '/api/v1/inventory/import', { token: abuse, body: sampleSnapshot() })).status, 200);
  });
  after(async () => {
    await server.close();
    await smtp.close();
  });

  it('a netscan is locked, mailed with its log, and unlocked through an approved unblock request', async () => {
    const start = Date.now();
    const flows: SyntheticFlow[] = [];
    for (let i = 0; i < 300; i++) {
      flows.push({ startMs: start + i, endMs: start + i, src: '203.0.113.10', dst: `198.18.1.${i % 256}`, protocol: 6, srcPort: 40000 + i, dstPort: i < 256 ? 22 : 23, tcpFlags: 0x02, packets: 1, packetSize: 60 });
    }
    const socket = createSocket('udp4');
    for (const { datagram } of toNetflowV9Datagrams(flows, start - 10_000)) {
      await new Promise<void>((resolve) => socket.send(datagram, NETFLOW_PORT, '127.0.0.1', () => resolve()));
    }
    socket.close();

    const lock = await until(async () => {
      const list = (await server.request('GET', '/api/v1/locks?serverId=EX-1', { token: abuse })).body as Array<Record<string, string>>;
      return list[0];
    });
    assert.equal(lock.reason, 'netscan');
    assert.equal(lock.state, 'active');
    assert.match(lock.blockingId, /^BL-[0-9A-Z]{8}$/);

    const mail = await until(async () => (smtp.received.length > 0 ? smtp.received[0] : undefined));
    const parsed = await simpleParser(mail.raw);
    assert.deepEqual(mail.rcptTo, ['noc@example.com']);
    assert.ok(parsed.subject?.includes(lock.blockingId), parsed.subject);
    assert.match(parsed.text ?? '', /gesperrt/, 'the customer prefers German');
    const attachment = parsed.attachments.find((a) => a.filename === `${lock.blockingId}.log`);
    assert.ok(attachment, 'log attached');
    const log = attachment.content.toString('utf8');
    assert.ok(log.includes('#          Netscan detected from host   203.0.113.10              #'));
    assert.match(log, /203\.0\.113\.10 => +198\.18\.1\.7: +22\n/);

    // The reconciler holds the lock on the server's gateway (dry-run: no gateway is configured).
    const enforced = await until(async () => {
      const status = (await server.request('GET', '/api/v1/enforcement/status', { token: abuse })).body as { gateways: Array<{ gateway: string; entries: number; inSync: boolean }> };
      const gateway = status.gateways.find((g) => g.gateway === 'fsn1-dc14-uplink-gw');
      return gateway !== undefined && gateway.entries === 1 && gateway.inSync ? gateway : undefined;
    });
    assert.equal(enforced.entries, 1);

    const download = await server.request('GET', `/api/v1/locks/${lock.blockingId}/log`, { token: abuse });
    assert.equal(download.text, log, 'the API serves the same log as the e-mail');

    const incomplete = await server.request('POST', `/api/v1/locks/${lock.blockingId}/unblock-requests`, { token: abuse, body: { cause: 'x' } });
    assert.equal(incomplete.status, 400);
    assert.deepEqual(
      (incomplete.body as { error: { fields: Array<{ field: string }> } }).error.fields.map((f) => f.field),
      ['cause', 'measures', 'confirmed'],
    );
    const sent = await server.request('POST', `/api/v1/locks/${lock.blockingId}/unblock-requests`, {
      token: abuse,
      body: { cause: 'An outdated CMS plugin was abused to scan SSH', measures: 'Plugin removed, system reinstalled from backup', confirmed: true },
    });
    assert.equal(sent.status, 201, sent.text);
    const requestId = (sent.body as { request: { id: number } }).request.id;
    const approved = await server.request('POST', `/api/v1/unblock-requests/${requestId}/decision`, { token: abuse, body: { decision: 'approve', message: 'Thanks for the quick fix.' } });
    assert.equal(approved.status, 200, approved.text);
    assert.equal((approved.body as { lock: { state: string } }).lock.state, 'released');

    await until(async () => {
      const status = (await server.request('GET', '/api/v1/enforcement/status', { token: abuse })).body as { gateways: Array<{ gateway: string; entries: number }> };
      return status.gateways.find((g) => g.gateway === 'fsn1-dc14-uplink-gw')?.entries === 0 ? true : undefined;
    });

    const subjects = await until(async () => {
      if (smtp.received.length < 3) return undefined;
      return Promise.all(smtp.received.map(async (m) => (await simpleParser(m.raw)).subject ?? ''));
    });
    assert.equal(subjects.length, 3);
    assert.ok(subjects.every((s) => s.includes(lock.blockingId)));
    const detail = (await server.request('GET', `/api/v1/locks/${lock.blockingId}`, { token: abuse })).body as { history: Array<{ to: string }> };
    assert.deepEqual(
      detail.history.map((h) => h.to),
      ['active', 'unblock_requested', 'released'],
    );
  });

  it('billing locks for non-payment and releases on payment, but cannot touch other locks', async () => {
    const denied = await server.request('POST', '/api/v1/billing/locks', { token: abuse, body: { serverId: 'EX-2', reference: 'INV-1' } });
    assert.equal(denied.status, 403, 'the abuse token has no billing scope');
    const locked = await server.request('POST', '/api/v1/billing/locks', { token: billing, body: { serverId: 'EX-2', reference: 'invoice 2026-1142 overdue' } });
    assert.equal(locked.status, 201, locked.text);
    const blockingId = (locked.body as { blockingId: string }).blockingId;
    const abuseLock = await server.request('POST', '/api/v1/locks', {
      token: abuse,
      body: { serverId: 'EX-2', reason: 'abuse_malware', statement: 'Malware download site reported by a CERT on 2026-11-20.' },
    });
    assert.equal(abuseLock.status, 201, abuseLock.text);
    const refused = await server.request('POST', `/api/v1/billing/locks/${(abuseLock.body as { blockingId: string }).blockingId}/release`, { token: billing, body: { reference: 'paid' } });
    assert.equal(refused.status, 403);
    assert.equal((refused.body as { error: { code: string } }).error.code, 'FORBIDDEN');
    const paid = await server.request('POST', `/api/v1/billing/locks/${blockingId}/release`, { token: billing, body: { reference: 'invoice 2026-1142 paid' } });
    assert.equal(paid.status, 200, paid.text);
    assert.equal((paid.body as { state: string }).state, 'released');
    const audit = await server.netwarden.repositories.audit.list({ subjectType: 'lock', subjectId: blockingId });
    assert.deepEqual(
      audit.map((a) => a.action).reverse(),
      ['lock.created', 'lock.released'],
    );
    assert.match(audit[0].actor.id, /^test-billing\//);
  });
});
