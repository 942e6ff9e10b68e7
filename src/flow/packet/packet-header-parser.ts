/**
 * Parses a raw packet header (as sampled by sFlow agents) into a FlowRecord.
 *
 * A pure function over bytes: it reads at offsets into the caller's buffer, writes only
 * FlowRecord fields and allocates nothing, so the sFlow decoder can call it once per
 * sampled packet on the hot path. Sampled headers are cut at an arbitrary length (128
 * bytes is usual), so running out of bytes is normal and never an error: the record keeps
 * whatever was complete.
 *
 * Tunnels (VXLAN on UDP 4789, GRE incl. transparent Ethernet bridging) are decapsulated
 * by default and the record reports the INNER packet: in a hosting network the outer
 * header belongs to the fabric (VTEPs, tunnel endpoints) while the inner one carries the
 * customer-visible addresses and ports that abuse detection and the inventory lookup
 * need. What stays from the outside: `vlan` is the outermost 802.1Q tag (the segment at
 * the sampling point, as the FlowRecord documents), and the inner packet is only taken
 * when its IP header is complete; otherwise the record keeps the outer packet. MACs follow
 * the reported packet: they are the innermost Ethernet header's, so a server's MAC stays
 * paired with its IP (network-configuration checks compare the two); a GRE tunnel without
 * inner Ethernet keeps the outer MACs.
 */
import type { FlowRecord } from '../flow-record.ts';

/** sFlow header_protocol values this parser understands (sFlow v5, sampled_header). */
export const HEADER_PROTOCOL_ETHERNET = 1;
export const HEADER_PROTOCOL_IPV4 = 11;
export const HEADER_PROTOCOL_IPV6 = 12;
export const HEADER_PROTOCOL_MPLS = 13;

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_QINQ = 0x88a8;
const ETHERTYPE_QINQ_OLD = 0x9100;
const ETHERTYPE_MPLS = 0x8847;
const ETHERTYPE_MPLS_MULTICAST = 0x8848;
const ETHERTYPE_TEB = 0x6558;

const PROTO_ICMP = 1;
const PROTO_TCP = 6;
const PROTO_UDP = 17;
const PROTO_GRE = 47;
const PROTO_AH = 51;
const PROTO_ICMPV6 = 58;
const PROTO_SCTP = 132;
const IPV6_HOP_BY_HOP = 0;
const IPV6_ROUTING = 43;
const IPV6_FRAGMENT = 44;
const IPV6_DESTINATION = 60;

const VXLAN_PORT = 4789;

/** Bounds for loops over attacker-controlled structures. */
const MAX_VLAN_TAGS = 4;
const MAX_MPLS_LABELS = 8;
const MAX_IPV6_EXTENSIONS = 8;
/** Tunnel levels we look into (VXLAN in GRE is the deepest we expect). */
const MAX_DECAPSULATION_DEPTH = 2;

/**
 * Fills `flow` from the sampled header at buf[offset, offset + length).
 *
 * Writes ipVersion, addresses, protocol, ports (ICMP: dstPort = type << 8 | code), TCP
 * flags, fragment, MACs and vlan where the header holds them; leaves every other field as
 * the caller set it. Unknown header protocols leave the record untouched.
 */
export function parsePacketHeader(
  flow: FlowRecord,
  buf: Uint8Array,
  offset: number,
  length: number,
  headerProtocol: number,
  decapsulate = true,
): void {
  const end = Math.min(buf.length, offset + length);
  const depth = decapsulate ? MAX_DECAPSULATION_DEPTH : 0;
  switch (headerProtocol) {
    case HEADER_PROTOCOL_ETHERNET:
      parseOuterEthernet(flow, buf, offset, end, depth);
      break;
    case HEADER_PROTOCOL_IPV4:
      parseIPv4(flow, buf, offset, end, depth);
      break;
    case HEADER_PROTOCOL_IPV6:
      parseIPv6(flow, buf, offset, end, depth);
      break;
    case HEADER_PROTOCOL_MPLS:
      parseMpls(flow, buf, offset, end, depth);
      break;
  }
}

function u16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

function u32(b: Uint8Array, o: number): number {
  return b[o] * 0x1000000 + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
}

function mac(b: Uint8Array, o: number): number {
  return u16(b, o) * 0x100000000 + u32(b, o + 2);
}

function isVlanTag(etherType: number): boolean {
  return etherType === ETHERTYPE_VLAN || etherType === ETHERTYPE_QINQ || etherType === ETHERTYPE_QINQ_OLD;
}

