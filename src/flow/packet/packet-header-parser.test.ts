import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFlowRecord, type FlowRecord, formatAddress, formatMac } from '../flow-record.ts';
import {
  ethernet,
  gre,
  icmp,
  ipv4,
  ipv6,
  mpls,
  TCP_ACK,
  TCP_PSH,
  TCP_SYN,
  tcp,
  udp,
  vxlan,
} from './packet-builder.ts';
import {
  HEADER_PROTOCOL_ETHERNET,
  HEADER_PROTOCOL_IPV4,
  HEADER_PROTOCOL_IPV6,
  HEADER_PROTOCOL_MPLS,
  parsePacketHeader,
} from './packet-header-parser.ts';

const SERVER_MAC = '02:00:00:00:00:01';
const ROUTER_MAC = '02:00:00:00:00:fe';

interface Parsed {
  ipVersion: number;
  src: string;
  dst: string;
  srcAddr4: number;
  dstAddr4: number;
  protocol: number;
  srcPort: number;
  dstPort: number;
  tcpFlags: number;
  fragment: boolean;
  srcMac: string;
  dstMac: string;
  vlan: number;
}

function view(flow: FlowRecord): Parsed {
  return {
    ipVersion: flow.ipVersion,
    src: formatAddress(flow.srcAddr, flow.ipVersion),
    dst: formatAddress(flow.dstAddr, flow.ipVersion),
    srcAddr4: flow.srcAddr4,
    dstAddr4: flow.dstAddr4,
    protocol: flow.protocol,
    srcPort: flow.srcPort,
    dstPort: flow.dstPort,
    tcpFlags: flow.tcpFlags,
    fragment: flow.fragment,
    srcMac: formatMac(flow.srcMac),
    dstMac: formatMac(flow.dstMac),
    vlan: flow.vlan,
  };
}

/** Parses `packet` placed at a non-zero offset inside a larger buffer, like a header inside a datagram. */
function parse(packet: Uint8Array, headerProtocol = HEADER_PROTOCOL_ETHERNET, decapsulate = true): Parsed {
  const datagram = Buffer.alloc(packet.length + 40, 0xee);
  datagram.set(packet, 24);
  const flow = createFlowRecord();
  parsePacketHeader(flow, datagram, 24, packet.length, headerProtocol, decapsulate);
  return view(flow);
}

const empty: Parsed = {
  ipVersion: 0,
  src: '',
  dst: '',
  srcAddr4: 0,
  dstAddr4: 0,
  protocol: 0,
  srcPort: 0,
  dstPort: 0,
  tcpFlags: 0,
  fragment: false,
  srcMac: '',
  dstMac: '',
  vlan: 0,
};

