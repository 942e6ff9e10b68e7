/** The netwarden command as an operator runs it: real processes, real files. */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { writePcap } from '../src/evidence/pcap-writer.ts';
import { ethernet, ipv4, udp } from '../src/flow/packet/packet-builder.ts';
import { createRepositories } from '../src/store/repositories.ts';
import { type SyntheticFlow, toNetflowV9Datagrams } from './helpers/traffic-scenarios.ts';
import { Store } from '../src/store/store.ts';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', 'src', 'cli.ts');
const dir = mkdtempSync(join(tmpdir(), 'netwarden-cli-'));
const env = { ...process.env, NETWARDEN_DATABASE__URL: `sqlite:${join(dir, 'nw.db')}`, NETWARDEN_LOG__LEVEL: 'info' };

async function netwarden(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('netwarden CLI', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('config check lists every problem and exits non-zero; a good file passes', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'http:\n  port: 70000\n  colour: red\n');
    const result = await netwarden(['config', 'check', bad]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /2 configuration problem\(s\)/);
    assert.match(result.stderr, /http\.port: expected integer to be less or equal to 65535/);
    assert.match(result.stderr, /http\.colour: unknown key/);
    const good = join(dir, 'good.yaml');
    writeFileSync(good, 'http:\n  port: 8081\n');
    assert.deepEqual(await netwarden(['config', 'check', good]), { code: 0, stdout: `${good}: ok\n`, stderr: '' });
  });

  it('config dump prints the effective configuration', async () => {
    const result = await netwarden(['config', 'dump']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^ {2}url: sqlite:.*nw\.db$/m);
    assert.match(result.stdout, /^ {2}port: 8080$/m);
  });

  it('inventory import writes all rows or, on a bad row, nothing', async () => {
    const header = 'customer_id,customer_name,customer_email,customer_language,server_id,server_name,host_group,uplink_gateway,addresses\n';
    const badFile = join(dir, 'bad.csv');
    writeFileSync(badFile, `${header}K1,One,one@example.com,en,S1,web,,gw1,203.0.113.1\nK2,Two,bad-mail,en,S2,web,,gw1,203.0.113.2\n`);
    const bad = await netwarden(['inventory', 'import', badFile]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /line 3, customer_email: "bad-mail" is not an e-mail address/);
    const goodFile = join(dir, 'good.csv');
    writeFileSync(goodFile, `${header}K1,One,one@example.com,en,S1,web,,gw1,203.0.113.1\nK2,Two,two@example.com,en,S2,web,,gw1,203.0.113.2\n`);
    const good = await netwarden(['inventory', 'import', goodFile]);
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /imported 2 customers, 0 host groups, 2 servers with 2 addresses/);
    const store = await Store.open({ url: env.NETWARDEN_DATABASE__URL });
    try {
      assert.deepEqual(
        (await createRepositories(store).inventory.listServers()).map((s) => s.id),
        ['S1', 'S2'],
      );
    } finally {
      await store.close();
    }
  });

  it('lock commands: create, list, show, log and release a staff lock', async () => {
    const created = await netwarden(['lock', 'create', '--server', 'S2', '--reason', 'abuse_spam', '--statement', 'Spam run reported by three mailbox providers on 2026-11-20.']);
    assert.equal(created.code, 0, created.stderr);
    const blockingId = /^locked: (BL-[0-9A-Z]{8})/.exec(created.stdout)?.[1];
    assert.ok(blockingId, created.stdout);
    assert.match((await netwarden(['lock', 'list', '--server', 'S2'])).stdout, new RegExp(`^${blockingId}  active +abuse_spam +S2`, 'm'));
    assert.match((await netwarden(['lock', 'log', blockingId])).stdout, /Statement of the abuse desk\n\nSpam run reported/);
    const refused = await netwarden(['lock', 'create', '--server', 'S2', '--reason', 'abuse_malware']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /statement: a written statement of the complaint/);
    assert.match((await netwarden(['lock', 'release', blockingId, '--message', 'Customer removed the spam script.'])).stdout, /^released: /);
    const shown = await netwarden(['lock', 'show', blockingId]);
    assert.match(shown.stdout, /active +-> released +staff\/cli:/);
  });

  it('user commands create portal and console accounts and name bad fields', async () => {
    const bad = await netwarden(['user', 'create', '--email', 'nope', '--role', 'customer', '--password', 'x']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /email: is not an e-mail address/);
    assert.match(bad.stderr, /customerId: is required for a customer account/);
    const created = await netwarden(['user', 'create', '--email', 'owner@example.com', '--role', 'customer', '--customer', 'K1', '--password', 'correct horse battery staple']);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /created customer owner@example\.com for customer K1/);
    assert.match((await netwarden(['user', 'list'])).stdout, /owner@example\.com\tcustomer\tK1\tactive/);
  });

  it('replay runs a capture of exports through detection against the configured inventory', async () => {
    // A NetFlow v9 export of a port-22 sweep by server S1, written as a capture a router would produce.
    const start = Date.UTC(2026, 10, 20, 3, 0, 0);
    const flows: SyntheticFlow[] = [];
    for (let i = 0; i < 200; i++) {
      flows.push({ startMs: start + i * 10, endMs: start + i * 10, src: '203.0.113.1', dst: `198.18.2.${i}`, protocol: 6, srcPort: 50000 + i, dstPort: 22, tcpFlags: 0x02, packets: 1, packetSize: 60 });
    }
    const frames = toNetflowV9Datagrams(flows, start - 5000).map(({ timeMs, datagram }) => {
      const data = ethernet({
        src: '02:00:00:00:00:01',
        dst: '02:00:00:00:00:02',
        etherType: 0x0800,
        payload: ipv4({ src: '192.0.2.254', dst: '192.0.2.1', protocol: 17, payload: udp({ srcPort: 50555, dstPort: 2055, payload: datagram }) }),
      });
      return { timeMs, data, originalLength: data.length };
    });
    const capture = join(dir, 'sweep.pcap');
    writeFileSync(capture, writePcap(frames));
    const result = await netwarden(['replay', capture]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /replayed \d+ datagrams, 200 flows/);
    assert.match(result.stdout, /^incident [0-9a-f-]{36} netscan out server S1 address 203\.0\.113\.1 at 2026-11-20T0(2:59:59|3:00:0)/m, "NetFlow v9 headers carry whole seconds");
    const decoded = await netwarden(['decode', capture, '--json']);
    assert.equal(decoded.stdout.trim().split('\n').length, 200);
    assert.equal(JSON.parse(decoded.stdout.split('\n')[0]).dstPort, 22);
  });

  it('serve starts, answers, and on SIGTERM finishes the write in flight before exiting 0', async () => {
    const tokenResult = await netwarden(['token', 'create', '--name', 'ops', '--scopes', 'inventory']);
    assert.equal(tokenResult.code, 0, tokenResult.stderr);
    const token = tokenResult.stdout.trim();
    const child = spawn(process.execPath, [CLI, 'serve'], {
      env: { ...env, NETWARDEN_HTTP__PORT: '0', NETWARDEN_LOG__LEVEL: 'debug' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const logs: string[] = [];
    const address = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line in ${logs.join('')}`)), 20_000);
      child.stdout.on('data', (chunk: Buffer) => {
        logs.push(chunk.toString());
        const match = /"address":"(http:\/\/[^"]+)","msg":"http listening"/.exec(logs.join(''));
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.on('exit', (code) => reject(new Error(`exited early with ${code}: ${logs.join('')}`)));
    });
    assert.equal((await fetch(`${address}/healthz`)).status, 200);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const write = fetch(`${address}/api/v1/customers/K9`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Nine', email: 'nine@example.com' }),
    });
    // SIGTERM as soon as the server has the request, while its write is still running.
    const poll = setInterval(() => {
      if (logs.join('').includes('"msg":"request received"')) {
        clearInterval(poll);
        child.kill('SIGTERM');
      }
    }, 1);
    const response = await write;
    assert.equal(response.status, 200);
    assert.equal(await exited, 0);
    const joined = logs.join('');
    assert.ok(joined.indexOf('"component":"api","msg":"component stopped"') < joined.indexOf('"component":"store","msg":"component stopped"'), 'stopped in reverse order');
    const store = await Store.open({ url: env.NETWARDEN_DATABASE__URL });
    try {
      assert.equal((await createRepositories(store).inventory.getCustomer('K9'))?.name, 'Nine');
    } finally {
      await store.close();
    }
  });
});
