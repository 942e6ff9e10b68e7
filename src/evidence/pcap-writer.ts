/**
 * Writes sampled packets as a classic libpcap file (microsecond timestamps, little
 * endian), the format every customer's tcpdump and Wireshark opens.
 */
import { type SampledPacket, splitTimestamp } from './sampled-packet.ts';

export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;

const PCAP_MAGIC_MICROS = 0xa1b2c3d4;
const FILE_HEADER_LENGTH = 24;
const RECORD_HEADER_LENGTH = 16;
const ETHERNET_HEADER_LENGTH = 14;

export interface PcapWriteOptions {
  /** Bytes kept per packet; longer captures are cut (the original length stays). Default 65535. */
  snapLength?: number;
}

/**
 * Picks one link type for the file: classic pcap allows only one. A mix of Ethernet and
 * IP-only samples becomes Ethernet, the IP-only ones behind a synthetic header with zero
 * MAC addresses, so no packet is dropped and the IP bytes stay untouched.
 */
function fileLinkType(packets: readonly SampledPacket[]): number {
  if (packets.length > 0 && packets.every((p) => p.linkType === 'raw')) return LINKTYPE_RAW;
  return LINKTYPE_ETHERNET;
}

function etherTypeOfRaw(data: Uint8Array): number {
  return data.length > 0 && data[0] >> 4 === 6 ? 0x86dd : 0x0800;
}

export function writePcap(packets: readonly SampledPacket[], options: PcapWriteOptions = {}): Buffer {
  const snapLength = options.snapLength ?? 65535;
  if (!Number.isInteger(snapLength) || snapLength < 1) throw new RangeError(`snapLength must be a positive integer, got ${snapLength}`);
  const linkType = fileLinkType(packets);

  // libpcap rejects a record with no captured bytes ("Invalid header: caplen==0"), and
  // such a sample carries no evidence anyway.
  const kept = packets.filter((packet) => packet.data.length > 0);
  const frames = kept.map((packet) => {
    let data = packet.data;
    let originalLength = packet.originalLength;
    if (linkType === LINKTYPE_ETHERNET && packet.linkType === 'raw') {
      const framed = new Uint8Array(ETHERNET_HEADER_LENGTH + data.length);
      framed[12] = etherTypeOfRaw(data) >> 8;
      framed[13] = etherTypeOfRaw(data) & 0xff;
      framed.set(data, ETHERNET_HEADER_LENGTH);
      data = framed;
      originalLength += ETHERNET_HEADER_LENGTH;
    }
    const captured = data.subarray(0, Math.min(data.length, snapLength));
    // pcap readers reject a record whose captured length exceeds the wire length.
    return { timeMs: packet.timeMs, captured, originalLength: Math.max(originalLength, captured.length) };
  });

  const total = FILE_HEADER_LENGTH + frames.reduce((sum, f) => sum + RECORD_HEADER_LENGTH + f.captured.length, 0);
  const out = Buffer.alloc(total);
  out.writeUInt32LE(PCAP_MAGIC_MICROS, 0);
  out.writeUInt16LE(2, 4); // version 2.4
  out.writeUInt16LE(4, 6);
  out.writeInt32LE(0, 8); // thiszone: timestamps are UTC
  out.writeUInt32LE(0, 12); // sigfigs
  out.writeUInt32LE(snapLength, 16);
  out.writeUInt32LE(linkType, 20);

  let offset = FILE_HEADER_LENGTH;
  for (const frame of frames) {
    const { seconds, micros } = splitTimestamp(frame.timeMs);
    out.writeUInt32LE(seconds >>> 0, offset);
    out.writeUInt32LE(micros, offset + 4);
    out.writeUInt32LE(frame.captured.length, offset + 8);
    out.writeUInt32LE(frame.originalLength, offset + 12);
    out.set(frame.captured, offset + RECORD_HEADER_LENGTH);
    offset += RECORD_HEADER_LENGTH + frame.captured.length;
  }
  return out;
}
