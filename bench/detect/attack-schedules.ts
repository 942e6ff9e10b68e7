/**
 * The attacks the latency part sends, as wall-clock schedules of export datagrams, and
 * the reference instant each latency is measured from:
 * - an outbound UDP flood of 135,000 packets/s exported as sFlow 1:1000: the flood's
 *   first packet (known from the generated flows);
 * - the same flood as unsampled NetFlow v9 (1 s active timeout, 135 flows of 1,000
 *   packets a second): the first datagram carrying flood records;
 * - a horizontal SYN sweep of port 22 over NetFlow v9 and over sFlow 1:1000: the datagram
 *   with which the sent traffic crosses the distinct-destination threshold (100
 *   addresses; with sampling, minSampledTargets sampled x rate >= 100).
 * The references are found by decoding the schedule with the real decoders, so they
 * describe what was actually sent. Server addresses are in 203.0.113.0/24, flood targets
 * in 198.51.100.0/24, sweep targets in 198.18.0.0/15 (RFC 2544 benchmarking space).
 */
import type { Config } from '../../src/config/config-schema.ts';
import { FlowDecoders } from '../../src/flow/flow-decoders.ts';
import type { FlowRecord } from '../../src/flow/flow-record.ts';
import { prng, type SyntheticFlow, toNetflowV9Datagrams, toSflowDatagrams } from '../../test/helpers/traffic-scenarios.ts';

export interface ScheduledDatagram {
  timeMs: number;
  datagram: Buffer;
}

export interface AttackSchedule {
  datagrams: ScheduledDatagram[];
  protocol: 'sflow' | 'netflow';
  /** Latency is measured from this datagram's actual send time... */
  referenceDatagram: number;
  /** ...or, when referenceDatagram is -1, from this instant (the flood's first packet). */
  referenceMs: number;
}

export const SFLOW_RATE = 1000;
const FLOOD_PPS = 135_000;
const FLOOD_PACKET_BYTES = 150;

/** sFlow: one synthetic flow per 100 ms, so samples are spread evenly over the flood. */
export function sflowFlood(server: string, target: string, startMs: number, seconds: number, seed: number): AttackSchedule {
  const random = prng(seed);
  const flows: SyntheticFlow[] = [];
  for (let k = 0; k < seconds * 10; k++) {
    const t = startMs + k * 100;
    flows.push({ startMs: t, endMs: t + 99, src: server, dst: target, protocol: 17, srcPort: 40000 + Math.floor(random() * 20000), dstPort: 1 + Math.floor(random() * 65000), tcpFlags: 0, packets: FLOOD_PPS / 10, packetSize: FLOOD_PACKET_BYTES });
  }
  return { datagrams: toSflowDatagrams(flows, SFLOW_RATE, seed), protocol: 'sflow', referenceDatagram: -1, referenceMs: startMs };
}

/** NetFlow v9: 135 flows of 1,000 packets each second, all cut by the 1 s active timeout. */
export function netflowFlood(server: string, target: string, startMs: number, seconds: number, bootMs: number): AttackSchedule {
  const flows: SyntheticFlow[] = [];
  for (let s = 0; s < seconds; s++) {
    for (let f = 0; f < 135; f++) {
      const begin = startMs + s * 1000 + f * 7;
      flows.push({ startMs: begin, endMs: startMs + s * 1000 + 990, src: server, dst: target, protocol: 17, srcPort: 40000 + f, dstPort: 9000 + f, tcpFlags: 0, packets: 1000, packetSize: FLOOD_PACKET_BYTES });
    }
  }
  const datagrams = toNetflowV9Datagrams(flows, bootMs);
  return { datagrams, protocol: 'netflow', referenceDatagram: firstDatagramWith(datagrams, 'netflow', () => true), referenceMs: Number.NaN };
}

/** A SYN sweep of port 22 at `rate` probes/s over consecutive addresses of 198.18.0.0/15. */
export function sweep(
  server: string,
  startMs: number,
  seconds: number,
  rate: number,
  exportAs: 'sflow' | 'netflow',
  options: { bootMs: number; seed: number; netscan: Config['detect']['netscan'] },
): AttackSchedule {
  const flows: SyntheticFlow[] = [];
  const probes = Math.min(131_072, Math.round(seconds * rate));
  for (let i = 0; i < probes; i++) {
    const t = startMs + Math.floor((i * 1000) / rate);
    flows.push({ startMs: t, endMs: t, src: server, dst: `198.${18 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`, protocol: 6, srcPort: 33000 + (i % 20000), dstPort: 22, tcpFlags: 0x02, packets: 1, packetSize: 60 });
  }
  const datagrams = exportAs === 'sflow' ? toSflowDatagrams(flows, SFLOW_RATE, options.seed) : toNetflowV9Datagrams(flows, options.bootMs);
  const samplingRate = exportAs === 'sflow' ? SFLOW_RATE : 1;
  const needed = sampledTargetsNeeded(options.netscan, samplingRate);
  const seen = new Set<number>();
  const crossing = firstDatagramWith(datagrams, exportAs, (flow) => {
    if (flow.protocol !== 6 || flow.dstPort !== 22) return false;
    seen.add(flow.dstAddr4);
    return seen.size >= needed;
  });
  return { datagrams, protocol: exportAs, referenceDatagram: crossing, referenceMs: Number.NaN };
}

/** Distinct targets that must really be seen for the horizontal threshold at this sampling rate. */
export function sampledTargetsNeeded(netscan: Config['detect']['netscan'], samplingRate: number): number {
  const byEstimate = Math.ceil(netscan.horizontalAddresses / samplingRate);
  return samplingRate <= 1 ? netscan.horizontalAddresses : Math.max(byEstimate, netscan.minSampledTargets);
}

/** Index of the first datagram in which `test` holds for a decoded flow, or -1. */
export function firstDatagramWith(datagrams: ScheduledDatagram[], protocol: 'sflow' | 'netflow', test: (flow: FlowRecord) => boolean): number {
  const decoders = new FlowDecoders({ maxExporters: 4, maxTemplatesPerExporter: 16, templateExpirySeconds: 3600 });
  for (let d = 0; d < datagrams.length; d++) {
    let hit = false;
    decoders.decode(protocol, datagrams[d].datagram, '127.0.0.1', datagrams[d].timeMs, (flow) => {
      if (!hit && test(flow)) hit = true;
    });
    if (hit) return d;
  }
  return -1;
}
