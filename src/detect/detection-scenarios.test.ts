/**
 * Detection scenarios, generated in the suite and exported twice — as sFlow with 1:1000
 * packet sampling and as unsampled NetFlow v9 — then decoded by the real decoders. Each
 * attack must open exactly one incident of the right kind, direction and server with the
 * right peak figures; no benign traffic may open any.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeToBatches,
  prng,
  type SyntheticFlow,
  steadyStream,
  toNetflowV9Datagrams,
  toSflowDatagrams,
} from '../../test/helpers/traffic-scenarios.ts';
import { resolveConfig } from '../config/load-config.ts';
import { InventoryIndex } from '../inventory/inventory-index.ts';
import { FlowDetector } from './flow-detector.ts';
import type { Incident, IncidentSink } from './incident.ts';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
const BOOT = T0 - 3_600_000;
const SCANNER_MAC = '02:00:00:00:00:40';

function inventory(): InventoryIndex {
  const index = new InventoryIndex();
  const servers: Array<[string, string, string, string | null]> = [
    ['S-FLOOD', 'K1', '203.0.113.10/32', null],
    ['S-VICTIM', 'K1', '203.0.113.20/32', null],
    ['S-SCAN', 'K2', '203.0.113.30/32', null],
    ['S-VSCAN', 'K2', '203.0.113.31/32', null],
    ['S-SPOOF', 'K3', '203.0.113.40/32', null],
    ['S-DNS', 'K4', '203.0.113.53/32', null],
    ['S-WEB', 'K4', '203.0.113.80/32', null],
    ['S-MAIL', 'K4', '203.0.113.25/32', null],
    ['S-NTP', 'K4', '203.0.113.123/32', null],
    ['S-CDN', 'K5', '2001:db8:90::/64', null],
    ['S-MON', 'K9', '203.0.113.200/32', 'monitoring'],
  ];
  for (const [serverId, customerId, prefix, hostGroupId] of servers) {
    index.setServer({ serverId, customerId, hostGroupId, uplinkGateway: 'fsn1-dc14-uplink-gw' }, [prefix]);
  }
  index.setProvider(['203.0.113.0/24', '2001:db8::/32']);
  return index;
}

const config = resolveConfig({ detect: { netscan: { allowHostGroups: ['monitoring'] } } }).detect;

interface Recorded {
  opened: Incident[];
  updated: Incident[];
  ended: Incident[];
}

function run(flows: SyntheticFlow[], exportAs: 'sflow' | 'netflow'): { opened: Incident[]; latest: Map<string, Incident>; detector: FlowDetector } {
  const recorded: Recorded = { opened: [], updated: [], ended: [] };
  const latest = new Map<string, Incident>();
  const sink: IncidentSink = {
    opened: (i) => {
      recorded.opened.push(i);
      latest.set(i.id, i);
    },
    updated: (i) => latest.set(i.id, i),
    ended: (i) => latest.set(i.id, i),
  };
  const detector = new FlowDetector({ config, index: inventory(), sink });
  const datagrams = exportAs === 'sflow' ? toSflowDatagrams(flows, 1000, 7) : toNetflowV9Datagrams(flows, BOOT);
  for (const batch of decodeToBatches(datagrams)) detector.process(batch);
  const end = Math.max(...flows.map((f) => f.endMs));
  for (let t = end; t <= end + 3000; t += 100) detector.tick(t);
  detector.flood.flush(end + 3000);
  return { opened: recorded.opened, latest, detector };
}

function randomPorts(seed: number) {
  const r = prng(seed);
  return () => 1024 + Math.floor(r() * 64_000);
}

// --- attacks ---------------------------------------------------------------

/** The seed's example: 135,000 packets/s of UDP from one server to one target, ~135 flows/s. */
function udpFloodOut(): SyntheticFlow[] {
  const port = randomPorts(1);
  const flows: SyntheticFlow[] = [];
  for (let s = 0; s < 10; s++) {
    for (let f = 0; f < 135; f++) {
      const startMs = T0 + s * 1000 + f * 7;
      flows.push({ startMs, endMs: startMs + 990 - f * 7, src: '203.0.113.10', dst: '198.51.100.7', protocol: 17, srcPort: 55008 + f, dstPort: port(), tcpFlags: 0, packets: 1000, packetSize: 150 });
    }
  }
  return flows;
}