describe('parsePacketHeader', () => {
  it('reads a TCP SYN over IPv4 with its flags, ports and MACs', () => {
    const packet = ethernet({
      dst: ROUTER_MAC,
      src: SERVER_MAC,
      etherType: 0x0800,
      payload: ipv4({ src: '198.51.100.7', dst: '203.0.113.9', protocol: 6, payload: tcp({ srcPort: 40000, dstPort: 22, flags: TCP_SYN }) }),
    });
    assert.deepEqual(parse(packet), {
      ...empty,
      ipVersion: 4,
      src: '198.51.100.7',
      dst: '203.0.113.9',
      srcAddr4: 0xc6336407,
      dstAddr4: 0xcb007109,
      protocol: 6,
      srcPort: 40000,
      dstPort: 22,
      tcpFlags: TCP_SYN,
      srcMac: SERVER_MAC,
      dstMac: ROUTER_MAC,
    });
  });

  it('reads TCP over IPv6 and skips hop-by-hop, routing and destination options', () => {
    const packet = ethernet({
      dst: ROUTER_MAC,
      src: SERVER_MAC,
      etherType: 0x86dd,
      payload: ipv6({
        src: '2001:db8::10',
        dst: '2001:db8:1::20',
        nextHeader: 6,
        extensions: [{ type: 0 }, { type: 43, body: new Uint8Array(14) }, { type: 60 }],
        payload: tcp({ srcPort: 443, dstPort: 51000, flags: TCP_PSH | TCP_ACK }),
      }),
    });
    assert.deepEqual(parse(packet), {
      ...empty,
      ipVersion: 6,
      src: '2001:db8::10',
      dst: '2001:db8:1::20',
      protocol: 6,
      srcPort: 443,
      dstPort: 51000,
      tcpFlags: TCP_PSH | TCP_ACK,
      srcMac: SERVER_MAC,
      dstMac: ROUTER_MAC,
    });
  });

  it('marks IPv4 fragments and reads ports only from the first fragment', () => {
    const first = ipv4({
      src: '192.0.2.1',
      dst: '192.0.2.2',
      protocol: 17,
      moreFragments: true,
      payload: udp({ srcPort: 5353, dstPort: 53, payload: new Uint8Array(64) }),
    });
    assert.deepEqual(parse(first, HEADER_PROTOCOL_IPV4), {
      ...empty,
      ipVersion: 4,
      src: '192.0.2.1',
      dst: '192.0.2.2',
      srcAddr4: 0xc0000201,
      dstAddr4: 0xc0000202,
      protocol: 17,
      srcPort: 5353,
      dstPort: 53,
      fragment: true,
    });
    // A later fragment starts with payload bytes that only look like ports.
    const later = ipv4({ src: '192.0.2.1', dst: '192.0.2.2', protocol: 17, fragmentOffset: 1480, payload: udp({ srcPort: 1111, dstPort: 2222 }) });
    const parsed = parse(later, HEADER_PROTOCOL_IPV4);
    assert.equal(parsed.fragment, true);
    assert.equal(parsed.srcPort, 0);
    assert.equal(parsed.dstPort, 0);
    assert.equal(parsed.protocol, 17);
    // Don't-fragment alone is not a fragment.
    const whole = ipv4({ src: '192.0.2.1', dst: '192.0.2.2', protocol: 17, dontFragment: true, payload: udp({ srcPort: 1, dstPort: 2 }) });
    assert.equal(parse(whole, HEADER_PROTOCOL_IPV4).fragment, false);
  });

  it('marks IPv6 fragments from the fragment extension header', () => {
    const first = ipv6({
      src: '2001:db8::1',
      dst: '2001:db8::2',
      nextHeader: 17,
      fragment: { offset: 0, moreFragments: true },
      payload: udp({ srcPort: 4000, dstPort: 443 }),
    });
    const parsedFirst = parse(first, HEADER_PROTOCOL_IPV6);
    assert.deepEqual([parsedFirst.fragment, parsedFirst.protocol, parsedFirst.srcPort, parsedFirst.dstPort], [true, 17, 4000, 443]);
    const later = ipv6({
      src: '2001:db8::1',
      dst: '2001:db8::2',
      nextHeader: 17,
      fragment: { offset: 1448, moreFragments: false },
      payload: udp({ srcPort: 4000, dstPort: 443 }),
    });
    const parsedLater = parse(later, HEADER_PROTOCOL_IPV6);
    assert.deepEqual([parsedLater.fragment, parsedLater.protocol, parsedLater.srcPort, parsedLater.dstPort], [true, 17, 0, 0]);
  });

  it('reports ICMP and ICMPv6 as dstPort = type << 8 | code', () => {
    const unreachable = ipv4({ src: '203.0.113.1', dst: '198.51.100.1', protocol: 1, payload: icmp({ type: 3, code: 13 }) });
    const v4 = parse(unreachable, HEADER_PROTOCOL_IPV4);
    assert.deepEqual([v4.protocol, v4.srcPort, v4.dstPort], [1, 0, 0x030d]);
    const echo = ipv6({ src: '2001:db8::1', dst: '2001:db8::2', nextHeader: 58, payload: icmp({ type: 128, code: 0 }) });
    const v6 = parse(echo, HEADER_PROTOCOL_IPV6);
    assert.deepEqual([v6.protocol, v6.srcPort, v6.dstPort], [58, 0, 128 << 8]);
  });

  it('walks QinQ (0x88a8 + 0x8100) and stacked 0x8100 tags, keeping the outer VLAN', () => {
    const inner = ipv4({ src: '198.51.100.1', dst: '198.51.100.2', protocol: 17, payload: udp({ srcPort: 123, dstPort: 123 }) });
    for (const outerTpid of [0x88a8, 0x8100]) {
      const packet = ethernet({
        dst: ROUTER_MAC,
        src: SERVER_MAC,
        tags: [
          { tpid: outerTpid, vid: 300, priority: 5 },
          { tpid: 0x8100, vid: 42 },
        ],
        etherType: 0x0800,
        payload: inner,
      });
      const parsed = parse(packet);
      assert.deepEqual([parsed.vlan, parsed.src, parsed.dst, parsed.srcPort, parsed.dstPort], [300, '198.51.100.1', '198.51.100.2', 123, 123]);
    }
  });

  it('skips an MPLS label stack over Ethernet and as header protocol 13', () => {
    const inner = ipv6({ src: '2001:db8::a', dst: '2001:db8::b', nextHeader: 6, payload: tcp({ srcPort: 179, dstPort: 33000, flags: TCP_ACK }) });
    const packet = ethernet({ dst: ROUTER_MAC, src: SERVER_MAC, etherType: 0x8847, payload: mpls([16001, 24005, 3], inner) });
    const parsed = parse(packet);
    assert.deepEqual([parsed.ipVersion, parsed.src, parsed.dst, parsed.protocol, parsed.srcPort, parsed.dstPort, parsed.tcpFlags], [6, '2001:db8::a', '2001:db8::b', 6, 179, 33000, TCP_ACK]);
    const bare = parse(mpls([100], ipv4({ src: '192.0.2.5', dst: '192.0.2.6', protocol: 1, payload: icmp({ type: 8, code: 0 }) })), HEADER_PROTOCOL_MPLS);
    assert.deepEqual([bare.ipVersion, bare.src, bare.dstPort], [4, '192.0.2.5', 8 << 8]);
  });

  const innerFrame = ethernet({
    dst: '02:00:00:00:00:b2',
    src: '02:00:00:00:00:b1',
    etherType: 0x0800,
    payload: ipv4({ src: '203.0.113.10', dst: '198.51.100.200', protocol: 6, payload: tcp({ srcPort: 50123, dstPort: 3389, flags: TCP_SYN }) }),
  });

  it('reports the inner packet of VXLAN, with its MACs, and the outer VLAN', () => {
    const packet = ethernet({
      dst: ROUTER_MAC,
      src: SERVER_MAC,
      tags: [{ tpid: 0x8100, vid: 10 }],
      etherType: 0x86dd,
      payload: ipv6({ src: '2001:db8:f::1', dst: '2001:db8:f::2', nextHeader: 17, payload: udp({ srcPort: 61000, dstPort: 4789, payload: vxlan(5000, innerFrame) }) }),
    });
    assert.deepEqual(parse(packet), {
      ...empty,
      ipVersion: 4,
      src: '203.0.113.10',
      dst: '198.51.100.200',
      srcAddr4: 0xcb00710a,
      dstAddr4: 0xc63364c8,
      protocol: 6,
      srcPort: 50123,
      dstPort: 3389,
      tcpFlags: TCP_SYN,
      srcMac: '02:00:00:00:00:b1',
      dstMac: '02:00:00:00:00:b2',
      vlan: 10,
    });
    // With decapsulation off, the outer packet is reported.
    const outer = parse(packet, HEADER_PROTOCOL_ETHERNET, false);
    assert.deepEqual([outer.ipVersion, outer.src, outer.protocol, outer.dstPort, outer.srcMac], [6, '2001:db8:f::1', 17, 4789, SERVER_MAC]);
  });

  it('keeps the outer packet when the inner one is cut before its IP header ends', () => {
    const packet = ethernet({
      dst: ROUTER_MAC,
      src: SERVER_MAC,
      etherType: 0x0800,
      payload: ipv4({ src: '192.0.2.1', dst: '192.0.2.2', protocol: 17, payload: udp({ srcPort: 61000, dstPort: 4789, payload: vxlan(1, innerFrame) }) }),
    });
    // Cut 10 bytes into the inner IPv4 header: 14 + 20 + 8 + 8 + 14 + 10.
    const parsed = parse(packet.subarray(0, 74));
    assert.deepEqual([parsed.src, parsed.dst, parsed.protocol, parsed.srcPort, parsed.dstPort, parsed.srcMac], ['192.0.2.1', '192.0.2.2', 17, 61000, 4789, SERVER_MAC]);
    // Cut inside the inner TCP header: the inner addresses are taken, the ports are unknown.
    const cutInTcp = parse(packet.subarray(0, 14 + 20 + 8 + 8 + 14 + 20 + 2));
    assert.deepEqual([cutInTcp.src, cutInTcp.protocol, cutInTcp.srcPort, cutInTcp.dstPort], ['203.0.113.10', 6, 0, 0]);
  });

  it('reports the inner packet of GRE: bridged Ethernet (0x6558) and plain IP', () => {
    const teb = ethernet({
      dst: ROUTER_MAC,
      src: SERVER_MAC,
      etherType: 0x0800,
      payload: ipv4({ src: '192.0.2.1', dst: '192.0.2.2', protocol: 47, payload: gre({ protocol: 0x6558, key: 77, payload: innerFrame }) }),
    });
    const bridged = parse(teb);
    assert.deepEqual([bridged.src, bridged.dst, bridged.protocol, bridged.srcPort, bridged.dstPort, bridged.srcMac], ['203.0.113.10', '198.51.100.200', 6, 50123, 3389, '02:00:00:00:00:b1']);

    const routed = ethernet({
      dst: ROUTER_MAC,
      src: SERVER_MAC,
      etherType: 0x0800,
      payload: ipv4({
        src: '192.0.2.1',
        dst: '192.0.2.2',
        protocol: 47,
        payload: gre({ protocol: 0x86dd, checksum: true, sequence: 9, payload: ipv6({ src: '2001:db8::1', dst: '2001:db8::2', nextHeader: 17, payload: udp({ srcPort: 500, dstPort: 4500 }) }) }),
      }),
    });
    const l3 = parse(routed);
    // No inner Ethernet: the MACs stay those of the frame on the wire; srcAddr4 is cleared for IPv6.
    assert.deepEqual([l3.ipVersion, l3.src, l3.dst, l3.srcAddr4, l3.protocol, l3.srcPort, l3.dstPort, l3.srcMac], [6, '2001:db8::1', '2001:db8::2', 0, 17, 500, 4500, SERVER_MAC]);
    const outer = parse(routed, HEADER_PROTOCOL_ETHERNET, false);
    assert.deepEqual([outer.src, outer.protocol, outer.srcPort], ['192.0.2.1', 47, 0]);
  });

  it('clears the outer IPv6 bytes when the inner packet is IPv4', () => {
    const packet = ipv6({ src: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', dst: 'ffff::ffff', nextHeader: 47, payload: gre({ protocol: 0x0800, payload: ipv4({ src: '192.0.2.9', dst: '192.0.2.10', protocol: 6, payload: tcp({ srcPort: 1, dstPort: 2, flags: TCP_SYN }) }) }) });
    const datagram = Buffer.from(packet);
    const flow = createFlowRecord();
    parsePacketHeader(flow, datagram, 0, datagram.length, HEADER_PROTOCOL_IPV6);
    assert.deepEqual(Array.from(flow.srcAddr), [192, 0, 2, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(flow.ipVersion, 4);
  });

  it('keeps the MACs of a non-IP frame and ignores trailing Ethernet padding', () => {
    const arp = ethernet({ dst: 'ff:ff:ff:ff:ff:ff', src: SERVER_MAC, etherType: 0x0806, payload: new Uint8Array(28) });
    assert.deepEqual(parse(arp), { ...empty, srcMac: SERVER_MAC, dstMac: 'ff:ff:ff:ff:ff:ff' });
    // A 40-byte IPv4/TCP packet padded to the 60-byte Ethernet minimum still parses.
    const padded = Buffer.concat([
      ethernet({ dst: ROUTER_MAC, src: SERVER_MAC, etherType: 0x0800, payload: ipv4({ src: '192.0.2.1', dst: '192.0.2.2', protocol: 6, payload: tcp({ srcPort: 9, dstPort: 10, flags: TCP_SYN }) }) }),
      Buffer.alloc(6),
    ]);
    assert.deepEqual([parse(padded).srcPort, parse(padded).tcpFlags], [9, TCP_SYN]);
  });

  it('stops cleanly on headers cut anywhere and never reads past the given length', () => {
    const packet = ethernet({
      dst: ROUTER_MAC,
      src: SERVER_MAC,
      tags: [{ tpid: 0x88a8, vid: 7 }],
      etherType: 0x86dd,
      payload: ipv6({ src: '2001:db8::1', dst: '2001:db8::2', nextHeader: 6, extensions: [{ type: 0 }], payload: tcp({ srcPort: 1234, dstPort: 80, flags: TCP_SYN }) }),
    });
    for (let cut = 0; cut <= packet.length; cut++) {
      // Whatever follows the cut must not be read: fill it with a different, valid-looking packet.
      const decoy = Buffer.from(packet);
      decoy.fill(0x45, cut);
      const flow = createFlowRecord();
      parsePacketHeader(flow, decoy, 0, cut, HEADER_PROTOCOL_ETHERNET);
      const parsed = view(flow);
      if (cut < 14) assert.deepEqual(parsed, empty, `cut at ${cut}`);
      if (cut >= 14 + 4 + 40) assert.deepEqual([parsed.ipVersion, parsed.src], [6, '2001:db8::1'], `cut at ${cut}`);
      else assert.equal(parsed.ipVersion, 0, `cut at ${cut}`);
      if (cut >= 14 + 4 + 40 + 8 + 4) assert.deepEqual([parsed.srcPort, parsed.dstPort], [1234, 80], `cut at ${cut}`);
      else assert.deepEqual([parsed.srcPort, parsed.dstPort], [0, 0], `cut at ${cut}`);
      if (cut >= 14 + 4 + 40 + 8 + 14) assert.equal(parsed.tcpFlags, TCP_SYN, `cut at ${cut}`);
      else assert.equal(parsed.tcpFlags, 0, `cut at ${cut}`);
    }
  });

  it('leaves the record alone for unknown header protocols and bad IP versions', () => {
    const packet = ipv4({ src: '192.0.2.1', dst: '192.0.2.2', protocol: 6, payload: tcp({ srcPort: 1, dstPort: 2, flags: 0 }) });
    assert.deepEqual(parse(packet, 7), empty);
    assert.equal(parse(packet, HEADER_PROTOCOL_IPV6).ipVersion, 0);
    const badIhl = Buffer.from(packet);
    badIhl[0] = 0x43;
    assert.equal(parse(badIhl, HEADER_PROTOCOL_IPV4).ipVersion, 0);
  });
});
