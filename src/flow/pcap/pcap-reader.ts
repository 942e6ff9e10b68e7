/**
 * Reads classic libpcap files and yields the UDP datagrams inside them, which is what a
 * flow collector receives: replay, `decode` and the decoder tests all go through here.
 */

export interface PcapUdpDatagram {
  /** Capture timestamp in milliseconds (fractional: microsecond or nanosecond precision kept). */
  timeMs: number;
  srcAddress: string;
  srcPort: number;
  dstAddress: string;
  dstPort: number;
  payload: Buffer;
}

export interface PcapFrame {
  timeMs: number;
  linkType: number;
  data: Buffer;
  originalLength: number;
}

export class PcapFormatError extends Error {
  readonly code = 'PCAP_FORMAT';
}

const LINKTYPE_NULL = 0;
const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;
const LINKTYPE_LINUX_SLL = 113;
const LINKTYPE_LINUX_SLL2 = 276;

/** Iterates the frames of a pcap file held in memory. */
export function* readPcapFrames(file: Buffer): Generator<PcapFrame> {
  if (file.length < 24) throw new PcapFormatError(`truncated pcap header (need 24, got ${file.length})`);
  const magic = file.readUInt32LE(0);
  let littleEndian: boolean;
  let nanos: boolean;
  if (magic === 0xa1b2c3d4) [littleEndian, nanos] = [true, false];
  else if (magic === 0xa1b23c4d) [littleEndian, nanos] = [true, true];
  else if (magic === 0xd4c3b2a1) [littleEndian, nanos] = [false, false];
  else if (magic === 0x4d3cb2a1) [littleEndian, nanos] = [false, true];
  else if (magic === 0x0a0d0d0a) throw new PcapFormatError('pcapng is not supported; convert with: editcap -F pcap in.pcapng out.pcap');
  else throw new PcapFormatError(`not a pcap file (magic 0x${magic.toString(16)})`);
  const u32 = (off: number): number => (littleEndian ? file.readUInt32LE(off) : file.readUInt32BE(off));
  const linkType = u32(20) & 0x0fffffff;
  let offset = 24;
  while (offset + 16 <= file.length) {
    const seconds = u32(offset);
    const fraction = u32(offset + 4);
    const capturedLength = u32(offset + 8);
    const originalLength = u32(offset + 12);
    offset += 16;
    if (offset + capturedLength > file.length) {
      throw new PcapFormatError(`truncated packet record at offset ${offset - 16} (need ${capturedLength}, got ${file.length - offset})`);
    }
    const timeMs = seconds * 1000 + (nanos ? fraction / 1e6 : fraction / 1e3);
    yield { timeMs, linkType, data: file.subarray(offset, offset + capturedLength), originalLength };
    offset += capturedLength;
  }
}

function ipv4Text(b: Buffer, o: number): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
}

function ipv6Text(b: Buffer, o: number): string {
  const parts: string[] = [];
  for (let i = 0; i < 16; i += 2) parts.push(b.readUInt16BE(o + i).toString(16));
  return parts.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

/** Finds the IP packet inside a frame of the given link type; returns its offset or -1. */
function ipOffset(frame: PcapFrame): { offset: number; etherType: number } | null {
  const d = frame.data;
  let off: number;
  let etherType: number;
  switch (frame.linkType) {
    case LINKTYPE_ETHERNET:
      if (d.length < 14) return null;
      etherType = d.readUInt16BE(12);
      off = 14;
      break;
    case LINKTYPE_LINUX_SLL:
      if (d.length < 16) return null;
      etherType = d.readUInt16BE(14);
      off = 16;
      break;
    case LINKTYPE_LINUX_SLL2:
      if (d.length < 20) return null;
      etherType = d.readUInt16BE(0);
      off = 20;
      break;
    case LINKTYPE_NULL: {
      if (d.length < 4) return null;
      const family = d.readUInt32LE(0) > 0xffff ? d.readUInt32BE(0) : d.readUInt32LE(0);
      etherType = family === 2 ? 0x0800 : 0x86dd;
      off = 4;
      break;
    }
    case LINKTYPE_RAW:
      if (d.length < 1) return null;
      etherType = d[0] >> 4 === 4 ? 0x0800 : 0x86dd;
      off = 0;
      break;
    default:
      return null;
  }
  // 802.1Q / QinQ tags in front of the IP packet.
  while ((etherType === 0x8100 || etherType === 0x88a8) && off + 4 <= d.length) {
    etherType = d.readUInt16BE(off + 2);
    off += 4;
  }
  return { offset: off, etherType };
}

/** Extracts the UDP datagram of one frame, or null when it holds none (or a fragment). */
export function udpDatagramOf(frame: PcapFrame): PcapUdpDatagram | null {
  const where = ipOffset(frame);
  if (where === null) return null;
  const d = frame.data;
  let off = where.offset;
  let src: string;
  let dst: string;
  let end: number;
  if (where.etherType === 0x0800) {
    if (off + 20 > d.length) return null;
    const ihl = (d[off] & 0x0f) * 4;
    const fragment = d.readUInt16BE(off + 6) & 0x3fff;
    if (d[off + 9] !== 17 || fragment !== 0) return null;
    src = ipv4Text(d, off + 12);
    dst = ipv4Text(d, off + 16);
    end = Math.min(d.length, off + d.readUInt16BE(off + 2));
    off += ihl;
  } else if (where.etherType === 0x86dd) {
    if (off + 40 > d.length || d[off + 6] !== 17) return null;
    src = ipv6Text(d, off + 8);
    dst = ipv6Text(d, off + 24);
    end = Math.min(d.length, off + 40 + d.readUInt16BE(off + 4));
    off += 40;
  } else {
    return null;
  }
  if (off + 8 > end) return null;
  const udpLength = d.readUInt16BE(off + 4);
  const payloadEnd = Math.min(end, off + Math.max(udpLength, 8));
  return {
    timeMs: frame.timeMs,
    srcAddress: src,
    srcPort: d.readUInt16BE(off),
    dstAddress: dst,
    dstPort: d.readUInt16BE(off + 2),
    payload: d.subarray(off + 8, payloadEnd),
  };
}

/** All UDP datagrams of a pcap file, in capture order. */
export function* readPcapUdpDatagrams(file: Buffer): Generator<PcapUdpDatagram> {
  for (const frame of readPcapFrames(file)) {
    const datagram = udpDatagramOf(frame);
    if (datagram !== null) yield datagram;
  }
}
