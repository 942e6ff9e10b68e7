/**
 * The lab's network: namespaces around one uplink gateway, documentation ranges only, no
 * link to the host's namespace and no default route on the gateway, so nothing sent in
 * the lab can leave it.
 *
 *   inet ──────┐ 198.51.100.0/28        the internet host; owns 198.51.100.128/25 on lo
 *   home ──────┤ 198.51.100.16/28       the customer's static-IP host (home/office)
 *   victims ───┤ 198.51.100.32/28       owns all of 192.0.2.0/24 on lo: every scan target exists
 *   noc ───────┤ 198.51.100.48/28       Netwarden (collector, detector, API, worker), SMTP
 *              gw (forwards; nftables; pmacctd on br-srv)
 *   srv1 ──┐   │
 *   srv2 ──┴ br-srv 203.0.113.0/24      the customer servers
 *
 * pmacctd captures on br-srv, the gateway's server-facing interface: everything the
 * servers send or receive through the gateway passes it, as on a real uplink router.
 */
import { LAB_ADDRESSES as A } from './lab-addresses.ts';
import { NetnsLab, pingAnswers } from '../test/helpers/netns.ts';

export const LAB_ROLES = ['gw', 'inet', 'home', 'victims', 'noc', 'srv1', 'srv2'] as const;
export type LabRole = (typeof LAB_ROLES)[number];

/** The gateway's server-facing bridge; the pre-tag map tells directions by this MAC. */
export const SERVER_BRIDGE = { name: 'br-srv', mac: '02:00:00:00:01:01' } as const;

/** Builds the lab; on any failure everything created so far is deleted again. */
export async function createLabTopology(): Promise<NetnsLab> {
  const lab = new NetnsLab();
  try {
    for (const role of LAB_ROLES) await lab.addNamespace(role);
    const leaves = [
      { role: 'inet', gwDev: 'up0', gw: A.gateway.internet, own: A.internet },
      { role: 'home', gwDev: 'home0', gw: A.gateway.home, own: A.home },
      { role: 'victims', gwDev: 'vic0', gw: A.gateway.victims, own: A.victims },
      { role: 'noc', gwDev: 'noc0', gw: A.gateway.noc, own: A.noc },
    ] as const;
    for (const leaf of leaves) {
      await lab.link({ role: 'gw', dev: leaf.gwDev, addresses: [`${leaf.gw}/28`] }, { role: leaf.role, dev: 'eth0', addresses: [`${leaf.own}/28`] });
    }
    // The NOC only talks to the gateway's end of its link (flow export): no routes at all.
    for (const leaf of leaves.filter((l) => l.role !== 'noc')) await lab.run(leaf.role, ['ip', 'route', 'add', 'default', 'via', leaf.gw]);

    await lab.run('gw', ['ip', 'link', 'add', SERVER_BRIDGE.name, 'address', SERVER_BRIDGE.mac, 'type', 'bridge', 'forward_delay', '0', 'stp_state', '0']);
    await lab.run('gw', ['ip', 'addr', 'add', `${A.gateway.servers}/24`, 'dev', SERVER_BRIDGE.name]);
    await lab.run('gw', ['ip', 'link', 'set', SERVER_BRIDGE.name, 'up']);
    for (const [role, address, mac] of [
      ['srv1', A.servers.scanner, '02:00:00:00:10:10'],
      ['srv2', A.servers.web, '02:00:00:00:10:20'],
    ] as const) {
      const port = `p-${role}`;
      await lab.link({ role: 'gw', dev: port, addresses: [] }, { role, dev: 'eth0', addresses: [`${address}/24`] });
      await lab.run(role, ['ip', 'link', 'set', 'eth0', 'address', mac]);
      await lab.run('gw', ['ip', 'link', 'set', port, 'master', SERVER_BRIDGE.name]);
      await lab.run(role, ['ip', 'route', 'add', 'default', 'via', A.gateway.servers]);
    }

    // Every scan target and every web client exists: the victims own the whole scanned /24,
    // the internet host the client addresses; the gateway routes both to them.
    await lab.run('victims', ['ip', 'addr', 'add', A.victimNetwork, 'dev', 'lo']);
    await lab.run('gw', ['ip', 'route', 'add', A.victimNetwork, 'via', A.victims]);
    await lab.run('inet', ['ip', 'addr', 'add', A.clientNetwork, 'dev', 'lo']);
    await lab.run('gw', ['ip', 'route', 'add', A.clientNetwork, 'via', A.internet]);

    await lab.sysctl('gw', { 'net.ipv4.ip_forward': 1, 'net.ipv4.conf.all.rp_filter': 0, 'net.ipv4.conf.default.rp_filter': 0 });
    // No ICMP rate limits where traceroutes get their answers (the gateway, the scanned
    // server), or tests flake. The victims keep theirs: they answer a flood's every
    // datagram with port unreachable otherwise.
    for (const role of ['gw', 'srv1', 'srv2']) await lab.sysctl(role, { 'net.ipv4.icmp_ratelimit': 0 });

    for (const [role, address] of [
      ['gw', A.internet],
      ['gw', A.home],
      ['gw', A.victims],
      ['gw', A.noc],
      ['gw', A.servers.scanner],
      ['gw', A.servers.web],
      ['srv1', '192.0.2.1'],
      ['inet', A.servers.web],
    ] as const) {
      let attempts = 0;
      while (!(await pingAnswers(lab, role, address))) {
        if (++attempts >= 10) throw new Error(`${address} does not answer ${role}`);
      }
    }
    return lab;
  } catch (error) {
    await lab.destroy();
    throw error;
  }
}
