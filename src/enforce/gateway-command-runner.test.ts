import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandLine, GatewayCommandRunner, shellQuote } from './gateway-command-runner.ts';

describe('gateway command runner', () => {
  it('runs locally as given, in a namespace through ip netns exec, and with sudo -n', () => {
    assert.deepEqual(commandLine('local', ['nft', '-f', '-']), { file: 'nft', args: ['-f', '-'] });
    assert.deepEqual(commandLine({ netns: 'nwt-1-gw' }, ['nft', '-j', 'list', 'table', 'inet', 'netwarden']), {
      file: 'ip',
      args: ['netns', 'exec', 'nwt-1-gw', 'nft', '-j', 'list', 'table', 'inet', 'netwarden'],
    });
    assert.deepEqual(commandLine('local', ['nft', '-f', '-'], { sudo: true }), { file: 'sudo', args: ['-n', 'nft', '-f', '-'] });
    assert.throws(() => commandLine('local', []), /empty command/);
  });

  it('builds a batch-mode ssh command with the key, port and a quoted remote command', () => {
    const line = commandLine(
      { ssh: { host: '192.0.2.1', user: 'netwarden', keyFile: '/etc/netwarden/id_ed25519', port: 2222, knownHostsFile: '/etc/netwarden/known_hosts' } },
      ['nft', '-f', '-'],
      { sudo: true, connectTimeoutSeconds: 7 },
    );
    assert.deepEqual(line, {
      file: 'ssh',
      args: [
        '-i',
        '/etc/netwarden/id_ed25519',
        '-o',
        'BatchMode=yes',
        '-o',
        'StrictHostKeyChecking=yes',
        '-o',
        'ConnectTimeout=7',
        '-p',
        '2222',
        '-o',
        'UserKnownHostsFile=/etc/netwarden/known_hosts',
        'netwarden@192.0.2.1',
        '--',
        'sudo -n nft -f -',
      ],
    });
  });

  it('quotes words the remote shell would otherwise split or expand', () => {
    assert.equal(shellQuote('netwarden'), 'netwarden');
    assert.equal(shellQuote('2001:db8::1/128'), '2001:db8::1/128');
    assert.equal(shellQuote('a b'), "'a b'");
    assert.equal(shellQuote("it's; rm -rf /"), "'it'\\''s; rm -rf /'");
    assert.equal(shellQuote('$(id)'), "'$(id)'");
    assert.equal(shellQuote(''), "''");
  });

  it('feeds stdin, returns stdout, and reports failures, missing binaries and timeouts by code', async () => {
    const runner = new GatewayCommandRunner({ access: 'local', timeoutMs: 2000 });
    assert.equal(await runner.run(['cat'], 'table inet netwarden\n'), 'table inet netwarden\n');
    const failed = await runner.exec(['sh', '-c', 'echo nope >&2; exit 3']);
    assert.deepEqual(failed, { stdout: '', stderr: 'nope\n', exitCode: 3 });
    await assert.rejects(runner.run(['sh', '-c', 'echo "Error: Could not process rule" >&2; exit 1']), {
      code: 'GATEWAY_COMMAND_FAILED',
      message: 'sh -c echo "Error: Could not process rule" >&2; exit 1 on local exited with 1: Error: Could not process rule',
    });
    await assert.rejects(runner.run(['/nonexistent/nft']), { code: 'GATEWAY_UNREACHABLE' });
    const slow = new GatewayCommandRunner({ access: 'local', timeoutMs: 150 });
    const started = Date.now();
    await assert.rejects(slow.run(['sleep', '5']), { code: 'GATEWAY_TIMEOUT' });
    assert.ok(Date.now() - started < 2000, 'the timeout kills the command');
  });
});
