import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type FlowRecord, formatAddress, formatMac } from '../flow-record.ts';
import { readPcapUdpDatagrams } from '../pcap/pcap-reader.ts';
import { ethernet, gre, ipv4, ipv6, TCP_SYN, tcp, udp, vxlan } from '../packet/packet-builder.ts';
import { encodeSflowDatagram, type SflowFlowSampleSpec, type SflowSampleSpec } from './sflow-datagram-encoder.ts';
import type { SflowDecodeErrorReason } from './sflow-decode-errors.ts';
import { createSflowDecoder, type SflowDecoderOptions } from './sflow-decoder.ts';

const CAPTURES = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'captures');

/** Everything a flow carries, the raw header as its place in the datagram. */
function record(flow: FlowRecord) {
  return {
    timeMs: flow.timeMs,
    exporter: flow.exporter,
    observationDomain: flow.observationDomain,
    inputInterface: flow.inputInterface,
    outputInterface: flow.outputInterface,
    ipVersion: flow.ipVersion,
    srcAddr: formatAddress(flow.srcAddr, flow.ipVersion),
    dstAddr: formatAddress(flow.dstAddr, flow.ipVersion),
    srcAddr4: flow.srcAddr4,
    dstAddr4: flow.dstAddr4,
    srcPort: flow.srcPort,
    dstPort: flow.dstPort,
    protocol: flow.protocol,
    tcpFlags: flow.tcpFlags,
    fragment: flow.fragment,
    packets: flow.packets,
    bytes: flow.bytes,
    samplingRate: flow.samplingRate,
    srcMac: flow.srcMac,
    dstMac: flow.dstMac,
    vlan: flow.vlan,
    frameLength: flow.frameLength,
    headerOffset: flow.headerOffset,
    headerLength: flow.headerLength,
  };
}

type Decoded = ReturnType<typeof record>;

interface Run {
  flows: Decoded[];
  emitted: number;
  errors: Array<[SflowDecodeErrorReason, string]>;
  decoder: ReturnType<typeof createSflowDecoder>;
}

function run(datagram: Uint8Array, options: SflowDecoderOptions = {}): Run {
  const errors: Array<[SflowDecodeErrorReason, string]> = [];
  const decoder = createSflowDecoder({
    ...options,
    onError: (reason, detail, exporter) => {
      assert.equal(exporter, '192.0.2.254');
      errors.push([reason, detail]);
    },
  });
  const flows: Decoded[] = [];
  const emitted = decoder.decode(datagram, '192.0.2.254', 1_700_000_000_000, (flow) => flows.push(record(flow)));
  return { flows, emitted, errors, decoder };
}

