/**
 * Hand-built NetFlow v9 and IPFIX datagrams for what the real captures do not cover:
 * withdrawal, variable-length and enterprise fields, sampler options, refresh, expiry,
 * caps, buffering of early data, and every error reason (counted, never thrown).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { type FlowRecordSnapshot, snapshotFlow } from '../flow-record.ts';
import { readPcapUdpDatagrams } from '../pcap/pcap-reader.ts';
import type { NetflowDecodeErrorReason } from './decode-errors.ts';
import { createNetflowDecoder, type NetflowDecoder, type NetflowDecoderOptions } from './netflow-decoder.ts';
import { MAX_TEMPLATE_FIELDS } from './template-compiler.ts';

const T0 = 1_700_000_000_000;
const EXPORT_SECS = T0 / 1000;
const EXPORTER = '192.0.2.1';

// --- datagram builders -------------------------------------------------------------

function be(value: number, width: number): number[] {
  const out: number[] = [];
  for (let i = width - 1; i >= 0; i--) out.push(Math.floor(value / 2 ** (8 * i)) % 256);
  return out;
}

function set(id: number, ...records: number[][]): number[] {
  const body = records.flat();
  return [...be(id, 2), ...be(body.length + 4, 2), ...body];
}

function field(ie: number, length: number, pen = 0): number[] {
  return pen === 0 ? [...be(ie, 2), ...be(length, 2)] : [...be(ie | 0x8000, 2), ...be(length, 2), ...be(pen, 4)];
}

function template(id: number, ...fields: number[][]): number[] {
  return [...be(id, 2), ...be(fields.length, 2), ...fields.flat()];
}

function ipfixOptionsTemplate(id: number, scopeCount: number, ...fields: number[][]): number[] {
  return [...be(id, 2), ...be(fields.length, 2), ...be(scopeCount, 2), ...fields.flat()];
}

function v9OptionsTemplate(id: number, scope: number[][], options: number[][]): number[] {
  return [...be(id, 2), ...be(scope.length * 4, 2), ...be(options.length * 4, 2), ...scope.flat(), ...options.flat()];
}

function ipfix(sets: number[][], opts: { domain?: number; exportSecs?: number; seq?: number } = {}): Uint8Array {
  const body = sets.flat();
  const header = [
    ...be(10, 2),
    ...be(16 + body.length, 2),
    ...be(opts.exportSecs ?? EXPORT_SECS, 4),
    ...be(opts.seq ?? 1, 4),
    ...be(opts.domain ?? 1, 4),
  ];
  return Uint8Array.from([...header, ...body]);
}

function v9(sets: number[][], opts: { sourceId?: number; uptime?: number; secs?: number } = {}): Uint8Array {
  const body = sets.flat();
  const header = [
    ...be(9, 2),
    ...be(sets.length, 2),
    ...be(opts.uptime ?? 1_000_000, 4),
    ...be(opts.secs ?? EXPORT_SECS, 4),
    ...be(7, 4),
    ...be(opts.sourceId ?? 0, 4),
  ];
  return Uint8Array.from([...header, ...body]);
}

const ip = (text: string): number[] => text.split('.').map(Number);

// A plain IPFIX IPv4 template and record builder: src, dst, ports, protocol, flags,
// packets, bytes, interfaces, flowEndMilliseconds.
const BASIC_FIELDS = [
  field(8, 4),
  field(12, 4),
  field(7, 2),
  field(11, 2),
  field(4, 1),
  field(6, 1),
  field(2, 8),
  field(1, 8),
  field(10, 4),
  field(14, 4),
  field(153, 8),
];
const BASIC_TEMPLATE = template(256, ...BASIC_FIELDS);

function basicRecord(src: string, dst: string, packets: number, bytes: number, endMs = T0 - 5000): number[] {
  return [...ip(src), ...ip(dst), ...be(40000, 2), ...be(443, 2), 6, 0x12, ...be(packets, 8), ...be(bytes, 8), ...be(3, 4), ...be(4, 4), ...be(endMs, 8)];
}

// --- decoding helpers --------------------------------------------------------------

interface Run {
  decoder: NetflowDecoder;
  errors: Array<{ reason: NetflowDecodeErrorReason; detail: string; exporter: string }>;
  decode(datagram: Uint8Array, nowMs?: number, exporter?: string): FlowRecordSnapshot[];
}

function setup(options: NetflowDecoderOptions = {}): Run {
  const errors: Run['errors'] = [];
  const decoder = createNetflowDecoder({ ...options, onError: (reason, detail, exporter) => errors.push({ reason, detail, exporter }) });
  return {
    decoder,
    errors,
    decode(datagram, nowMs = T0, exporter = EXPORTER) {
      const flows: FlowRecordSnapshot[] = [];
      const n = decoder.decode(datagram, exporter, nowMs, (f) => flows.push(snapshotFlow(f)));
      assert.equal(n, flows.length);
      return flows;
    },
  };
}

function reasons(run: Run): NetflowDecodeErrorReason[] {
  return run.errors.map((e) => e.reason);
}

// --- tests ---------------------------------------------------------------------------

describe('IPFIX data records', () => {
  it('normalizes a basic IPv4 record', () => {
    const run = setup();
    const flows = run.decode(ipfix([set(2, BASIC_TEMPLATE), set(256, basicRecord('198.51.100.7', '203.0.113.9', 3, 180))], { domain: 42 }));
    assert.deepEqual(flows, [
      {
        timeMs: T0 - 5000,
        exporter: EXPORTER,
        observationDomain: 42,
        inputInterface: 3,
        outputInterface: 4,
        ipVersion: 4,
        srcAddr: '198.51.100.7',
        dstAddr: '203.0.113.9',
        srcPort: 40000,
        dstPort: 443,
        protocol: 6,
        tcpFlags: 0x12,
        fragment: false,
        packets: 3,
        bytes: 180,
        samplingRate: 1,
        srcMac: '',
        dstMac: '',
        vlan: 0,
        frameLength: 0,
        header: null,
      },
    ]);
    assert.deepEqual(run.errors, []);
  });

  it('reads IPv6, ICMPv6 type/code, MACs, VLAN, fragments and NTP microsecond times', () => {
    const run = setup();
    const tpl = template(300, field(27, 16), field(28, 16), field(4, 1), field(139, 2), field(56, 6), field(80, 6), field(58, 2), field(197, 1), field(88, 2), field(2, 4), field(1, 4), field(155, 8));
    const src = [0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 1];
    const dst = [0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 2];
    const ntpSecs = EXPORT_SECS + 2208988800 - 10;
    const record = (fragFlags: number, fragOffset: number) => [
      ...src,
      ...dst,
      58,
      ...be((128 << 8) | 0, 2),
      0x02, 0x00, 0x5e, 0x00, 0x53, 0x01,
      0x02, 0x00, 0x5e, 0x00, 0x53, 0x02,
      ...be(0x1000 | 42, 2), // PCP/DEI bits above the 12-bit VLAN id are ignored
      fragFlags,
      ...be(fragOffset, 2),
      ...be(1, 4),
      ...be(104, 4),
      ...be(ntpSecs, 4),
      ...be(2 ** 31, 4), // half a second
    ];
    const flows = run.decode(ipfix([set(2, tpl), set(300, record(0, 0), record(0x20, 0), record(0, 185))]));
    assert.equal(flows.length, 3);
    assert.equal(flows[0].ipVersion, 6);
    assert.equal(flows[0].srcAddr, '2001:db8::1');
    assert.equal(flows[0].dstAddr, '2001:db8::2');
    assert.equal(flows[0].dstPort, 128 << 8);
    assert.equal(flows[0].srcMac, '02:00:5e:00:53:01');
    assert.equal(flows[0].dstMac, '02:00:5e:00:53:02');
    assert.equal(flows[0].vlan, 42);
    assert.equal(flows[0].timeMs, T0 - 10_000 + 500);
    assert.deepEqual(
      flows.map((f) => f.fragment),
      [false, true, true],
    );
    assert.deepEqual(run.errors, []);
  });

  it('prefers end times, falls back to start times and then to the export time', () => {
    const run = setup();
    const datagram = ipfix([
      set(2, template(301, field(8, 4), field(150, 4), field(151, 4)), template(302, field(8, 4), field(158, 4)), template(303, field(8, 4))),
      set(301, [...ip('192.0.2.10'), ...be(EXPORT_SECS - 60, 4), ...be(EXPORT_SECS - 30, 4)]),
      set(302, [...ip('192.0.2.11'), ...be(2_500_000, 4)]),
      set(303, ip('192.0.2.12')),
    ]);
    const flows = run.decode(datagram);
    assert.deepEqual(
      flows.map((f) => f.timeMs),
      [T0 - 30_000, T0 - 2500, T0],
    );
  });

  it('anchors IPFIX flowEndSysUpTime on systemInitTimeMilliseconds from the record or the options', () => {
    const run = setup();
    const boot = T0 - 86_400_000;
    const inRecord = run.decode(
      ipfix([set(2, template(310, field(8, 4), field(160, 8), field(21, 4))), set(310, [...ip('192.0.2.20'), ...be(boot, 8), ...be(3_600_000, 4)])]),
    );
    assert.equal(inRecord[0].timeMs, boot + 3_600_000);
    // Without systemInitTimeMilliseconds anywhere: the export time.
    const unknown = run.decode(ipfix([set(2, template(311, field(8, 4), field(21, 4))), set(311, [...ip('192.0.2.21'), ...be(1000, 4)])]));
    assert.equal(unknown[0].timeMs, T0);
    // Announced once in options data, then used for later records of the domain.
    run.decode(ipfix([set(3, ipfixOptionsTemplate(312, 1, field(149, 4), field(160, 8))), set(312, [...be(1, 4), ...be(boot, 8)])]));
    const fromOptions = run.decode(ipfix([set(311, [...ip('192.0.2.21'), ...be(1000, 4)])]));
    assert.equal(fromOptions[0].timeMs, boot + 1000);
  });

  it('keeps the best of competing fields: delta counters over totals, ingressInterface over physical', () => {
    const run = setup();
    const tpl = template(320, field(8, 4), field(85, 8), field(1, 4), field(252, 4), field(10, 2), field(86, 8));
    const flows = run.decode(ipfix([set(2, tpl), set(320, [...ip('192.0.2.30'), ...be(999_999, 8), ...be(1500, 4), ...be(77, 4), ...be(5, 2), ...be(12, 8)])]));
    assert.equal(flows[0].bytes, 1500);
    assert.equal(flows[0].packets, 12, 'the total is used when no delta exists');
    assert.equal(flows[0].inputInterface, 5);
  });

  it('emits the RFC 5103 reverse direction of a biflow only when it carried traffic', () => {
    const run = setup();
    const tpl = template(330, field(8, 4), field(12, 4), field(7, 2), field(11, 2), field(4, 1), field(2, 4), field(2, 4, 29305), field(1, 4), field(1, 4, 29305), field(10, 4), field(14, 4));
    const record = (revPackets: number) => [...ip('192.0.2.40'), ...ip('198.51.100.40'), ...be(5353, 2), ...be(53, 2), 17, ...be(1, 4), ...be(revPackets, 4), ...be(70, 4), ...be(revPackets * 400, 4), ...be(1, 4), ...be(2, 4)];
    const flows = run.decode(ipfix([set(2, tpl), set(330, record(2), record(0))]));
    assert.equal(flows.length, 3);
    assert.deepEqual(
      flows.map((f) => [f.srcAddr, f.srcPort, f.dstAddr, f.dstPort, f.inputInterface, f.outputInterface, f.packets, f.bytes]),
      [
        ['192.0.2.40', 5353, '198.51.100.40', 53, 1, 2, 1, 70],
        ['198.51.100.40', 53, '192.0.2.40', 5353, 2, 1, 2, 800],
        ['192.0.2.40', 5353, '198.51.100.40', 53, 1, 2, 1, 70],
      ],
    );
  });
});

describe('IPFIX variable-length and enterprise fields', () => {
  // interfaceName (82) as variable length, an enterprise field of 4 bytes, a second
  // variable-length field, then the counters whose offsets depend on both lengths.
  const tpl = template(400, field(8, 4), field(82, 65535), field(1234, 4, 9), field(83, 65535), field(2, 4), field(1, 4));

  it('skips 1-byte and 3-byte length prefixes and enterprise values', () => {
    const run = setup();
    const short = [...ip('192.0.2.50'), 3, 0x65, 0x74, 0x68, 0xde, 0xad, 0xbe, 0xef, 0, ...be(7, 4), ...be(700, 4)];
    const long = [...ip('192.0.2.51'), 0, 0xaa, 0xbb, 0xcc, 0xdd, 255, ...be(300, 2), ...Array(300).fill(0x41), ...be(9, 4), ...be(900, 4)];
    const flows = run.decode(ipfix([set(2, tpl), set(400, short, long, [0, 0, 0])]));
    assert.deepEqual(
      flows.map((f) => [f.srcAddr, f.packets, f.bytes]),
      [
        ['192.0.2.50', 7, 700],
        ['192.0.2.51', 9, 900],
      ],
    );
    assert.deepEqual(run.errors, [], 'the 3 trailing zero bytes are shorter than a record: padding');
  });

  it('counts a variable-length field that runs past the set as bad_length', () => {
    const run = setup();
    const broken = [...ip('192.0.2.52'), 200, ...Array(30).fill(1)];
    const flows = run.decode(ipfix([set(2, tpl), set(400, broken)]));
    assert.deepEqual(flows, []);
    assert.deepEqual(reasons(run), ['bad_length']);
    assert.match(run.errors[0].detail, /ipfix domain 1 seq 1: set 400: variable-length field runs past the set end/);
  });

  it('does not treat bit 15 of a v9 field type as an enterprise bit', () => {
    const run = setup();
    // Cisco-style vendor field type 40001 of 2 bytes, then the source address.
    const flows = run.decode(v9([set(0, template(260, field(40001, 2), field(8, 4), field(2, 4))), set(260, [0xff, 0xff, ...ip('192.0.2.53'), ...be(5, 4)])]));
    assert.equal(flows[0].srcAddr, '192.0.2.53');
    assert.equal(flows[0].packets, 5);
  });
});

describe('template withdrawal (IPFIX)', () => {
  it('withdraws one template, then all data templates, then all options templates', () => {
    const run = setup();
    const second = template(257, field(8, 4), field(2, 4));
    const options = ipfixOptionsTemplate(500, 1, field(149, 4), field(34, 4));
    run.decode(ipfix([set(2, BASIC_TEMPLATE, second), set(3, options)]));
    assert.equal(run.decoder.stats().templates.templates, 2);
    assert.equal(run.decoder.stats().templates.optionsTemplates, 1);

    run.decode(ipfix([set(2, [...be(256, 2), 0, 0])]));
    assert.equal(run.decoder.stats().templates.templates, 1);
    assert.deepEqual(run.decode(ipfix([set(256, basicRecord('192.0.2.60', '192.0.2.61', 1, 1))])), []);
    assert.deepEqual(reasons(run), ['template_not_found']);
    assert.equal(run.decode(ipfix([set(257, [...ip('192.0.2.62'), ...be(1, 4)])])).length, 1);

    run.decode(ipfix([set(2, [...be(2, 2), 0, 0])]));
    assert.equal(run.decoder.stats().templates.templates, 0);
    assert.equal(run.decoder.stats().templates.optionsTemplates, 1, 'withdrawing all data templates keeps options templates');

    run.decode(ipfix([set(3, [...be(3, 2), 0, 0])]));
    assert.equal(run.decoder.stats().templates.optionsTemplates, 0);
    assert.equal(run.decoder.stats().templates.exporters, 0, 'an exporter without templates holds no state');
  });
});

describe('sampling from options data', () => {
  it('v9: system-wide SAMPLING_INTERVAL applies to later data records of the same source id only', () => {
    const run = setup();
    const dataTemplate = set(0, template(260, field(8, 4), field(2, 4), field(1, 4)));
    const record = set(260, [...ip('192.0.2.70'), ...be(2, 4), ...be(100, 4)]);
    run.decode(v9([dataTemplate], { sourceId: 5 }));
    assert.equal(run.decode(v9([record], { sourceId: 5 }))[0].samplingRate, 1, 'before any announcement: unsampled');
    // Scope "system" with a zero length, as Cisco sends it.
    run.decode(v9([set(1, v9OptionsTemplate(300, [field(1, 0)], [field(35, 1), field(34, 4)]), [0, 0]), set(300, [2, ...be(512, 4)])], { sourceId: 5 }));
    const later = run.decode(v9([record], { sourceId: 5 }));
    assert.deepEqual([later[0].samplingRate, later[0].packets, later[0].bytes], [512, 1024, 51200]);
    // Another source id of the same exporter has its own sampler state.
    run.decode(v9([dataTemplate], { sourceId: 6 }));
    assert.equal(run.decode(v9([record], { sourceId: 6 }))[0].samplingRate, 1);
    assert.deepEqual(run.errors, []);
  });

  it('v9: FLOW_SAMPLER_ID in data records picks the rate announced for that sampler', () => {
    const run = setup();
    const opts = v9OptionsTemplate(301, [field(2, 4)], [field(48, 1), field(50, 4)]);
    run.decode(v9([set(1, opts, [0, 0]), set(301, [...be(1, 4), 1, ...be(100, 4)], [...be(1, 4), 2, ...be(1000, 4)])]));
    const tpl = set(0, template(261, field(8, 4), field(48, 1), field(2, 4)));
    const flows = run.decode(v9([tpl, set(261, [...ip('192.0.2.71'), 1, ...be(1, 4)], [...ip('192.0.2.72'), 2, ...be(1, 4)], [...ip('192.0.2.73'), 9, ...be(1, 4)])]));
    assert.deepEqual(
      flows.map((f) => f.samplingRate),
      [100, 1000, 1000],
      'an unknown sampler id falls back to the most recent announcement',
    );
  });

  it('IPFIX: selectorId with samplingPacketInterval/Space, and a per-record samplingInterval wins', () => {
    const run = setup();
    const opts = ipfixOptionsTemplate(510, 1, field(302, 8), field(305, 4), field(306, 4));
    run.decode(ipfix([set(3, opts), set(510, [...be(7, 8), ...be(1, 4), ...be(99, 4)])]));
    const tpl = template(260, field(8, 4), field(302, 8), field(34, 4), field(2, 4));
    const flows = run.decode(ipfix([set(2, tpl), set(260, [...ip('192.0.2.80'), ...be(7, 8), ...be(0, 4), ...be(3, 4)], [...ip('192.0.2.81'), ...be(7, 8), ...be(64, 4), ...be(3, 4)])]));
    assert.deepEqual(
      flows.map((f) => [f.samplingRate, f.packets]),
      [
        [100, 300],
        [64, 192],
      ],
    );
    assert.deepEqual(reasons(run), ['zero_sampling_rate'], 'the record with samplingInterval 0 is counted and uses the sampler rate');
  });

  it('counts an announced rate of 0 and ignores it', () => {
    const run = setup();
    run.decode(ipfix([set(3, ipfixOptionsTemplate(511, 1, field(149, 4), field(34, 4))), set(511, [...be(1, 4), ...be(0, 4)])]));
    run.decode(ipfix([set(2, BASIC_TEMPLATE)]));
    const flows = run.decode(ipfix([set(256, basicRecord('192.0.2.82', '192.0.2.83', 1, 10))]));
    assert.equal(flows[0].samplingRate, 1);
    assert.deepEqual(reasons(run), ['zero_sampling_rate']);
    assert.equal(run.decoder.errors.zero_sampling_rate, 1);
  });

  it('ignores a samplingProbability too small to be a rate instead of emitting Infinity/NaN counters (fuzz regression)', () => {
    const float64 = (x: number): number[] => {
      const view = new DataView(new ArrayBuffer(8));
      view.setFloat64(0, x);
      return [...new Uint8Array(view.buffer)];
    };
    const opts = ipfixOptionsTemplate(513, 1, field(149, 4), field(311, 8));
    // The smallest denormal (1/p is Infinity), then 1e-300 (1/p overflows bytes x rate), then 1/1024.
    for (const [probability, rate] of [
      [5e-324, 1],
      [1e-300, 1],
      [1 / 1024, 1024],
    ]) {
      const run = setup();
      run.decode(ipfix([set(3, opts), set(513, [...be(1, 4), ...float64(probability)])]));
      const flows = run.decode(ipfix([set(2, BASIC_TEMPLATE), set(256, basicRecord('192.0.2.84', '192.0.2.85', 2, 2 ** 40))]));
      assert.deepEqual([flows[0].samplingRate, flows[0].packets, flows[0].bytes], [rate, 2 * rate, 2 ** 40 * rate], `probability ${probability}`);
      assert.deepEqual(reasons(run), rate === 1 ? ['zero_sampling_rate'] : []);
      if (rate === 1) assert.match(run.errors[0].detail, new RegExp(`sampler announces rate ${Math.round(1 / probability)}, ignored$`.replace('+', '\\+')));
    }
  });

  it('caps the sampler table per domain', () => {
    const run = setup({ maxSamplersPerDomain: 2 });
    const opts = ipfixOptionsTemplate(512, 1, field(302, 4), field(34, 4));
    run.decode(ipfix([set(3, opts), set(512, [...be(1, 4), ...be(10, 4)], [...be(2, 4), ...be(20, 4)], [...be(3, 4), ...be(30, 4)], [...be(1, 4), ...be(11, 4)])]));
    assert.deepEqual(reasons(run), ['sampler_limit'], 'the third sampler is refused, updating a known one is not');
  });
});

describe('template refresh and expiry', () => {
  it('a re-sent template replaces the old layout', () => {
    const run = setup();
    run.decode(ipfix([set(2, template(256, field(8, 4), field(2, 4)))]));
    const before = run.decode(ipfix([set(256, [...ip('192.0.2.90'), ...be(5, 4)])]));
    assert.deepEqual([before[0].srcAddr, before[0].packets], ['192.0.2.90', 5]);
    // Same id, fields swapped and widened.
    run.decode(ipfix([set(2, template(256, field(2, 8), field(12, 4)))]));
    const after = run.decode(ipfix([set(256, [...be(6, 8), ...ip('192.0.2.91')])]));
    assert.deepEqual([after[0].dstAddr, after[0].srcAddr, after[0].packets], ['192.0.2.91', '0.0.0.0', 6]);
    assert.equal(run.decoder.stats().templates.templates, 1);
    assert.deepEqual(run.errors, []);
  });

  it('expires templates neither refreshed nor used within the timeout; a refresh keeps them', () => {
    const minute = 60_000;
    const run = setup({ templateTimeoutMs: 30 * minute });
    const data = ipfix([set(256, basicRecord('192.0.2.92', '192.0.2.93', 1, 1))]);
    run.decode(ipfix([set(2, BASIC_TEMPLATE)]), T0);
    run.decode(ipfix([set(2, template(257, field(8, 4)))]), T0);
    // Refreshed (identical) at +20 min, so still alive at +40 min.
    run.decode(ipfix([set(2, BASIC_TEMPLATE)]), T0 + 20 * minute);
    assert.equal(run.decode(data, T0 + 40 * minute).length, 1);
    assert.equal(run.decoder.stats().templates.templates, 1, 'template 257 was idle for 40 minutes and is gone');
    // Used at +40 min; idle until +71 min: expired, even before a sweep runs.
    assert.deepEqual(run.decode(data, T0 + 71 * minute), []);
    assert.deepEqual(reasons(run), ['template_not_found']);
    assert.equal(run.decoder.stats().templates.templates, 0);
  });

  it('expire() drops idle templates on demand', () => {
    const run = setup({ templateTimeoutMs: 1000 });
    run.decode(ipfix([set(2, BASIC_TEMPLATE)]), T0);
    assert.equal(run.decoder.expire(T0 + 500), 0);
    assert.equal(run.decoder.expire(T0 + 1001), 1);
    assert.deepEqual(run.decoder.stats().templates, { exporters: 0, domains: 0, templates: 0, optionsTemplates: 0, pendingSets: 0, pendingBytes: 0 });
  });
});

describe('caps against hostile senders', () => {
  it('refuses templates beyond maxTemplatesPerExporter but still replaces known ones', () => {
    const run = setup({ maxTemplatesPerExporter: 2 });
    run.decode(ipfix([set(2, template(256, field(8, 4)), template(257, field(8, 4)), template(258, field(8, 4)))]));
    assert.deepEqual(reasons(run), ['template_limit']);
    // Other domains of the same exporter share the cap.
    run.decode(ipfix([set(2, template(259, field(8, 4)))], { domain: 2 }));
    assert.deepEqual(reasons(run), ['template_limit', 'template_limit']);
    run.decode(ipfix([set(2, template(257, field(12, 4)))]));
    assert.equal(run.errors.length, 2);
    assert.equal(run.decoder.stats().templates.templates, 2);
    assert.equal(run.decoder.stats().templates.domains, 1, 'a refused template creates no domain');
  });

  it('gives no state to exporters beyond maxExporters, while NetFlow v5 from them still decodes', () => {
    const run = setup({ maxExporters: 1 });
    run.decode(ipfix([set(2, BASIC_TEMPLATE)]), T0, '192.0.2.1');
    run.decode(ipfix([set(2, BASIC_TEMPLATE)]), T0, '192.0.2.2');
    assert.deepEqual(reasons(run), ['exporter_limit']);
    assert.equal(run.errors[0].exporter, '192.0.2.2');
    assert.equal(run.decoder.stats().templates.exporters, 1);
    const v5 = Uint8Array.from([...be(5, 2), ...be(1, 2), ...be(0, 4), ...be(EXPORT_SECS, 4), ...be(0, 4), ...be(0, 4), 0, 0, 0, 0, ...ip('192.0.2.3'), ...Array(44).fill(0)]);
    assert.equal(run.decode(v5, T0, '192.0.2.2').length, 1);
  });

  it('refuses a template with more fields than MAX_TEMPLATE_FIELDS, so caps bound memory (fuzz regression)', () => {
    const run = setup();
    const fields = (n: number): number[][] => Array.from({ length: n }, (_, i) => field(1 + (i % 300), 4));
    // 16,370 fields fill one 64 KiB datagram; cached, such a template took about 260 KiB.
    const fat = ipfix([set(2, template(300, ...fields(15_000)), template(301, ...fields(MAX_TEMPLATE_FIELDS)))]);
    run.decode(fat);
    assert.deepEqual(reasons(run), ['bad_template']);
    assert.match(run.errors[0].detail, /template 300 has 15000 fields \(max 1024\)$/);
    assert.equal(run.decoder.stats().templates.templates, 1, 'the template after the refused one, at the limit, is kept');
    const v9Options = v9([set(1, v9OptionsTemplate(302, [field(1, 4)], fields(MAX_TEMPLATE_FIELDS)))]);
    run.decode(v9Options);
    assert.deepEqual(reasons(run), ['bad_template', 'bad_template']);
    assert.match(run.errors[1].detail, /options template 302 has 1025 fields/);
  });

  it('bounds the memory of many hostile exporters and domains', () => {
    const run = setup({ maxExporters: 10, maxTemplatesPerExporter: 5 });
    for (let i = 0; i < 200; i++) {
      const templates = Array.from({ length: 20 }, (_, k) => template(256 + k, field(8, 4), field(2, 4)));
      run.decode(ipfix([set(2, ...templates)], { domain: i }), T0, `203.0.113.${i % 50}`);
    }
    const stats = run.decoder.stats().templates;
    assert.equal(stats.exporters, 10);
    assert.equal(stats.templates, 50);
    assert.ok(run.decoder.errors.exporter_limit > 0 && run.decoder.errors.template_limit > 0);
  });
});

describe('data before its template', () => {
  it('buffers a few sets and decodes them when the template arrives', () => {
    const run = setup();
    assert.deepEqual(run.decode(ipfix([set(256, basicRecord('192.0.2.100', '192.0.2.101', 1, 10))], { seq: 1 })), []);
    assert.deepEqual(run.decode(ipfix([set(256, basicRecord('192.0.2.102', '192.0.2.103', 2, 20))], { seq: 2 })), []);
    assert.equal(run.decoder.stats().templates.pendingSets, 2);
    const flows = run.decode(ipfix([set(2, BASIC_TEMPLATE)], { seq: 3 }));
    assert.deepEqual(
      flows.map((f) => f.srcAddr),
      ['192.0.2.100', '192.0.2.102'],
    );
    assert.deepEqual(reasons(run), ['template_not_found', 'template_not_found']);
    assert.match(run.errors[0].detail, /^ipfix domain 1 seq 1: data set 256 \(\d+ bytes\) before its template, buffered$/);
    assert.equal(run.decoder.stats().templates.pendingSets, 0);
  });

  it('keeps at most maxPendingSetsPerExporter sets, drops old ones, and can be disabled', () => {
    const run = setup({ maxPendingSetsPerExporter: 1, pendingMaxAgeMs: 10_000 });
    const early = ipfix([set(256, basicRecord('192.0.2.104', '192.0.2.105', 1, 10))]);
    run.decode(early, T0);
    run.decode(early, T0);
    assert.match(run.errors[1].detail, /dropped$/);
    assert.equal(run.decode(ipfix([set(2, BASIC_TEMPLATE)]), T0 + 20_000).length, 0, 'too old to replay');

    const off = setup({ maxPendingSets: 0 });
    off.decode(early);
    assert.equal(off.decode(ipfix([set(2, BASIC_TEMPLATE)])).length, 0);
    assert.match(off.errors[0].detail, /dropped$/);
  });

  it('does not mix up exporters or domains', () => {
    const run = setup();
    run.decode(ipfix([set(256, basicRecord('192.0.2.106', '192.0.2.107', 1, 10))], { domain: 1 }), T0, '192.0.2.1');
    assert.equal(run.decode(ipfix([set(2, BASIC_TEMPLATE)], { domain: 2 }), T0, '192.0.2.1').length, 0);
    assert.equal(run.decode(ipfix([set(2, BASIC_TEMPLATE)], { domain: 1 }), T0, '192.0.2.9').length, 0);
    assert.equal(run.decode(ipfix([set(2, BASIC_TEMPLATE)], { domain: 1 }), T0, '192.0.2.1').length, 1);
  });
});

describe('NetFlow v9 specifics', () => {
  it('converts uptime-relative times across the 32-bit uptime wrap', () => {
    const run = setup();
    const tpl = set(0, template(262, field(8, 4), field(22, 4), field(21, 4)));
    // Header uptime just after the wrap; the flow ended 2 s earlier, just before it.
    const flows = run.decode(v9([tpl, set(262, [...ip('192.0.2.110'), ...be(2 ** 32 - 5000, 4), ...be(2 ** 32 - 1000, 4)])], { uptime: 1000 }));
    assert.equal(flows[0].timeMs, T0 - 2000);
  });

  it('ignores padding after options templates and options data', () => {
    const run = setup();
    const datagram = v9([set(1, v9OptionsTemplate(300, [field(1, 4)], [field(34, 4)]), [0, 0]), set(300, [...be(1, 4), ...be(10, 4)], [0, 0, 0])]);
    assert.deepEqual(run.decode(datagram), []);
    assert.deepEqual(run.errors, []);
    assert.equal(run.decoder.stats().templates.optionsTemplates, 1);
  });
});

describe('every error reason is counted, never thrown', () => {
  const cases: Array<{ name: string; reason: NetflowDecodeErrorReason; datagrams: Uint8Array[]; detail: RegExp }> = [
    { name: 'datagram shorter than the version field', reason: 'truncated', datagrams: [Uint8Array.from([0])], detail: /need 2, got 1/ },
    { name: 'short v9 header', reason: 'truncated', datagrams: [Uint8Array.from([0, 9, 0, 1, 0, 0])], detail: /^netflow v9: truncated header \(need 20, got 6\)$/ },
    { name: 'short IPFIX header', reason: 'truncated', datagrams: [Uint8Array.from([0, 10, 0, 16])], detail: /need 16, got 4/ },
    {
      name: 'IPFIX message length beyond the datagram',
      reason: 'truncated',
      datagrams: [ipfix([set(2, BASIC_TEMPLATE)]).slice(0, 30)],
      detail: /truncated message \(need \d+, got 30\)/,
    },
    {
      name: 'set longer than the rest of the datagram',
      reason: 'truncated',
      datagrams: [v9([[...be(256, 2), ...be(100, 2), 1, 2, 3, 4]])],
      detail: /^netflow v9 domain 0 seq 7: truncated set 256 \(need 100, got 8\)$/,
    },
    {
      name: 'template cut inside its field list',
      reason: 'truncated',
      datagrams: [ipfix([set(2, [...be(256, 2), ...be(5, 2), ...field(8, 4)])])],
      detail: /truncated template 256/,
    },
    { name: 'unknown version', reason: 'bad_version', datagrams: [Uint8Array.from([0, 7, 0, 0])], detail: /unsupported version 7/ },
    {
      name: 'data record before its template',
      reason: 'template_not_found',
      datagrams: [ipfix([set(999, [1, 2, 3, 4])])],
      detail: /data set 999/,
    },
    {
      name: 'template with a reserved id',
      reason: 'bad_template',
      datagrams: [ipfix([set(2, template(255, field(8, 4)))])],
      detail: /template id 255 is reserved/,
    },
    {
      name: 'IPFIX options template without scope',
      reason: 'bad_template',
      datagrams: [ipfix([set(3, ipfixOptionsTemplate(300, 0, field(34, 4)))])],
      detail: /scope count 0/,
    },
    {
      name: 'template whose records take zero bytes',
      reason: 'zero_length_field',
      datagrams: [ipfix([set(2, template(256, field(8, 0), field(12, 0)))])],
      detail: /template 256 rejected/,
    },
    { name: 'set length below the set header', reason: 'bad_length', datagrams: [ipfix([[...be(256, 2), 0, 2]])], detail: /set 256 length 2 below set header size/ },
    {
      name: 'IPFIX message length below the header',
      reason: 'bad_length',
      datagrams: [Uint8Array.from([0, 10, 0, 8, ...Array(12).fill(0)])],
      detail: /message length 8 below header size/,
    },
    {
      name: 'sampling rate 0 in data records (counted once per set)',
      reason: 'zero_sampling_rate',
      datagrams: [ipfix([set(2, template(256, field(8, 4), field(34, 4))), set(256, [...ip('192.0.2.120'), 0, 0, 0, 0], [...ip('192.0.2.121'), 0, 0, 0, 0])])],
      detail: /^ipfix domain 1 seq 1: set 256: 2 record\(s\) carry sampling interval 0/,
    },
  ];
  for (const c of cases) {
    it(`${c.reason}: ${c.name}`, () => {
      const run = setup();
      for (const d of c.datagrams) assert.doesNotThrow(() => run.decode(d));
      assert.deepEqual(reasons(run), [c.reason]);
      assert.match(run.errors[0].detail, c.detail);
      assert.equal(run.decoder.errors[c.reason], 1);
    });
  }

  it('survives every truncation and byte corruption of the real captures', () => {
    const captures = resolve(import.meta.dirname, '../../../../shared/captures');
    const files = ['netflow-data+templates.pcap', 'netflow-ipfixprobe-templates.pcap', 'netflow-ipfixprobe-data.pcap', 'netflow-nfv5.pcap', 'netflow-icmp-template.pcap'];
    const datagrams = files.flatMap((f) => [...readPcapUdpDatagrams(readFileSync(join(captures, f)))].map((d) => new Uint8Array(d.payload)));
    const run = setup();
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let decoded = 0;
    for (const d of datagrams) {
      for (let cut = 0; cut <= d.length; cut++) run.decoder.decode(d.subarray(0, cut), EXPORTER, T0, () => decoded++);
      for (let round = 0; round < 300; round++) {
        const bad = d.slice();
        for (let k = 0; k < 4; k++) bad[Math.floor(random() * bad.length)] = Math.floor(random() * 256);
        run.decoder.decode(bad, EXPORTER, T0, () => decoded++);
      }
    }
    assert.ok(decoded > 0);
    assert.ok(run.errors.length > 0);
  });
});
