/**
 * Conformance: every NetFlow/IPFIX capture in ../shared/captures is decoded by our decoder
 * and by tshark (the independent reference), and every decoded flow is compared field by
 * field. Template files are fed before their data sibling through the same decoder state;
 * tshark gets the same files concatenated with mergecap so it sees the templates too.
 *
 * tshark reports raw wire values; the normalization rules (sampling multiplication, flow
 * end time to epoch milliseconds, ICMP type/code in the destination port, RFC 5103 reverse
 * flows) are applied to its output below, independently of the decoder's code.
 */
import { exportTimeMs } from './template-flow-decoder.ts';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { type FlowRecordSnapshot, snapshotFlow } from '../flow-record.ts';
import { readPcapUdpDatagrams } from '../pcap/pcap-reader.ts';
import { createNetflowDecoder, type NetflowDecoderOptions } from './netflow-decoder.ts';

const CAPTURES = resolve(import.meta.dirname, '../../../../shared/captures');
// The captures use non-standard ports for some exporters; tell tshark they are NetFlow.
const DECODE_AS = ['udp.port==2055,cflow', 'udp.port==9990,cflow', 'udp.port==2100,cflow', 'udp.port==8096,cflow'];

const work = mkdtempSync(join(tmpdir(), 'netflow-captures-'));
after(() => rmSync(work, { recursive: true, force: true }));

type Json = Record<string, unknown>;

/**
 * tshark -T json with --no-duplicate-keys: RFC 5103 reverse fields reuse the forward
 * field names, which plain JSON output would collapse into one key. (The shared
 * test/helpers/tshark.ts has no switch for it.)
 */
function tsharkPackets(files: string[]): Json[] {
  let file = join(CAPTURES, files[0]);
  if (files.length > 1) {
    file = join(work, `${files.join('+')}.pcap`);
    execFileSync('mergecap', ['-a', '-F', 'pcap', '-w', file, ...files.map((f) => join(CAPTURES, f))]);
  }
  const args = ['-r', file, '-T', 'json', '-n', '--no-duplicate-keys'];
  for (const rule of DECODE_AS) args.push('-d', rule);
  const out = execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
  return (JSON.parse(out) as Array<{ _source: { layers: Json } }>).map((p) => p._source.layers);
}

function first(v: unknown): string | undefined {
  if (Array.isArray(v)) return v[0] as string;
  return v as string | undefined;
}

function num(v: unknown): number {
  const s = first(v);
  if (s === undefined) return 0;
  return s.startsWith('0x') ? Number.parseInt(s, 16) : Number(s);
}

/** tshark prints uptimes as "116800.990000000" seconds. */
function secondsToMs(v: unknown): number {
  return Math.round(Number(first(v)) * 1000);
}

/** tshark prints absolute times as "Jun  4, 2023 08:39:53.216000000 UTC". */
function absoluteMs(v: unknown): number {
  const text = first(v) as string;
  const m = /^(.*\d\d:\d\d:\d\d)\.(\d+) UTC$/.exec(text);
  assert.ok(m, `unexpected tshark time ${text}`);
  return Date.parse(`${m[1]} UTC`) + Number(m[2].slice(0, 3));
}

interface SamplerState {
  byId: Map<number, number>;
  fallback: number;
  last: number;
}