/** 250,000 SYN/s from many spoofed sources to one web server. */
function synFloodIn(): SyntheticFlow[] {
  const r = prng(2);
  const flows: SyntheticFlow[] = [];
  for (let s = 0; s < 8; s++) {
    for (let f = 0; f < 250; f++) {
      const startMs = T0 + s * 1000 + f * 3;
      const src = `198.51.100.${1 + Math.floor(r() * 250)}`;
      flows.push({ startMs, endMs: startMs + 900, src, dst: '203.0.113.20', protocol: 6, srcPort: 1024 + Math.floor(r() * 60000), dstPort: 80, tcpFlags: 0x02, packets: 1000, packetSize: 60 });
    }
  }
  return flows;
}

/** One SYN to port 22 on every address of a /16 (198.18.0.0/15 is reserved for testing, RFC 2544), ~4,400 probes/s. */
function portSweep(): SyntheticFlow[] {
  const flows: SyntheticFlow[] = [];
  for (let i = 0; i < 65536; i++) {
    const t = T0 + Math.floor(i / 4.4);
    flows.push({ startMs: t, endMs: t, src: '203.0.113.30', dst: `198.18.${i >> 8}.${i & 255}`, protocol: 6, srcPort: 40000 + (i % 20000), dstPort: 22, tcpFlags: 0x02, packets: 1, packetSize: 60 });
  }
  return flows;
}

/** SYNs to ports 1..n of one address (n = 1,000; sampled 1:1000 that is one packet, so sFlow gets a full 65,535-port scan). */
function verticalScan(ports: number): SyntheticFlow[] {
  const flows: SyntheticFlow[] = [];
  for (let p = 1; p <= ports; p++) {
    const t = T0 + Math.floor(p / 5);
    flows.push({ startMs: t, endMs: t, src: '203.0.113.31', dst: '198.51.100.50', protocol: 6, srcPort: 51515, dstPort: p, tcpFlags: 0x02, packets: 1, packetSize: 60 });
  }
  return flows;
}

/** A server that first uses its own address, then sends from 203.0.113.99, assigned to nobody. */
function unassignedSource(): SyntheticFlow[] {
  const base = { protocol: 17, srcPort: 40000, dstPort: 443, tcpFlags: 0, packetSize: 800, srcMac: SCANNER_MAC };
  return [
    ...steadyStream({ ...base, startMs: T0, seconds: 5, packetsPerSecond: 4000, src: '203.0.113.40', dst: '198.51.100.9' }),
    ...steadyStream({ ...base, startMs: T0 + 5000, seconds: 5, packetsPerSecond: 4000, src: '203.0.113.99', dst: '198.51.100.9' }),
  ];
}

/** A server sending with another customer's address (that server's own traffic uses its own MAC). */
function anotherCustomersSource(): SyntheticFlow[] {
  const base = { protocol: 17, srcPort: 40000, dstPort: 443, tcpFlags: 0, packetSize: 800 };
  return [
    ...steadyStream({ ...base, startMs: T0, seconds: 5, packetsPerSecond: 4000, src: '203.0.113.40', dst: '198.51.100.9', srcMac: SCANNER_MAC }),
    ...steadyStream({ ...base, startMs: T0, seconds: 5, packetsPerSecond: 4000, src: '203.0.113.20', dst: '198.51.100.9', srcMac: '02:00:00:00:00:20' }),
    ...steadyStream({ ...base, startMs: T0 + 5000, seconds: 5, packetsPerSecond: 4000, src: '203.0.113.20', dst: '198.51.100.10', srcMac: SCANNER_MAC }),
  ];
}

