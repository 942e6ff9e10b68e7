/**
 * The outbox worker against every database and a real SMTP server on loopback: what
 * arrives, retries with backoff, giving up, .eml files, crash safety, and that enqueue
 * never waits for SMTP.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { Registry } from 'prom-client';
import { databaseTargets } from '../../test/helpers/databases.ts';
import { createLogger } from '../logger.ts';
import { createRepositories } from '../store/repositories.ts';
import type { Store } from '../store/store.ts';
import type { LockNotice } from './notice.ts';
import type { NotifyConfig, RetryConfig } from './notify-config.ts';
import { OutboxWorker } from './outbox-worker.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../../test/helpers/test-smtp-server.ts';

const START = Date.UTC(2026, 2, 1, 14, 6, 0);
const LOG = 'Netscan detected from host 203.0.113.10\nThu Nov 13 18:14:27 2013:   203.0.113.10 =>   198.51.100.1:   22\n';

function notice(overrides: Partial<LockNotice> = {}): LockNotice {
  return {
    kind: 'locked',
    blockingId: 'L-2026-000123',
    customer: { id: 'K100', name: 'Example GmbH', email: 'ops@example.com', language: 'en' },
    server: { id: 'EX-1', name: 'web01', addresses: ['203.0.113.10/32'] },
    reason: 'netscan',
    scope: ['203.0.113.10/32'],
    sinceMs: START - 60_000,
    portalUrl: 'http://127.0.0.1:8080/locks/L-2026-000123',
    logFile: { filename: 'L-2026-000123.log', content: LOG },
    ...overrides,
  };
}

/** A loopback port nobody listens on: the SMTP server is "down". */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function metric(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
  const found = values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return found?.value ?? 0;
}