/** Turns tshark's decode into the flows our decoder should emit, applying the documented rules. */
function expectedFlows(packets: Json[]): FlowRecordSnapshot[] {
  const flows: FlowRecordSnapshot[] = [];
  const captureMs = (layers: Json): number => Number((layers.frame as Json)['frame.time_epoch']) * 1000;
  const samplers = new Map<string, SamplerState>();
  for (const layers of packets) {
    const cflow = layers.cflow as Json | undefined;
    if (cflow === undefined) continue;
    const exporter = (layers.ip as Json)['ip.src'] as string;
    const version = num(cflow['cflow.version']);
    const stamp = cflow['cflow.timestamp_tree'] as Json;
    let domain: number;
    let exportMs: number;
    let uptimeMs = 0;
    let packetRate = 0;
    if (version === 5) {
      domain = (num(cflow['cflow.engine_type']) << 8) | num(cflow['cflow.engine_id']);
      exportMs = num(stamp['cflow.unix_secs']) * 1000 + Math.floor(num(stamp['cflow.unix_nsecs']) / 1e6);
      uptimeMs = secondsToMs(cflow['cflow.sysuptime']);
      packetRate = num(cflow['cflow.samplerate']);
    } else if (version === 9) {
      domain = num(cflow['cflow.source_id']);
      // Whole seconds in the header; the decoder takes the milliseconds from the receive (capture) time.
      exportMs = exportTimeMs(num(stamp['cflow.unix_secs']), captureMs(layers));
      uptimeMs = secondsToMs(cflow['cflow.sysuptime']);
    } else {
      domain = num(cflow['cflow.od_id']);
      exportMs = exportTimeMs(num(stamp['cflow.exporttime']), captureMs(layers));
    }
    const key = `${exporter}|${version}|${domain}`;
    let sampler = samplers.get(key);
    if (sampler === undefined) {
      sampler = { byId: new Map(), fallback: 0, last: 0 };
      samplers.set(key, sampler);
    }

    const records: Json[] = [];
    for (const [name, value] of Object.entries(cflow)) {
      if (/^pdu \d+\/\d+$/.test(name)) records.push(value as Json);
      if (/^(Flow)?Set \d+/.test(name)) {
        for (const [inner, record] of Object.entries(value as Json)) if (/^Flow \d+$/.test(inner)) records.push(record as Json);
      }
    }
    for (const r of records) {
      const hasAddress = r['cflow.srcaddr'] !== undefined || r['cflow.srcaddrv6'] !== undefined;
      if (!hasAddress) {
        // Options record: a sampler announcement.
        const interval = r['cflow.sampler_random_interval'] ?? r['cflow.sampling_interval'];
        if (interval === undefined) continue;
        const rate = num(interval);
        if (r['cflow.sampler_id'] !== undefined) sampler.byId.set(num(r['cflow.sampler_id']), rate);
        else sampler.fallback = rate;
        sampler.last = rate;
        continue;
      }
      let rate = version === 5 ? packetRate : num(r['cflow.sampling_interval']);
      if (rate === 0 && r['cflow.sampler_id'] !== undefined) rate = sampler.byId.get(num(r['cflow.sampler_id'])) ?? 0;
      if (rate === 0) rate = sampler.fallback || sampler.last || 1;

      const times = r['cflow.timedelta_tree'] as Json | undefined;
      let timeMs = exportMs;
      if (times?.['cflow.timeend'] !== undefined) timeMs = exportMs - uptimeMs + secondsToMs(times['cflow.timeend']);
      else if (times?.['cflow.abstimeend'] !== undefined) timeMs = absoluteMs(times['cflow.abstimeend']);

      const v6 = r['cflow.srcaddrv6'] !== undefined;
      const protocol = num(r['cflow.protocol']);
      let dstPort = num(r['cflow.dstport']);
      const icmp = num(r[protocol === 58 ? 'cflow.icmp_type_code_ipv6' : 'cflow.icmp_type_code_ipv4']);
      if ((protocol === 1 || protocol === 58) && icmp !== 0) dstPort = icmp;
      const forward: FlowRecordSnapshot = {
        timeMs,
        exporter,
        observationDomain: domain,
        inputInterface: num(r['cflow.inputint']),
        outputInterface: num(r['cflow.outputint']),
        ipVersion: v6 ? 6 : 4,
        srcAddr: first(r[v6 ? 'cflow.srcaddrv6' : 'cflow.srcaddr']) as string,
        dstAddr: first(r[v6 ? 'cflow.dstaddrv6' : 'cflow.dstaddr']) as string,
        srcPort: num(r['cflow.srcport']),
        dstPort,
        protocol,
        tcpFlags: num(r['cflow.tcpflags']),
        fragment: false,
        packets: num(r['cflow.packets']) * rate,
        bytes: num(r['cflow.octets']) * rate,
        samplingRate: rate,
        srcMac: first(r['cflow.srcmac']) ?? '',
        dstMac: first(r['cflow.dstmac']) ?? '',
        vlan: num(r['cflow.vlanid']),
        frameLength: 0,
        header: null,
      };
      flows.push(forward);
      // RFC 5103 biflow: tshark lists the reverse (PEN 29305) counters after the forward ones.
      const packets = r['cflow.packets'];
      const octets = r['cflow.octets'];
      if (Array.isArray(packets) && Array.isArray(octets)) {
        const reversePackets = Number(packets[1]);
        const reverseBytes = Number(octets[1]);
        if (reversePackets > 0 || reverseBytes > 0) {
          const flags = r['cflow.tcpflags'];
          flows.push({
            ...forward,
            inputInterface: forward.outputInterface,
            outputInterface: forward.inputInterface,
            srcAddr: forward.dstAddr,
            dstAddr: forward.srcAddr,
            srcPort: forward.dstPort,
            dstPort: forward.srcPort,
            srcMac: forward.dstMac,
            dstMac: forward.srcMac,
            tcpFlags: Array.isArray(flags) ? num(flags[1]) : 0,
            packets: reversePackets * rate,
            bytes: reverseBytes * rate,
          });
        }
      }
    }
  }
  return flows;
}