/** Two servers behind one routed link: the same MAC for both is shared, not spoofing. */
function sharedRouterMac(): SyntheticFlow[] {
  const base = { protocol: 17, srcPort: 40000, dstPort: 443, tcpFlags: 0, packetSize: 800, srcMac: '02:00:00:00:00:aa' };
  return [
    ...steadyStream({ ...base, startMs: T0, seconds: 5, packetsPerSecond: 4000, src: '203.0.113.40', dst: '198.51.100.9' }),
    ...steadyStream({ ...base, startMs: T0 + 5000, seconds: 5, packetsPerSecond: 4000, src: '203.0.113.20', dst: '198.51.100.9' }),
  ];
}

// --- benign ----------------------------------------------------------------

function clients(count: number, seed: number): string[] {
  const r = prng(seed);
  return Array.from({ length: count }, () => `198.51.100.${1 + Math.floor(r() * 254)}`).concat(
    Array.from({ length: count }, (_, i) => `192.0.2.${(i % 254) + 1}`),
  );
}

/** A recursive resolver asking 2x2,000 authoritative servers on port 53, and their answers. */
function recursiveResolver(): SyntheticFlow[] {
  const servers = clients(2000, 11);
  const port = randomPorts(12);
  const flows: SyntheticFlow[] = [];
  for (let s = 0; s < 5; s++) {
    for (const [i, ns] of servers.entries()) {
      const t = T0 + s * 1000 + (i % 900);
      const p = port();
      flows.push({ startMs: t, endMs: t, src: '203.0.113.53', dst: ns, protocol: 17, srcPort: p, dstPort: 53, tcpFlags: 0, packets: 3, packetSize: 90 });
      flows.push({ startMs: t, endMs: t + 20, src: ns, dst: '203.0.113.53', protocol: 17, srcPort: 53, dstPort: p, tcpFlags: 0, packets: 3, packetSize: 300 });
    }
  }
  return flows;
}

/** Answers from port 53 to 2x2,000 clients, 20,000 packets/s. */
function dnsResolver(): SyntheticFlow[] {
  const cs = clients(2000, 3);
  const port = randomPorts(4);
  const flows: SyntheticFlow[] = [];
  for (let s = 0; s < 5; s++) {
    for (const [i, c] of cs.entries()) {
      const t = T0 + s * 1000 + (i % 900);
      flows.push({ startMs: t, endMs: t + 50, src: '203.0.113.53', dst: c, protocol: 17, srcPort: 53, dstPort: port(), tcpFlags: 0, packets: 5, packetSize: 180 });
      flows.push({ startMs: t, endMs: t + 50, src: c, dst: '203.0.113.53', protocol: 17, srcPort: port(), dstPort: 53, tcpFlags: 0, packets: 5, packetSize: 80 });
    }
  }
  return flows;
}

/** A web server answering 4,000 clients from port 443: 60,000 packets/s out. */
function webServer(): SyntheticFlow[] {
  const cs = clients(2000, 5);
  const port = randomPorts(6);
  const flows: SyntheticFlow[] = [];
  for (let s = 0; s < 5; s++) {
    for (const [i, c] of cs.entries()) {
      const t = T0 + s * 1000 + (i % 900);
      flows.push({ startMs: t, endMs: t + 99, src: '203.0.113.80', dst: c, protocol: 6, srcPort: 443, dstPort: port(), tcpFlags: 0x18, packets: 15, packetSize: 1400 });
      flows.push({ startMs: t, endMs: t + 99, src: c, dst: '203.0.113.80', protocol: 6, srcPort: port(), dstPort: 443, tcpFlags: 0x1a, packets: 10, packetSize: 60 });
    }
  }
  return flows;
}