/** Polls until `check` holds, at most `ms`. */
async function eventually(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

for (const target of databaseTargets()) {
  describe(`outbox worker on ${target.name}`, () => {
    const stores: Store[] = [];
    const servers: TestSmtpServer[] = [];
    const dirs: string[] = [];
    after(async () => {
      for (const server of servers) await server.close();
      for (const store of stores) await store.close();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
      await target.cleanup();
    });

    async function setup(options: { smtpPort?: number | null; retry?: Partial<RetryConfig>; realClock?: boolean } = {}) {
      const store = await target.open();
      stores.push(store);
      const repos = createRepositories(store);
      const outboxDir = mkdtempSync(join(tmpdir(), 'netwarden-outbox-'));
      dirs.push(outboxDir);
      const config: NotifyConfig = {
        from: 'Netwarden Abuse <abuse@example.net>',
        portalUrl: 'http://127.0.0.1:8080',
        outboxDir,
        smtp:
          options.smtpPort === null || options.smtpPort === undefined
            ? null
            : { host: '127.0.0.1', port: options.smtpPort, secure: false, requireTls: false, verifyCertificate: true, timeoutSeconds: 5 },
        retry: { initialDelaySeconds: 30, maxDelaySeconds: 3600, maxAttempts: 5, pollSeconds: 5, sendingLeaseSeconds: 300, ...options.retry },
      };
      const clock = { now: START };
      const logLines: string[] = [];
      const logger = createLogger('info', { write: (line: string) => void logLines.push(line) });
      const makeWorker = (metrics = new Registry()) =>
        new OutboxWorker({ config, outbox: repos.outbox, logger, metrics, ...(options.realClock === true ? {} : { now: () => clock.now }) });
      return { repos, config, clock, logLines, makeWorker };
    }

    async function smtp(): Promise<TestSmtpServer> {
      const server = await startTestSmtpServer();
      servers.push(server);
      return server;
    }

    it('delivers over SMTP: envelope, headers, both languages and the log attachment arrive intact', async () => {
      const server = await smtp();
      const { repos, makeWorker } = await setup({ smtpPort: server.port });
      const worker = makeWorker();
      const english = await worker.enqueue(notice());
      const german = await worker.enqueue(
        notice({ kind: 'rejected', blockingId: 'L-2026-000124', customer: { id: 'K200', name: 'Beispiel AG', email: 'technik@example.org', language: 'de' }, message: 'Der Scan läuft weiter.' }),
      );
      assert.equal(await worker.runOnce(), 2);
      assert.equal(server.received.length, 2);

      const [first, second] = server.received;
      assert.equal(first?.mailFrom, 'abuse@example.net');
      assert.deepEqual(first?.rcptTo, ['ops@example.com']);
      const en = await simpleParser(first?.raw ?? Buffer.alloc(0));
      assert.equal(en.subject, '[Blocking ID L-2026-000123] Your server web01 has been locked');
      assert.equal(en.from?.text, '"Netwarden Abuse" <abuse@example.net>');
      assert.equal((Array.isArray(en.to) ? en.to[0] : en.to)?.value[0]?.address, 'ops@example.com');
      assert.ok(en.text?.includes('Dear Example GmbH,'));
      assert.ok(en.text?.includes('Blocking ID:      L-2026-000123'));
      assert.equal(en.attachments.length, 1);
      assert.equal(en.attachments[0]?.filename, 'L-2026-000123.log');
      assert.equal(en.attachments[0]?.contentType, 'text/plain');
      assert.equal(en.attachments[0]?.content.toString('utf8'), LOG);

      assert.deepEqual(second?.rcptTo, ['technik@example.org']);
      const de = await simpleParser(second?.raw ?? Buffer.alloc(0));
      assert.equal(de.subject, '[Blocking ID L-2026-000124] Ihre Entsperranfrage für web01 wurde abgelehnt');
      assert.ok(de.text?.includes('Der Scan läuft weiter.'));
      assert.ok(de.text?.includes('Mit freundlichen Grüßen'));

      for (const id of [english, german]) {
        const row = await repos.outbox.get(id);
        assert.equal(row?.state, 'sent');
        assert.equal(row?.attempts, 1);
        assert.equal(row?.sentAt, START);
        assert.equal(row?.lastError, null);
      }
      // What went over the wire is the stored message, byte for byte (modulo SMTP dot-stuffing, none here).
      assert.equal(first?.raw.toString('utf8').replace(/\r\n$/, ''), (await repos.outbox.get(english))?.message.replace(/\r\n$/, ''));
      assert.equal(await worker.runOnce(), 0, 'nothing left to send');
    });

    it('retries with backoff when the server answers 451, then delivers the same message', async () => {
      const server = await smtp();
      const { repos, clock, makeWorker, logLines } = await setup({ smtpPort: server.port });
      const worker = makeWorker();
      server.refuseNext(1, 451, 'greylisted, try again later');
      const id = await worker.enqueue(notice());
      assert.equal(await worker.runOnce(), 1);
      let row = await repos.outbox.get(id);
      assert.equal(row?.state, 'pending');
      assert.equal(row?.attempts, 1);
      assert.equal(row?.nextAttemptAt, START + 30_000);
      assert.match(row?.lastError ?? '', /^EENVELOPE 451: .*greylisted/);
      assert.equal(server.received.length, 0);
      assert.ok(logLines.some((l) => l.includes('notice delivery failed, will retry')));

      clock.now += 29_999;
      assert.equal(await worker.runOnce(), 0, 'not due before the backoff ends');
      clock.now += 1;
      assert.equal(await worker.runOnce(), 1);
      row = await repos.outbox.get(id);
      assert.equal(row?.state, 'sent');
      assert.equal(row?.attempts, 2);
      assert.equal(row?.sentAt, START + 30_000);
      assert.equal(server.recipientAttempts, 2);
      assert.equal(server.received.length, 1);
      const stored = await simpleParser(row?.message ?? '');
      const arrived = await simpleParser(server.received[0]?.raw ?? Buffer.alloc(0));
      assert.equal(arrived.messageId, stored.messageId, 'the retry sends the stored message, not a new one');
    });

    it('backs off exponentially (capped) while the server is down and gives up after maxAttempts', async () => {
      const { repos, clock, makeWorker, logLines } = await setup({ smtpPort: await closedPort(), retry: { maxAttempts: 3, initialDelaySeconds: 30, maxDelaySeconds: 45 } });
      const metrics = new Registry();
      const worker = makeWorker(metrics);
      const id = await worker.enqueue(notice());
      const delays: number[] = [];
      for (let attempt = 1; attempt <= 3; attempt++) {
        assert.equal(await worker.runOnce(), 1, `attempt ${attempt}`);
        const row = await repos.outbox.get(id);
        assert.equal(row?.attempts, attempt);
        assert.match(row?.lastError ?? '', /^ESOCKET: smtp delivery to ops@example\.com failed: connect ECONNREFUSED/);
        if (row?.state === 'pending') {
          delays.push(row.nextAttemptAt - clock.now);
          clock.now = row.nextAttemptAt;
        }
      }
      assert.deepEqual(delays, [30_000, 45_000], '30 s, then 60 s capped at 45 s');
      const row = await repos.outbox.get(id);
      assert.equal(row?.state, 'failed');
      assert.equal(row?.sentAt, null);
      clock.now += 3_600_000;
      assert.equal(await worker.runOnce(), 0, 'a failed message is not retried');
      assert.equal(await metric(metrics, 'netwarden_notify_messages_total', { state: 'retried' }), 2);
      assert.equal(await metric(metrics, 'netwarden_notify_messages_total', { state: 'failed' }), 1);
      assert.equal(await metric(metrics, 'netwarden_notify_delivery_errors_total', { code: 'ESOCKET' }), 3, 'connection refused, three times');
      assert.equal(await metric(metrics, 'netwarden_notify_outbox_messages', { state: 'failed' }), 1);
      assert.ok(logLines.some((l) => l.includes('"msg":"notice delivery failed for good"') && l.includes('"blockingId":"L-2026-000123"')));
    });

    it('without SMTP writes an .eml file that parses, attachment included', async () => {
      const { repos, config, makeWorker } = await setup({ smtpPort: null });
      const worker = makeWorker();
      assert.equal(worker.mailer.kind, 'eml');
      const id = await worker.enqueue(notice({ customer: { id: 'K100', name: 'Example GmbH', email: 'ops@example.com', language: 'de' } }));
      assert.equal(await worker.runOnce(), 1);
      const files = readdirSync(config.outboxDir);
      assert.deepEqual(files, [`20260301T140600Z-L-2026-000123-${id}.eml`]);
      const parsed = await simpleParser(readFileSync(join(config.outboxDir, files[0] ?? '')));
      assert.equal(parsed.subject, '[Blocking ID L-2026-000123] Ihr Server web01 wurde gesperrt');
      assert.equal((Array.isArray(parsed.to) ? parsed.to[0] : parsed.to)?.value[0]?.address, 'ops@example.com');
      assert.ok(parsed.text?.includes('finden Sie im Anhang die Datei L-2026-000123.log'));
      assert.equal(parsed.attachments[0]?.filename, 'L-2026-000123.log');
      assert.equal(parsed.attachments[0]?.content.toString('utf8'), LOG);
      assert.equal((await repos.outbox.get(id))?.state, 'sent');
    });

    it('a message left "sending" by a crash is sent again once its lease ends; one with no attempts left fails', async () => {
      const server = await smtp();
      const { repos, clock, makeWorker } = await setup({ smtpPort: server.port, retry: { maxAttempts: 2, sendingLeaseSeconds: 300 } });
      const id = await makeWorker().enqueue(notice());
      // The crashed process had claimed it and died before the answer.
      const [claimed] = await repos.outbox.claimDue(clock.now, clock.now + 300_000, 10);
      assert.equal(claimed?.id, id);
      assert.equal(claimed?.state, 'sending');

      const restarted = makeWorker();
      assert.equal(await restarted.runOnce(), 0, 'another sender may still be at it within the lease');
      clock.now += 300_000;
      assert.equal(await restarted.runOnce(), 1);
      const row = await repos.outbox.get(id);
      assert.equal(row?.state, 'sent');
      assert.equal(row?.attempts, 2);
      assert.equal(server.received.length, 1);

      // Crashing on the last attempt: the next claim finds no attempt left and gives up.
      const last = await restarted.enqueue(notice({ blockingId: 'L-2026-000125' }));
      await repos.outbox.claimDue(clock.now, clock.now + 300_000, 10);
      clock.now += 300_000;
      await repos.outbox.claimDue(clock.now, clock.now + 300_000, 10);
      clock.now += 300_000;
      assert.equal(await restarted.runOnce(), 1);
      const gaveUp = await repos.outbox.get(last);
      assert.equal(gaveUp?.state, 'failed');
      assert.equal(gaveUp?.attempts, 3);
      assert.match(gaveUp?.lastError ?? '', /interrupted/);
      assert.equal(server.received.length, 1, 'nothing more was sent');
    });

    it('enqueue returns before SMTP answers; the running worker delivers and stop waits for it', async () => {
      const server = await smtp();
      const { repos, makeWorker } = await setup({ smtpPort: server.port, realClock: true });
      const worker = makeWorker();
      await worker.start();
      const release = server.hold();
      const id = await worker.enqueue(notice());
      const state = (await repos.outbox.get(id))?.state;
      assert.ok(state === 'pending' || state === 'sending', `enqueue returned with the message ${state}`);
      await eventually(async () => (await repos.outbox.get(id))?.state === 'sending');
      assert.equal(server.received.length, 0, 'the server has not answered DATA yet');

      let stopped = false;
      const stopping = worker.stop().then(() => {
        stopped = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(stopped, false, 'stop waits for the delivery in flight');
      release();
      await stopping;
      assert.equal((await repos.outbox.get(id))?.state, 'sent');
      assert.equal(server.received.length, 1);
    });
  });
}
