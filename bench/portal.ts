/**
 * The portal and console under load on loopback: the main pages (the HTML of a deep
 * link, the JavaScript bundle) and the main API calls (a customer's servers, locks, lock
 * detail and log; the desk's open incidents, locks in force, traffic chart, search), one
 * target at a time. Target: p99 under 50 ms at 500 requests/s.
 *
 *   npm run bench:portal -- [--rate 500] [--seconds 10] [--connections 10]
 *                            [--only <part of a target name>] [--cpu-prof <dir>]
 *
 * Latency at the rate comes from an open-loop generator in this file: request i is due at
 * i/rate seconds and its latency counts from then, so nothing can hide a wait (no
 * coordinated omission). autocannon's own --overallRate is not used for it: its limiter
 * lets every connection send its share of the second back to back and then idle, a
 * burst each second that measures the queue of all connections at once, not the rate.
 * autocannon measures the capacity instead: its closed loop over `connections`
 * connections, as many requests per second as the server answers.
 *
 * The server runs in a child process (this file with --serve), so the load generator
 * never shares an event loop with it. Its store (SQLite) holds a realistic provider:
 * 500 customers with 2,000 servers, 300 locks, 3,000 incidents, and a day of traffic
 * history for the measured customer's servers. The server's CPU time per request (from
 * its process.cpuUsage) says what a rate costs however busy the machine is: at 500
 * requests/s, 2,000 µs per request is one whole core. A bare node:http server answering
 * "ok" in the same process is the baseline: the best this machine allows right now.
 */
import { fork } from 'node:child_process';
import { Agent, createServer, get as httpGet } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createApiToken } from '../src/auth/api-tokens.ts';
import { createUser } from '../src/auth/create-user.ts';
import { lockServer } from '../src/cases/lock-server.ts';
import { releaseLock } from '../src/cases/release-lock.ts';
import { resolveConfig } from '../src/config/load-config.ts';
import type { InventorySnapshot } from '../src/inventory/inventory-types.ts';
import { createLogger } from '../src/logger.ts';
import { startNetwarden } from '../src/services/netwarden-service.ts';
import { floodIncident, trafficHistory } from '../test/browser/story-data.ts';
import { ensureWebBuild } from '../scripts/web-build.ts';