/** A mail server delivering to 400 distinct MX hosts a minute: complete SMTP sessions. */
function mailServer(): SyntheticFlow[] {
  const r = prng(8);
  const flows: SyntheticFlow[] = [];
  for (let i = 0; i < 400; i++) {
    const t = T0 + i * 150;
    const mx = `198.51.100.${1 + (i % 254)}`;
    flows.push({ startMs: t, endMs: t + 800, src: '203.0.113.25', dst: i < 254 ? mx : `192.0.2.${i - 253}`, protocol: 6, srcPort: 30000 + Math.floor(r() * 30000), dstPort: 25, tcpFlags: 0x1b, packets: 20, packetSize: 600 });
  }
  return flows;
}

/** The provider's monitoring host (allowlisted host group) checking 2,000 hosts by ping and SYN. */
function monitoringHost(): SyntheticFlow[] {
  const flows: SyntheticFlow[] = [];
  for (let i = 0; i < 2000; i++) {
    const t = T0 + i * 5;
    const dst = `198.18.${i >> 8}.${i & 255}`;
    flows.push({ startMs: t, endMs: t, src: '203.0.113.200', dst, protocol: 1, srcPort: 0, dstPort: 8 << 8, tcpFlags: 0, packets: 1, packetSize: 98 });
    flows.push({ startMs: t, endMs: t, src: '203.0.113.200', dst, protocol: 6, srcPort: 40000 + i, dstPort: 443, tcpFlags: 0x02, packets: 1, packetSize: 60 });
  }
  return flows;
}

/** An NTP server answering 4,000 clients from port 123 (clients using port 123 too). */
function ntpServer(): SyntheticFlow[] {
  const cs = clients(2000, 9);
  const flows: SyntheticFlow[] = [];
  for (let s = 0; s < 5; s++) {
    for (const [i, c] of cs.entries()) {
      const t = T0 + s * 1000 + (i % 900);
      flows.push({ startMs: t, endMs: t, src: '203.0.113.123', dst: c, protocol: 17, srcPort: 123, dstPort: i % 2 === 0 ? 123 : 40000 + i, tcpFlags: 0, packets: 2, packetSize: 90 });
    }
  }
  return flows;
}

/** A CDN node (IPv6) fanning out to 6,000 clients: 80,000 packets/s, under the limit. */
function cdnServer(): SyntheticFlow[] {
  const port = randomPorts(10);
  const flows: SyntheticFlow[] = [];
  for (let s = 0; s < 5; s++) {
    for (let i = 0; i < 6000; i++) {
      const t = T0 + s * 1000 + (i % 950);
      const client = `2001:db8:c1:${(i >> 8).toString(16)}::${(i & 255).toString(16)}`;
      flows.push({ startMs: t, endMs: t + 49, src: '2001:db8:90::443', dst: client, protocol: 6, srcPort: 443, dstPort: port(), tcpFlags: 0x18, packets: 13, packetSize: 1400 });
    }
  }
  return flows;
}

const within = (actual: number, expected: number, tolerance: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) <= expected * tolerance, `${what}: ${actual} not within ${tolerance * 100}% of ${expected}`);

describe('long NetFlow records (active timeout 60 s)', () => {
  it('a steady 20,000 packets/s flow exported as one 60 s record is not a burst over the limit', () => {
    const flows: SyntheticFlow[] = [{ startMs: T0, endMs: T0 + 59_999, src: '203.0.113.80', dst: '198.51.100.3', protocol: 6, srcPort: 443, dstPort: 50000, tcpFlags: 0x18, packets: 1_200_000, packetSize: 1400 }];
    const { opened } = run(flows, 'netflow');
    assert.deepEqual(opened, []);
  });

  it('a flood exported in 3 s records is detected at its real rate, with its peer in the summary', () => {
    const flows: SyntheticFlow[] = [];
    for (let s = 0; s < 4; s++) {
      flows.push({ startMs: T0 + s * 3000, endMs: T0 + s * 3000 + 2999, src: '203.0.113.10', dst: '198.51.100.7', protocol: 17, srcPort: 55008, dstPort: 29615, tcpFlags: 0, packets: 3 * 150_000, packetSize: 150 });
    }
    const { opened, latest } = run(flows, 'netflow');
    assert.deepEqual(
      opened.map((i) => [i.kind, i.direction, i.serverId]),
      [['flood', 'out', 'S-FLOOD']],
    );
    const incident = latest.get(opened[0].id)!;
    within(incident.peak.packetsPerSecond, 150_000, 0.05, 'peak packets/s of a spread record');
    assert.equal(incident.summary!.externals[0].address, '198.51.100.7');
    assert.equal(incident.address, '203.0.113.10');
  });
});

