/**
 * Builds well-formed Ethernet/IP frames from a short description. Tests and the lab use
 * it to make sampled packets whose rendering can be checked against tcpdump and tshark.
 */

export interface TcpSpec {
  /** FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20, ECE 0x40, CWR 0x80. */
  flags: number;
  seq: number;
  ack?: number;
  window: number;
  urgent?: number;
  /** Raw option bytes; padded with EOL to a multiple of four. */
  options?: Uint8Array;
}

export interface IcmpSpec {
  type: number;
  code: number;
  /** The four bytes after the checksum (id and sequence for echo). */
  rest?: number;
  body?: Uint8Array;
}

export interface PacketSpec {
  src: string;
  dst: string;
  /** 'icmp' means ICMPv6 when the addresses are IPv6; a number gives a bare IP payload. */
  protocol: 'udp' | 'tcp' | 'icmp' | number;
  srcPort?: number;
  dstPort?: number;
  /** Zero bytes appended after the transport header (or the whole payload for a bare protocol). */
  payloadLength?: number;
  tcp?: TcpSpec;
  icmp?: IcmpSpec;
  ttl?: number;
  ipId?: number;
  /** IPv4 fragment offset in bytes (a multiple of 8); the payload is then sent as-is. */
  fragmentOffset?: number;
  moreFragments?: boolean;
  dontFragment?: boolean;
  /** Adds an 802.1Q tag (Ethernet only). */
  vlan?: number;
  link?: 'ethernet' | 'raw';
}

export function parseIPv4(text: string): Uint8Array {
  const parts = text.split('.');
  if (parts.length !== 4) throw new Error(`not an IPv4 address: ${text}`);
  return Uint8Array.from(parts.map((p) => Number.parseInt(p, 10)));
}

export function parseIPv6(text: string): Uint8Array {
  const halves = text.split('::');
  if (halves.length > 2) throw new Error(`not an IPv6 address: ${text}`);
  const head = halves[0] === '' ? [] : halves[0].split(':');
  const tail = halves.length === 2 && halves[1] !== '' ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) throw new Error(`not an IPv6 address: ${text}`);
  const groups = [...head, ...new Array<string>(missing).fill('0'), ...tail];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = Number.parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

function checksum(chunks: readonly Uint8Array[]): number {
  let sum = 0;
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i += 2) sum += (chunk[i] << 8) | (i + 1 < chunk.length ? chunk[i + 1] : 0);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function transportSegment(spec: PacketSpec, ipv6: boolean): { protocol: number; segment: Uint8Array; checksumAt: number } {
  const payload = new Uint8Array(spec.payloadLength ?? 0);
  if (typeof spec.protocol === 'number') return { protocol: spec.protocol, segment: payload, checksumAt: -1 };
  if (spec.protocol === 'udp') {
    const seg = new Uint8Array(8 + payload.length);
    const v = new DataView(seg.buffer);
    v.setUint16(0, spec.srcPort ?? 0);
    v.setUint16(2, spec.dstPort ?? 0);
    v.setUint16(4, seg.length);
    seg.set(payload, 8);
    return { protocol: 17, segment: seg, checksumAt: 6 };
  }
  if (spec.protocol === 'tcp') {
    const tcp = spec.tcp ?? { flags: 0x02, seq: 0, window: 65535 };
    const rawOptions = tcp.options ?? new Uint8Array(0);
    const optionLength = Math.ceil(rawOptions.length / 4) * 4;
    const headerLength = 20 + optionLength;
    const seg = new Uint8Array(headerLength + payload.length);
    const v = new DataView(seg.buffer);
    v.setUint16(0, spec.srcPort ?? 0);
    v.setUint16(2, spec.dstPort ?? 0);
    v.setUint32(4, tcp.seq >>> 0);
    v.setUint32(8, (tcp.ack ?? 0) >>> 0);
    seg[12] = (headerLength / 4) << 4;
    seg[13] = tcp.flags & 0xff;
    v.setUint16(14, tcp.window);
    v.setUint16(18, tcp.urgent ?? 0);
    seg.set(rawOptions, 20);
    seg.set(payload, headerLength);
    return { protocol: 6, segment: seg, checksumAt: 16 };
  }
  const icmp = spec.icmp ?? { type: ipv6 ? 128 : 8, code: 0 };
  const body = icmp.body ?? payload;
  const seg = new Uint8Array(8 + body.length);
  const v = new DataView(seg.buffer);
  seg[0] = icmp.type;
  seg[1] = icmp.code;
  v.setUint32(4, (icmp.rest ?? 0) >>> 0);
  seg.set(body, 8);
  return { protocol: ipv6 ? 58 : 1, segment: seg, checksumAt: 2 };
}