describe('sFlow decoder on sflow-data-1140.pcap', () => {
  it('decodes the whole datagram to these five flows', () => {
    const [datagram] = [...readPcapUdpDatagrams(readFileSync(join(CAPTURES, 'sflow-data-1140.pcap')))];
    const decoder = createSflowDecoder();
    const flows: Decoded[] = [];
    const seen = new Set<FlowRecord>();
    const emitted = decoder.decode(datagram.payload, datagram.srcAddress, datagram.timeMs, (flow) => {
      seen.add(flow);
      // The raw header is referenced in the datagram, not copied.
      assert.equal(flow.header, datagram.payload);
      flows.push(record(flow));
    });
    const common = {
      timeMs: 1662715598886.994,
      exporter: '192.0.2.100',
      observationDomain: 0,
      fragment: false,
      packets: 1024,
      samplingRate: 1024,
    };
    const ssh = {
      ...common,
      inputInterface: 27,
      outputInterface: 28,
      ipVersion: 6,
      srcAddr: '2a0c:8880:2:0:185:21:130:38',
      dstAddr: '2a0c:8880:2:0:185:21:130:39',
      srcAddr4: 0,
      dstAddr4: 0,
      srcPort: 46026,
      dstPort: 22,
      protocol: 6,
      tcpFlags: 0x10,
      bytes: 1518 * 1024,
      srcMac: 0x246e96907a50,
      dstMac: 0x246e96043c08,
      vlan: 100,
      frameLength: 1518,
      headerLength: 128,
    } as const;
    assert.deepEqual(flows, [
      { ...ssh, headerOffset: 116 },
      {
        ...common,
        inputInterface: 49001,
        outputInterface: 25,
        ipVersion: 4,
        srcAddr: '104.26.8.24',
        dstAddr: '45.90.161.46',
        srcAddr4: 0x681a0818,
        dstAddr4: 0x2d5aa12e,
        srcPort: 443,
        dstPort: 56876,
        protocol: 6,
        tcpFlags: 0x18,
        bytes: 439 * 1024,
        srcMac: 0xc4ca2bae3437,
        dstMac: 0xae18b04b268a,
        // Incoming VLAN 0xffffffff (unknown): the outgoing one is used.
        vlan: 100,
        frameLength: 439,
        headerOffset: 332,
        headerLength: 128,
      },
      { ...ssh, headerOffset: 612 },
      {
        ...common,
        inputInterface: 28,
        outputInterface: 49001,
        ipVersion: 4,
        srcAddr: '45.90.161.148',
        dstAddr: '191.87.91.27',
        srcAddr4: 0x2d5aa194,
        dstAddr4: 0xbf575b1b,
        srcPort: 55658,
        dstPort: 5555,
        protocol: 6,
        tcpFlags: 0x02,
        bytes: 64 * 1024,
        srcMac: 0x7e127c7bfaf0,
        dstMac: 0xc4ca2bae3437,
        vlan: 100,
        frameLength: 64,
        headerOffset: 828,
        headerLength: 60,
      },
      { ...ssh, headerOffset: 1080 },
    ]);
    assert.equal(emitted, 5);
    assert.equal(seen.size, 1, 'one reused FlowRecord for every flow');
    assert.deepEqual(decoder.stats, {
      datagrams: 1,
      flowSamples: 5,
      counterSamples: 0,
      unknownSamples: 0,
      // Two extended gateway (1003) and two extended router (1002) records.
      skippedRecords: 4,
      flows: 5,
      errors: { truncated: 0, bad_version: 0, bad_address_type: 0, bad_length: 0, zero_sampling_rate: 0 },
    });
    assert.equal(formatAddress(decoder.datagram.agentAddress, decoder.datagram.agentIpVersion), '172.16.0.3');
    assert.deepEqual(
      [decoder.datagram.subAgentId, decoder.datagram.sequence, decoder.datagram.uptimeMs, decoder.datagram.sampleCount],
      [0, 812646826, 930960704, 5],
    );
  });
});

const SERVER_MAC = '02:00:00:00:00:01';
const ROUTER_MAC = '02:00:00:00:00:fe';
const synPacket = ethernet({
  dst: ROUTER_MAC,
  src: SERVER_MAC,
  etherType: 0x0800,
  payload: ipv4({ src: '203.0.113.5', dst: '198.51.100.9', protocol: 6, payload: tcp({ srcPort: 51000, dstPort: 22, flags: TCP_SYN }) }),
});

function flowSample(overrides: Partial<SflowFlowSampleSpec> = {}): SflowFlowSampleSpec {
  return {
    type: 'flow',
    sequence: 1,
    sourceIdIndex: 3,
    samplingRate: 512,
    input: 3,
    output: 4,
    records: [
      { type: 'switch', srcVlan: 20, dstVlan: 21 },
      { type: 'header', protocol: 1, frameLength: 64, header: synPacket },
    ],
    ...overrides,
  };
}

function datagram(samples: SflowSampleSpec[], agentAddress = '192.0.2.1'): Buffer {
  return encodeSflowDatagram({ agentAddress, subAgentId: 7, sequence: 99, uptimeMs: 1000, samples });
}

/*
 * Layout of datagram([flowSample()]) with an IPv4 agent, used to break it on purpose:
 * 0 version, 4 address type, 8 address, 12 sub-agent, 16 sequence, 20 uptime, 24 sample count;
 * 28 sample format, 32 sample length, 36 flow sample body (seq 36, source 40, rate 44, pool 48,
 * drops 52, input 56, output 60, record count 64); 68 switch record (format, length, 16 bytes);
 * 92 header record format, 96 its length, 100 protocol, 104 frame length, 108 stripped,
 * 112 header length, 116 header bytes.
 */
const AT = { sampleLength: 32, recordCount: 64, headerRecordLength: 96, headerLength: 112, headerBytes: 116 };

