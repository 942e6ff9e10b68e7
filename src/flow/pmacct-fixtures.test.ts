/**
 * Conformance on exports from a real exporter: pmacct's pmacctd exported one bounded burst
 * of traffic as NetFlow v5, NetFlow v9, IPFIX and sFlow v5 at once
 * (testdata/pmacct/make-fixtures.sh; testdata/pmacct/README.md says what is inside).
 *
 * Three checks per fixture: every decoded record equals tshark's decode of the same file
 * field by field; the traffic the script generated is there with the right counters; and
 * the four exports, which watched the same packets, agree with each other.
 *
 * tshark reports raw wire values; the normalization rules (flow end time to epoch
 * milliseconds, ICMP type/code in the destination port, sFlow bytes = frame length x
 * rate, the sFlow "internal" interface 0x3fffffff as 0) are applied to its output here,
 * independently of the decoders' code.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { collectField } from '../../test/helpers/tshark.ts';
import { type FlowRecordSnapshot, formatAddress, snapshotFlow } from './flow-record.ts';
import { createNetflowDecoder, type NetflowDecoderStats } from './netflow/netflow-decoder.ts';
import { readPcapUdpDatagrams } from './pcap/pcap-reader.ts';
import { createSflowDecoder, type SflowDecoderStats } from './sflow/sflow-decoder.ts';

const FIXTURES = join(import.meta.dirname, 'testdata', 'pmacct');
/** make-fixtures.sh exports to these non-standard ports, so tshark must be told the protocol. */
const PORTS = { 'netflow-v5': 9905, 'netflow-v9': 9909, ipfix: 9910, sflow: 9943 } as const;
type Fixture = keyof typeof PORTS;
/** ifIndex of pmacctd's capture interface (the first link created in a fresh namespace). */
const CAPTURE_IFINDEX = 2;
const HOST_A = '192.0.2.1';
const HOST_B = '192.0.2.2';
const HOST_A6 = '2001:db8::1';
const HOST_B6 = '2001:db8::2';
/** The trailing datagrams make-fixtures.sh sends to B's discard port. */
const FLUSH = { srcAddr: HOST_A, dstAddr: HOST_B, protocol: 17, srcPort: 40009, dstPort: 9 };
const SYN = 0x02;
const RST = 0x04;
const ACK = 0x10;
const FIN = 0x01;

type Tree = Record<string, unknown>;

/**
 * tshark -T json with --no-duplicate-keys: a v9/IPFIX datagram has several "Flow 1" keys
 * (one per set) and plain JSON.parse would keep only the last. (test/helpers/tshark.ts has
 * no switch for it.)
 */
function tsharkPackets(fixture: Fixture): Tree[] {
  const protocol = fixture === 'sflow' ? 'sflow' : 'cflow';
  const args = ['-r', join(FIXTURES, `${fixture}.pcap`), '-T', 'json', '-n', '--no-duplicate-keys'];
  args.push('-d', `udp.port==${PORTS[fixture]},${protocol}`);
  const out = execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
  return (JSON.parse(out) as Array<{ _source: { layers: Tree } }>).map((p) => p._source.layers);
}

function obj(value: unknown): Tree | undefined {
  if (Array.isArray(value)) return obj(value[0]);
  return value !== null && typeof value === 'object' ? (value as Tree) : undefined;
}

function str(tree: Tree | undefined, key: string): string {
  const value = tree?.[key];
  assert.equal(typeof value, 'string', `tshark field ${key} missing`);
  return value as string;
}

/** Decimal or 0x-hex tshark value. */
function num(tree: Tree | undefined, key: string): number {
  const text = str(tree, key);
  return text.startsWith('0x') ? Number.parseInt(text, 16) : Number(text);
}

/** "1.977000000" seconds (uptimes, epoch times) to milliseconds. */
function secondsToMs(text: string): number {
  const [seconds, fraction = '0'] = text.split('.');
  return Number(seconds) * 1000 + Number(fraction.padEnd(9, '0')) / 1e6;
}