function decodeFiles(files: string[], options: NetflowDecoderOptions = {}) {
  const decoder = createNetflowDecoder(options);
  const flows: FlowRecordSnapshot[] = [];
  let returned = 0;
  for (const file of files) {
    for (const d of readPcapUdpDatagrams(readFileSync(join(CAPTURES, file)))) {
      returned += decoder.decode(d.payload, d.srcAddress, d.timeMs, (flow) => flows.push(snapshotFlow(flow)));
    }
  }
  assert.equal(returned, flows.length, 'decode() returns the number of flows it emitted');
  return { flows, stats: decoder.stats() };
}

const noErrors = {
  truncated: 0,
  bad_version: 0,
  template_not_found: 0,
  bad_template: 0,
  template_limit: 0,
  exporter_limit: 0,
  zero_length_field: 0,
  bad_length: 0,
  zero_sampling_rate: 0,
  sampler_limit: 0,
};

describe('NetFlow/IPFIX captures match tshark field by field', () => {
  const scenarios: Array<{ name: string; files: string[]; flows: number }> = [
    { name: 'NetFlow v5', files: ['netflow-nfv5.pcap'], flows: 29 },
    { name: 'v9 template + data', files: ['netflow-template.pcap', 'netflow-data.pcap'], flows: 4 },
    {
      name: 'v9 options (sampler 1 = 30000) then template + data using sampler 1',
      files: ['netflow-options-template.pcap', 'netflow-options-data.pcap', 'netflow-template.pcap', 'netflow-data.pcap'],
      flows: 4,
    },
    { name: 'v9 per-record sampling interval', files: ['netflow-samplingrate-template.pcap', 'netflow-samplingrate-data.pcap'], flows: 6 },
    { name: 'v9 ICMP / ICMPv6 with millisecond timestamps', files: ['netflow-icmp-template.pcap', 'netflow-icmp-data.pcap'], flows: 4 },
    {
      name: 'IPFIX ipfixprobe biflows (enterprise reverse fields)',
      files: ['netflow-ipfixprobe-templates.pcap', 'netflow-ipfixprobe-data.pcap'],
      flows: 6,
    },
  ];
  for (const scenario of scenarios) {
    it(scenario.name, () => {
      const { flows, stats } = decodeFiles(scenario.files);
      const expected = expectedFlows(tsharkPackets(scenario.files));
      assert.equal(flows.length, scenario.flows);
      assert.deepEqual(flows, expected);
      assert.deepEqual(stats.errors, noErrors);
    });
  }

  it('v9 options data only: sampler announcements are state, not flows', () => {
    const { flows, stats } = decodeFiles(['netflow-options-template.pcap', 'netflow-options-data.pcap']);
    assert.deepEqual(flows, []);
    assert.equal(stats.templates.optionsTemplates, 1);
    assert.deepEqual(stats.errors, noErrors);
  });

  it('data before its template in one datagram: dropped without buffering, exactly like tshark', () => {
    const files = ['netflow-data+templates.pcap'];
    const { flows, stats } = decodeFiles(files, { maxPendingSets: 0 });
    const expected = expectedFlows(tsharkPackets(files));
    assert.equal(flows.length, 10);
    assert.deepEqual(flows, expected);
    assert.equal(stats.errors.template_not_found, 1);
    assert.ok(flows.every((f) => f.samplingRate === 100));
  });

  it('data before its template in one datagram: buffered and decoded once the template arrives', () => {
    // tshark decodes the early set only when it saw the template before, so it reads the
    // datagram twice and its second pass is the reference.
    const files = ['netflow-data+templates.pcap'];
    const { flows, stats } = decodeFiles(files);
    const twice = tsharkPackets([files[0], files[0]]);
    const expected = expectedFlows(twice).slice(expectedFlows(twice.slice(0, 1)).length);
    assert.equal(flows.length, 21);
    assert.deepEqual(flows, expected);
    assert.equal(stats.errors.template_not_found, 1);
    assert.equal(stats.templates.pendingSets, 0);
  });
});

