/**
 * Builds packets byte by byte (Ethernet, VLAN tags, MPLS, IPv4/IPv6, TCP/UDP/ICMP, VXLAN,
 * GRE) for tests, the lab and benchmarks that need sampled headers with known contents.
 * Allocates freely: never used on the hot path. Checksums are left at zero because
 * nothing that reads sampled headers verifies them.
 */

/** Parses dotted IPv4 or RFC 4291 IPv6 text into 4 or 16 bytes. */
export function addressBytes(text: string): Uint8Array {
  if (text.includes('.') && !text.includes(':')) {
    const parts = text.split('.').map(Number);
    if (parts.length !== 4 || parts.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) {
      throw new Error(`invalid IPv4 address: ${text}`);
    }
    return Uint8Array.from(parts);
  }
  const halves = text.split('::');
  if (halves.length > 2) throw new Error(`invalid IPv6 address: ${text}`);
  const head = halves[0] === '' ? [] : halves[0].split(':');
  const tail = halves.length === 2 && halves[1] !== '' ? halves[1].split(':') : [];
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 1 && fill !== 0) || fill < 0) throw new Error(`invalid IPv6 address: ${text}`);
  const groups = [...head, ...Array<string>(halves.length === 2 ? fill : 0).fill('0'), ...tail];
  const out = new Uint8Array(16);
  groups.forEach((group, i) => {
    const value = Number.parseInt(group, 16);
    if (!/^[0-9a-f]{1,4}$/i.test(group)) throw new Error(`invalid IPv6 address: ${text}`);
    out[i * 2] = value >> 8;
    out[i * 2 + 1] = value & 0xff;
  });
  return out;
}

/** "aa:bb:cc:dd:ee:ff" to 6 bytes. */
export function macBytes(text: string): Uint8Array {
  const parts = text.split(':').map((h) => Number.parseInt(h, 16));
  if (parts.length !== 6 || parts.some((n) => Number.isNaN(n))) throw new Error(`invalid MAC address: ${text}`);
  return Uint8Array.from(parts);
}

function concat(...parts: Uint8Array[]): Buffer {
  return Buffer.concat(parts);
}

export interface VlanTag {
  /** 0x8100 (802.1Q), 0x88a8 (802.1ad S-tag) or 0x9100. */
  tpid: number;
  vid: number;
  priority?: number;
}

export function ethernet(options: { dst: string; src: string; tags?: VlanTag[]; etherType: number; payload: Uint8Array }): Buffer {
  const tags = options.tags ?? [];
  const header = Buffer.alloc(14 + tags.length * 4);
  header.set(macBytes(options.dst), 0);
  header.set(macBytes(options.src), 6);
  let p = 12;
  for (const tag of tags) {
    header.writeUInt16BE(tag.tpid, p);
    header.writeUInt16BE((((tag.priority ?? 0) & 7) << 13) | (tag.vid & 0x0fff), p + 2);
    p += 4;
  }
  header.writeUInt16BE(options.etherType, p);
  return concat(header, options.payload);
}

/** An MPLS label stack; the last label gets the bottom-of-stack bit. */
export function mpls(labels: number[], payload: Uint8Array): Buffer {
  const stack = Buffer.alloc(labels.length * 4);
  labels.forEach((label, i) => {
    const bottom = i === labels.length - 1 ? 1 : 0;
    stack.writeUInt32BE(((label & 0xfffff) << 12) | (bottom << 8) | 64, i * 4);
  });
  return concat(stack, payload);
}

export function ipv4(options: {
  src: string;
  dst: string;
  protocol: number;
  payload: Uint8Array;
  id?: number;
  ttl?: number;
  dontFragment?: boolean;
  moreFragments?: boolean;
  /** In bytes; must be a multiple of 8. */
  fragmentOffset?: number;
  /** Overrides the computed total length (to describe a packet longer than the bytes given). */
  totalLength?: number;
}): Buffer {
  const header = Buffer.alloc(20);
  header[0] = 0x45;
  header.writeUInt16BE(options.totalLength ?? 20 + options.payload.length, 2);
  header.writeUInt16BE(options.id ?? 1, 4);
  const flags = (options.dontFragment ? 0x4000 : 0) | (options.moreFragments ? 0x2000 : 0);
  header.writeUInt16BE(flags | ((options.fragmentOffset ?? 0) / 8), 6);
  header[8] = options.ttl ?? 64;
  header[9] = options.protocol;
  header.set(addressBytes(options.src), 12);
  header.set(addressBytes(options.dst), 16);
  return concat(header, options.payload);
}