/** tshark prints absolute times as "Nov 21, 2026 06:09:16.410000000 UTC". */
function absoluteMs(text: string): number {
  const m = /^(.*\d\d:\d\d:\d\d)\.(\d{9}) UTC$/.exec(text);
  assert.ok(m, `unexpected tshark time ${text}`);
  return Date.parse(`${m[1]} UTC`) + Number(m[2]) / 1e6;
}

// --- what tshark says the decoders must emit ---------------------------------------------

/** NetFlow v5 / v9 / IPFIX records of one capture, in wire order. */
function expectedNetflow(packets: Tree[]): FlowRecordSnapshot[] {
  const flows: FlowRecordSnapshot[] = [];
  for (const layers of packets) {
    const cflow = obj(layers.cflow);
    assert.ok(cflow, 'tshark found no cflow layer');
    const exporter = str(obj(layers.ip), 'ip.src');
    const version = num(cflow, 'cflow.version');
    const stamp = obj(cflow['cflow.timestamp_tree']);
    const records: Tree[] = [];
    let domain: number;
    let toEpochMs: (uptimeText: string) => number = () => Number.NaN;
    let rate = 1;
    if (version === 5) {
      domain = (num(cflow, 'cflow.engine_type') << 8) | num(cflow, 'cflow.engine_id');
      const exportMs = num(stamp, 'cflow.unix_secs') * 1000 + Math.floor(num(stamp, 'cflow.unix_nsecs') / 1e6);
      const uptimeMs = secondsToMs(str(cflow, 'cflow.sysuptime'));
      toEpochMs = (uptimeText) => exportMs - uptimeMs + secondsToMs(uptimeText);
      rate = num(cflow, 'cflow.samplerate') || 1;
      for (const [key, value] of Object.entries(cflow)) if (/^pdu \d+\/\d+$/.test(key)) records.push(value as Tree);
    } else {
      domain = num(cflow, version === 9 ? 'cflow.source_id' : 'cflow.od_id');
      for (const [key, set] of Object.entries(cflow)) {
        if (!/^(Flow)?Set \d+/.test(key)) continue;
        for (const [inner, record] of Object.entries(set as Tree)) if (/^Flow \d+$/.test(inner)) records.push(record as Tree);
      }
    }
    for (const r of records) {
      const times = obj(r['cflow.timedelta_tree']);
      const v6 = r['cflow.srcaddrv6'] !== undefined;
      const protocol = num(r, 'cflow.protocol');
      const icmpKey = protocol === 58 ? 'cflow.icmp_type_code_ipv6' : 'cflow.icmp_type_code_ipv4';
      const icmp = r[icmpKey] === undefined ? 0 : num(r, icmpKey);
      flows.push({
        timeMs: version === 5 ? toEpochMs(str(times, 'cflow.timeend')) : absoluteMs(str(times, 'cflow.abstimeend')),
        exporter,
        observationDomain: domain,
        inputInterface: num(r, 'cflow.inputint'),
        outputInterface: num(r, 'cflow.outputint'),
        ipVersion: v6 ? 6 : 4,
        srcAddr: str(r, v6 ? 'cflow.srcaddrv6' : 'cflow.srcaddr'),
        dstAddr: str(r, v6 ? 'cflow.dstaddrv6' : 'cflow.dstaddr'),
        srcPort: num(r, 'cflow.srcport'),
        dstPort: (protocol === 1 || protocol === 58) && icmp !== 0 ? icmp : num(r, 'cflow.dstport'),
        protocol,
        tcpFlags: num(r, 'cflow.tcpflags'),
        fragment: false,
        packets: num(r, 'cflow.packets') * rate,
        bytes: num(r, 'cflow.octets') * rate,
        samplingRate: rate,
        srcMac: mac(r, 'cflow.srcmac', 'cflow.post_srcmac'),
        dstMac: mac(r, 'cflow.dstmac', 'cflow.post_dstmac'),
        vlan: r['cflow.vlanid'] === undefined ? 0 : num(r, 'cflow.vlanid'),
        frameLength: 0,
        header: null,
      });
    }
  }
  return flows;
}