/** The Ethernet frame seen at the sampling point: its MACs and outer VLAN tag are kept. */
function parseOuterEthernet(flow: FlowRecord, b: Uint8Array, off: number, end: number, depth: number): void {
  if (off + 14 > end) return;
  flow.dstMac = mac(b, off);
  flow.srcMac = mac(b, off + 6);
  let etherType = u16(b, off + 12);
  let p = off + 14;
  for (let i = 0; i < MAX_VLAN_TAGS && isVlanTag(etherType); i++) {
    if (p + 4 > end) return;
    // The first tag is the outer one (S-tag in QinQ): it names the segment.
    if (i === 0) flow.vlan = u16(b, p) & 0x0fff;
    etherType = u16(b, p + 2);
    p += 4;
  }
  parseL3(flow, b, p, end, etherType, depth);
}

/** An Ethernet frame inside a tunnel: taken (MACs included) only when its IP header is complete. */
function parseInnerEthernet(flow: FlowRecord, b: Uint8Array, off: number, end: number, depth: number): void {
  if (off + 14 > end) return;
  let etherType = u16(b, off + 12);
  let p = off + 14;
  for (let i = 0; i < MAX_VLAN_TAGS && isVlanTag(etherType); i++) {
    if (p + 4 > end) return;
    etherType = u16(b, p + 2);
    p += 4;
  }
  if (parseL3(flow, b, p, end, etherType, depth)) {
    flow.dstMac = mac(b, off);
    flow.srcMac = mac(b, off + 6);
  }
}

/** Returns true when an IP header was parsed (and the record's IP fields were replaced). */
function parseL3(flow: FlowRecord, b: Uint8Array, off: number, end: number, etherType: number, depth: number): boolean {
  switch (etherType) {
    case ETHERTYPE_IPV4:
      return parseIPv4(flow, b, off, end, depth);
    case ETHERTYPE_IPV6:
      return parseIPv6(flow, b, off, end, depth);
    case ETHERTYPE_MPLS:
    case ETHERTYPE_MPLS_MULTICAST:
      return parseMpls(flow, b, off, end, depth);
    default:
      return false;
  }
}

/** MPLS carries no payload type: after the bottom-of-stack label, the IP version nibble decides. */
function parseMpls(flow: FlowRecord, b: Uint8Array, off: number, end: number, depth: number): boolean {
  let p = off;
  for (let i = 0; i < MAX_MPLS_LABELS; i++) {
    if (p + 4 > end) return false;
    const bottomOfStack = (b[p + 2] & 0x01) !== 0;
    p += 4;
    if (bottomOfStack) {
      if (p >= end) return false;
      const version = b[p] >> 4;
      if (version === 4) return parseIPv4(flow, b, p, end, depth);
      if (version === 6) return parseIPv6(flow, b, p, end, depth);
      return false;
    }
  }
  return false;
}

function parseIPv4(flow: FlowRecord, b: Uint8Array, off: number, end: number, depth: number): boolean {
  if (off + 20 > end) return false;
  const versionIhl = b[off];
  const ihl = (versionIhl & 0x0f) * 4;
  if (versionIhl >> 4 !== 4 || ihl < 20 || off + ihl > end) return false;
  const totalLength = u16(b, off + 2);
  const fragmentField = u16(b, off + 6);
  const fragmentOffset = fragmentField & 0x1fff;
  const moreFragments = (fragmentField & 0x2000) !== 0;
  const protocol = b[off + 9];

  flow.ipVersion = 4;
  flow.srcAddr4 = u32(b, off + 12);
  flow.dstAddr4 = u32(b, off + 16);
  const src = flow.srcAddr;
  const dst = flow.dstAddr;
  for (let i = 0; i < 4; i++) {
    src[i] = b[off + 12 + i];
    dst[i] = b[off + 16 + i];
  }
  // A tunnel's outer IPv6 header may have been written before: clear its tail.
  for (let i = 4; i < 16; i++) {
    src[i] = 0;
    dst[i] = 0;
  }
  flow.protocol = protocol;
  flow.fragment = moreFragments || fragmentOffset !== 0;
  flow.srcPort = 0;
  flow.dstPort = 0;
  flow.tcpFlags = 0;
  // Only the first fragment carries the transport header.
  if (fragmentOffset === 0) {
    // Ethernet pads short frames: the IP total length, not the frame, ends the packet.
    const packetEnd = totalLength >= ihl ? Math.min(end, off + totalLength) : end;
    parseTransport(flow, b, off + ihl, packetEnd, protocol, depth);
  }
  return true;
}

