/**
 * A packet the detection layer kept as evidence: usually an sFlow raw-packet-header
 * sample (the first 128 bytes or so of the frame) or a mirrored packet.
 */

/**
 * Where `data` starts: at the Ethernet header, or directly at the IPv4/IPv6 header
 * (sFlow header protocols 11 and 12, NetFlow-less mirrors). `raw` frames tell IPv4 from
 * IPv6 by the version nibble, exactly like pcap's LINKTYPE_RAW.
 */
export type PacketLinkType = 'ethernet' | 'raw';

export interface SampledPacket {
  /** Milliseconds since the epoch; a fraction keeps microseconds (tcpdump prints them). */
  timeMs: number;
  /** The captured bytes, possibly cut short of the original frame. */
  data: Uint8Array;
  /** Length of the frame on the wire, including what was not captured. */
  originalLength: number;
  /** Defaults to 'ethernet'. */
  linkType?: PacketLinkType;
}

/** Splits a millisecond timestamp into whole seconds and microseconds, rounding to the microsecond. */
export function splitTimestamp(timeMs: number): { seconds: number; micros: number } {
  const totalMicros = Math.round(timeMs * 1000);
  const seconds = Math.floor(totalMicros / 1_000_000);
  return { seconds, micros: totalMicros - seconds * 1_000_000 };
}