/**
 * A MAC address of a v9/IPFIX record: the pre-forwarding element, else the post-forwarding
 * one (pmacct exports egress flows with OUT_SRC_MAC 81 / OUT_DST_MAC 57 instead of 56 / 80).
 */
function mac(record: Tree, key: string, postKey: string): string {
  if (record[key] !== undefined) return str(record, key);
  return record[postKey] === undefined ? '' : str(record, postKey);
}

/** sFlow interface rule: only format 0 is an ifIndex, and 0x3fffffff means "the agent itself". */
function sflowInterface(value: number): number {
  return value >>> 30 === 0 && value !== 0x3fffffff ? value : 0;
}

/** The sFlow flow samples of one datagram (pmacct's carry an Ethernet raw header each). */
function expectedSflow(layers: Tree): FlowRecordSnapshot[] {
  const sflow = obj(layers.sflow);
  assert.ok(sflow, 'tshark found no sflow layer');
  const samples: Tree[] = [];
  for (const [key, value] of Object.entries(sflow)) {
    if (key.startsWith('Flow sample')) samples.push(value as Tree);
  }
  return samples.map((sample) => {
    const rate = num(sample, 'sflow.flow_sample.sampling_rate');
    const raw = obj(sample['Raw packet header']);
    assert.ok(raw, 'every pmacct flow sample carries a raw packet header');
    const tree = obj(raw['sflow_245.header_tree']) ?? {};
    const eth = obj(tree.eth);
    const ip4 = obj(tree.ip);
    const ip6 = obj(tree.ipv6);
    const tcp = obj(tree.tcp);
    const udp = obj(tree.udp);
    let srcPort = 0;
    let dstPort = 0;
    let tcpFlags = 0;
    // The upper-layer protocol, past IPv6 extension headers (MLD reports sit behind hop-by-hop).
    let protocol = ip4 ? num(ip4, 'ip.proto') : ip6 ? num(ip6, 'ipv6.nxt') : 0;
    if (tcp) {
      [protocol, srcPort, dstPort] = [6, num(tcp, 'tcp.srcport'), num(tcp, 'tcp.dstport')];
      tcpFlags = num(tcp, 'tcp.flags') & 0xff;
    } else if (udp) {
      [protocol, srcPort, dstPort] = [17, num(udp, 'udp.srcport'), num(udp, 'udp.dstport')];
    } else if (tree.icmp !== undefined) {
      const icmp = obj(tree.icmp);
      [protocol, dstPort] = [1, (num(icmp, 'icmp.type') << 8) | num(icmp, 'icmp.code')];
    } else if (tree.icmpv6 !== undefined) {
      const icmp = obj(tree.icmpv6);
      [protocol, dstPort] = [58, (num(icmp, 'icmpv6.type') << 8) | num(icmp, 'icmpv6.code')];
    }
    const frameLength = num(raw, 'sflow_245.header.frame_length');
    const sw = obj(sample['Extended switch data']);
    const vlanIn = sw ? num(sw, 'sflow_245.vlan.in') : 0;
    return {
      timeMs: secondsToMs(str(obj(layers.frame), 'frame.time_epoch')),
      exporter: str(obj(layers.ip), 'ip.src'),
      observationDomain: num(sflow, 'sflow_245.sub_agent_id'),
      inputInterface: sflowInterface(num(sample, 'sflow.flow_sample.input_interface')),
      outputInterface: sflowInterface(num(sample, 'sflow.flow_sample.output_interface')),
      ipVersion: ip4 ? 4 : ip6 ? 6 : 0,
      srcAddr: ip4 ? str(ip4, 'ip.src') : ip6 ? str(ip6, 'ipv6.src') : '',
      dstAddr: ip4 ? str(ip4, 'ip.dst') : ip6 ? str(ip6, 'ipv6.dst') : '',
      srcPort,
      dstPort,
      protocol,
      tcpFlags,
      fragment: ip4 ? str(obj(ip4['ip.flags_tree']), 'ip.flags.mf') === '1' || str(ip4, 'ip.frag_offset') !== '0' : false,
      packets: rate,
      bytes: frameLength * rate,
      samplingRate: rate,
      srcMac: eth ? str(eth, 'eth.src') : '',
      dstMac: eth ? str(eth, 'eth.dst') : '',
      vlan: vlanIn > 0 && vlanIn < 4096 ? vlanIn : 0,
      frameLength,
      // tshark's bytes include the XDR padding after the header; the length field does not.
      header: str(raw, 'sflow_245.header')
        .replaceAll(':', '')
        .slice(0, num(raw, 'sflow_245.header.sampled_header_length') * 2),
    };
  });
}

