/**
 * Renders packets with describeFrame, writes the same packets as pcap, and asserts that
 * our lines equal what the real tcpdump (Debian's tcpdump 4.99) prints for them, line
 * for line. Ports are chosen outside tcpdump's application decoders on purpose (those
 * decoders are out of scope; see describe-udp.ts and describe-tcp.ts).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { buildPacket, type PacketSpec } from '../packet-builder.ts';
import { writePcap } from '../pcap-writer.ts';
import type { SampledPacket } from '../sampled-packet.ts';
import { renderTrafficDumpLine } from '../traffic-dump.ts';

const dir = mkdtempSync(join(tmpdir(), 'netwarden-tcpdump-'));
// KEEP=1 leaves the written pcaps in the temporary directory for inspection.
after(() => (process.env.KEEP ? undefined : rmSync(dir, { recursive: true, force: true })));

const BASE_MS = Date.UTC(2013, 10, 13, 21, 44, 53) + 145.756;

interface Case {
  name: string;
  data: Uint8Array;
  /** Wire length when it differs from the bytes given. */
  wire?: number;
  raw?: boolean;
}

const A = '192.0.2.10';
const B = '198.51.100.182';
const A6 = '2001:db8::1';
const B6 = '2001:db8::2';
const SYN_OPTIONS = Uint8Array.of(2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7);

const pkt = (spec: PacketSpec): Uint8Array => buildPacket(spec);
const cut = (data: Uint8Array, length: number): Uint8Array => data.subarray(0, length);
const tcpWith = (options: number[], flags = 0x10): Uint8Array =>
  pkt({ src: A, dst: B, protocol: 'tcp', srcPort: 41000, dstPort: 42000, tcp: { flags, seq: 5, ack: 6, window: 7, options: Uint8Array.from(options) } });
const quoted4 = (protocol: 'udp' | 'tcp', dstPort: number): Uint8Array =>
  pkt({ src: B, dst: '203.0.113.9', protocol, srcPort: 5555, dstPort, link: 'raw', tcp: { flags: 2, seq: 1, window: 1 } }).subarray(0, 28);
const quoted6 = pkt({ src: B6, dst: '2001:db8::3', protocol: 'tcp', srcPort: 1, dstPort: 443, link: 'raw' }).subarray(0, 48);
const icmp = (type: number, code: number, rest: number, body: Uint8Array): Uint8Array => pkt({ src: A, dst: B, protocol: 'icmp', icmp: { type, code, rest, body } });
const icmp6 = (type: number, code: number, rest: number, body: Uint8Array): Uint8Array => pkt({ src: A6, dst: B6, protocol: 'icmp', icmp: { type, code, rest, body } });
const withByte = (data: Uint8Array, offset: number, value: number): Uint8Array => {
  const copy = data.slice();
  copy[offset] = value;
  return copy;
};
const withU16 = (data: Uint8Array, offset: number, value: number): Uint8Array => {
  const copy = data.slice();
  new DataView(copy.buffer).setUint16(offset, value);
  return copy;
};
const arp = (op: number, tha: number[], spa: number[], tpa: number[]): Uint8Array =>
  Uint8Array.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 6, 0, 1, 8, 0, 6, 4, 0, op, 2, 0, 0, 0, 0, 1, ...spa, ...tha, ...tpa]);