describe('a second flood of a server still watched', () => {
  it('opens a second incident whose totals cover only its own traffic', () => {
    const stream = { src: '203.0.113.10', dst: '198.51.100.7', protocol: 17, srcPort: 55008, dstPort: 29615, tcpFlags: 0, packetSize: 150 };
    const flows = [
      ...steadyStream({ ...stream, startMs: T0, seconds: 4, packetsPerSecond: 150_000 }),
      // Below the 100,000 packets/s threshold for 65 s (the incident ends after 60 s), but
      // above the watch level, so the server stays watched in between.
      ...steadyStream({ ...stream, startMs: T0 + 4000, seconds: 65, packetsPerSecond: 50_000 }),
      ...steadyStream({ ...stream, startMs: T0 + 69_000, seconds: 3, packetsPerSecond: 150_000 }),
    ];
    const { opened, latest } = run(flows, 'netflow');
    assert.deepEqual(
      opened.map((i) => [i.kind, i.direction, i.serverId]),
      [
        ['flood', 'out', 'S-FLOOD'],
        ['flood', 'out', 'S-FLOOD'],
      ],
    );
    const [first, second] = opened.map((i) => latest.get(i.id)!);
    assert.equal(first.status, 'ended');
    // The first incident's totals include the 50,000 packets/s that followed until it ended.
    assert.ok(first.totals.packets > 4 * 150_000, `first incident: ${first.totals.packets} packets`);
    assert.ok(second.totals.packets > 0 && second.totals.packets <= 3 * 150_000, `second incident: ${second.totals.packets} packets`);
  });
});