// --- decoding through Netwarden ---------------------------------------------------------

interface Decoded {
  flows: FlowRecordSnapshot[];
  /** Flows per datagram, in capture order. */
  perDatagram: number[];
}

function decodeNetflow(fixture: Fixture): Decoded & { stats: NetflowDecoderStats } {
  const decoder = createNetflowDecoder();
  const flows: FlowRecordSnapshot[] = [];
  const perDatagram: number[] = [];
  for (const d of readPcapUdpDatagrams(readFileSync(join(FIXTURES, `${fixture}.pcap`)))) {
    const before = flows.length;
    const emitted = decoder.decode(d.payload, d.srcAddress, d.timeMs, (flow) => flows.push(snapshotFlow(flow)));
    assert.equal(emitted, flows.length - before, 'decode() returns the number of flows it emitted');
    perDatagram.push(emitted);
  }
  return { flows, perDatagram, stats: decoder.stats() };
}

function decodeSflow(): Decoded & { stats: SflowDecoderStats; agents: string[]; errors: string[] } {
  const errors: string[] = [];
  const decoder = createSflowDecoder({ onError: (reason, detail) => errors.push(`${reason}: ${detail}`) });
  const flows: FlowRecordSnapshot[] = [];
  const perDatagram: number[] = [];
  const agents: string[] = [];
  for (const d of readPcapUdpDatagrams(readFileSync(join(FIXTURES, 'sflow.pcap')))) {
    perDatagram.push(decoder.decode(d.payload, d.srcAddress, d.timeMs, (flow) => flows.push(snapshotFlow(flow))));
    agents.push(`${formatAddress(decoder.datagram.agentAddress, decoder.datagram.agentIpVersion)}/${decoder.datagram.subAgentId}`);
  }
  return { flows, perDatagram, stats: { ...decoder.stats, errors: { ...decoder.stats.errors } }, agents, errors };
}

const NETFLOW_FIXTURES = ['netflow-v5', 'netflow-v9', 'ipfix'] as const;
const netflow = Object.fromEntries(NETFLOW_FIXTURES.map((f) => [f, decodeNetflow(f)])) as Record<
  (typeof NETFLOW_FIXTURES)[number],
  ReturnType<typeof decodeNetflow>
>;
const sflow = decodeSflow();

// --- 1. field by field against tshark ---------------------------------------------------

