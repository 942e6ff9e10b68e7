/**
 * A pool of pre-built export datagrams, per exporter, so the sender only renumbers and
 * sends. Datagrams are realistic in size and content (see flow-mix.ts).
 */
import { buildIpfixTraffic } from './ipfix-traffic.ts';
import { buildNetflowV5Traffic } from './netflow-v5-traffic.ts';
import { buildNetflowV9Traffic } from './netflow-v9-traffic.ts';
import { buildSflowTraffic } from './sflow-traffic.ts';

export const TRAFFIC_KINDS = ['netflow-v9', 'ipfix', 'netflow-v5', 'sflow'] as const;
export type TrafficKind = (typeof TRAFFIC_KINDS)[number];

export interface ExporterTraffic {
  /** Sent once before the data (NetFlow v9/IPFIX templates); decoded to no flow. */
  preamble: Buffer[];
  data: Buffer[];
  /** Flow records in each data datagram. */
  flows: number[];
}

export interface TrafficPool {
  kind: TrafficKind;
  exporters: ExporterTraffic[];
  /** Where the header's sequence number sits and what it counts, so a sender can renumber in place. */
  sequence: { offset: number; counts: 'datagrams' | 'records' };
  /**
   * Where the header's export time (Unix seconds) sits, for formats whose record times are
   * relative to it (NetFlow v5/v9: records carry uptime, the header ties uptime to the
   * clock). A sender stamps the time of sending there, so the records' times move on as a
   * live router's do; without it a collector would see the same seconds replayed for
   * minutes. Absent: the records carry absolute times (IPFIX here) or none (sFlow: time
   * of receipt).
   */
  exportSeconds?: { offset: number };
}

export interface TrafficOptions {
  exporters: number;
  datagramsPerExporter: number;
  seed: number;
  /** Export time written into the headers (Unix ms). */
  nowMs: number;
}

export function buildTrafficPool(kind: TrafficKind, options: TrafficOptions): TrafficPool {
  switch (kind) {
    case 'netflow-v9':
      return buildNetflowV9Traffic(options);
    case 'ipfix':
      return buildIpfixTraffic(options);
    case 'netflow-v5':
      return buildNetflowV5Traffic(options);
    case 'sflow':
      return buildSflowTraffic(options);
  }
}

export function poolSummary(pool: TrafficPool): { datagrams: number; flowsPerDatagram: number; bytesPerDatagram: number } {
  let datagrams = 0;
  let flows = 0;
  let bytes = 0;
  for (const e of pool.exporters) {
    datagrams += e.data.length;
    for (const n of e.flows) flows += n;
    for (const d of e.data) bytes += d.length;
  }
  return { datagrams, flowsPerDatagram: flows / datagrams, bytesPerDatagram: bytes / datagrams };
}
