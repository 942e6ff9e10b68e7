/** `npm run demo` does what the README promises, on the embedded defaults. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

describe('npm run demo', () => {
  it('shows incidents, locks with Blocking IDs, e-mails in the outbox and the demo accounts', async () => {
    const root = join(import.meta.dirname, '..');
    // Its own ports, so a developer's running Netwarden (or another test) is not in the way.
    const env = { ...process.env, NETWARDEN_HTTP__PORT: '0', NETWARDEN_COLLECTOR__SFLOW: '127.0.0.1:46543', NETWARDEN_COLLECTOR__NETFLOW: '127.0.0.1:42155', NETWARDEN_COLLECTOR__IPFIX: '127.0.0.1:44839' };
    const { stdout } = await run(process.execPath, ['scripts/demo.ts', '--exit'], { cwd: root, env, timeout: 90_000 });
    assert.match(stdout, /^ {2}flood +out server EX-4712 \(203\.0\.113\.11\)$/m);
    assert.match(stdout, /^ {2}netscan +out server EX-5001 \(203\.0\.113\.20\)$/m);
    assert.match(stdout, /^ {2}BL-[0-9A-Z]{8} {2}active +attack_from_server +server EX-4712$/m);
    assert.match(stdout, /^ {2}BL-[0-9A-Z]{8} {2}active +netscan +server EX-5001$/m);
    assert.equal((stdout.match(/^ {2}\/.*\/data\/demo\/outbox\/.*\.eml$/gm) ?? []).length, 2);
    assert.match(stdout, /customer +admin@muster-webhosting\.example +password demo-customer-2026/);
    assert.match(stdout, /staff +abuse-desk@provider\.example +password demo-staff-2026/);
  });
});
