/**
 * The nftables adapter with real packets (root): an internet host, the uplink gateway, a
 * customer server, the customer's static-IP host and a NOC, each in its own namespace.
 * What the customer documentation promises is what is checked: a locked server cannot be
 * reached from the internet and a traceroute to it ends at the gateway; the static IP
 * still connects (both ways); the server's own traffic stops; unlock restores everything.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createEnforcementLab, LAB, listen, type NetnsLab, pingAnswers, tcpConnects, traceroute } from '../../../test/helpers/netns.ts';
import { stateDifferences } from '../enforcer.ts';
import type { EnforcementEntry } from '../enforcement-entry.ts';
import { GatewayCommandRunner } from '../gateway-command-runner.ts';
import { NftablesEnforcer } from './nftables-enforcer.ts';

const PORT = 8080;

const lock: EnforcementEntry = {
  blockingId: 'L-2026-000123',
  serverId: 'EX-1',
  gateway: 'lab-gw',
  addresses: [`${LAB.server.v4}/32`, `${LAB.server.v6}/128`],
  allow: [`${LAB.customer.v4}/32`, `${LAB.customer.v6}/128`],
};

describe('nftables enforcer in network namespaces', { timeout: 120_000 }, () => {
  let lab: NetnsLab;
  let enforcer: NftablesEnforcer;

  before(async () => {
    lab = await createEnforcementLab();
    enforcer = new NftablesEnforcer({
      gateway: 'lab-gw',
      runner: new GatewayCommandRunner({ access: { netns: lab.ns('gw') }, timeoutMs: 10_000 }),
      table: 'netwarden',
    });
    await listen(lab, 'srv', [LAB.server.v4, LAB.server.v6], PORT);
    await listen(lab, 'inet', [LAB.internet.v4, LAB.internet.v6], PORT);
    await listen(lab, 'cust', [LAB.customer.v4, LAB.customer.v6], PORT);
    // The provider's own firewall table, which Netwarden must never touch.
    await lab.run('gw', ['nft', '-f', '-'], { input: 'table inet provider {\n  chain forward {\n    type filter hook forward priority 0; policy accept;\n    counter comment "provider"\n  }\n}\n' });
  });

  after(async () => {
    await lab?.destroy();
  });

  it('reaches the server from everywhere before the lock', async () => {
    for (const address of [LAB.server.v4, LAB.server.v6]) {
      assert.equal(await tcpConnects(lab, 'inet', address, PORT), true, `internet -> ${address}`);
      assert.equal(await tcpConnects(lab, 'cust', address, PORT), true, `static IP -> ${address}`);
    }
    const hops = await traceroute(lab, 'inet', LAB.server.v4);
    assert.deepEqual(
      hops.map((h) => h.address),
      [LAB.gateway.internet.v4, LAB.server.v4],
    );
  });

  it('locks: the internet is refused and a traceroute ends at the gateway, the static IP still connects', async () => {
    await enforcer.apply([lock]);
    assert.deepEqual(stateDifferences(enforcer.expected([lock]), await enforcer.current()), []);

    for (const address of [LAB.server.v4, LAB.server.v6]) {
      const started = Date.now();
      assert.equal(await tcpConnects(lab, 'inet', address, PORT), false, `internet -> ${address} must fail`);
      assert.ok(Date.now() - started < 1500, 'refused at once (ICMP administratively prohibited), not timed out');
      assert.equal(await tcpConnects(lab, 'cust', address, PORT), true, `static IP -> ${address} must still connect`);
      assert.equal(await pingAnswers(lab, 'cust', address), true, `static IP pings ${address}`);
      assert.equal(await pingAnswers(lab, 'inet', address), false, `internet pings ${address}`);
    }
    for (const [address, gateway] of [
      [LAB.server.v4, LAB.gateway.internet.v4],
      [LAB.server.v6, LAB.gateway.internet.v6],
    ]) {
      const hops = await traceroute(lab, 'inet', address);
      assert.equal(hops.length, 1, `traceroute to ${address} stops at the first hop: ${JSON.stringify(hops)}`);
      assert.equal(hops[0].address, gateway);
      assert.deepEqual(hops[0].flags, ['!X'], 'the gateway answers administratively prohibited');
    }
  });

  it('stops the locked server\'s own traffic except to its static IPs', async () => {
    for (const [internet, customer] of [
      [LAB.internet.v4, LAB.customer.v4],
      [LAB.internet.v6, LAB.customer.v6],
    ]) {
      assert.equal(await tcpConnects(lab, 'srv', internet, PORT), false, `server -> internet ${internet}`);
      assert.equal(await pingAnswers(lab, 'srv', internet), false, `server pings internet ${internet}`);
      assert.equal(await tcpConnects(lab, 'srv', customer, PORT), true, `server -> static IP ${customer}`);
    }
  });

  it('applies idempotently and leaves the provider\'s table alone', async () => {
    await enforcer.apply([lock]);
    await enforcer.apply([lock]);
    const listing = await lab.run('gw', ['nft', 'list', 'ruleset']);
    assert.equal(listing.match(/^table inet netwarden/gm)?.length, 1);
    assert.equal(listing.match(/comment "netwarden:to-locked4"/g)?.length, 1, 'each rule exactly once');
    assert.equal(listing.match(/203\.0\.113\.10 \. 192\.0\.2\.10/g)?.length, 1, 'each element exactly once');
    assert.match(listing, /table inet provider \{[\s\S]*counter packets \d+ bytes \d+ comment "provider"/);
  });

  it('unlocks: reachable again, traceroute reaches the server', async () => {
    await enforcer.apply([]);
    assert.deepEqual(await enforcer.current(), { locked: [], allowed: [], problems: [] });
    for (const address of [LAB.server.v4, LAB.server.v6]) {
      assert.equal(await tcpConnects(lab, 'inet', address, PORT), true, `internet -> ${address} after unlock`);
    }
    assert.equal(await tcpConnects(lab, 'srv', LAB.internet.v4, PORT), true, 'server -> internet after unlock');
    const hops = await traceroute(lab, 'inet', LAB.server.v4);
    assert.deepEqual(
      hops.map((h) => h.address),
      [LAB.gateway.internet.v4, LAB.server.v4],
    );
    assert.match(await lab.run('gw', ['nft', 'list', 'tables']), /table inet provider/);
  });
});