function parseIPv6(flow: FlowRecord, b: Uint8Array, off: number, end: number, depth: number): boolean {
  if (off + 40 > end || b[off] >> 4 !== 6) return false;
  const payloadLength = u16(b, off + 4);
  let next = b[off + 6];

  flow.ipVersion = 6;
  flow.srcAddr4 = 0;
  flow.dstAddr4 = 0;
  const src = flow.srcAddr;
  const dst = flow.dstAddr;
  for (let i = 0; i < 16; i++) {
    src[i] = b[off + 8 + i];
    dst[i] = b[off + 24 + i];
  }
  flow.fragment = false;
  flow.srcPort = 0;
  flow.dstPort = 0;
  flow.tcpFlags = 0;

  // A zero payload length means a jumbogram: the frame then ends the packet.
  const packetEnd = payloadLength === 0 ? end : Math.min(end, off + 40 + payloadLength);
  let p = off + 40;
  let firstFragment = true;
  for (let i = 0; i < MAX_IPV6_EXTENSIONS; i++) {
    if (next === IPV6_HOP_BY_HOP || next === IPV6_ROUTING || next === IPV6_DESTINATION) {
      if (p + 2 > packetEnd) break;
      const length = (b[p + 1] + 1) * 8;
      next = b[p];
      p += length;
    } else if (next === IPV6_FRAGMENT) {
      if (p + 8 > packetEnd) break;
      const offsetAndFlags = u16(b, p + 2);
      const fragmentOffset = offsetAndFlags >> 3;
      flow.fragment = fragmentOffset !== 0 || (offsetAndFlags & 0x0001) !== 0;
      firstFragment = fragmentOffset === 0;
      next = b[p];
      p += 8;
    } else if (next === PROTO_AH) {
      if (p + 2 > packetEnd) break;
      const length = (b[p + 1] + 2) * 4;
      next = b[p];
      p += length;
    } else {
      break;
    }
  }
  // When the header is cut inside the extension chain, `next` names the extension we
  // could not skip; that is the best protocol the sample tells.
  flow.protocol = next;
  if (firstFragment) parseTransport(flow, b, p, packetEnd, next, depth);
  return true;
}

function parseTransport(flow: FlowRecord, b: Uint8Array, off: number, end: number, protocol: number, depth: number): void {
  switch (protocol) {
    case PROTO_TCP:
      if (off + 4 > end) return;
      flow.srcPort = u16(b, off);
      flow.dstPort = u16(b, off + 2);
      if (off + 14 <= end) flow.tcpFlags = b[off + 13];
      return;
    case PROTO_UDP:
      if (off + 4 > end) return;
      flow.srcPort = u16(b, off);
      flow.dstPort = u16(b, off + 2);
      // VXLAN: 8-byte UDP header, 8-byte VXLAN header with the I (valid VNI) flag.
      if (depth > 0 && flow.dstPort === VXLAN_PORT && off + 16 <= end && (b[off + 8] & 0x08) !== 0) {
        parseInnerEthernet(flow, b, off + 16, end, depth - 1);
      }
      return;
    case PROTO_SCTP:
      if (off + 4 > end) return;
      flow.srcPort = u16(b, off);
      flow.dstPort = u16(b, off + 2);
      return;
    case PROTO_ICMP:
    case PROTO_ICMPV6:
      // NetFlow's convention, so detections treat sFlow and NetFlow ICMP alike.
      if (off + 2 > end) return;
      flow.dstPort = (b[off] << 8) | b[off + 1];
      return;
    case PROTO_GRE:
      if (depth > 0) parseGre(flow, b, off, end, depth - 1);
      return;
  }
}

/** GRE version 0 (RFC 2784/2890); PPTP's enhanced GRE (version 1) is left alone. */
function parseGre(flow: FlowRecord, b: Uint8Array, off: number, end: number, depth: number): void {
  if (off + 4 > end) return;
  const flags = u16(b, off);
  // Version must be 0; the routing bit (RFC 1701 source routes) is obsolete and unsupported.
  if ((flags & 0x0007) !== 0 || (flags & 0x4000) !== 0) return;
  const protocol = u16(b, off + 2);
  let p = off + 4;
  if ((flags & 0x8000) !== 0) p += 4; // checksum + reserved
  if ((flags & 0x2000) !== 0) p += 4; // key
  if ((flags & 0x1000) !== 0) p += 4; // sequence number
  if (protocol === ETHERTYPE_TEB) parseInnerEthernet(flow, b, p, end, depth);
  else parseL3(flow, b, p, end, protocol, depth);
}
