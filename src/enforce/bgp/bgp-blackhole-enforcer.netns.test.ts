/**
 * The BGP blackhole adapter against a real peer (root): gobgpd in the NOC namespace,
 * driven through the gobgp CLI, announces to BIRD 2 on the gateway, which installs the
 * route in the gateway's kernel as a blackhole; withdrawal removes it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { type BgpLab, createEnforcementLab, GOBGP_API, LAB, type NetnsLab, pingAnswers, startBgpLab } from '../../../test/helpers/netns.ts';
import { stateDifferences } from '../enforcer.ts';
import type { EnforcementEntry } from '../enforcement-entry.ts';
import { GatewayCommandRunner } from '../gateway-command-runner.ts';
import { BgpBlackholeEnforcer } from './bgp-blackhole-enforcer.ts';

const lock: EnforcementEntry = {
  blockingId: 'L-2026-000123',
  serverId: 'EX-1',
  gateway: 'lab-gw',
  addresses: [`${LAB.server.v4}/32`, `${LAB.server.v6}/128`],
  allow: [],
};

async function until(what: string, condition: () => Promise<boolean>, timeoutMs = 5000): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - started;
}

describe('BGP blackhole enforcer against BIRD', { timeout: 120_000 }, () => {
  let lab: NetnsLab;
  let bgp: BgpLab | undefined;
  let enforcer: BgpBlackholeEnforcer;
  const gobgp = (args: string[]) => lab.run('noc', ['gobgp', '-u', GOBGP_API.host, '-p', String(GOBGP_API.port), ...args]);
  const kernelRoute = async (address: string) =>
    (await lab.run('gw', ['ip', address.includes(':') ? '-6' : '-4', 'route', 'show', address])).trim();

  before(async () => {
    lab = await createEnforcementLab();
    bgp = await startBgpLab(lab);
    enforcer = new BgpBlackholeEnforcer({
      gateway: 'lab-gw',
      runner: new GatewayCommandRunner({ access: { netns: lab.ns('noc') }, timeoutMs: 10_000 }),
      api: GOBGP_API,
      // An eBGP peer only accepts a next hop on the shared link: the speaker's own address.
      nextHop4: LAB.noc.v4,
      nextHop6: LAB.noc.v6,
      community: '65535:666',
      logger: pino({ level: 'silent' }),
    });
    // A route of the speaker's that Netwarden does not own (no BLACKHOLE community).
    await gobgp(['global', 'rib', 'add', '-a', 'ipv4', '198.51.100.128/25', 'nexthop', LAB.noc.v4]);
  });

  after(async () => {
    await bgp?.stop();
    await lab?.destroy();
  });

  it('announces the lock; BIRD installs blackhole routes and the server is cut off', async () => {
    assert.equal(await pingAnswers(lab, 'inet', LAB.server.v4), true, 'reachable before');
    assert.deepEqual(stateDifferences(enforcer.expected([]), await enforcer.current()), []);
    await enforcer.apply([lock]);
    await until('the IPv4 blackhole in the gateway kernel', async () => /^blackhole 203\.0\.113\.10 proto bird/.test(await kernelRoute(LAB.server.v4)));
    await until('the IPv6 blackhole in the gateway kernel', async () => /^blackhole 2001:db8:10::10 dev lo proto bird/.test(await kernelRoute(LAB.server.v6)));
    assert.deepEqual(stateDifferences(enforcer.expected([lock]), await enforcer.current()), []);
    assert.equal(await pingAnswers(lab, 'inet', LAB.server.v4), false, 'blackholed');
    assert.equal(await pingAnswers(lab, 'inet', LAB.server.v6), false, 'blackholed');
    const birdRoute = await bgp?.birdc(['show', 'route', 'all', `${LAB.server.v4}/32`]);
    assert.match(birdRoute ?? '', /BGP\.community: \(65535,666\)/);
  });

  it('is idempotent and repairs a route withdrawn by hand, leaving foreign routes alone', async () => {
    await enforcer.apply([lock]);
    const rib = JSON.parse(await gobgp(['global', 'rib', '-a', 'ipv4', '-j'])) as Record<string, unknown[]>;
    assert.deepEqual(Object.keys(rib).sort(), ['198.51.100.128/25', '203.0.113.10/32']);
    assert.equal(rib['203.0.113.10/32'].length, 1, 'one path, announced once');

    await gobgp(['global', 'rib', 'del', '-a', 'ipv4', '203.0.113.10/32']);
    assert.deepEqual(stateDifferences(enforcer.expected([lock]), await enforcer.current()), ['missing locked 203.0.113.10/32']);
    await enforcer.apply([lock]);
    assert.deepEqual(stateDifferences(enforcer.expected([lock]), await enforcer.current()), []);
    await until('the blackhole to come back', async () => /^blackhole/.test(await kernelRoute(LAB.server.v4)));
  });

  it('withdraws on unlock: the routes leave the gateway kernel and the server is reachable', async () => {
    await enforcer.apply([]);
    await until('the IPv4 route to go', async () => (await kernelRoute(LAB.server.v4)) === '');
    await until('the IPv6 route to go', async () => (await kernelRoute(LAB.server.v6)) === '');
    assert.deepEqual(await enforcer.current(), { locked: [], allowed: [], problems: [] });
    assert.equal(await pingAnswers(lab, 'inet', LAB.server.v4), true, 'reachable again');
    const rib = JSON.parse(await gobgp(['global', 'rib', '-a', 'ipv4', '-j'])) as Record<string, unknown>;
    assert.deepEqual(Object.keys(rib), ['198.51.100.128/25'], 'the foreign route is still announced');
  });
});
