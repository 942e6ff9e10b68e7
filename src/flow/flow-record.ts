/**
 * The one normalized flow record every decoder fills.
 *
 * Decoders own a single FlowRecord, reset and refill it for every flow and hand it to a
 * callback; the callback must copy what it wants to keep. That keeps the hot path free of
 * per-flow allocations: addresses live in fixed 16-byte buffers, IPv4 additionally as a
 * uint32 number so the inventory index can look it up without touching the bytes.
 */
export interface FlowRecord {
  /** Milliseconds since the epoch: when the flow ended (or the sampled packet was seen). */
  timeMs: number;
  /** When the flow started; equals timeMs for a sampled packet or an unknown start. */
  startMs: number;
  /** Exporter (router/agent) address as text; one string per datagram, shared by its flows. */
  exporter: string;
  /** sFlow agent sub-id, NetFlow v9 source id or IPFIX observation domain. */
  observationDomain: number;
  inputInterface: number;
  outputInterface: number;
  /** 4 or 6; 0 when the flow carries no IP addresses (e.g. an ARP sample). */
  ipVersion: 0 | 4 | 6;
  /** IPv4 source as uint32 (valid when ipVersion is 4). */
  srcAddr4: number;
  /** IPv4 destination as uint32 (valid when ipVersion is 4). */
  dstAddr4: number;
  /** Source address bytes: IPv6 in all 16, IPv4 in bytes 0..3. */
  readonly srcAddr: Uint8Array;
  /** Destination address bytes: IPv6 in all 16, IPv4 in bytes 0..3. */
  readonly dstAddr: Uint8Array;
  srcPort: number;
  /** Destination port; for ICMP/ICMPv6, type << 8 | code as NetFlow does. */
  dstPort: number;
  /** IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6). */
  protocol: number;
  /** Cumulative TCP flags (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20). */
  tcpFlags: number;
  /** True when the packet is an IP fragment (non-first or more-fragments set). */
  fragment: boolean;
  /** Packets, already multiplied by the sampling rate. */
  packets: number;
  /** Bytes, already multiplied by the sampling rate. */
  bytes: number;
  /** 1 for unsampled telemetry. */
  samplingRate: number;
  /** Source/destination MAC as a 48-bit number; 0 when unknown. */
  srcMac: number;
  dstMac: number;
  /** VLAN id of the (outer) 802.1Q tag; 0 when none. */
  vlan: number;
  /**
   * sFlow raw packet header: the datagram it lives in and its offset and length there.
   * `header` is null for NetFlow/IPFIX records. Valid only during the callback.
   */
  header: Uint8Array | null;
  headerOffset: number;
  headerLength: number;
  /** Original frame length of the sampled packet (sFlow); 0 otherwise. */
  frameLength: number;
}

/** Called once per decoded flow; the record is reused right after it returns. */
export type FlowSink = (flow: FlowRecord) => void;

export function createFlowRecord(): FlowRecord {
  return {
    timeMs: 0,
    startMs: 0,
    exporter: '',
    observationDomain: 0,
    inputInterface: 0,
    outputInterface: 0,
    ipVersion: 0,
    srcAddr4: 0,
    dstAddr4: 0,
    srcAddr: new Uint8Array(16),
    dstAddr: new Uint8Array(16),
    srcPort: 0,
    dstPort: 0,
    protocol: 0,
    tcpFlags: 0,
    fragment: false,
    packets: 0,
    bytes: 0,
    samplingRate: 1,
    srcMac: 0,
    dstMac: 0,
    vlan: 0,
    header: null,
    headerOffset: 0,
    headerLength: 0,
    frameLength: 0,
  };
}

/** Clears every field without allocating; decoders call it before filling a record. */
export function resetFlowRecord(flow: FlowRecord): void {
  flow.timeMs = 0;
  flow.startMs = 0;
  flow.observationDomain = 0;
  flow.inputInterface = 0;
  flow.outputInterface = 0;
  flow.ipVersion = 0;
  flow.srcAddr4 = 0;
  flow.dstAddr4 = 0;
  // Loops, not fill(): for 16 bytes the call into the runtime cost more than the stores.
  const src = flow.srcAddr;
  const dst = flow.dstAddr;
  for (let i = 0; i < 16; i++) {
    src[i] = 0;
    dst[i] = 0;
  }
  flow.srcPort = 0;
  flow.dstPort = 0;
  flow.protocol = 0;
  flow.tcpFlags = 0;
  flow.fragment = false;
  flow.packets = 0;
  flow.bytes = 0;
  flow.samplingRate = 1;
  flow.srcMac = 0;
  flow.dstMac = 0;
  flow.vlan = 0;
  flow.header = null;
  flow.headerOffset = 0;
  flow.headerLength = 0;
  flow.frameLength = 0;
}

/** Copies a flow into a plain object (for tests, `decode --json` and evidence). Allocates. */
export interface FlowRecordSnapshot {
  timeMs: number;
  exporter: string;
  observationDomain: number;
  inputInterface: number;
  outputInterface: number;
  ipVersion: 0 | 4 | 6;
  srcAddr: string;
  dstAddr: string;
  srcPort: number;
  dstPort: number;
  protocol: number;
  tcpFlags: number;
  fragment: boolean;
  packets: number;
  bytes: number;
  samplingRate: number;
  srcMac: string;
  dstMac: string;
  vlan: number;
  frameLength: number;
  header: string | null;
}

/** Text of an address held in bytes (IPv4 in the first 4, IPv6 in 16) at `offset`. */
export function formatAddress(bytes: Uint8Array, ipVersion: 0 | 4 | 6, offset = 0): string {
  if (ipVersion === 4) return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
  if (ipVersion !== 6) return '';
  const groups: string[] = [];
  for (let i = offset; i < offset + 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  // Compress the longest run of zero groups (RFC 5952).
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.join(':');
  const head = groups.slice(0, bestStart).join(':');
  const tail = groups.slice(bestStart + bestLen).join(':');
  return `${head}::${tail}`;
}

export function formatMac(mac: number): string {
  if (mac === 0) return '';
  return mac
    .toString(16)
    .padStart(12, '0')
    .replace(/(..)(?!$)/g, '$1:');
}

export function snapshotFlow(flow: FlowRecord): FlowRecordSnapshot {
  return {
    timeMs: flow.timeMs,
    exporter: flow.exporter,
    observationDomain: flow.observationDomain,
    inputInterface: flow.inputInterface,
    outputInterface: flow.outputInterface,
    ipVersion: flow.ipVersion,
    srcAddr: formatAddress(flow.srcAddr, flow.ipVersion),
    dstAddr: formatAddress(flow.dstAddr, flow.ipVersion),
    srcPort: flow.srcPort,
    dstPort: flow.dstPort,
    protocol: flow.protocol,
    tcpFlags: flow.tcpFlags,
    fragment: flow.fragment,
    packets: flow.packets,
    bytes: flow.bytes,
    samplingRate: flow.samplingRate,
    srcMac: formatMac(flow.srcMac),
    dstMac: formatMac(flow.dstMac),
    vlan: flow.vlan,
    frameLength: flow.frameLength,
    header:
      flow.header === null
        ? null
        : Buffer.from(flow.header.buffer, flow.header.byteOffset + flow.headerOffset, flow.headerLength).toString('hex'),
  };
}