function ipv6Fragment(offsetField: number): Uint8Array {
  const udp = pkt({ src: A6, dst: B6, protocol: 'udp', srcPort: 41234, dstPort: 44444, payloadLength: 100, link: 'raw' });
  const ip = new Uint8Array(14 + 48 + udp.length - 40);
  ip.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x86, 0xdd]);
  ip.set(udp.subarray(0, 40), 14);
  ip[14 + 6] = 44;
  new DataView(ip.buffer).setUint16(14 + 4, 8 + udp.length - 40);
  ip.set([17, 0, offsetField >> 8, offsetField & 0xff, 0, 0, 0, 7], 54);
  ip.set(udp.subarray(40), 62);
  return ip;
}
function tunnel(outer: PacketSpec, inner: Uint8Array, innerOffset: number): Uint8Array {
  const frame = pkt({ ...outer, payloadLength: inner.length });
  frame.set(inner, innerOffset);
  return frame;
}
const udpInner4 = pkt({ src: '203.0.113.1', dst: '203.0.113.2', protocol: 'udp', srcPort: 40000, dstPort: 40001, payloadLength: 5, link: 'raw' });
const udpInner6 = pkt({ src: '2001:db8::5', dst: '2001:db8::6', protocol: 'udp', srcPort: 40000, dstPort: 40001, payloadLength: 5, link: 'raw' });
const fullUdp = pkt({ src: A, dst: B, protocol: 'udp', srcPort: 41005, dstPort: 41006, payloadLength: 10 });
const fullSynAck = pkt({ src: A, dst: B, protocol: 'tcp', srcPort: 41005, dstPort: 41006, tcp: { flags: 0x12, seq: 1, ack: 2, window: 3, options: SYN_OPTIONS } });
const echo4 = pkt({ src: A, dst: B, protocol: 'icmp', icmp: { type: 8, code: 0, rest: 0x00010002 }, payloadLength: 20 });
const unreachable4 = icmp(3, 3, 0, quoted4('udp', 53));
const echo6 = pkt({ src: A6, dst: B6, protocol: 'icmp', icmp: { type: 128, code: 0, rest: 0x00010002 }, payloadLength: 20 });
const udp6 = pkt({ src: A6, dst: B6, protocol: 'udp', srcPort: 41005, dstPort: 41006, payloadLength: 10 });

