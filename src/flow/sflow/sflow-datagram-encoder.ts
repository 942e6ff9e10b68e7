/**
 * Encodes sFlow v5 datagrams from a plain description: the decoder tests build datagrams
 * with it (and then break them on purpose), and the lab and benchmarks can generate
 * traffic for a collector. Allocates freely; not for the hot path.
 */
import { addressBytes, macBytes } from '../packet/packet-builder.ts';

export type SflowFlowRecordSpec =
  | { type: 'header'; protocol: number; frameLength: number; stripped?: number; header: Uint8Array }
  | { type: 'ethernet'; length: number; srcMac: string; dstMac: string; etherType: number }
  | {
      type: 'ipv4' | 'ipv6';
      length: number;
      protocol: number;
      src: string;
      dst: string;
      srcPort: number;
      dstPort: number;
      tcpFlags: number;
      /** ToS (IPv4) or priority (IPv6). */
      tos?: number;
    }
  | { type: 'switch'; srcVlan: number; srcPriority?: number; dstVlan: number; dstPriority?: number }
  | { type: 'router'; nextHop: string; srcMaskLength: number; dstMaskLength: number }
  /** Any other record, written as given (format = enterprise << 12 | format). */
  | { type: 'opaque'; format: number; data: Uint8Array };

export interface SflowFlowSampleSpec {
  type: 'flow';
  /** Expanded flow sample (format 3) instead of the compact one (format 1). */
  expanded?: boolean;
  sequence: number;
  sourceIdType?: number;
  sourceIdIndex: number;
  samplingRate: number;
  samplePool?: number;
  drops?: number;
  /** Interface value; with format 0 an ifIndex, 0x3fffffff for the agent itself. */
  input: number;
  output: number;
  inputFormat?: number;
  outputFormat?: number;
  records: SflowFlowRecordSpec[];
}

export interface SflowCounterSampleSpec {
  type: 'counter';
  expanded?: boolean;
  sequence: number;
  sourceIdType?: number;
  sourceIdIndex: number;
  records: Array<{ format: number; data: Uint8Array }>;
}

export type SflowSampleSpec = SflowFlowSampleSpec | SflowCounterSampleSpec | { type: 'opaque'; format: number; data: Uint8Array };

export interface SflowDatagramSpec {
  agentAddress: string;
  subAgentId: number;
  sequence: number;
  uptimeMs: number;
  samples: SflowSampleSpec[];
}

/** Collects XDR items: big-endian 32-bit words and opaque data padded to 4 bytes. */
class XdrWriter {
  private readonly chunks: Buffer[] = [];

  u32(value: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(value >>> 0, 0);
    this.chunks.push(b);
    return this;
  }

  /** Fixed-length opaque: the bytes, zero-padded to a multiple of 4. */
  fixed(bytes: Uint8Array): this {
    this.chunks.push(Buffer.from(bytes));
    const pad = (4 - (bytes.length % 4)) % 4;
    if (pad > 0) this.chunks.push(Buffer.alloc(pad));
    return this;
  }

  /** Variable-length opaque: length word, then the padded bytes. */
  opaque(bytes: Uint8Array): this {
    return this.u32(bytes.length).fixed(bytes);
  }

  address(text: string): this {
    const bytes = addressBytes(text);
    return this.u32(bytes.length === 4 ? 1 : 2).fixed(bytes);
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

function encodeFlowRecord(record: SflowFlowRecordSpec): { format: number; data: Buffer } {
  const w = new XdrWriter();
  switch (record.type) {
    case 'header':
      w.u32(record.protocol).u32(record.frameLength).u32(record.stripped ?? 4).opaque(record.header);
      return { format: 1, data: w.bytes() };
    case 'ethernet':
      w.u32(record.length).fixed(macBytes(record.srcMac)).fixed(macBytes(record.dstMac)).u32(record.etherType);
      return { format: 2, data: w.bytes() };
    case 'ipv4':
    case 'ipv6':
      w.u32(record.length).u32(record.protocol).fixed(addressBytes(record.src)).fixed(addressBytes(record.dst));
      w.u32(record.srcPort).u32(record.dstPort).u32(record.tcpFlags).u32(record.tos ?? 0);
      return { format: record.type === 'ipv4' ? 3 : 4, data: w.bytes() };
    case 'switch':
      w.u32(record.srcVlan).u32(record.srcPriority ?? 0).u32(record.dstVlan).u32(record.dstPriority ?? 0);
      return { format: 1001, data: w.bytes() };
    case 'router':
      w.address(record.nextHop).u32(record.srcMaskLength).u32(record.dstMaskLength);
      return { format: 1002, data: w.bytes() };
    case 'opaque':
      return { format: record.format, data: Buffer.from(record.data) };
  }
}

function encodeSample(sample: SflowSampleSpec): { format: number; data: Buffer } {
  const w = new XdrWriter();
  switch (sample.type) {
    case 'flow': {
      w.u32(sample.sequence);
      if (sample.expanded) w.u32(sample.sourceIdType ?? 0).u32(sample.sourceIdIndex);
      else w.u32(((sample.sourceIdType ?? 0) << 24) | sample.sourceIdIndex);
      w.u32(sample.samplingRate).u32(sample.samplePool ?? 0).u32(sample.drops ?? 0);
      if (sample.expanded) {
        w.u32(sample.inputFormat ?? 0).u32(sample.input).u32(sample.outputFormat ?? 0).u32(sample.output);
      } else {
        w.u32(((sample.inputFormat ?? 0) << 30) | sample.input).u32(((sample.outputFormat ?? 0) << 30) | sample.output);
      }
      w.u32(sample.records.length);
      for (const record of sample.records) {
        const encoded = encodeFlowRecord(record);
        w.u32(encoded.format).opaque(encoded.data);
      }
      return { format: sample.expanded ? 3 : 1, data: w.bytes() };
    }
    case 'counter': {
      w.u32(sample.sequence);
      if (sample.expanded) w.u32(sample.sourceIdType ?? 0).u32(sample.sourceIdIndex);
      else w.u32(((sample.sourceIdType ?? 0) << 24) | sample.sourceIdIndex);
      w.u32(sample.records.length);
      for (const record of sample.records) w.u32(record.format).opaque(record.data);
      return { format: sample.expanded ? 4 : 2, data: w.bytes() };
    }
    case 'opaque':
      return { format: sample.format, data: Buffer.from(sample.data) };
  }
}

export function encodeSflowDatagram(spec: SflowDatagramSpec): Buffer {
  const w = new XdrWriter();
  w.u32(5).address(spec.agentAddress).u32(spec.subAgentId).u32(spec.sequence).u32(spec.uptimeMs);
  w.u32(spec.samples.length);
  for (const sample of spec.samples) {
    const encoded = encodeSample(sample);
    w.u32(encoded.format).opaque(encoded.data);
  }
  return w.bytes();
}