describe('pmacct exports: every record matches tshark field by field', () => {
  const counts = { 'netflow-v5': 11, 'netflow-v9': 23, ipfix: 23 };
  for (const fixture of NETFLOW_FIXTURES) {
    it(`${fixture}.pcap`, () => {
      const packets = tsharkPackets(fixture);
      const { flows, perDatagram, stats } = netflow[fixture];
      assert.equal(perDatagram.length, packets.length, 'one export datagram per frame');
      assert.equal(flows.length, counts[fixture]);
      assert.deepEqual(flows, expectedNetflow(packets));
      assert.ok(Object.values(stats.errors).every((n) => n === 0), `no decode errors: ${JSON.stringify(stats.errors)}`);
      if (fixture !== 'netflow-v5') {
        // Every template tshark saw is cached, and no data set waited for one.
        const templateIds = new Set(collectField(packets, 'cflow.template_id'));
        assert.ok(templateIds.size > 0);
        assert.equal(stats.templates.templates, templateIds.size);
        assert.equal(stats.templates.pendingSets, 0);
      }
    });
  }

  it('sflow.pcap', () => {
    const packets = tsharkPackets('sflow');
    const { flows, perDatagram, stats, agents, errors } = sflow;
    assert.equal(perDatagram.length, packets.length, 'one sflow datagram per frame');
    assert.equal(flows.length, 44);
    assert.deepEqual(flows, packets.flatMap(expectedSflow));
    assert.deepEqual(
      agents,
      packets.map((l) => `${str(obj(l.sflow), 'sflow_245.agent')}/${str(obj(l.sflow), 'sflow_245.sub_agent_id')}`),
    );
    assert.deepEqual(errors, []);
    const sampleTypes = collectField(packets, 'sflow_245.sampletype');
    assert.equal(stats.flowSamples, sampleTypes.filter((t) => t === '1' || t === '3').length);
    // pmacct also sent one counters sample (generic interface counters); counted, no flow.
    assert.equal(stats.counterSamples, sampleTypes.filter((t) => t === '2' || t === '4').length);
    assert.ok(stats.counterSamples > 0);
    // pmacct adds a record of its own to every sample (enterprise 10, 16 bytes: the 64-bit
    // pre-tag and tag2 values), which tshark cannot name; the decoder skips it by length.
    assert.equal(stats.skippedRecords, collectField(packets, 'Unknown enterprise format').length);
  });
});

// --- 2. the traffic make-fixtures.sh generated -----------------------------------------

interface Totals {
  packets: number;
  bytes: number;
  tcpFlags: number;
}

function key(f: Pick<FlowRecordSnapshot, 'srcAddr' | 'dstAddr' | 'protocol' | 'srcPort' | 'dstPort'>): string {
  return `${f.srcAddr} ${f.srcPort} > ${f.dstAddr} ${f.dstPort} proto ${f.protocol}`;
}

/**
 * Adds up the flows (or sampled packets) of each 5-tuple and direction (the interface
 * pair): exporters split flows differently over time.
 */
function totals(flows: FlowRecordSnapshot[]): Map<string, Totals> {
  const out = new Map<string, Totals>();
  for (const f of flows) {
    if (f.ipVersion === 0) continue;
    const k = `${key(f)} if ${f.inputInterface}>${f.outputInterface}`;
    const t = out.get(k) ?? { packets: 0, bytes: 0, tcpFlags: 0 };
    t.packets += f.packets;
    t.bytes += f.bytes;
    t.tcpFlags |= f.tcpFlags;
    out.set(k, t);
  }
  return out;
}

/** The totals of one 5-tuple sent by A or B (so in one direction only); undefined when absent. */
function lookup(t: Map<string, Totals>, tuple: Parameters<typeof key>[0]): Totals | undefined {
  const found = [...t].filter(([k]) => k.startsWith(`${key(tuple)} if `));
  assert.ok(found.length <= 1, `${key(tuple)} seen in one direction only`);
  return found[0]?.[1];
}

function flowsOf(fixture: Fixture): FlowRecordSnapshot[] {
  return fixture === 'sflow' ? sflow.flows : netflow[fixture].flows;
}

/** Per-packet IP length in the NetFlow exports; sFlow reports whole frames (+14 Ethernet, +4 FCS). */
function ipBytes(fixture: Fixture, t: Totals): number {
  return fixture === 'sflow' ? t.bytes - 18 * t.packets : t.bytes;
}