/** The part of autocannon this benchmark uses (it ships no types). */
interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  headers: Record<string, string>;
}
interface AutocannonResult {
  requests: { total: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (options: AutocannonOptions) => PromiseLike<AutocannonResult>;

const MINUTE = 60_000;
const PASSWORD = 'bench password, long enough';
const CUSTOMER_EMAIL = 'bench-customer@example.com';
const STAFF_EMAIL = 'bench-desk@example.net';

interface ServerInfo {
  baseUrl: string;
  /** A bare node:http server in the same process answering "ok": the floor this machine allows now. */
  baselineUrl: string;
  customerCookie: string;
  staffCookie: string;
  blockingId: string;
  serverId: string;
  assetPath: string;
  counts: Record<string, number>;
}

// ---------------------------------------------------------------- the server (child)

/** 500 customers with four servers each; IPv4 from the three documentation /24s, the rest IPv6. */
function inventory(customers: number, serversEach: number): InventorySnapshot {
  const v4: string[] = [];
  for (const net of ['203.0.113', '198.51.100', '192.0.2']) for (let host = 1; host < 255; host++) v4.push(`${net}.${host}/32`);
  const snapshot: InventorySnapshot = {
    customers: [],
    hostGroups: [{ id: 'dedicated', name: 'Dedicated root servers', description: '' }],
    servers: [],
    protectedPrefixes: [],
    providerPrefixes: [
      { prefix: '203.0.113.0/24', description: 'bench block A' },
      { prefix: '198.51.100.0/24', description: 'bench block B' },
      { prefix: '192.0.2.0/24', description: 'bench block C' },
      { prefix: '2001:db8::/32', description: 'bench IPv6' },
    ],
  };
  let n = 0;
  for (let c = 1; c <= customers; c++) {
    const id = `K-${String(c).padStart(4, '0')}`;
    snapshot.customers.push({ id, name: `Customer ${c} GmbH`, email: `noc${c}@example.com`, language: c % 3 === 0 ? 'en' : 'de' });
    for (let s = 0; s < serversEach; s++, n++) {
      const addresses = [`2001:db8:${(n + 1).toString(16)}::/64`];
      if (n < v4.length) addresses.unshift(v4[n]);
      snapshot.servers.push({ id: `EX-${String(n + 1).padStart(5, '0')}`, name: `srv${n + 1}`, customerId: id, hostGroupId: 'dedicated', uplinkGateway: `fsn1-dc${(n % 20) + 1}-uplink-gw`, addresses });
    }
  }
  return snapshot;
}

async function serve(): Promise<void> {
  await ensureWebBuild();
  const dir = mkdtempSync(join(tmpdir(), 'netwarden-bench-portal-'));
  const config = resolveConfig({ log: { level: 'silent' }, http: { host: '127.0.0.1', port: 0 }, database: { url: `sqlite:${join(dir, 'netwarden.db')}` } });
  const netwarden = await startNetwarden(config, ['api'], createLogger('silent'));
  const baseUrl = netwarden.httpAddress ?? '';
  const repos = netwarden.repositories;
  const admin = (await createApiToken(repos.apiTokens, 'bench', ['admin'])).token;

  const snapshot = inventory(500, 4);
  const imported = await fetch(`${baseUrl}/api/v1/inventory/import`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify(snapshot) });
  if (!imported.ok) throw new Error(`inventory import failed: ${imported.status} ${await imported.text()}`);

  // Locks: the measured customer (K-0001, servers 1-4) has two in force and two past;
  // 296 more spread over the provider, a third of them released.
  const desk = { type: 'staff', id: STAFF_EMAIL };
  const statement = 'Phishing page reported by a CERT, see ticket 2026-11-1234 for the full report.';
  const reasons = ['abuse_phishing', 'abuse_malware', 'non_payment', 'other'] as const;
  let blockingId = '';
  for (let i = 0; i < 300; i++) {
    const serverId = i < 4 ? `EX-0000${i + 1}` : `EX-${String(5 + ((i * 7) % 1995)).padStart(5, '0')}`;
    const lock = await lockServer(netwarden.cases, { serverId, reason: reasons[i % reasons.length], statement }, desk, 'staff');
    if (i === 0) blockingId = lock.blockingId;
    if (i === 2 || i === 3 || (i >= 4 && i % 3 === 0)) await releaseLock(netwarden.cases, lock.blockingId, desk, 'Customer removed the content.', 'staff');
  }

  const now = Date.now();
  for (let i = 0; i < 3000; i++) {
    const server = snapshot.servers[(i * 13) % snapshot.servers.length];
    const start = now - (i + 1) * 7 * MINUTE;
    const open = i < 40;
    await repos.incidents.save(floodIncident(`bench-${i}`, server.id, server.customerId, server.addresses[0].split('/')[0], open ? now - (i + 1) * 5_000 : start, open ? null : start + 4 * MINUTE, 100_000 + i * 37, 1.2e8 + i * 1e5));
  }
  for (let s = 1; s <= 4; s++) {
    await repos.trafficSamples.record(trafficHistory(`EX-0000${s}`, now - 24 * 60 * MINUTE, now, { fromMs: now - 5 * 60 * MINUTE, toMs: now - 4 * 60 * MINUTE }));
  }

  await createUser(repos, { email: CUSTOMER_EMAIL, password: PASSWORD, role: 'customer', customerId: 'K-0001', language: 'en' }, { type: 'cli', id: 'bench' });
  await createUser(repos, { email: STAFF_EMAIL, password: PASSWORD, role: 'staff' }, { type: 'cli', id: 'bench' });
  const signIn = async (email: string) => {
    const response = await fetch(`${baseUrl}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
    if (!response.ok) throw new Error(`sign-in of ${email} failed: ${response.status}`);
    return (response.headers.get('set-cookie') ?? '').split(';')[0];
  };
  const page = readFileSync(join(import.meta.dirname, '../web/dist/index.html'), 'utf8');
  const assetPath = /src="(\/assets\/[^"]+\.js)"/.exec(page)?.[1];
  if (assetPath === undefined) throw new Error('no script in web/dist/index.html');

  const bare = createServer((_request, response) => response.end('ok'));
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', () => resolve()));
  const info: ServerInfo = {
    baseUrl,
    baselineUrl: `http://127.0.0.1:${(bare.address() as AddressInfo).port}`,
    customerCookie: await signIn(CUSTOMER_EMAIL),
    staffCookie: await signIn(STAFF_EMAIL),
    blockingId,
    serverId: 'EX-00001',
    assetPath,
    counts: { ...(await repos.inventory.counts()), locks: 300, incidents: 3000 },
  };
  process.send?.({ type: 'ready', info });
  let profiler: Session | undefined;
  process.on('message', (message: { type?: string; file?: string }) => {
    if (message.type === 'profile-start') {
      profiler = new Session();
      profiler.connect();
      void profiler.post('Profiler.enable').then(() => profiler?.post('Profiler.start')).then(() => process.send?.({ type: 'profile-started' }));
      return;
    }
    if (message.type === 'profile-stop' && profiler !== undefined && message.file !== undefined) {
      const file = message.file;
      void profiler.post('Profiler.stop').then(({ profile }) => {
        writeFileSync(file, JSON.stringify(profile));
        profiler?.disconnect();
        process.send?.({ type: 'profile-written' });
      });
      return;
    }
    if (message.type === 'cpu') {
      const used = process.cpuUsage();
      process.send?.({ type: 'cpu', micros: used.user + used.system });
      return;
    }
    if (message.type !== 'stop') return;
    void netwarden.stop().then(() => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    });
  });
}

// ---------------------------------------------------------------- the load (parent)

interface Target {
  name: string;
  path: string;
  url?: string;
  headers?: Record<string, string>;
}

interface Latencies {
  /** Requests answered, per second of the run. */
  rate: number;
  total: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  failed: number;
}

function summarize(times: number[], failed: number, seconds: number): Latencies {
  times.sort((a, b) => a - b);
  const at = (p: number) => (times.length === 0 ? Number.NaN : times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)]);
  return { rate: times.length / seconds, total: times.length + failed, p50: at(50), p90: at(90), p99: at(99), max: times[times.length - 1] ?? Number.NaN, failed };
}

