/**
 * One sampled packet to the text tcpdump -n prints after the timestamp. Ethernet
 * (VLAN tags are transparent, as in tcpdump without -e) or bare IP; IPv4, IPv6, TCP,
 * UDP, ICMP, ICMPv6 and ARP follow tcpdump 4.99's wording byte for byte. Anything
 * else gets a neutral one-line summary, and no input can make this throw.
 */
import type { SampledPacket } from '../sampled-packet.ts';
import { ipv4Text, macText } from './address-text.ts';
import { ByteView, MARKER_WRITTEN, Truncated } from './byte-view.ts';
import { describeIpv4, describeIpv6 } from './describe-ip.ts';

const ETHERNET_HEADER_LENGTH = 14;
const VLAN_TAG_TYPES = new Set([0x8100, 0x88a8, 0x9100]);
const MAX_VLAN_TAGS = 4;

const ARP_OPERATIONS: ReadonlyMap<number, string> = new Map([
  [1, 'Request'],
  [2, 'Reply'],
  [3, 'Reverse Request'],
  [4, 'Reverse Reply'],
  [8, 'Inverse Request'],
  [9, 'Inverse Reply'],
  [10, 'NACK Reply'],
]);

/** Ethernet/IPv4 ARP, the only kind a hosting network carries. */
function describeArp(view: ByteView, wireLength: number, out: string[]): void {
  const hardware = view.u16(0);
  const protocol = view.u16(2);
  if (hardware !== 1 || protocol !== 0x0800 || view.u8(4) !== 6 || view.u8(5) !== 4) {
    out.push(`ARP, hardware ${hardware}, protocol 0x${protocol.toString(16).padStart(4, '0')}, length ${wireLength}`);
    return;
  }
  const operation = view.u16(6);
  const senderMac = macText(view, 8);
  const senderIp = ipv4Text(view, 14);
  const targetMac = macText(view, 18);
  const targetIp = ipv4Text(view, 24);
  const name = ARP_OPERATIONS.get(operation) ?? `Unknown (${operation})`;
  if (operation === 1) {
    const known = targetMac === '00:00:00:00:00:00' ? '' : ` (${targetMac})`;
    out.push(`ARP, ${name} who-has ${targetIp}${known} tell ${senderIp}, length ${wireLength}`);
  } else if (operation === 2) {
    out.push(`ARP, ${name} ${senderIp} is-at ${senderMac}, length ${wireLength}`);
  } else if (operation === 3 || operation === 8) {
    out.push(`ARP, ${name} who-is ${targetMac} tell ${senderMac}, length ${wireLength}`);
  } else if (operation === 4) {
    out.push(`ARP, ${name} ${targetMac} at ${targetIp}, length ${wireLength}`);
  } else if (operation === 9) {
    out.push(`ARP, ${name} ${senderMac} at ${senderIp}, length ${wireLength}`);
  } else {
    out.push(`ARP, ${name}, length ${wireLength}`);
  }
}

function describeEthernet(view: ByteView, wireLength: number, out: string[]): void {
  view.need(0, ETHERNET_HEADER_LENGTH);
  let offset = 12;
  let etherType = view.u16(offset);
  for (let tags = 0; VLAN_TAG_TYPES.has(etherType) && tags < MAX_VLAN_TAGS; tags++) {
    offset += 4;
    etherType = view.layer(0, 'vlan').u16(offset);
  }
  offset += 2;
  const payloadWire = Math.max(0, wireLength - offset);
  switch (etherType) {
    case 0x0800:
      describeIpv4(view.layer(offset, 'ip'), payloadWire, out);
      return;
    case 0x86dd:
      describeIpv6(view.layer(offset, 'ip6'), payloadWire, out);
      return;
    case 0x0806:
      describeArp(view.layer(offset, 'arp'), payloadWire, out);
      return;
    default:
      if (etherType < 0x0600) {
        // An 802.3 length field (LLC/SNAP follows): spanning tree and other switch chatter.
        out.push(`${macText(view, 6)} > ${macText(view, 0)}, 802.3, length ${wireLength}`);
        return;
      }
      out.push(`${macText(view, 6)} > ${macText(view, 0)}, ethertype 0x${etherType.toString(16).padStart(4, '0')}, length ${wireLength}`);
  }
}

function describeRaw(view: ByteView, wireLength: number, out: string[]): void {
  const version = view.layer(0, 'ip').u8(0) >> 4;
  if (version === 6) describeIpv6(view.layer(0, 'ip6'), wireLength, out);
  else if (version === 4) describeIpv4(view.layer(0, 'ip'), wireLength, out);
  else out.push(`unknown ip ${version}`);
}

export function describeFrame(packet: SampledPacket): string {
  const out: string[] = [];
  const wireLength = Math.max(packet.originalLength, packet.data.length);
  const view = new ByteView(packet.data, 0, packet.data.length, packet.linkType === 'raw' ? 'ip' : 'ether');
  try {
    if (packet.linkType === 'raw') describeRaw(view, wireLength, out);
    else describeEthernet(view, wireLength, out);
  } catch (error) {
    if (!(error instanceof Truncated)) {
      // A decoding bug must not cost the customer the rest of the evidence.
      return `[undecodable packet, ${packet.data.length} of ${wireLength} bytes captured]`;
    }
    if (error.protocol !== MARKER_WRITTEN) out.push(` [|${error.protocol}]`);
  }
  return out.join('');
}