/** Returns the frame bytes: Ethernet (optionally VLAN-tagged) or, with link 'raw', the bare IP packet. */
export function buildPacket(spec: PacketSpec): Uint8Array {
  const ipv6 = spec.src.includes(':');
  const src = ipv6 ? parseIPv6(spec.src) : parseIPv4(spec.src);
  const dst = ipv6 ? parseIPv6(spec.dst) : parseIPv4(spec.dst);
  const { protocol, segment, checksumAt } = transportSegment(spec, ipv6);

  let ip: Uint8Array;
  if (ipv6) {
    ip = new Uint8Array(40 + segment.length);
    const v = new DataView(ip.buffer);
    v.setUint32(0, 0x60000000);
    v.setUint16(4, segment.length);
    ip[6] = protocol;
    ip[7] = spec.ttl ?? 64;
    ip.set(src, 8);
    ip.set(dst, 24);
    if (checksumAt >= 0) {
      const pseudo = new Uint8Array(40);
      pseudo.set(src, 0);
      pseudo.set(dst, 16);
      new DataView(pseudo.buffer).setUint32(32, segment.length);
      pseudo[39] = protocol;
      new DataView(segment.buffer).setUint16(checksumAt, checksum([pseudo, segment]));
    }
    ip.set(segment, 40);
  } else {
    ip = new Uint8Array(20 + segment.length);
    const v = new DataView(ip.buffer);
    ip[0] = 0x45;
    v.setUint16(2, ip.length);
    v.setUint16(4, spec.ipId ?? 0);
    const fragment = ((spec.fragmentOffset ?? 0) / 8) | (spec.moreFragments ? 0x2000 : 0) | (spec.dontFragment ? 0x4000 : 0);
    v.setUint16(6, fragment);
    ip[8] = spec.ttl ?? 64;
    ip[9] = protocol;
    ip.set(src, 12);
    ip.set(dst, 16);
    v.setUint16(10, checksum([ip.subarray(0, 20)]));
    // A non-first fragment carries no transport header, so no transport checksum either.
    if (checksumAt >= 0 && (spec.fragmentOffset ?? 0) === 0) {
      const sum =
        protocol === 1
          ? checksum([segment])
          : checksum([src, dst, Uint8Array.of(0, protocol, segment.length >> 8, segment.length & 0xff), segment]);
      new DataView(segment.buffer).setUint16(checksumAt, sum);
    }
    ip.set(segment, 20);
  }

  if (spec.link === 'raw') return ip;
  const tagLength = spec.vlan === undefined ? 0 : 4;
  const frame = new Uint8Array(14 + tagLength + ip.length);
  // Locally administered documentation-style MACs: 02:00:00:00:00:01 -> 02:00:00:00:00:02.
  frame.set([0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01], 0);
  const v = new DataView(frame.buffer);
  if (spec.vlan !== undefined) {
    v.setUint16(12, 0x8100);
    v.setUint16(14, spec.vlan & 0x0fff);
  }
  v.setUint16(12 + tagLength, ipv6 ? 0x86dd : 0x0800);
  frame.set(ip, 14 + tagLength);
  return frame;
}