for (const exportAs of ['sflow', 'netflow'] as const) {
  const sampled = exportAs === 'sflow';
  describe(`detection scenarios over ${sampled ? 'sFlow 1:1000' : 'NetFlow v9 unsampled'}`, () => {
    it('an outbound UDP flood of 135,000 packets/s opens one outbound flood incident', () => {
      const { opened, latest } = run(udpFloodOut(), exportAs);
      assert.deepEqual(
        opened.map((i) => [i.kind, i.direction, i.serverId]),
        [['flood', 'out', 'S-FLOOD']],
      );
      const incident = latest.get(opened[0].id)!;
      within(incident.peak.packetsPerSecond, 135_000, sampled ? 0.15 : 0.03, 'peak packets/s');
      within(incident.peak.bitsPerSecond, 135_000 * 150 * 8 * (sampled ? 154 / 150 : 1), sampled ? 0.15 : 0.03, 'peak bits/s');
      assert.deepEqual(incident.exceeded.map((e) => e.metric), ['packetsPerSecond']);
      assert.equal(incident.address, '203.0.113.10');
      const summary = incident.summary!;
      assert.equal(summary.externals[0].address, '198.51.100.7');
      within(summary.sum.packets, 1_350_000, sampled ? 0.1 : 0.001, 'summary packets');
      if (sampled) assert.ok(incident.samples.length > 50, `sampled headers kept (${incident.samples.length})`);
    });

    it('an inbound SYN flood opens one inbound flood incident on the victim', () => {
      const { opened, latest } = run(synFloodIn(), exportAs);
      assert.deepEqual(
        opened.map((i) => [i.kind, i.direction, i.serverId]),
        [['flood', 'in', 'S-VICTIM']],
      );
      const incident = latest.get(opened[0].id)!;
      within(incident.peak.synPerSecond, 250_000, sampled ? 0.15 : 0.03, 'peak SYN/s');
      assert.ok(incident.exceeded.some((e) => e.metric === 'synPerSecond'));
      assert.ok(incident.summary!.externals.length > 100, 'many spoofed sources listed');
    });

    it('a sweep of port 22 across a /16 opens one horizontal netscan incident', () => {
      const { opened, latest } = run(portSweep(), exportAs);
      assert.deepEqual(
        opened.map((i) => [i.kind, i.direction, i.serverId]),
        [['netscan', 'out', 'S-SCAN']],
      );
      const scan = latest.get(opened[0].id)!.netscan!;
      assert.equal(scan.type, 'horizontal');
      assert.equal(scan.port, 22);
      assert.ok(scan.distinctTargets >= 100);
      assert.ok(scan.attempts.every((a) => a.dstPort === 22 && a.srcAddr === '203.0.113.30' && a.dstAddr.startsWith('198.18.')));
      if (!sampled) assert.equal(scan.attempts.length, 10_000, 'attempts kept up to the evidence cap');
      else assert.ok(scan.attempts.length >= 50, `sampled attempts kept (${scan.attempts.length})`);
    });

    it(`a vertical scan of ${sampled ? '65,535' : '1,000'} ports opens one vertical netscan incident`, () => {
      const { opened, latest } = run(verticalScan(sampled ? 65_535 : 1000), exportAs);
      assert.deepEqual(
        opened.map((i) => [i.kind, i.direction, i.serverId]),
        [['netscan', 'out', 'S-VSCAN']],
      );
      const scan = latest.get(opened[0].id)!.netscan!;
      assert.equal(scan.type, 'vertical');
      assert.equal(scan.target, '198.51.100.50');
      if (!sampled) assert.equal(scan.attempts.length, 1000);
    });

    it('a server sending from an unassigned provider address opens one wrong-source incident', () => {
      const { opened, latest } = run(unassignedSource(), exportAs);
      assert.deepEqual(
        opened.map((i) => [i.kind, i.direction, i.serverId]),
        [['wrong_source_address', 'out', 'S-SPOOF']],
      );
      const evidence = latest.get(opened[0].id)!.sourceAddress!;
      assert.equal(evidence.addresses[0].address, '203.0.113.99');
      assert.equal(evidence.addresses[0].assignedTo, null);
      assert.equal(evidence.mac, SCANNER_MAC);
    });

    it("a server sending with another customer's address opens one wrong-source incident naming the owner", () => {
      const { opened, latest } = run(anotherCustomersSource(), exportAs);
      assert.deepEqual(
        opened.map((i) => [i.kind, i.direction, i.serverId]),
        [['wrong_source_address', 'out', 'S-SPOOF']],
      );
      const evidence = latest.get(opened[0].id)!.sourceAddress!;
      assert.deepEqual(
        evidence.addresses.map((a) => [a.address, a.assignedTo]),
        [['203.0.113.20', 'S-VICTIM']],
      );
    });

    for (const [name, make] of [
      ['two servers behind one routed link (a shared MAC)', sharedRouterMac],
      ['a busy DNS server answering from port 53', dnsResolver],
      ['a recursive resolver asking many name servers', recursiveResolver],
      ['a web server answering many clients', webServer],
      ['a mail server delivering to many MX hosts', mailServer],
      ['an allowlisted monitoring host', monitoringHost],
      ['an NTP server', ntpServer],
      ['a CDN-like server fanning out to many clients', cdnServer],
    ] as const) {
      it(`${name} opens no incident`, () => {
        const { opened, detector } = run(make(), exportAs);
        assert.deepEqual(opened, []);
        assert.ok(detector.stats.attributedOut > 0, 'the traffic was seen and attributed');
      });
    }
  });
}
