/**
 * NetFlow v5 as a router exports it: 30 records of 48 bytes per datagram (1,464 bytes),
 * one engine id per exporter. Only the in-process decode benchmark uses it.
 */
import { FlowMix } from './flow-mix.ts';
import type { ExporterTraffic, TrafficOptions, TrafficPool } from './traffic-pool.ts';

const RECORDS_PER_DATAGRAM = 30;
const NEXT_HOP = ((192 << 24) | (0 << 16) | (2 << 8) | 254) >>> 0;

export function buildNetflowV5Traffic(options: TrafficOptions): TrafficPool {
  const unixSeconds = Math.floor(options.nowMs / 1000);
  const exporters: ExporterTraffic[] = [];
  for (let e = 0; e < options.exporters; e++) {
    const mix = new FlowMix(options.seed * 1000 + 700 + e);
    const uptime = 86_400_000 + e * 3_600_000;
    const data: Buffer[] = [];
    for (let d = 0; d < options.datagramsPerExporter; d++) {
      const b = Buffer.alloc(24 + 48 * RECORDS_PER_DATAGRAM);
      b.writeUInt16BE(5, 0);
      b.writeUInt16BE(RECORDS_PER_DATAGRAM, 2);
      b.writeUInt32BE(uptime, 4);
      b.writeUInt32BE(unixSeconds, 8);
      b.writeUInt32BE((d * RECORDS_PER_DATAGRAM) >>> 0, 16);
      b.writeUInt8(e & 0xff, 21);
      for (let r = 0; r < RECORDS_PER_DATAGRAM; r++) {
        const f = mix.next();
        const o = 24 + 48 * r;
        const last = uptime - f.endedAgoMs;
        b.writeUInt32BE(f.src, o);
        b.writeUInt32BE(f.dst, o + 4);
        b.writeUInt32BE(NEXT_HOP, o + 8);
        b.writeUInt16BE(f.inputInterface, o + 12);
        b.writeUInt16BE(f.outputInterface, o + 14);
        b.writeUInt32BE(f.packets, o + 16);
        b.writeUInt32BE(Math.min(f.bytes, 0xffffffff), o + 20);
        b.writeUInt32BE(last - f.durationMs, o + 24);
        b.writeUInt32BE(last, o + 28);
        b.writeUInt16BE(f.srcPort, o + 32);
        b.writeUInt16BE(f.dstPort, o + 34);
        b.writeUInt8(f.tcpFlags, o + 37);
        b.writeUInt8(f.protocol, o + 38);
        b.writeUInt16BE(64496 + (f.src & 7), o + 40);
        b.writeUInt16BE(64496 + (f.dst & 7), o + 42);
        b.writeUInt8(24, o + 44);
        b.writeUInt8(24, o + 45);
      }
      data.push(b);
    }
    exporters.push({ preamble: [], data, flows: data.map(() => RECORDS_PER_DATAGRAM) });
  }
  return { kind: 'netflow-v5', exporters, sequence: { offset: 16, counts: 'records' }, exportSeconds: { offset: 8 } };
}