const ethernetCases: Case[] = [
  // The seed's traffic: UDP flood with 9216-byte datagrams, including the 4-digit port.
  { name: 'udp', data: pkt({ src: A, dst: B, protocol: 'udp', srcPort: 55008, dstPort: 29615, payloadLength: 9216 }) },
  { name: 'udp 4-digit port', data: pkt({ src: A, dst: B, protocol: 'udp', srcPort: 55046, dstPort: 1826, payloadLength: 9216 }) },
  { name: 'udp empty', data: pkt({ src: A, dst: B, protocol: 'udp', srcPort: 41001, dstPort: 41002 }) },
  { name: 'udp vlan', data: pkt({ src: A, dst: B, protocol: 'udp', srcPort: 41001, dstPort: 41002, payloadLength: 3, vlan: 100 }) },
  { name: 'udp bad length', data: withU16(pkt({ src: A, dst: B, protocol: 'udp', srcPort: 41001, dstPort: 41002, payloadLength: 20 }), 38, 500) },
  { name: 'udp short length field', data: withU16(pkt({ src: A, dst: B, protocol: 'udp', srcPort: 41001, dstPort: 41002, payloadLength: 20 }), 38, 4) },
  { name: 'udp length below ip payload', data: withU16(pkt({ src: A, dst: B, protocol: 'udp', srcPort: 41001, dstPort: 41002, payloadLength: 20 }), 38, 10) },
  {
    name: 'udp first fragment',
    data: withU16(pkt({ src: A, dst: B, protocol: 'udp', srcPort: 41001, dstPort: 41002, payloadLength: 1472, moreFragments: true, ipId: 9 }), 38, 3008),
  },
  { name: 'udp fragment shorter than header', data: pkt({ src: A, dst: B, protocol: 17, payloadLength: 4, moreFragments: true }) },
  { name: 'later fragment udp', data: pkt({ src: A, dst: B, protocol: 17, payloadLength: 1480, fragmentOffset: 1480, ipId: 77 }) },
  { name: 'later fragment tcp', data: pkt({ src: A, dst: B, protocol: 6, payloadLength: 100, fragmentOffset: 800 }) },
  { name: 'unknown ip protocol', data: pkt({ src: A, dst: B, protocol: 250, payloadLength: 24 }) },
  { name: 'tcp syn', data: pkt({ src: A, dst: B, protocol: 'tcp', srcPort: 40000, dstPort: 22, tcp: { flags: 0x02, seq: 123456, window: 64240 } }) },
  { name: 'tcp syn options', data: pkt({ src: A, dst: B, protocol: 'tcp', srcPort: 40000, dstPort: 41080, tcp: { flags: 0x02, seq: 3000000000, window: 64240, options: SYN_OPTIONS } }) },
  { name: 'tcp push ack data', data: pkt({ src: A, dst: B, protocol: 'tcp', srcPort: 40000, dstPort: 41080, tcp: { flags: 0x18, seq: 1000, ack: 2000, window: 502 }, payloadLength: 100 }) },
  { name: 'tcp ack', data: pkt({ src: A, dst: B, protocol: 'tcp', srcPort: 40000, dstPort: 41080, tcp: { flags: 0x10, seq: 1100, ack: 2000, window: 502 } }) },
  { name: 'tcp rst', data: pkt({ src: A, dst: B, protocol: 'tcp', srcPort: 40000, dstPort: 41080, tcp: { flags: 0x04, seq: 1100, window: 0 } }) },
  { name: 'tcp all flags', data: pkt({ src: A, dst: B, protocol: 'tcp', srcPort: 40000, dstPort: 41080, tcp: { flags: 0xff, seq: 1, ack: 2, window: 3, urgent: 4 } }) },
  { name: 'tcp no flags', data: pkt({ src: A, dst: B, protocol: 'tcp', srcPort: 40000, dstPort: 41080, tcp: { flags: 0, seq: 1, ack: 2, window: 3 } }) },
  { name: 'tcp fin sequence wraps', data: pkt({ src: A, dst: B, protocol: 'tcp', srcPort: 41000, dstPort: 42000, tcp: { flags: 0x01, seq: 4294967290, ack: 6, window: 7 }, payloadLength: 10 }) },
  { name: 'tcp first fragment', data: pkt({ src: A, dst: B, protocol: 'tcp', srcPort: 41000, dstPort: 42000, payloadLength: 100, moreFragments: true, tcp: { flags: 0x18, seq: 1, ack: 1, window: 1 } }) },
  { name: 'tcp ns bit', data: withByte(pkt({ src: A, dst: B, protocol: 'tcp', srcPort: 41000, dstPort: 42000, tcp: { flags: 0x02, seq: 1, window: 1 } }), 46, 0x51) },
  { name: 'tcp header too short', data: withByte(pkt({ src: A, dst: B, protocol: 'tcp', srcPort: 41000, dstPort: 42000, tcp: { flags: 2, seq: 1, window: 1 } }), 46, 0x40) },
  { name: 'tcp header too long', data: withByte(pkt({ src: A, dst: B, protocol: 'tcp', srcPort: 41000, dstPort: 42000, tcp: { flags: 2, seq: 1, window: 1 } }), 46, 0xf0) },
  { name: 'tcp option sack', data: tcpWith([1, 1, 5, 10, 0, 0, 0, 10, 0, 0, 0, 20]) },
  { name: 'tcp option sack two blocks', data: tcpWith([1, 1, 5, 18, 0, 0, 0, 10, 0, 0, 0, 20, 0, 0, 0, 30, 0, 0, 0, 40]) },
  { name: 'tcp option sack invalid', data: tcpWith([5, 6, 0, 0, 0, 1]) },
  { name: 'tcp option unknown with data', data: tcpWith([99, 4, 0xab, 0xcd]) },
  { name: 'tcp option unknown empty', data: tcpWith([99, 2]) },
  { name: 'tcp option mss short', data: tcpWith([2, 4, 5]) },
  { name: 'tcp option eol', data: tcpWith([0, 1, 1, 1]) },
  { name: 'tcp option wscale', data: tcpWith([3, 3, 14, 1]) },
  { name: 'tcp option bad length', data: tcpWith([2, 5, 1, 2, 3]) },
  { name: 'tcp option length too long', data: tcpWith([2, 9, 1, 2]) },
  { name: 'tcp option sackOK long', data: tcpWith([4, 3, 0]) },
  ...[
    [6, 6, 0, 0, 1, 2],
    [7, 6, 0, 0, 1, 2],
    [11, 6, 0, 0, 0, 9],
    [12, 6, 0, 0, 0, 9],
    [13, 6, 0, 0, 0, 9],
    [19, 18, ...new Array<number>(16).fill(0xaa)],
    [19, 6, 1, 2, 3, 4],
    [28, 4, 0x80, 0x10],
    [28, 4, 0x00, 0x11],
    [28, 3, 1],
    [34, 2],
    [34, 10, ...new Array<number>(8).fill(0xbb)],
    [34, 4, 1, 2],
    [254, 4, 0xf9, 0x89],
    [254, 12, 0xf9, 0x89, ...new Array<number>(8).fill(0xcc)],
    [254, 6, 0x12, 0x34, 1, 2],
    [253, 4, 1, 2],
    [9, 2],
    [27, 8, 1, 2, 3, 4, 5, 6],
  ].map((option): Case => ({ name: `tcp option kind ${option[0]} length ${option[1]}`, data: tcpWith(option, 0x02) })),
  { name: 'tcp header cut after eol', data: cut(tcpWith([0, 0, 0, 0, 0, 0, 0, 0], 0x18), 14 + 20 + 27), wire: 14 + 20 + 28 },
  { name: 'icmp echo request', data: pkt({ src: A, dst: B, protocol: 'icmp', icmp: { type: 8, code: 0, rest: (0x1234 << 16) | 7 }, payloadLength: 56 }) },
  { name: 'icmp echo reply', data: pkt({ src: A, dst: B, protocol: 'icmp', icmp: { type: 0, code: 0, rest: (0x1234 << 16) | 7 }, payloadLength: 56 }) },
  ...Array.from({ length: 17 }, (_, code): Case => ({ name: `icmp unreachable code ${code}`, data: icmp(3, code, code === 4 ? 1400 : 0, quoted4('udp', 53)) })),
  { name: 'icmp tcp port unreachable', data: icmp(3, 3, 0, quoted4('tcp', 443)) },
  { name: 'icmp need to frag without mtu', data: icmp(3, 4, 0, quoted4('tcp', 443)) },
  { name: 'icmp other protocol port unreachable', data: icmp(3, 3, 0, withByte(quoted4('udp', 53), 9, 132)) },
  ...[0, 1, 2, 3, 7].map((code): Case => ({ name: `icmp redirect code ${code}`, data: icmp(5, code, 0xc0000263, quoted4('udp', 53)) })),
  { name: 'icmp source quench', data: icmp(4, 0, 0, quoted4('udp', 53)) },
  { name: 'icmp router solicitation', data: icmp(10, 0, 0, new Uint8Array(0)) },
  { name: 'icmp router advertisement', data: icmp(9, 0, 0x02021800, Uint8Array.of(192, 0, 2, 9, 0, 0, 0, 10, 192, 0, 2, 10, 0xff, 0xff, 0xff, 0xff)) },
  { name: 'icmp router advertisement minutes', data: icmp(9, 0, 0x0102003c, Uint8Array.of(192, 0, 2, 9, 0, 0, 0, 10)) },
  { name: 'icmp router advertisement odd size', data: icmp(9, 0, 0x00010002, new Uint8Array(8)) },
  ...[0, 1, 5].map((code): Case => ({ name: `icmp time exceeded code ${code}`, data: icmp(11, code, 0, quoted4('udp', 53)) })),
  { name: 'icmp parameter problem octet', data: icmp(12, 0, 0x05000000, quoted4('udp', 53)) },
  { name: 'icmp parameter problem code', data: icmp(12, 1, 0, quoted4('udp', 53)) },
  { name: 'icmp timestamp', data: icmp(13, 0, 0x00010002, new Uint8Array(12)) },
  { name: 'icmp timestamp reply', data: icmp(14, 0, 0x00010002, Uint8Array.of(0xff, 0, 0, 1, 0x05, 0x26, 0x5c, 0x00, 0x80, 0, 0, 0)) },
  { name: 'icmp information request', data: icmp(15, 0, 0, new Uint8Array(0)) },
  { name: 'icmp information reply', data: icmp(16, 0, 0, new Uint8Array(0)) },
  { name: 'icmp mask request', data: icmp(17, 0, 0, new Uint8Array(4)) },
  { name: 'icmp mask reply', data: icmp(18, 0, 0, Uint8Array.of(255, 255, 255, 0)) },
  { name: 'icmp unknown type', data: icmp(42, 0, 0, new Uint8Array(4)) },
  { name: 'ipip', data: tunnel({ src: A, dst: B, protocol: 4 }, udpInner4, 34) },
  { name: '6in4', data: tunnel({ src: A, dst: B, protocol: 41 }, udpInner6, 34) },
  { name: '6in6', data: tunnel({ src: A6, dst: B6, protocol: 41 }, udpInner6, 54) },
  { name: 'ipv4 header length too small', data: withByte(fullUdp, 14, 0x44) },
  { name: 'ipv4 total length too small', data: withU16(fullUdp, 16, 10) },
  { name: 'ipv4 longer than wire', data: cut(pkt({ src: A, dst: B, protocol: 'udp', srcPort: 41001, dstPort: 41002, payloadLength: 100 }), 60), wire: 80 },
  { name: 'ipv4 bad version', data: withByte(fullUdp, 14, 0x35) },
  { name: 'ipv4 options cut by capture', data: cut(withByte(fullUdp, 14, 0x4d), 44), wire: fullUdp.length },
  { name: 'icmp inside ipv6', data: withByte(udp6, 20, 1) },
  { name: 'igmp inside ipv6', data: withByte(udp6, 20, 2) },
  { name: 'ipv6 no next header', data: withByte(udp6, 20, 59) },
  { name: 'ipv6 bad version', data: withByte(udp6, 14, 0x30) },
  { name: 'ipv6 in ipv4 ethertype', data: withU16(udp6, 12, 0x0800) },
  { name: 'udp6', data: udp6 },
  { name: 'tcp6 syn', data: pkt({ src: A6, dst: B6, protocol: 'tcp', srcPort: 41234, dstPort: 80, tcp: { flags: 2, seq: 5, window: 1000 } }) },
  { name: 'ipv6 compressed and mapped addresses', data: pkt({ src: '::ffff:c000:201', dst: '::', protocol: 'udp', srcPort: 1, dstPort: 2 }) },
  { name: 'ipv6 first longest zero run', data: pkt({ src: '1:0:0:1:0:0:0:1', dst: '1:0:0:1:1:0:0:1', protocol: 'udp', srcPort: 1, dstPort: 2 }) },
  { name: 'ipv6 compatible addresses', data: pkt({ src: '::2', dst: '::ffff:0:0', protocol: 'udp', srcPort: 1, dstPort: 2 }) },
  { name: 'ipv6 compatible dotted', data: pkt({ src: '::1', dst: '::102:304', protocol: 'udp', srcPort: 1, dstPort: 2 }) },
  { name: 'ipv6 trailing zero run', data: pkt({ src: '2001:db8:0:1::', dst: '2001:db8::', protocol: 'udp', srcPort: 1, dstPort: 2 }) },
  { name: 'ipv6 first fragment', data: ipv6Fragment(1) },
  { name: 'ipv6 later fragment', data: ipv6Fragment(0x05b9) },
  { name: 'ipv6 unknown next header', data: withByte(ipv6Fragment(1), 20, 99) },
  { name: 'ipv6 longer than wire', data: cut(echo6, 54) },
  { name: 'icmp6 echo request', data: pkt({ src: A6, dst: B6, protocol: 'icmp', icmp: { type: 128, code: 0, rest: (9 << 16) | 3 }, payloadLength: 56 }) },
  { name: 'icmp6 echo reply', data: pkt({ src: A6, dst: B6, protocol: 'icmp', icmp: { type: 129, code: 0, rest: (9 << 16) | 3 }, payloadLength: 56 }) },
  ...[0, 1, 2, 3, 4, 5].map((code): Case => ({ name: `icmp6 unreachable code ${code}`, data: icmp6(1, code, 0, quoted6) })),
  { name: 'icmp6 udp port unreachable', data: icmp6(1, 4, 0, pkt({ src: B6, dst: '2001:db8::3', protocol: 'udp', srcPort: 1, dstPort: 53, link: 'raw' }).subarray(0, 48)) },
  { name: 'icmp6 packet too big', data: icmp6(2, 0, 1280, quoted6) },
  ...[0, 1, 2].map((code): Case => ({ name: `icmp6 time exceeded code ${code}`, data: icmp6(3, code, 0, quoted6) })),
  ...[0, 1, 2, 3, 4].map((code): Case => ({ name: `icmp6 parameter problem code ${code}`, data: icmp6(4, code, 40, quoted6) })),
  { name: 'icmp6 router solicitation', data: icmp6(133, 0, 0, new Uint8Array(0)) },
  { name: 'icmp6 router advertisement', data: icmp6(134, 0, 0, new Uint8Array(8)) },
  { name: 'icmp6 neighbor solicitation', data: icmp6(135, 0, 0, Uint8Array.of(0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2)) },
  { name: 'icmp6 neighbor advertisement', data: icmp6(136, 0, 0x60000000, Uint8Array.of(0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2)) },
  {
    name: 'icmp6 redirect',
    data: pkt({
      src: 'fe80::1',
      dst: 'fe80::2',
      protocol: 'icmp',
      icmp: { type: 137, code: 0, body: Uint8Array.of(0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6) },
    }),
  },
  { name: 'icmp6 mldv2 report', data: icmp6(143, 0, 0, new Uint8Array(0)) },
  { name: 'icmp6 mld query v1', data: icmp6(130, 0, 0x00640000, quoted6.subarray(0, 16)) },
  { name: 'icmp6 mld query v2', data: icmp6(130, 0, 0x00640000, Uint8Array.from([...quoted6.subarray(0, 16), 2, 125, 0, 1, ...quoted6.subarray(16, 32)])) },
  { name: 'icmp6 mld query v2 bad sources', data: icmp6(130, 0, 0, Uint8Array.from([...quoted6.subarray(0, 16), 2, 125, 0, 9])) },
  { name: 'icmp6 mld query odd length', data: icmp6(130, 0, 0, new Uint8Array(2)) },
  { name: 'icmp6 mld report', data: icmp6(131, 0, 0, quoted6.subarray(0, 16)) },
  { name: 'icmp6 mld done', data: icmp6(132, 0, 0, quoted6.subarray(0, 16)) },
  { name: 'icmp6 ha discovery request', data: icmp6(144, 0, 0x12340000, new Uint8Array(0)) },
  { name: 'icmp6 mobile prefix solicitation', data: icmp6(146, 0, 0xabcd0000, new Uint8Array(0)) },
  { name: 'icmp6 mtrace response', data: icmp6(200, 0, 0, new Uint8Array(4)) },
  { name: 'arp request', data: arp(1, [0, 0, 0, 0, 0, 0], [192, 0, 2, 1], [192, 0, 2, 2]) },
  { name: 'arp gratuitous', data: arp(1, [0, 0, 0, 0, 0, 0], [192, 0, 2, 1], [192, 0, 2, 1]) },
  { name: 'arp request with target mac', data: arp(1, [2, 0, 0, 0, 0, 9], [192, 0, 2, 1], [192, 0, 2, 7]) },
  { name: 'arp reply', data: arp(2, [2, 0, 0, 0, 0, 9], [192, 0, 2, 1], [192, 0, 2, 7]) },
  { name: 'arp padded', data: Uint8Array.from([...arp(1, [0, 0, 0, 0, 0, 0], [192, 0, 2, 1], [192, 0, 2, 2]), ...new Uint8Array(18)]) },
  ...[3, 4, 8, 9].map((op): Case => ({ name: `arp operation ${op}`, data: arp(op, [2, 0, 0, 0, 0, 9], [192, 0, 2, 1], [192, 0, 2, 7]) })),
  // Truncated captures: the marker must appear exactly where tcpdump puts it.
  ...[10, 14, 20, 30, 34, 36, 38, 41].map((n): Case => ({ name: `udp cut at ${n}`, data: cut(fullUdp, n), wire: fullUdp.length })),
  ...[38, 46, 50, 54, 56, 58, 60, 62, 66, 70, 73].map((n): Case => ({ name: `tcp options cut at ${n}`, data: cut(fullSynAck, n), wire: fullSynAck.length })),
  ...[35, 36, 41].map((n): Case => ({ name: `icmp echo cut at ${n}`, data: cut(echo4, n), wire: echo4.length })),
  ...[42, 58, 62, 64].map((n): Case => ({ name: `icmp unreachable cut at ${n}`, data: cut(unreachable4, n), wire: unreachable4.length })),
  ...[20, 54, 56, 58, 61].map((n): Case => ({ name: `udp6 cut at ${n}`, data: cut(udp6, n), wire: udp6.length })),
  ...[55, 56, 58, 62].map((n): Case => ({ name: `icmp6 echo cut at ${n}`, data: cut(echo6, n), wire: echo6.length })),
  ...[
    [1, 0],
    [1, 4],
    [2, 0],
    [3, 0],
    [3, 1],
    [4, 0],
    [135, 0],
    [137, 0],
  ].flatMap(([type, code]) =>
    [58, 70].map((n): Case => ({ name: `icmp6 type ${type} code ${code} cut at ${n}`, data: cut(icmp6(type, code, 40, quoted6), n), wire: 110 })),
  ),
  ...[
    [5, 0],
    [11, 0],
    [14, 0],
  ].flatMap(([type, code]) =>
    [40, 50].map((n): Case => ({ name: `icmp type ${type} code ${code} cut at ${n}`, data: cut(icmp(type, code, 0, new Uint8Array(28)), n), wire: 70 })),
  ),
  { name: 'qinq', data: (() => {
    const q = pkt({ src: A, dst: B, protocol: 'udp', srcPort: 41001, dstPort: 41002, payloadLength: 10 });
    const out = new Uint8Array(q.length + 8);
    out.set(q.subarray(0, 12));
    out.set([0x88, 0xa8, 0, 5, 0x81, 0, 0, 7], 12);
    out.set(q.subarray(12), 20);
    return out;
  })() },
];

