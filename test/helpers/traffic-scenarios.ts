/**
 * Generated traffic for detection tests: a scenario is a list of synthetic flows (each at
 * most a second long), exported the way routers export them — as sFlow v5 datagrams with
 * packet sampling, or as NetFlow v9 datagrams (active timeout 1 s) — and decoded by the
 * real decoders into detector batches. Documentation ranges only.
 */
import { FlowDecoders } from '../../src/flow/flow-decoders.ts';
import { encodeNetflowV9Datagram, NF9, type NetflowV9Record, type NetflowV9Template } from '../../src/flow/netflow/netflow-v9-encoder.ts';
import { addressBytes, ethernet, icmp, ipv4, ipv6, tcp, udp } from '../../src/flow/packet/packet-builder.ts';
import { encodeSflowDatagram, type SflowFlowSampleSpec } from '../../src/flow/sflow/sflow-datagram-encoder.ts';
import { type FlowBatch, FlowBatchReader, FlowBatchWriter } from '../../src/detect/flow-batch.ts';

export interface SyntheticFlow {
  startMs: number;
  /** Inclusive end; at most 1 s after start. */
  endMs: number;
  src: string;
  dst: string;
  protocol: number;
  srcPort: number;
  /** For ICMP: type << 8 | code. */
  dstPort: number;
  tcpFlags: number;
  packets: number;
  /** Bytes of each packet (frame length on the wire). */
  packetSize: number;
  srcMac?: string;
  dstMac?: string;
}

/** Deterministic PRNG (mulberry32) so scenarios are reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GATEWAY_MAC = '02:00:00:00:00:fe';

/** A steady stream split into one synthetic flow per second. */
export function steadyStream(options: Omit<SyntheticFlow, 'startMs' | 'endMs' | 'packets'> & { startMs: number; seconds: number; packetsPerSecond: number }): SyntheticFlow[] {
  const flows: SyntheticFlow[] = [];
  for (let s = 0; s < options.seconds; s++) {
    const startMs = options.startMs + s * 1000;
    flows.push({ ...options, startMs, endMs: startMs + 999, packets: options.packetsPerSecond });
  }
  return flows;
}

function packetOf(flow: SyntheticFlow): Buffer {
  const v6 = flow.src.includes(':');
  let l4: Buffer;
  if (flow.protocol === 6) l4 = tcp({ srcPort: flow.srcPort, dstPort: flow.dstPort, flags: flow.tcpFlags });
  else if (flow.protocol === 17) l4 = udp({ srcPort: flow.srcPort, dstPort: flow.dstPort });
  else l4 = icmp({ type: flow.dstPort >> 8, code: flow.dstPort & 0xff });
  const ipHeaderLength = v6 ? 40 : 20;
  const totalLength = Math.max(flow.packetSize - 14, ipHeaderLength + l4.length);
  // The header describes the whole packet, as a router's sampled header does: the UDP
  // length covers the payload that the sample cut off.
  if (flow.protocol === 17) l4.writeUInt16BE(totalLength - ipHeaderLength, 4);
  const ip = v6
    ? ipv6({ src: flow.src, dst: flow.dst, nextHeader: flow.protocol, payload: l4, payloadLength: totalLength - 40 })
    : ipv4({ src: flow.src, dst: flow.dst, protocol: flow.protocol, payload: l4, totalLength });
  return ethernet({ src: flow.srcMac ?? '02:00:00:00:00:01', dst: flow.dstMac ?? GATEWAY_MAC, etherType: v6 ? 0x86dd : 0x0800, payload: ip });
}

/**
 * sFlow: every packet is a candidate; one in `samplingRate` is sampled (random skips, as
 * agents do). Samples are sent in datagrams of up to 8, one datagram batch per 100 ms.
 */
export function toSflowDatagrams(flows: SyntheticFlow[], samplingRate: number, seed = 1): Array<{ timeMs: number; datagram: Buffer }> {
  const random = prng(seed);
  const samples: Array<{ timeMs: number; spec: SflowFlowSampleSpec }> = [];
  let sequence = 0;
  let skip = 1 + Math.floor(random() * samplingRate * 2 - 1);
  for (const flow of flows) {
    let remaining = flow.packets;
    let position = 0;
    while (remaining >= skip) {
      position += skip;
      remaining -= skip;
      skip = 1 + Math.floor(random() * (samplingRate * 2 - 1));
      const timeMs = flow.startMs + ((flow.endMs - flow.startMs) * position) / Math.max(1, flow.packets);
      const header = packetOf(flow);
      samples.push({
        timeMs,
        spec: {
          type: 'flow',
          sequence: ++sequence,
          sourceIdIndex: 3,
          samplingRate,
          samplePool: sequence * samplingRate,
          input: 3,
          output: 1,
          records: [{ type: 'header', protocol: 1, frameLength: flow.packetSize + 4, header: header.subarray(0, Math.min(header.length, 128)) }],
        },
      });
    }
    skip -= remaining;
  }
  samples.sort((a, b) => a.timeMs - b.timeMs);
  const datagrams: Array<{ timeMs: number; datagram: Buffer }> = [];
  let datagramSequence = 0;
  for (let i = 0; i < samples.length; ) {
    const windowEnd = (Math.floor(samples[i].timeMs / 100) + 1) * 100;
    const batch: SflowFlowSampleSpec[] = [];
    while (i < samples.length && samples[i].timeMs < windowEnd && batch.length < 8) batch.push(samples[i++].spec);
    datagrams.push({
      timeMs: windowEnd,
      datagram: encodeSflowDatagram({ agentAddress: '192.0.2.254', subAgentId: 0, sequence: ++datagramSequence, uptimeMs: windowEnd % 1e9, samples: batch }),
    });
  }
  return datagrams;
}