/**
 * Open loop at a fixed rate: request i is due at start + i/rate whatever the answers
 * before it did, and its latency counts from when it was due (so a stalled server or a
 * late client cannot hide waiting: no coordinated omission). Keep-alive sockets are
 * reused; a new one opens whenever all are busy.
 */
async function paced(url: string, headers: Record<string, string>, rate: number, seconds: number): Promise<Latencies> {
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const times: number[] = [];
  let failed = 0;
  let sent = 0;
  let settled = 0;
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const settle = () => {
      if (++settled === total) resolve();
    };
    const tick = () => {
      const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1);
      for (; sent < due; sent++) {
        const dueAt = start + sent * interval;
        const request = httpGet(url, { agent, headers }, (response) => {
          response.on('end', () => {
            if (response.statusCode !== undefined && response.statusCode >= 200 && response.statusCode < 300) times.push(performance.now() - dueAt);
            else failed++;
            settle();
          });
          response.resume();
        });
        request.setTimeout(10_000, () => request.destroy(new Error('timeout')));
        request.on('error', () => {
          failed++;
          settle();
        });
      }
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
    };
    tick();
  });
  agent.destroy();
  return summarize(times, failed, seconds);
}

/** Capacity: autocannon's closed loop (each connection sends its next request on the answer), as many as the server takes. */
async function capacity(url: string, headers: Record<string, string>, seconds: number, connections: number): Promise<number> {
  const result = await autocannon({ url, headers, connections, duration: seconds });
  return result.requests.total / result.duration;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      serve: { type: 'boolean' },
      rate: { type: 'string', default: '500' },
      seconds: { type: 'string', default: '10' },
      connections: { type: 'string', default: '10' },
      only: { type: 'string' },
      'cpu-prof': { type: 'string' },
    },
    strict: true,
  });
  if (values.serve === true) return serve();
  const options = { rate: Number(values.rate), seconds: Number(values.seconds), connections: Number(values.connections) };

  const say = (text: string) => process.stdout.write(`${text}\n`);
  say(`bench:portal — open loop at ${options.rate} requests/s for ${options.seconds} s per target, capacity with autocannon over ${options.connections} connections; loopback, ${cpus().length} CPUs`);
  const child = fork(import.meta.filename, ['--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const info = await new Promise<ServerInfo>((resolve, reject) => {
    child.on('message', (message: { type?: string; info?: ServerInfo }) => message.type === 'ready' && message.info !== undefined && resolve(message.info));
    child.on('exit', (code) => reject(new Error(`the server exited (${code}) before it was ready`)));
  });
  say(`server ${info.baseUrl}, pid ${child.pid}: ${Object.entries(info.counts).map(([k, v]) => `${v} ${k}`).join(', ')}`);

  /** Sends the server a message and waits for its answer of type `answer`. */
  const ask = <T extends object>(message: object, answer: string) =>
    new Promise<T>((resolve) => {
      const listener = (reply: T & { type?: string }) => {
        if (reply.type !== answer) return;
        child.off('message', listener);
        resolve(reply);
      };
      child.on('message', listener);
      child.send(message);
    });
  /** The server process's CPU time so far (µs). */
  const serverCpu = async () => (await ask<{ micros: number }>({ type: 'cpu' }, 'cpu')).micros;
  // --cpu-prof DIR: a V8 CPU profile of the server per target, of the paced run only.
  const profileDir = values['cpu-prof'];
  if (profileDir !== undefined) mkdirSync(profileDir, { recursive: true });

  const customer = { cookie: info.customerCookie };
  const staff = { cookie: info.staffCookie };
  const to = new Date();
  const from = new Date(to.getTime() - 6 * 60 * MINUTE);
  const targets: Target[] = [
    { name: 'baseline: bare node:http "ok"', path: '/', url: info.baselineUrl },
    { name: 'page: deep link (index.html)', path: `/portal/locks/${info.blockingId}` },
    { name: 'page: JS bundle (br)', path: info.assetPath, headers: { 'accept-encoding': 'br, gzip' } },
    { name: 'portal: my servers', path: '/api/v1/portal/servers', headers: customer },
    { name: 'portal: my locks', path: '/api/v1/portal/locks', headers: customer },
    { name: 'portal: lock detail', path: `/api/v1/portal/locks/${info.blockingId}`, headers: customer },
    { name: 'portal: lock log', path: `/api/v1/portal/locks/${info.blockingId}/log`, headers: customer },
    { name: 'console: open incidents', path: '/api/v1/incidents?status=open&limit=200', headers: staff },
    { name: 'console: locks in force', path: '/api/v1/locks?state=active&state=unblock_requested&limit=200', headers: staff },
    { name: 'console: traffic chart 6 h', path: `/api/v1/console/servers/${info.serverId}/traffic?from=${from.toISOString()}&to=${to.toISOString()}&maxPoints=720`, headers: staff },
    { name: 'console: search by address', path: '/api/v1/console/search?q=203.0.113.1', headers: staff },
  ];

  const rows: string[][] = [];
  let worst = 0;
  try {
    for (const target of targets.filter((t) => values.only === undefined || t.name.includes(values.only))) {
      const url = (target.url ?? info.baseUrl) + target.path;
      const headers = target.headers ?? {};
      const check = await fetch(url, { headers });
      if (!check.ok) throw new Error(`${target.name}: ${check.status} ${await check.text()}`);
      // Warm-up (JIT, caches, SQLite pages), then the measured run.
      await paced(url, headers, options.rate, 2);
      if (profileDir !== undefined) await ask({ type: 'profile-start' }, 'profile-started');
      const cpuBefore = await serverCpu();
      const clientBefore = process.cpuUsage();
      const m = await paced(url, headers, options.rate, options.seconds);
      const client = process.cpuUsage(clientBefore);
      const cpuPerRequest = ((await serverCpu()) - cpuBefore) / Math.max(1, m.total);
      if (profileDir !== undefined) {
        const file = join(profileDir, `${target.name.replace(/[^a-z0-9]+/gi, '-')}.cpuprofile`);
        await ask({ type: 'profile-stop', file }, 'profile-written');
      }
      const most = await capacity(url, headers, 3, options.connections);
      if (!target.name.startsWith('baseline')) worst = Math.max(worst, m.p99);
      const ms = (v: number) => v.toFixed(2);
      rows.push([
        target.name,
        m.rate.toFixed(0),
        ms(m.p50),
        ms(m.p90),
        ms(m.p99),
        ms(m.max),
        String(m.failed),
        cpuPerRequest.toFixed(0),
        ((client.user + client.system) / Math.max(1, m.total)).toFixed(0),
        most.toFixed(0),
        loadavg()[0].toFixed(2),
      ]);
      say(`  ${target.name}: p50 ${ms(m.p50)} ms, p99 ${ms(m.p99)} ms, capacity ${most.toFixed(0)} requests/s`);
    }
  } finally {
    child.send({ type: 'stop' });
  }

  const header = ['target', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'failed', 'server µs/req', 'client µs/req', 'capacity req/s', 'load 1m'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  say('');
  say(line(header));
  say(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) say(line(row));
  say('');
  say(`worst p99 ${worst.toFixed(2)} ms: ${worst < 50 ? 'within' : 'OVER'} the 50 ms target at ${options.rate} requests/s`);
}

await main();