describe('sFlow decoder on synthesized datagrams', () => {
  it('fills a flow from the raw header and the extended switch record', () => {
    const { flows, emitted, errors, decoder } = run(datagram([flowSample()]));
    assert.deepEqual(errors, []);
    assert.equal(emitted, 1);
    assert.deepEqual(flows, [
      {
        timeMs: 1_700_000_000_000,
        exporter: '192.0.2.254',
        observationDomain: 7,
        inputInterface: 3,
        outputInterface: 4,
        ipVersion: 4,
        srcAddr: '203.0.113.5',
        dstAddr: '198.51.100.9',
        srcAddr4: 0xcb007105,
        dstAddr4: 0xc6336409,
        srcPort: 51000,
        dstPort: 22,
        protocol: 6,
        tcpFlags: TCP_SYN,
        fragment: false,
        packets: 512,
        bytes: 64 * 512,
        samplingRate: 512,
        srcMac: 0x020000000001,
        dstMac: 0x0200000000fe,
        vlan: 20,
        frameLength: 64,
        headerOffset: AT.headerBytes,
        headerLength: synPacket.length,
      },
    ]);
    assert.deepEqual([decoder.datagram.agentIpVersion, decoder.datagram.subAgentId, decoder.datagram.sequence], [4, 7, 99]);
  });

  it('uses sampled IPv4, IPv6 and Ethernet records when there is no raw header', () => {
    const samples: SflowSampleSpec[] = [
      flowSample({
        expanded: true,
        samplingRate: 100,
        records: [
          { type: 'ethernet', length: 1514, srcMac: SERVER_MAC, dstMac: ROUTER_MAC, etherType: 0x0800 },
          { type: 'ipv4', length: 1500, protocol: 17, src: '198.51.100.1', dst: '203.0.113.2', srcPort: 53, dstPort: 40000, tcpFlags: 0 },
        ],
      }),
      flowSample({
        samplingRate: 10,
        records: [{ type: 'ipv6', length: 80, protocol: 6, src: '2001:db8::1', dst: '2001:db8::2', srcPort: 443, dstPort: 50000, tcpFlags: 0x12 }],
      }),
    ];
    const { flows, errors } = run(datagram(samples, '2001:db8::99'));
    assert.deepEqual(errors, []);
    assert.deepEqual(
      flows.map((f) => [f.ipVersion, f.srcAddr, f.dstAddr, f.protocol, f.srcPort, f.dstPort, f.tcpFlags, formatMac(f.srcMac), f.frameLength, f.bytes, f.packets]),
      [
        [4, '198.51.100.1', '203.0.113.2', 17, 53, 40000, 0, SERVER_MAC, 1514, 1514 * 100, 100],
        [6, '2001:db8::1', '2001:db8::2', 6, 443, 50000, 0x12, '', 80, 800, 10],
      ],
    );
  });

  it('prefers the raw header over sampled IPv4 whatever the record order', () => {
    const sample = flowSample({
      records: [
        { type: 'ipv4', length: 46, protocol: 17, src: '192.0.2.77', dst: '192.0.2.78', srcPort: 1, dstPort: 2, tcpFlags: 0 },
        { type: 'header', protocol: 1, frameLength: 64, header: synPacket },
      ],
    });
    const { flows } = run(datagram([sample]));
    assert.deepEqual([flows[0].srcAddr, flows[0].dstPort, flows[0].frameLength], ['203.0.113.5', 22, 64]);
  });

  it('maps interface formats: local (0x3fffffff), discarded and multiple give 0', () => {
    const samples: SflowSampleSpec[] = [
      flowSample({ input: 0x3fffffff, output: 12 }),
      flowSample({ input: 5, outputFormat: 1, output: 258 }),
      flowSample({ expanded: true, input: 70000, outputFormat: 2, output: 3 }),
      flowSample({ expanded: true, input: 0x3fffffff, output: 1_500_000_000 }),
    ];
    const { flows } = run(datagram(samples));
    assert.deepEqual(
      flows.map((f) => [f.inputInterface, f.outputInterface]),
      [
        [0, 12],
        [5, 0],
        [70000, 0],
        [0, 1_500_000_000],
      ],
    );
  });

  it('counts counter samples and skips unknown samples and records by their length', () => {
    const samples: SflowSampleSpec[] = [
      { type: 'counter', sequence: 1, sourceIdIndex: 3, records: [{ format: 1, data: new Uint8Array(88) }] },
      { type: 'counter', expanded: true, sequence: 2, sourceIdIndex: 3, records: [] },
      { type: 'opaque', format: 5, data: new Uint8Array(40) },
      { type: 'opaque', format: (9999 << 12) | 1, data: new Uint8Array(6) },
      flowSample({
        records: [
          { type: 'opaque', format: 1003, data: new Uint8Array(36) },
          { type: 'router', nextHop: '2001:db8::1', srcMaskLength: 48, dstMaskLength: 64 },
          { type: 'opaque', format: (4300 << 12) | 1, data: new Uint8Array(5) },
          { type: 'header', protocol: 1, frameLength: 64, header: synPacket },
        ],
      }),
    ];
    const { flows, errors, decoder } = run(datagram(samples));
    assert.deepEqual(errors, []);
    assert.equal(flows.length, 1);
    assert.equal(flows[0].srcPort, 51000);
    assert.deepEqual(
      [decoder.stats.counterSamples, decoder.stats.unknownSamples, decoder.stats.flowSamples, decoder.stats.skippedRecords, decoder.stats.flows],
      [2, 2, 1, 3, 1],
    );
  });

  it('reports the inner VXLAN packet by default and the outer one with decapsulate: false', () => {
    const inner = ethernet({
      dst: '02:00:00:00:00:b2',
      src: '02:00:00:00:00:b1',
      etherType: 0x86dd,
      payload: ipv6({ src: '2001:db8:c::5', dst: '2001:db8:d::6', nextHeader: 17, payload: udp({ srcPort: 123, dstPort: 123 }) }),
    });
    const outer = ethernet({
      dst: ROUTER_MAC,
      src: SERVER_MAC,
      etherType: 0x0800,
      payload: ipv4({ src: '192.0.2.1', dst: '192.0.2.2', protocol: 17, payload: udp({ srcPort: 60000, dstPort: 4789, payload: vxlan(42, inner) }) }),
    });
    const bytes = datagram([flowSample({ records: [{ type: 'header', protocol: 1, frameLength: outer.length + 4, header: outer }] })]);
    const decapsulated = run(bytes).flows[0];
    assert.deepEqual([decapsulated.srcAddr, decapsulated.dstAddr, decapsulated.dstPort, formatMac(decapsulated.srcMac)], ['2001:db8:c::5', '2001:db8:d::6', 123, '02:00:00:00:00:b1']);
    const plain = run(bytes, { decapsulate: false }).flows[0];
    assert.deepEqual([plain.srcAddr, plain.dstAddr, plain.dstPort, formatMac(plain.srcMac)], ['192.0.2.1', '192.0.2.2', 4789, SERVER_MAC]);
    // GRE over an IPv4 raw header (header protocol 11).
    const greHeader = ipv4({ src: '192.0.2.1', dst: '192.0.2.2', protocol: 47, payload: gre({ protocol: 0x6558, payload: inner }) });
    const viaGre = run(datagram([flowSample({ records: [{ type: 'header', protocol: 11, frameLength: 200, header: greHeader }] })])).flows[0];
    assert.deepEqual([viaGre.srcAddr, viaGre.protocol, viaGre.srcPort], ['2001:db8:c::5', 17, 123]);
  });
});