const V4_TEMPLATE: NetflowV9Template = {
  id: 256,
  fields: [
    { type: NF9.IPV4_SRC_ADDR, length: 4 },
    { type: NF9.IPV4_DST_ADDR, length: 4 },
    { type: NF9.L4_SRC_PORT, length: 2 },
    { type: NF9.L4_DST_PORT, length: 2 },
    { type: NF9.PROTOCOL, length: 1 },
    { type: NF9.TCP_FLAGS, length: 1 },
    { type: NF9.IN_PKTS, length: 4 },
    { type: NF9.IN_BYTES, length: 8 },
    { type: NF9.FIRST_SWITCHED, length: 4 },
    { type: NF9.LAST_SWITCHED, length: 4 },
    { type: NF9.INPUT_SNMP, length: 4 },
    { type: NF9.OUTPUT_SNMP, length: 4 },
    { type: 56, length: 6 }, // IN_SRC_MAC
  ],
};
const V6_TEMPLATE: NetflowV9Template = {
  id: 257,
  fields: V4_TEMPLATE.fields.map((f) =>
    f.type === NF9.IPV4_SRC_ADDR ? { type: NF9.IPV6_SRC_ADDR, length: 16 } : f.type === NF9.IPV4_DST_ADDR ? { type: NF9.IPV6_DST_ADDR, length: 16 } : f,
  ),
};

/**
 * NetFlow v9, unsampled: one record per synthetic flow, exported when it ends, at most 24
 * records per datagram; templates in the first datagram. Uptime counts from `bootMs`.
 */
export function toNetflowV9Datagrams(flows: SyntheticFlow[], bootMs: number): Array<{ timeMs: number; datagram: Buffer }> {
  const sorted = [...flows].sort((a, b) => a.endMs - b.endMs);
  const out: Array<{ timeMs: number; datagram: Buffer }> = [];
  let sequence = 0;
  const first = sorted[0]?.endMs ?? bootMs;
  out.push({
    timeMs: first,
    datagram: encodeNetflowV9Datagram({
      sysUptimeMs: first - bootMs,
      unixSeconds: Math.floor(first / 1000),
      sequence: sequence++,
      sourceId: 1,
      flowSets: [{ kind: 'template', templates: [V4_TEMPLATE, V6_TEMPLATE] }],
    }),
  });
  for (let i = 0; i < sorted.length; ) {
    const exportMs = Math.ceil((sorted[i].endMs + 1) / 100) * 100;
    const v4: NetflowV9Record[] = [];
    const v6: NetflowV9Record[] = [];
    while (i < sorted.length && sorted[i].endMs < exportMs && v4.length + v6.length < 24) {
      const f = sorted[i++];
      const record: NetflowV9Record = {
        [NF9.L4_SRC_PORT]: f.srcPort,
        [NF9.L4_DST_PORT]: f.dstPort,
        [NF9.PROTOCOL]: f.protocol,
        [NF9.TCP_FLAGS]: f.tcpFlags,
        [NF9.IN_PKTS]: f.packets,
        [NF9.IN_BYTES]: f.packets * f.packetSize,
        [NF9.FIRST_SWITCHED]: f.startMs - bootMs,
        [NF9.LAST_SWITCHED]: f.endMs - bootMs,
        [NF9.INPUT_SNMP]: 3,
        [NF9.OUTPUT_SNMP]: 1,
        56: addressBytesOfMac(f.srcMac ?? '02:00:00:00:00:01'),
      };
      if (f.src.includes(':')) v6.push({ ...record, [NF9.IPV6_SRC_ADDR]: f.src, [NF9.IPV6_DST_ADDR]: f.dst });
      else v4.push({ ...record, [NF9.IPV4_SRC_ADDR]: f.src, [NF9.IPV4_DST_ADDR]: f.dst });
    }
    const flowSets = [];
    if (v4.length > 0) flowSets.push({ kind: 'data' as const, template: V4_TEMPLATE, records: v4 });
    if (v6.length > 0) flowSets.push({ kind: 'data' as const, template: V6_TEMPLATE, records: v6 });
    out.push({
      timeMs: exportMs,
      datagram: encodeNetflowV9Datagram({ sysUptimeMs: exportMs - bootMs, unixSeconds: Math.floor(exportMs / 1000), sequence: sequence++, sourceId: 1, flowSets }),
    });
  }
  return out;
}

function addressBytesOfMac(mac: string): Uint8Array {
  return Uint8Array.from(mac.split(':').map((h) => Number.parseInt(h, 16)));
}

/** Decodes datagrams with the real decoders and packs the flows into detector batches. */
export function decodeToBatches(datagrams: Array<{ timeMs: number; datagram: Buffer }>, exporter = '192.0.2.254'): FlowBatchReader[] {
  const decoders = new FlowDecoders({ maxExporters: 10, maxTemplatesPerExporter: 16, templateExpirySeconds: 3600 });
  const readers: FlowBatchReader[] = [];
  let writer = new FlowBatchWriter(4096);
  const flush = (): void => {
    if (writer.count === 0) return;
    const reader = new FlowBatchReader();
    reader.load(writer.take() as FlowBatch);
    readers.push(reader);
    writer = new FlowBatchWriter(4096);
  };
  for (const { timeMs, datagram } of datagrams) {
    const protocol = datagram[0] === 0 && datagram[1] === 0 ? 'sflow' : 'netflow';
    decoders.decode(protocol, datagram, exporter, timeMs, (flow) => {
      writer.add(flow);
      if (writer.full) flush();
    });
  }
  flush();
  return readers;
}

export { addressBytes };