const rawCases: Case[] = [
  { name: 'raw udp', data: pkt({ src: A, dst: B, protocol: 'udp', srcPort: 55008, dstPort: 29615, payloadLength: 9216, link: 'raw' }), raw: true },
  { name: 'raw udp6', data: pkt({ src: A6, dst: B6, protocol: 'udp', srcPort: 55008, dstPort: 29615, payloadLength: 10, link: 'raw' }), raw: true },
  { name: 'raw unknown version', data: Uint8Array.of(0x55, 1, 2, 3), raw: true },
  { name: 'raw cut ipv4', data: cut(pkt({ src: A, dst: B, protocol: 'udp', srcPort: 1, dstPort: 2, link: 'raw' }), 10), wire: 28, raw: true },
];

/**
 * Valid UDP/TCP/ICMP packets over IPv4 and IPv6 with one to three bytes of their headers
 * changed and, for a third of them, the capture cut short: the malformed and truncated
 * shapes sampled traffic really has. Deterministic (a fixed linear congruential generator).
 */
function mutatedPackets(seed: number, count: number): SampledPacket[] {
  let state = seed;
  const next = (n: number): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return Math.floor((state / 2 ** 31) * n);
  };
  const bases = [fullUdp, fullSynAck, unreachable4, echo4, udp6, echo6, pkt({ src: A6, dst: B6, protocol: 'tcp', srcPort: 41000, dstPort: 42000, tcp: { flags: 0x02, seq: 1, window: 3, options: SYN_OPTIONS } })];
  const packets: SampledPacket[] = [];
  for (let i = 0; i < count; i++) {
    const frame = bases[next(bases.length)].slice();
    for (let flips = 1 + next(3); flips > 0; flips--) {
      const at = 14 + next(Math.min(frame.length - 14, 80));
      frame[at] = next(4) === 0 ? next(256) : frame[at] ^ (1 << next(8));
    }
    const captured = next(3) === 0 ? 14 + next(frame.length - 14) : frame.length;
    packets.push({ timeMs: BASE_MS + i, data: frame.subarray(0, captured), originalLength: frame.length });
  }
  return packets;
}

