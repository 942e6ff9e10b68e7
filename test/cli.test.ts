/** The netwarden command as an operator runs it: real processes, real files. */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createRepositories } from '../src/store/repositories.ts';
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
