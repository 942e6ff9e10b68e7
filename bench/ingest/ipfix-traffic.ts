/**
 * IPFIX (RFC 7011) as a router exports it: a template set, then data sets of IPv4 records
 * with 64-bit counters and absolute millisecond timestamps, about 1,400 bytes per message,
 * one observation domain per exporter. Only the in-process decode benchmark uses it (the
 * collector reads IPFIX with the same template decoder as NetFlow v9).
 */
import { FlowMix, type GeneratedFlow } from './flow-mix.ts';
import type { ExporterTraffic, TrafficOptions, TrafficPool } from './traffic-pool.ts';

const TEMPLATE_ID = 400;
const MESSAGE_BUDGET = 1400;

/** [element id, length, writer]. */
type Field = [number, number, (b: Buffer, o: number, f: GeneratedFlow, endMs: number) => void];

const FIELDS: Field[] = [
  [1, 8, (b, o, f) => b.writeBigUInt64BE(BigInt(f.bytes), o)], // octetDeltaCount
  [2, 8, (b, o, f) => b.writeBigUInt64BE(BigInt(f.packets), o)], // packetDeltaCount
  [4, 1, (b, o, f) => b.writeUInt8(f.protocol, o)], // protocolIdentifier
  [6, 1, (b, o, f) => b.writeUInt8(f.tcpFlags, o)], // tcpControlBits
  [7, 2, (b, o, f) => b.writeUInt16BE(f.srcPort, o)], // sourceTransportPort
  [8, 4, (b, o, f) => b.writeUInt32BE(f.src, o)], // sourceIPv4Address
  [11, 2, (b, o, f) => b.writeUInt16BE(f.dstPort, o)], // destinationTransportPort
  [12, 4, (b, o, f) => b.writeUInt32BE(f.dst, o)], // destinationIPv4Address
  [10, 4, (b, o, f) => b.writeUInt32BE(f.inputInterface, o)], // ingressInterface
  [14, 4, (b, o, f) => b.writeUInt32BE(f.outputInterface, o)], // egressInterface
  [152, 8, (b, o, f, end) => b.writeBigUInt64BE(BigInt(end - f.durationMs), o)], // flowStartMilliseconds
  [153, 8, (b, o, _f, end) => b.writeBigUInt64BE(BigInt(end), o)], // flowEndMilliseconds
];
const RECORD_LENGTH = FIELDS.reduce((n, f) => n + f[1], 0);
const RECORDS_PER_MESSAGE = Math.floor((MESSAGE_BUDGET - 16 - 4) / RECORD_LENGTH);

function message(exportSeconds: number, sequence: number, domain: number, setId: number, body: Buffer): Buffer {
  const out = Buffer.alloc(16 + 4 + body.length);
  out.writeUInt16BE(10, 0);
  out.writeUInt16BE(out.length, 2);
  out.writeUInt32BE(exportSeconds, 4);
  out.writeUInt32BE(sequence >>> 0, 8);
  out.writeUInt32BE(domain, 12);
  out.writeUInt16BE(setId, 16);
  out.writeUInt16BE(4 + body.length, 18);
  body.copy(out, 20);
  return out;
}

export function buildIpfixTraffic(options: TrafficOptions): TrafficPool {
  const exportSeconds = Math.floor(options.nowMs / 1000);
  const exporters: ExporterTraffic[] = [];
  for (let e = 0; e < options.exporters; e++) {
    const mix = new FlowMix(options.seed * 1000 + 500 + e);
    const template = Buffer.alloc(4 + 4 * FIELDS.length);
    template.writeUInt16BE(TEMPLATE_ID, 0);
    template.writeUInt16BE(FIELDS.length, 2);
    FIELDS.forEach(([id, length], i) => {
      template.writeUInt16BE(id, 4 + 4 * i);
      template.writeUInt16BE(length, 6 + 4 * i);
    });
    const preamble = [message(exportSeconds, 0, e, 2, template)];
    const data: Buffer[] = [];
    let sequence = 0;
    for (let d = 0; d < options.datagramsPerExporter; d++) {
      const body = Buffer.alloc(RECORD_LENGTH * RECORDS_PER_MESSAGE);
      for (let r = 0; r < RECORDS_PER_MESSAGE; r++) {
        const f = mix.next();
        let o = r * RECORD_LENGTH;
        for (const [, length, write] of FIELDS) {
          write(body, o, f, options.nowMs - f.endedAgoMs);
          o += length;
        }
      }
      data.push(message(exportSeconds, sequence, e, TEMPLATE_ID, body));
      sequence += RECORDS_PER_MESSAGE;
    }
    exporters.push({ preamble, data, flows: data.map(() => RECORDS_PER_MESSAGE) });
  }
  return { kind: 'ipfix', exporters, sequence: { offset: 8, counts: 'records' } };
}