function toSampled(c: Case, index: number): SampledPacket {
  return { timeMs: BASE_MS + index * 1.001, data: c.data, originalLength: c.wire ?? c.data.length, linkType: c.raw ? 'raw' : 'ethernet' };
}

/** tcpdump's lines for a capture; continuation lines (hex dumps) are dropped. */
function tcpdumpLines(packets: SampledPacket[], file: string, flags: string[]): string[] {
  const path = join(dir, file);
  writeFileSync(path, writePcap(packets));
  const out = execFileSync('tcpdump', [...flags, '-r', path], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'ignore'], timeout: 20_000 });
  return out.split('\n').filter((line) => line !== '' && !line.startsWith('\t'));
}

function assertParity(cases: Case[], file: string): void {
  const packets = cases.map(toSampled);
  const expected = tcpdumpLines(packets, file, ['-n', '-S']);
  assert.equal(expected.length, packets.length, 'tcpdump printed one line per packet');
  const mismatches: string[] = [];
  packets.forEach((packet, i) => {
    const ours = renderTrafficDumpLine(packet);
    if (ours !== expected[i]) mismatches.push(`${cases[i].name}\n  ours:    ${JSON.stringify(ours)}\n  tcpdump: ${JSON.stringify(expected[i])}`);
  });
  assert.deepEqual(mismatches, []);
}

