/**
 * The latency references of the detection benchmark must describe what is sent: checked
 * by decoding the schedules independently, datagram by datagram.
 * Run: node --test bench/detect/attack-schedules.test.ts
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveConfig } from '../../src/config/load-config.ts';
import { FlowDecoders } from '../../src/flow/flow-decoders.ts';
import { type AttackSchedule, netflowFlood, sampledTargetsNeeded, sflowFlood, sweep } from './attack-schedules.ts';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0, 250);
const BOOT = T0 - 3_600_000;
const netscan = resolveConfig({}).detect.netscan;

/** Per datagram: the decoded flows' (source, destination as uint32, destination port). */
function decodeAll(schedule: AttackSchedule): Array<Array<{ src: number; dst: number; port: number; packets: number }>> {
  const decoders = new FlowDecoders({ maxExporters: 4, maxTemplatesPerExporter: 16, templateExpirySeconds: 3600 });
  return schedule.datagrams.map(({ timeMs, datagram }) => {
    const flows: Array<{ src: number; dst: number; port: number; packets: number }> = [];
    decoders.decode(schedule.protocol, datagram, '127.0.0.1', timeMs, (f) => flows.push({ src: f.srcAddr4, dst: f.dstAddr4, port: f.dstPort, packets: f.packets }));
    return flows;
  });
}

function distinctTargetsThrough(perDatagram: ReturnType<typeof decodeAll>, last: number): number {
  const seen = new Set<number>();
  for (let d = 0; d <= last; d++) for (const f of perDatagram[d]) if (f.port === 22) seen.add(f.dst);
  return seen.size;
}

describe('attack schedules of the detection benchmark', () => {
  it('a NetFlow v9 sweep crosses 100 distinct targets exactly in its reference datagram', () => {
    const schedule = sweep('203.0.113.10', T0, 1, 1000, 'netflow', { bootMs: BOOT, seed: 1, netscan });
    const decoded = decodeAll(schedule);
    const ref = schedule.referenceDatagram;
    assert.ok(ref > 0);
    assert.ok(distinctTargetsThrough(decoded, ref - 1) < netscan.horizontalAddresses);
    assert.ok(distinctTargetsThrough(decoded, ref) >= netscan.horizontalAddresses);
    assert.equal(distinctTargetsThrough(decoded, decoded.length - 1), 1000);
  });

  it('an sFlow sweep crosses the sampled minimum exactly in its reference datagram', () => {
    const needed = sampledTargetsNeeded(netscan, 1000);
    assert.equal(needed, netscan.minSampledTargets);
    const schedule = sweep('203.0.113.10', T0, 2, 20_000, 'sflow', { bootMs: BOOT, seed: 7, netscan });
    const decoded = decodeAll(schedule);
    const ref = schedule.referenceDatagram;
    assert.ok(ref >= 0);
    assert.ok(distinctTargetsThrough(decoded, ref - 1) < needed);
    assert.ok(distinctTargetsThrough(decoded, ref) >= needed);
  });

  it('a NetFlow v9 flood is referenced from its first datagram with records, 135,000 packets a second', () => {
    const schedule = netflowFlood('203.0.113.11', '198.51.100.7', T0, 4, BOOT);
    const decoded = decodeAll(schedule);
    const ref = schedule.referenceDatagram;
    assert.ok(ref > 0);
    assert.ok(decoded.slice(0, ref).every((flows) => flows.length === 0), 'only templates before the reference');
    assert.ok(decoded[ref].length > 0);
    const packets = decoded.flat().reduce((sum, f) => sum + f.packets, 0);
    assert.equal(packets, 4 * 135_000);
  });

  it('an sFlow flood is referenced from its first packet and samples about 135 packets a second', () => {
    const schedule = sflowFlood('203.0.113.12', '198.51.100.8', T0, 3, 5);
    assert.equal(schedule.referenceDatagram, -1);
    assert.equal(schedule.referenceMs, T0);
    const samples = decodeAll(schedule).flat().length;
    assert.ok(Math.abs(samples - 3 * 135) < 3 * 135 * 0.15, `${samples} samples in 3 s`);
    assert.ok(schedule.datagrams[0].timeMs >= T0);
  });
});