describe('sFlow decoder errors: counted per reason, never thrown', () => {
  function patch(bytes: Buffer, offset: number, value: number): Buffer {
    const copy = Buffer.from(bytes);
    copy.writeUInt32BE(value, offset);
    return copy;
  }

  const good = datagram([flowSample()]);

  function expectError(bytes: Uint8Array, reason: SflowDecodeErrorReason, detail: string, flowsLeft = 0): void {
    let result: Run | undefined;
    assert.doesNotThrow(() => {
      result = run(bytes);
    });
    assert.ok(result);
    assert.deepEqual(result.errors, [[reason, detail]]);
    assert.equal(result.decoder.stats.errors[reason], 1);
    assert.equal(result.flows.length, flowsLeft);
    assert.equal(result.emitted, flowsLeft);
  }

  it('truncated: datagram shorter than its header', () => {
    expectError(good.subarray(0, 4), 'truncated', 'truncated datagram header at offset 0 (need 8, got 4)');
    expectError(good.subarray(0, 20), 'truncated', 'truncated datagram header at offset 0 (need 28, got 20)');
    expectError(new Uint8Array(0), 'truncated', 'truncated datagram header at offset 0 (need 8, got 0)');
  });

  it('truncated: fewer samples than announced, flow sample shorter than its fixed fields, missing records', () => {
    const two = datagram([flowSample(), flowSample()]);
    const firstSampleEnd = 36 + two.readUInt32BE(AT.sampleLength);
    expectError(two.subarray(0, firstSampleEnd), 'truncated', `truncated datagram: sample 2 of 2 at offset ${firstSampleEnd} (need 8, got 0)`, 1);
    expectError(datagram([{ type: 'opaque', format: 1, data: new Uint8Array(12) }]), 'truncated', 'truncated flow sample at offset 36 (need 32, got 12)');
    expectError(datagram([{ type: 'opaque', format: 3, data: new Uint8Array(40) }]), 'truncated', 'truncated expanded flow sample at offset 36 (need 44, got 40)');
    const end = 36 + good.readUInt32BE(AT.sampleLength);
    expectError(patch(good, AT.recordCount, 3), 'truncated', `truncated flow sample seq 1: record 3 of 3 at offset ${end} (need 8, got 0)`);
    expectError(
      datagram([flowSample({ records: [{ type: 'opaque', format: 3, data: new Uint8Array(20) }] })]),
      'truncated',
      'truncated flow record format 3 at offset 68 (need 32, got 20)',
    );
  });

  it('bad_version and bad_address_type', () => {
    expectError(patch(good, 0, 4), 'bad_version', 'unsupported sflow version 4 at offset 0 (expected 5)');
    expectError(patch(good, 4, 3), 'bad_address_type', 'unknown agent address type 3 at offset 4 (expected 1 or 2)');
  });

  it('bad_length: sample, record and sampled header lengths past the end', () => {
    const left = good.length - 36;
    expectError(patch(good, AT.sampleLength, 10_000), 'bad_length', `sample length 10000 at offset 28 points past the end of the datagram (${left} bytes left)`);
    expectError(patch(good, AT.sampleLength, 0xffffffff), 'bad_length', `sample length 4294967295 at offset 28 points past the end of the datagram (${left} bytes left)`);
    expectError(
      patch(good, AT.headerRecordLength, 1000),
      'bad_length',
      `flow record length 1000 at offset 92 points past the end of the flow sample (${good.length - 100} bytes left)`,
    );
    const recordRoom = good.readUInt32BE(AT.headerRecordLength) - 16;
    expectError(
      patch(good, AT.headerLength, 200),
      'bad_length',
      `sampled header length 200 at offset 112 points past the end of its record (${recordRoom} bytes left)`,
    );
  });

  it('zero_sampling_rate drops that sample only', () => {
    const bytes = datagram([flowSample({ sequence: 41, samplingRate: 0 }), flowSample({ sequence: 42 })]);
    expectError(bytes, 'zero_sampling_rate', 'zero sampling rate in flow sample seq 41 at offset 36', 1);
    const expanded = datagram([flowSample({ expanded: true, sequence: 43, samplingRate: 0 })]);
    expectError(expanded, 'zero_sampling_rate', 'zero sampling rate in expanded flow sample seq 43 at offset 36');
  });

  it('survives random corruption of real and synthesized datagrams', () => {
    const corpus: Buffer[] = [good, datagram([flowSample({ expanded: true }), { type: 'counter', sequence: 1, sourceIdIndex: 1, records: [] }])];
    for (const name of readdirSync(CAPTURES).filter((n) => n.startsWith('sflow-'))) {
      for (const d of readPcapUdpDatagrams(readFileSync(join(CAPTURES, name)))) corpus.push(d.payload);
    }
    // Deterministic xorshift PRNG so a failure reproduces.
    let state = 0x9e3779b9;
    const random = (n: number): number => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) % n;
    };
    const decoder = createSflowDecoder({ onError: () => {} });
    let flows = 0;
    const deadline = Date.now() + 2000;
    for (let i = 0; i < 3000 && Date.now() < deadline; i++) {
      const source = corpus[i % corpus.length];
      const bytes = Buffer.from(source.subarray(0, random(4) === 0 ? random(source.length + 1) : source.length));
      for (let m = random(6); m >= 0 && bytes.length > 0; m--) {
        const at = random(bytes.length);
        if (random(2) === 0) bytes[at] = random(256);
        else if (at + 4 <= bytes.length) bytes.writeUInt32BE(random(3) === 0 ? 0xffffffff : random(2048), at & ~3);
      }
      decoder.decode(bytes, '192.0.2.254', 0, (flow) => {
        flows++;
        assert.ok(flow.samplingRate > 0 && flow.packets === flow.samplingRate);
        assert.equal(flow.bytes, flow.frameLength * flow.samplingRate);
        if (flow.header !== null) assert.ok(flow.headerOffset >= 0 && flow.headerOffset + flow.headerLength <= bytes.length);
        assert.ok(flow.srcPort >= 0 && flow.srcPort <= 0xffff && flow.dstPort >= 0 && flow.dstPort <= 0xffff);
        assert.ok(flow.vlan >= 0 && flow.vlan < 4096);
      });
    }
    assert.ok(flows > 100, `corrupted datagrams still yield flows (${flows})`);
    const errorTotal = Object.values(decoder.stats.errors).reduce((a, b) => a + b, 0);
    assert.ok(errorTotal > 100, `corruption is detected (${errorTotal} errors)`);
  });
});