/** An IPv6 extension header in front of the payload (hop-by-hop, routing, destination options: padded to 8 bytes). */
export interface Ipv6Extension {
  type: 0 | 43 | 60;
  /** Option bytes after the 2-byte next-header/length prefix; padded with zeros to a multiple of 8. */
  body?: Uint8Array;
}

export function ipv6(options: {
  src: string;
  dst: string;
  nextHeader: number;
  payload: Uint8Array;
  extensions?: Ipv6Extension[];
  /** Adds a fragment header (44) after the other extensions. */
  fragment?: { offset: number; moreFragments: boolean; id?: number };
  hopLimit?: number;
  payloadLength?: number;
}): Buffer {
  const chain: Array<{ type: number; bytes: Buffer }> = [];
  for (const ext of options.extensions ?? []) {
    const body = ext.body ?? new Uint8Array(6);
    const length = Math.ceil((body.length + 2) / 8) * 8;
    const bytes = Buffer.alloc(length);
    bytes[1] = length / 8 - 1;
    bytes.set(body, 2);
    chain.push({ type: ext.type, bytes });
  }
  if (options.fragment) {
    const bytes = Buffer.alloc(8);
    bytes.writeUInt16BE((options.fragment.offset / 8) << 3 | (options.fragment.moreFragments ? 1 : 0), 2);
    bytes.writeUInt32BE(options.fragment.id ?? 1, 4);
    chain.push({ type: 44, bytes });
  }
  // Each extension's first byte names what follows it.
  for (let i = 0; i < chain.length; i++) chain[i].bytes[0] = i + 1 < chain.length ? chain[i + 1].type : options.nextHeader;
  const extensionBytes = concat(...chain.map((c) => c.bytes));
  const header = Buffer.alloc(40);
  header.writeUInt32BE(0x60000000, 0);
  header.writeUInt16BE(options.payloadLength ?? extensionBytes.length + options.payload.length, 4);
  header[6] = chain.length > 0 ? chain[0].type : options.nextHeader;
  header[7] = options.hopLimit ?? 64;
  header.set(addressBytes(options.src), 8);
  header.set(addressBytes(options.dst), 24);
  return concat(header, extensionBytes, options.payload);
}

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;

export function tcp(options: { srcPort: number; dstPort: number; flags: number; payload?: Uint8Array }): Buffer {
  const header = Buffer.alloc(20);
  header.writeUInt16BE(options.srcPort, 0);
  header.writeUInt16BE(options.dstPort, 2);
  header.writeUInt32BE(1, 4);
  header[12] = 5 << 4;
  header[13] = options.flags;
  header.writeUInt16BE(65535, 14);
  return concat(header, options.payload ?? new Uint8Array(0));
}

export function udp(options: { srcPort: number; dstPort: number; payload?: Uint8Array }): Buffer {
  const payload = options.payload ?? new Uint8Array(0);
  const header = Buffer.alloc(8);
  header.writeUInt16BE(options.srcPort, 0);
  header.writeUInt16BE(options.dstPort, 2);
  header.writeUInt16BE(8 + payload.length, 4);
  return concat(header, payload);
}

/** ICMP or ICMPv6 (same first bytes): type, code, checksum, 4 bytes rest-of-header. */
export function icmp(options: { type: number; code: number; payload?: Uint8Array }): Buffer {
  const header = Buffer.alloc(8);
  header[0] = options.type;
  header[1] = options.code;
  return concat(header, options.payload ?? new Uint8Array(0));
}

/** VXLAN header (I flag set) in front of an inner Ethernet frame; wrap it in udp({ dstPort: 4789 }). */
export function vxlan(vni: number, innerFrame: Uint8Array): Buffer {
  const header = Buffer.alloc(8);
  header[0] = 0x08;
  header.writeUInt32BE((vni & 0xffffff) << 8, 4);
  return concat(header, innerFrame);
}

/** GRE version 0 header; `protocol` is an EtherType (0x6558 for bridged Ethernet). */
export function gre(options: { protocol: number; key?: number; sequence?: number; checksum?: boolean; payload: Uint8Array }): Buffer {
  const words: number[] = [];
  let flags = 0;
  if (options.checksum) {
    flags |= 0x8000;
    words.push(0);
  }
  if (options.key !== undefined) {
    flags |= 0x2000;
    words.push(options.key);
  }
  if (options.sequence !== undefined) {
    flags |= 0x1000;
    words.push(options.sequence);
  }
  const header = Buffer.alloc(4 + words.length * 4);
  header.writeUInt16BE(flags, 0);
  header.writeUInt16BE(options.protocol, 2);
  for (const [i, w] of words.entries()) header.writeUInt32BE(w >>> 0, 4 + i * 4);
  return concat(header, options.payload);
}