describe('pmacct exports: the generated traffic is there', () => {
  const all: Fixture[] = ['netflow-v5', 'netflow-v9', 'ipfix', 'sflow'];
  for (const fixture of all) {
    const withV6 = fixture !== 'netflow-v5';
    it(`${fixture}.pcap: exporter, domain, sampling, addresses`, () => {
      const flows = flowsOf(fixture);
      const domain = { 'netflow-v5': (5 << 8) | 5, 'netflow-v9': 9, ipfix: 10, sflow: 7 }[fixture];
      for (const f of flows) {
        assert.equal(f.exporter, '127.0.0.1');
        assert.equal(f.observationDomain, domain);
        assert.equal(f.samplingRate, 1, 'pmacct exported every packet (sampling_rate 1, no nfprobe sampling)');
        assert.equal(f.vlan, 0);
        if (f.ipVersion === 4) assert.match(`${f.srcAddr} ${f.dstAddr}`, /^192\.0\.2\.[12] 192\.0\.2\.[12]$/);
        else assert.match(`${f.srcAddr} ${f.dstAddr}`, /^(2001:db8::[12]|fe80::ff:fe00:[ab]01|::) (2001:db8::[12]|ff02::\S+)$/);
      }
      assert.equal(flows.some((f) => f.ipVersion === 6), withV6, withV6 ? 'IPv6 flows exported' : 'NetFlow v5 carries IPv4 only');
    });

    it(`${fixture}.pcap: ICMP echo between ${HOST_A} and ${HOST_B}${withV6 ? ' and over IPv6' : ''}`, () => {
      const t = totals(flowsOf(fixture));
      const pairs: Array<[string, string, number, number, number]> = [
        [HOST_A, HOST_B, 1, 8 << 8, 0],
        [HOST_B, HOST_A, 1, 0, 0],
      ];
      if (withV6) pairs.push([HOST_A6, HOST_B6, 58, 128 << 8, 20], [HOST_B6, HOST_A6, 58, 129 << 8, 20]);
      for (const [srcAddr, dstAddr, protocol, dstPort, extra] of pairs) {
        const echo = lookup(t, { srcAddr, dstAddr, protocol, srcPort: 0, dstPort });
        assert.ok(echo, `${srcAddr} > ${dstAddr} echo`);
        assert.equal(echo.packets, 3, 'ping -c 3');
        // ping's 56 data bytes + 8 ICMP + 20 IPv4 (or 40 IPv6) header bytes.
        assert.equal(ipBytes(fixture, echo), 3 * (84 + extra));
      }
    });

    it(`${fixture}.pcap: TCP handshakes, to an open and to a closed port`, () => {
      const t = totals(flowsOf(fixture));
      const hosts: Array<[string, string, number]> = [[HOST_A, HOST_B, 40001]];
      if (withV6) hosts.push([HOST_A6, HOST_B6, 40002]);
      for (const [a, b, port] of hosts) {
        const open = lookup(t, { srcAddr: a, dstAddr: b, protocol: 6, srcPort: port, dstPort: 8080 });
        const openBack = lookup(t, { srcAddr: b, dstAddr: a, protocol: 6, srcPort: 8080, dstPort: port });
        assert.ok(open && openBack, `${a}:${port} <> ${b}:8080`);
        assert.equal(open.tcpFlags, SYN | ACK | FIN, 'connect, then close');
        assert.equal(openBack.tcpFlags, SYN | ACK | FIN, 'SYN-ACK, then FIN');
        const closed = lookup(t, { srcAddr: a, dstAddr: b, protocol: 6, srcPort: port + 2, dstPort: 8081 });
        const refused = lookup(t, { srcAddr: b, dstAddr: a, protocol: 6, srcPort: 8081, dstPort: port + 2 });
        assert.ok(closed && refused, `${a}:${port + 2} <> ${b}:8081`);
        assert.deepEqual([closed.packets, closed.tcpFlags], [1, SYN]);
        assert.deepEqual([refused.packets, refused.tcpFlags], [1, RST | ACK]);
      }
    });

    it(`${fixture}.pcap: UDP to a closed port, answered by ICMP port unreachable`, () => {
      const t = totals(flowsOf(fixture));
      const cases: Array<[string, string, number, number]> = [[HOST_A, HOST_B, 1, (3 << 8) | 3]];
      if (withV6) cases.push([HOST_A6, HOST_B6, 58, (1 << 8) | 4]);
      for (const [a, b, icmpProtocol, unreachable] of cases) {
        const probes = [...t].filter(([k]) => k.startsWith(`${a} `) && k.includes(` > ${b} 5353 proto 17 `));
        assert.equal(probes.length, 3, 'three datagrams from three source ports');
        // "probe-N\n": 8 bytes of payload, + 8 UDP + 20 IPv4 (or 40 IPv6) header bytes.
        for (const [, p] of probes) assert.deepEqual([p.packets, ipBytes(fixture, p)], [1, a === HOST_A ? 36 : 56]);
        const answers = lookup(t, { srcAddr: b, dstAddr: a, protocol: icmpProtocol, srcPort: 0, dstPort: unreachable });
        assert.ok(answers, `${b} > ${a} port unreachable`);
        assert.equal(answers.packets, 3);
      }
      // The three datagrams sent last, to B's discard port, so that sfprobe sends what it
      // holds. sFlow may still hold the samples of the final ones when pmacctd stops.
      const flush = lookup(t, FLUSH)?.packets ?? 0;
      if (fixture === 'sflow') assert.ok(flush >= 1 && flush <= 3, `sFlow saw ${flush} of the 3 flush datagrams`);
      else assert.equal(flush, 3);
    });

    it(`${fixture}.pcap: interfaces follow the direction pmacct was told`, () => {
      // Frames from B are inbound on A's interface, frames from A outbound (the pre-tag map).
      for (const f of flowsOf(fixture)) {
        if (f.srcAddr === HOST_B || f.srcAddr === HOST_B6) assert.deepEqual([f.inputInterface, f.outputInterface], [CAPTURE_IFINDEX, 0], key(f));
        if (f.srcAddr === HOST_A || f.srcAddr === HOST_A6) assert.deepEqual([f.inputInterface, f.outputInterface], [0, CAPTURE_IFINDEX], key(f));
      }
    });
  }

  it('NetFlow v9 and IPFIX carry the MAC addresses of the veth pair', () => {
    for (const fixture of ['netflow-v9', 'ipfix'] as const) {
      const echo = netflow[fixture].flows.find((f) => f.srcAddr === HOST_A && f.protocol === 1);
      assert.ok(echo);
      assert.deepEqual([echo.srcMac, echo.dstMac], ['02:00:00:00:0a:01', '02:00:00:00:0b:01']);
    }
  });
});