describe('traffic dump lines equal tcpdump -n -S', () => {
  test(`ethernet frames (${ethernetCases.length} cases)`, () => assertParity(ethernetCases, 'ethernet.pcap'));
  test(`raw IP packets (${rawCases.length} cases)`, () => assertParity(rawCases, 'raw.pcap'));

  test('mutated packets: every difference is a protocol we deliberately leave undecoded', () => {
    for (const seed of [1, 7]) {
      const packets = mutatedPackets(seed, 2500);
      const expected = tcpdumpLines(packets, `fuzz-${seed}.pcap`, ['-n', '-S']);
      assert.equal(expected.length, packets.length);
      const unexplained: string[] = [];
      let differences = 0;
      packets.forEach((packet, i) => {
        const ours = renderTrafficDumpLine(packet);
        if (ours === expected[i]) return;
        differences++;
        if (!/: {2}ip-proto-\d+ \d+$/.test(ours)) unexplained.push(`ours:    ${ours}\ntcpdump: ${expected[i]}`);
      });
      assert.deepEqual(unexplained, [], `seed ${seed}`);
      assert.ok(differences < packets.length / 100, `seed ${seed}: ${differences} differences`);
    }
  });

  test('common packets also equal tcpdump -tttt without -S', () => {
    const common = ['udp', 'udp vlan', 'tcp syn', 'tcp syn options', 'tcp rst', 'icmp echo request', 'icmp udp port unreachable', 'udp6', 'tcp6 syn', 'icmp6 echo request', 'later fragment udp', 'arp request'];
    const cases = common.map((name) => {
      const found = ethernetCases.find((c) => c.name === name || (name === 'icmp udp port unreachable' && c.name === 'icmp unreachable code 3'));
      assert.ok(found, name);
      return found;
    });
    const packets = cases.map(toSampled);
    const expected = tcpdumpLines(packets, 'common.pcap', ['-n', '-tttt']);
    assert.deepEqual(
      packets.map((p) => renderTrafficDumpLine(p, { timestamps: 'date-time' })),
      expected,
    );
  });
});