describe('whole decoded list, asserted explicitly', () => {
  it('Cisco v9 with per-record sampling interval 2048 and VLAN', () => {
    const { flows, stats } = decodeFiles(['netflow-samplingrate-template.pcap', 'netflow-samplingrate-data.pcap']);
    // Header: unix_secs 1691746229, sysUptime 3872132129 ms; flows end at uptime 3872101141... ms.
    const base = 1691746229000 - 3872132129;
    const common = {
      exporter: '192.168.0.1',
      observationDomain: 369099009,
      inputInterface: 13,
      outputInterface: 0,
      ipVersion: 4 as const,
      protocol: 6,
      tcpFlags: 0,
      fragment: false,
      samplingRate: 2048,
      srcMac: '',
      dstMac: '',
      vlan: 701,
      frameLength: 0,
      header: null,
    };
    assert.deepEqual(flows, [
      { ...common, timeMs: base + 3872101141, srcAddr: '232.131.215.65', dstAddr: '142.183.180.65', srcPort: 13245, dstPort: 10907, packets: 2048, bytes: 160 * 2048 },
      { ...common, timeMs: base + 3872101341, srcAddr: '79.155.191.171', dstAddr: '52.8.152.113', srcPort: 13371, dstPort: 10781, packets: 2048, bytes: 420 * 2048 },
      { ...common, timeMs: base + 3872101481, srcAddr: '227.213.252.241', dstAddr: '244.67.213.115', srcPort: 13547, dstPort: 10605, packets: 2048, bytes: 1163 * 2048 },
      { ...common, timeMs: base + 3872101602, srcAddr: '193.133.148.63', dstAddr: '236.171.21.37', srcPort: 13437, dstPort: 10715, packets: 2048, bytes: 187 * 2048 },
      { ...common, timeMs: base + 3872101766, srcAddr: '53.238.225.56', dstAddr: '229.205.50.161', srcPort: 13472, dstPort: 10680, packets: 2048, bytes: 1289 * 2048 },
      { ...common, timeMs: base + 3872101900, srcAddr: '82.58.106.145', dstAddr: '136.191.168.37', srcPort: 13570, dstPort: 10582, packets: 2048, bytes: 521 * 2048 },
    ]);
    assert.deepEqual(stats, {
      datagrams: 2,
      flows: 6,
      templates: { exporters: 1, domains: 1, templates: 1, optionsTemplates: 0, pendingSets: 0, pendingBytes: 0 },
      errors: noErrors,
    });
  });
});
