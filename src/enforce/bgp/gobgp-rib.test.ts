import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import type { CommandResult, CommandRunner } from '../gateway-command-runner.ts';
import { BgpBlackholeEnforcer } from './bgp-blackhole-enforcer.ts';
import { communityText, parseGobgpApi, parseRibJson, ribAddCommand, ribDeleteCommand, ribListCommand } from './gobgp-rib.ts';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'testdata', name), 'utf8');
const api = { host: '127.0.0.1', port: 50051 };

/** Answers rib listings from the fixtures and records every other command. */
class FixtureRunner implements CommandRunner {
  readonly target = 'fixture';
  readonly commands: string[][] = [];
  async exec(argv: readonly string[]): Promise<CommandResult> {
    return { stdout: await this.run(argv), stderr: '', exitCode: 0 };
  }
  async run(argv: readonly string[]): Promise<string> {
    if (argv.includes('-j')) return fixture(argv.includes('ipv6') ? 'gobgp-rib-ipv6.json' : 'gobgp-rib-ipv4.json');
    this.commands.push([...argv]);
    return '';
  }
}

describe('gobgp rib', () => {
  it('reads the real listing: prefixes, next hops (also from MP_REACH_NLRI) and communities', () => {
    assert.deepEqual(parseRibJson(fixture('gobgp-rib-ipv4.json')), [
      { prefix: '198.51.100.0/24', nextHop: '192.0.2.130', communities: [] },
      { prefix: '203.0.113.10/32', nextHop: '192.0.2.1', communities: ['65535:666'] },
      { prefix: '203.0.113.64/28', nextHop: '192.0.2.99', communities: ['65535:666', '65000:100'] },
    ]);
    assert.deepEqual(parseRibJson(fixture('gobgp-rib-ipv6.json')), [{ prefix: '2001:db8:10::10/128', nextHop: '100::1', communities: ['65535:666'] }]);
    assert.deepEqual(parseRibJson(''), []);
    assert.deepEqual(parseRibJson('{}'), []);
    assert.throws(() => parseRibJson('{"error":'), { code: 'GATEWAY_OUTPUT_INVALID' });
    assert.equal(communityText(4294902426), '65535:666');
  });

  it('builds the gobgp command lines', () => {
    assert.deepEqual(ribAddCommand(api, '203.0.113.10/32', '192.0.2.1', '65535:666'), [
      'gobgp', '-u', '127.0.0.1', '-p', '50051', 'global', 'rib', 'add', '-a', 'ipv4', '203.0.113.10/32', 'nexthop', '192.0.2.1', 'community', '65535:666',
    ]);
    assert.deepEqual(ribDeleteCommand(api, '2001:db8:10::10/128'), ['gobgp', '-u', '127.0.0.1', '-p', '50051', 'global', 'rib', 'del', '-a', 'ipv6', '2001:db8:10::10/128']);
    assert.deepEqual(ribListCommand(api, 'ipv6'), ['gobgp', '-u', '127.0.0.1', '-p', '50051', 'global', 'rib', '-a', 'ipv6', '-j']);
    assert.deepEqual(parseGobgpApi('[::1]:50051'), { host: '::1', port: 50051 });
    assert.deepEqual(parseGobgpApi('gobgp.noc.example:5'), { host: 'gobgp.noc.example', port: 5 });
    assert.throws(() => parseGobgpApi('127.0.0.1'), /host:port/);
  });

  it('applies as a diff: adds the missing, fixes a wrong next hop, withdraws the extra, leaves foreign routes alone', async () => {
    const runner = new FixtureRunner();
    const enforcer = new BgpBlackholeEnforcer({
      gateway: 'gw',
      runner,
      api,
      nextHop4: '192.0.2.1',
      nextHop6: '100::1',
      community: '65535:666',
      logger: pino({ level: 'silent' }),
      concurrency: 1,
    });
    const current = await enforcer.current();
    assert.deepEqual(current.locked, ['2001:db8:10::10/128', '203.0.113.10/32', '203.0.113.64/28']);
    assert.deepEqual(current.problems, ['203.0.113.64/28 has next hop 192.0.2.99, expected 192.0.2.1']);
    await enforcer.apply([{ blockingId: 'L-1', serverId: 'S1', gateway: 'gw', addresses: ['203.0.113.10/32', '203.0.113.64/28', '203.0.113.99/32'], allow: [] }]);
    assert.deepEqual(runner.commands.map((c) => c.slice(5).join(' ')).sort(), [
      'global rib add -a ipv4 203.0.113.64/28 nexthop 192.0.2.1 community 65535:666',
      'global rib add -a ipv4 203.0.113.99/32 nexthop 192.0.2.1 community 65535:666',
      'global rib del -a ipv6 2001:db8:10::10/128',
    ]);
    assert.equal(runner.commands.some((c) => c.includes('198.51.100.0/24')), false);
  });
});
