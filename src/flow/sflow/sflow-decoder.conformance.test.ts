/**
 * Decodes every real sFlow capture and compares each decoded record, field by field, with
 * tshark's decode of the same file (the independent reference).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { collectField, type TsharkLayers } from '../../../test/helpers/tshark.ts';
import { formatAddress, type FlowRecordSnapshot, snapshotFlow } from '../flow-record.ts';
import { readPcapUdpDatagrams } from '../pcap/pcap-reader.ts';
import { createSflowDecoder } from './sflow-decoder.ts';

const CAPTURES = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'captures');
const FILES = readdirSync(CAPTURES)
  .filter((name) => name.startsWith('sflow-') && name.endsWith('.pcap'))
  .sort();

/**
 * Like tsharkDecode, plus --no-duplicate-keys: a QinQ header has two `vlan` layers and a
 * VXLAN sample two `eth` layers, which plain JSON.parse would collapse to the last one.
 */
function tsharkLayers(file: string): TsharkLayers[] {
  const out = execFileSync('tshark', ['-r', file, '-T', 'json', '-n', '--no-duplicate-keys'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return (JSON.parse(out) as Array<{ _source: { layers: TsharkLayers } }>).map((p) => p._source.layers);
}

type Tree = Record<string, unknown>;

function obj(value: unknown): Tree | undefined {
  if (Array.isArray(value)) return obj(value[0]);
  return value !== null && typeof value === 'object' ? (value as Tree) : undefined;
}

/** With --no-duplicate-keys, a repeated layer is an array: the last one is the innermost. */
function last(value: unknown): Tree | undefined {
  if (Array.isArray(value)) return obj(value[value.length - 1]);
  return obj(value);
}

function str(tree: Tree | undefined, key: string): string {
  const value = tree?.[key];
  assert.equal(typeof value, 'string', `tshark field ${key} missing`);
  return value as string;
}

function num(tree: Tree | undefined, key: string): number {
  return Number(str(tree, key));
}

/** The decoder's documented interface rule: only format 0 is an ifIndex; 0x3fffffff is the agent itself. */
function ifIndex(format: number, value: number): number {
  return format === 0 && value !== 0x3fffffff ? value : 0;
}

function epochMs(text: string): number {
  const [seconds, fraction = '0'] = text.split('.');
  return Number(seconds) * 1000 + Number(fraction.padEnd(9, '0')) / 1e6;
}

/**
 * tshark hangs the inside of a VXLAN packet off the top level, after the sflow layer:
 * an inner layer is either the second element of a repeated layer or a layer after `vxlan`.
 */
function vxlanInner(layers: TsharkLayers, sampleCount: number): Tree {
  assert.equal(sampleCount, 1, 'inner VXLAN layers can only be attributed in single-sample datagrams');
  const keys = Object.keys(layers);
  const vxlanAt = keys.indexOf('vxlan');
  assert.ok(vxlanAt > 0, 'tshark decoded no VXLAN layer');
  const inner: Tree = {};
  for (const [at, key] of keys.entries()) {
    const value = layers[key];
    if (Array.isArray(value) && value.length > 1) inner[key] = last(value);
    else if (at > vxlanAt) inner[key] = obj(value);
  }
  return inner;
}

/** What the decoder must produce for each flow sample of one tshark-decoded datagram. */
function expectedFlows(layers: TsharkLayers): FlowRecordSnapshot[] {
  const sflow = obj(layers.sflow);
  assert.ok(sflow, 'tshark found no sflow layer');
  const samples: Tree[] = [];
  for (const [key, value] of Object.entries(sflow)) {
    if (!/^(Expanded )?[Ff]low sample/.test(key)) continue;
    for (const sample of Array.isArray(value) ? value : [value]) samples.push(sample as Tree);
  }
  return samples.map((sample) => {
    const rate = num(sample, 'sflow.flow_sample.sampling_rate');
    let inputInterface: number;
    let outputInterface: number;
    if (str(sample, 'sflow_245.sampletype') === '3') {
      inputInterface = ifIndex(num(sample, 'sflow.flow_sample.input_interface_format'), num(sample, 'sflow.flow_sample.input_interface_value'));
      outputInterface = ifIndex(num(sample, 'sflow.flow_sample.output_interface.format'), num(sample, 'sflow.flow_sample.output_interface_value'));
    } else {
      const input = num(sample, 'sflow.flow_sample.input_interface');
      const output = Number.parseInt(str(sample, 'sflow.flow_sample.output_interface'), 16);
      inputInterface = ifIndex(input >>> 30, input & 0x3fffffff);
      outputInterface = ifIndex(output >>> 30, output & 0x3fffffff);
    }
    const raw = obj(sample['Raw packet header']);
    assert.ok(raw, 'every sample of these captures carries a raw packet header');
    const headerTree = obj(raw['sflow_245.header_tree']) ?? {};
    const tree = collectField(headerTree, 'udp.dstport')[0] === '4789' ? vxlanInner(layers, samples.length) : headerTree;
    const eth = last(tree.eth);
    const ip4 = obj(tree.ip);
    const ip6 = obj(tree.ipv6);
    let srcPort = 0;
    let dstPort = 0;
    let tcpFlags = 0;
    const tcp = obj(tree.tcp);
    const udp = obj(tree.udp);
    const icmp = obj(tree.icmp) ?? obj(tree.icmpv6);
    if (tcp) {
      srcPort = num(tcp, 'tcp.srcport');
      dstPort = num(tcp, 'tcp.dstport');
      tcpFlags = Number.parseInt(str(tcp, 'tcp.flags'), 16) & 0xff;
    } else if (udp) {
      srcPort = num(udp, 'udp.srcport');
      dstPort = num(udp, 'udp.dstport');
    } else if (icmp) {
      const prefix = tree.icmp ? 'icmp' : 'icmpv6';
      dstPort = (num(icmp, `${prefix}.type`) << 8) | num(icmp, `${prefix}.code`);
    }
    // The outer 802.1Q tag of the header wins, then the extended switch record's VLANs.
    let vlan = 0;
    const tags = collectField(headerTree, 'vlan.id');
    const sw = obj(sample['Extended switch data']);
    if (tags.length > 0) vlan = Number(tags[0]);
    else if (sw) {
      const [vin, vout] = [num(sw, 'sflow_245.vlan.in'), num(sw, 'sflow_245.vlan.out')];
      vlan = vin > 0 && vin < 4096 ? vin : vout > 0 && vout < 4096 ? vout : 0;
    }
    const frameLength = num(raw, 'sflow_245.header.frame_length');
    return {
      timeMs: epochMs(str(obj(layers.frame), 'frame.time_epoch')),
      exporter: str(obj(layers.ip), 'ip.src'),
      observationDomain: num(sflow, 'sflow_245.sub_agent_id'),
      inputInterface,
      outputInterface,
      ipVersion: ip4 ? 4 : ip6 ? 6 : 0,
      srcAddr: ip4 ? str(ip4, 'ip.src') : ip6 ? str(ip6, 'ipv6.src') : '',
      dstAddr: ip4 ? str(ip4, 'ip.dst') : ip6 ? str(ip6, 'ipv6.dst') : '',
      srcPort,
      dstPort,
      protocol: ip4 ? num(ip4, 'ip.proto') : ip6 ? num(ip6, 'ipv6.nxt') : 0,
      tcpFlags,
      fragment: ip4 ? str(obj(ip4['ip.flags_tree']), 'ip.flags.mf') === '1' || str(ip4, 'ip.frag_offset') !== '0' : false,
      packets: rate,
      bytes: frameLength * rate,
      samplingRate: rate,
      srcMac: eth ? str(eth, 'eth.src') : '',
      dstMac: eth ? str(eth, 'eth.dst') : '',
      vlan,
      frameLength,
      // tshark's bytes include the XDR padding after the header; the length field does not.
      header: str(raw, 'sflow_245.header')
        .replaceAll(':', '')
        .slice(0, num(raw, 'sflow_245.header.sampled_header_length') * 2),
    };
  });
}

describe('sFlow decoder against tshark, on every real capture', () => {
  assert.ok(FILES.length >= 6, `expected the sflow captures in ${CAPTURES}`);
  for (const name of FILES) {
    it(name, () => {
      const file = join(CAPTURES, name);
      const datagrams = [...readPcapUdpDatagrams(readFileSync(file))];
      const reference = tsharkLayers(file);
      assert.equal(datagrams.length, reference.length, 'one sflow datagram per frame');
      const errors: string[] = [];
      const decoder = createSflowDecoder({ onError: (reason, detail) => errors.push(`${reason}: ${detail}`) });
      datagrams.forEach((datagram, i) => {
        const got: FlowRecordSnapshot[] = [];
        const emitted = decoder.decode(datagram.payload, datagram.srcAddress, datagram.timeMs, (flow) => got.push(snapshotFlow(flow)));
        const want = expectedFlows(reference[i]);
        assert.ok(want.length > 0, 'tshark found flow samples');
        assert.equal(emitted, got.length);
        assert.deepEqual(got, want);

        const sflow = obj(reference[i].sflow);
        assert.equal(formatAddress(decoder.datagram.agentAddress, decoder.datagram.agentIpVersion), str(sflow, 'sflow_245.agent'));
        assert.equal(decoder.datagram.subAgentId, num(sflow, 'sflow_245.sub_agent_id'));
        assert.equal(decoder.datagram.sequence, num(sflow, 'sflow_245.sequence_number'));
        assert.equal(decoder.datagram.uptimeMs, num(sflow, 'sflow_245.sysuptime'));
        assert.equal(decoder.datagram.sampleCount, num(sflow, 'sflow_245.numsamples'));
      });
      assert.deepEqual(errors, []);
      assert.equal(decoder.stats.datagrams, datagrams.length);
      assert.equal(decoder.stats.flowSamples, collectField(reference.map((l) => l.sflow), 'sflow_245.sampletype').length);
    });
  }
});