// --- 3. the four exports agree ----------------------------------------------------------

describe('pmacct exports: the four exporters saw the same packets', () => {
  const v9 = totals(netflow['netflow-v9'].flows);

  it('IPFIX equals NetFlow v9, 5-tuple by 5-tuple', () => {
    assert.deepEqual(totals(netflow.ipfix.flows), v9);
  });

  it('NetFlow v5 equals the IPv4 part of NetFlow v9', () => {
    const v4 = new Map([...v9].filter(([k]) => k.startsWith('192.0.2.')));
    assert.deepEqual(totals(netflow['netflow-v5'].flows), v4);
  });

  it('sFlow packet samples add up to the NetFlow v9 flows', () => {
    // All but the flush datagrams, whose last samples sfprobe may not have sent.
    const notFlush = (t: Map<string, Totals>) => new Map([...t].filter(([k]) => !k.startsWith(`${key(FLUSH)} `)));
    const sampled = notFlush(totals(sflow.flows));
    const flows = notFlush(v9);
    assert.deepEqual([...sampled.keys()].sort(), [...flows.keys()].sort());
    for (const [k, s] of sampled) {
      const n = flows.get(k);
      assert.ok(n);
      assert.deepEqual([s.packets, ipBytes('sflow', s), s.tcpFlags], [n.packets, n.bytes, n.tcpFlags], k);
    }
  });
});
