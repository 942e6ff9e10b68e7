/**
 * NetFlow v9 as a router exports it: one template datagram, then 1,374-byte data
 * datagrams of 30 IPv4 records (5-tuple, flags, packets, bytes, interfaces, next hop, AS,
 * masks, first/last switched), one source id per exporter.
 */
import {
  encodeNetflowV9Datagram,
  NETFLOW_V9_SEQUENCE_OFFSET,
  NETFLOW_V9_UNIX_SECONDS_OFFSET,
  NF9,
  type NetflowV9Record,
  type NetflowV9Template,
} from '../../src/flow/netflow/netflow-v9-encoder.ts';
import { FlowMix } from './flow-mix.ts';
import type { ExporterTraffic, TrafficOptions, TrafficPool } from './traffic-pool.ts';

const RECORDS_PER_DATAGRAM = 30;
const NEXT_HOP = ((192 << 24) | (0 << 16) | (2 << 8) | 254) >>> 0;

export const BENCH_V9_TEMPLATE: NetflowV9Template = {
  id: 256,
  fields: [
    { type: NF9.IN_BYTES, length: 4 },
    { type: NF9.IN_PKTS, length: 4 },
    { type: NF9.PROTOCOL, length: 1 },
    { type: NF9.SRC_TOS, length: 1 },
    { type: NF9.TCP_FLAGS, length: 1 },
    { type: NF9.L4_SRC_PORT, length: 2 },
    { type: NF9.IPV4_SRC_ADDR, length: 4 },
    { type: NF9.SRC_MASK, length: 1 },
    { type: NF9.INPUT_SNMP, length: 2 },
    { type: NF9.L4_DST_PORT, length: 2 },
    { type: NF9.IPV4_DST_ADDR, length: 4 },
    { type: NF9.DST_MASK, length: 1 },
    { type: NF9.OUTPUT_SNMP, length: 2 },
    { type: NF9.IPV4_NEXT_HOP, length: 4 },
    { type: NF9.SRC_AS, length: 2 },
    { type: NF9.DST_AS, length: 2 },
    { type: NF9.LAST_SWITCHED, length: 4 },
    { type: NF9.FIRST_SWITCHED, length: 4 },
  ],
};

export function buildNetflowV9Traffic(options: TrafficOptions): TrafficPool {
  const unixSeconds = Math.floor(options.nowMs / 1000);
  const exporters: ExporterTraffic[] = [];
  for (let e = 0; e < options.exporters; e++) {
    const mix = new FlowMix(options.seed * 1000 + e);
    // Routers have been up for a while; uptime differs per exporter.
    const uptime = 86_400_000 + e * 3_600_000;
    const header = { sysUptimeMs: uptime, unixSeconds, sequence: 0, sourceId: e };
    const preamble = [encodeNetflowV9Datagram({ ...header, flowSets: [{ kind: 'template', templates: [BENCH_V9_TEMPLATE] }] })];
    const data: Buffer[] = [];
    for (let d = 0; d < options.datagramsPerExporter; d++) {
      const records: NetflowV9Record[] = [];
      for (let r = 0; r < RECORDS_PER_DATAGRAM; r++) {
        const f = mix.next();
        const last = uptime - f.endedAgoMs;
        records.push({
          [NF9.IN_BYTES]: Math.min(f.bytes, 0xffffffff),
          [NF9.IN_PKTS]: f.packets,
          [NF9.PROTOCOL]: f.protocol,
          [NF9.TCP_FLAGS]: f.tcpFlags,
          [NF9.L4_SRC_PORT]: f.srcPort,
          [NF9.IPV4_SRC_ADDR]: f.src,
          [NF9.SRC_MASK]: 24,
          [NF9.INPUT_SNMP]: f.inputInterface,
          [NF9.L4_DST_PORT]: f.dstPort,
          [NF9.IPV4_DST_ADDR]: f.dst,
          [NF9.DST_MASK]: 24,
          [NF9.OUTPUT_SNMP]: f.outputInterface,
          [NF9.IPV4_NEXT_HOP]: NEXT_HOP,
          [NF9.SRC_AS]: 64496 + (f.src & 7),
          [NF9.DST_AS]: 64496 + (f.dst & 7),
          [NF9.LAST_SWITCHED]: last,
          [NF9.FIRST_SWITCHED]: last - f.durationMs,
        });
      }
      data.push(encodeNetflowV9Datagram({ ...header, sequence: d + 1, flowSets: [{ kind: 'data', template: BENCH_V9_TEMPLATE, records }] }));
    }
    exporters.push({ preamble, data, flows: data.map(() => RECORDS_PER_DATAGRAM) });
  }
  return { kind: 'netflow-v9', exporters, sequence: { offset: NETFLOW_V9_SEQUENCE_OFFSET, counts: 'datagrams' }, exportSeconds: { offset: NETFLOW_V9_UNIX_SECONDS_OFFSET } };
}
