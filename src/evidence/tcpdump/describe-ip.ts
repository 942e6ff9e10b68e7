/**
 * The IPv4 and IPv6 layers of a tcpdump line: "IP src > dst: ..." / "IP6 ...", the
 * malformed-header wordings tcpdump uses, fragments, and dispatch to the transports we
 * decode. Other protocols get tcpdump's own wording for protocols it does not know
 * ("ip-proto-N LEN"), even where tcpdump would decode more (GRE, ESP, OSPF, ...).
 */
import { ipv4Text, ipv6Text } from './address-text.ts';
import type { ByteView } from './byte-view.ts';
import { describeIcmp } from './describe-icmp.ts';
import { describeIcmp6 } from './describe-icmp6.ts';
import { describeTcp } from './describe-tcp.ts';
import { describeUdp } from './describe-udp.ts';
import { addressesText, type IpContext } from './ip-context.ts';

const IPV6_HEADER_LENGTH = 40;
const FRAGMENT_HEADER_LENGTH = 8;

/** Prints one transport; `view` starts at its header and is cut to `length`. */
function describeTransport(protocol: number, view: ByteView, length: number, ip: IpContext, out: string[], wireLength: number, ipv6: boolean): void {
  switch (protocol) {
    case 1:
      if (ipv6) out.push(`${addressesText(ip)}[ICMP requires IPv4] (invalid)`);
      else describeIcmp(view.layer(0, 'icmp'), length, ip, out);
      return;
    case 2:
      if (ipv6) out.push(`${addressesText(ip)}[IGMP requires IPv4] (invalid)`);
      else out.push(`${addressesText(ip)} ip-proto-2 ${length}`);
      return;
    case 4:
      out.push(addressesText(ip));
      describeIpv4(view.layer(0, 'ip'), wireLength, out);
      return;
    case 6:
      describeTcp(view.layer(0, 'tcp'), length, ip, out);
      return;
    case 17:
      describeUdp(view.layer(0, 'udp'), length, ip, out);
      return;
    case 41:
      out.push(addressesText(ip));
      describeIpv6(view.layer(0, 'ip6'), wireLength, out);
      return;
    case 58:
      describeIcmp6(view.layer(0, 'icmp6'), length, ip, out);
      return;
    case 59:
      if (ipv6) {
        out.push(`${addressesText(ip)}no next header`);
        return;
      }
      out.push(`${addressesText(ip)} ip-proto-59 ${length}`);
      return;
    default:
      out.push(`${addressesText(ip)} ip-proto-${protocol} ${length}`);
  }
}

/** `wireLength`: bytes from the IP header to the end of the frame as it was on the wire. */
export function describeIpv4(view: ByteView, wireLength: number, out: string[]): void {
  const version = view.u8(0) >> 4;
  if (version === 6) {
    out.push('IP6, wrong link-layer encapsulation (invalid)');
    return;
  }
  if (version !== 4) {
    out.push(`IP${version} (invalid)`);
    return;
  }
  out.push('IP ');
  view.need(0, 20);
  const headerLength = (view.u8(0) & 0x0f) * 4;
  if (headerLength < 20) {
    out.push(`bad-hlen ${headerLength}`);
    return;
  }
  const totalLength = view.u16(2);
  if (totalLength < headerLength) {
    out.push(`bad-len ${totalLength}`);
    return;
  }
  if (totalLength > wireLength) out.push(`truncated-ip - ${totalLength - wireLength} bytes missing! `);
  const fragmentField = view.u16(6);
  const fragmentOffset = (fragmentField & 0x1fff) * 8;
  const protocol = view.u8(9);
  const ip: IpContext = {
    src: ipv4Text(view, 12),
    dst: ipv4Text(view, 16),
    direct: true,
    fragmented: fragmentOffset !== 0 || (fragmentField & 0x2000) !== 0,
  };
  if (fragmentOffset !== 0) {
    // A later fragment has no transport header; tcpdump names the protocol and stops.
    out.push(`${addressesText(ip)}ip-proto-${protocol}`);
    return;
  }
  if (!view.has(0, headerLength)) {
    // IP options cut off by the capture. tcpdump has already printed the addresses
    // unless the transport prints them itself, with its ports.
    if (protocol !== 6 && protocol !== 17 && protocol !== 33 && protocol !== 132) out.push(addressesText(ip));
    out.push(` [remaining caplen(${view.available}) < header length(${headerLength})]`);
    view.need(0, headerLength);
  }
  const payloadLength = totalLength - headerLength;
  const payload = view.layer(headerLength, 'ip', payloadLength);
  describeTransport(protocol, payload, payloadLength, ip, out, Math.max(0, wireLength - headerLength), false);
}

export function describeIpv6(view: ByteView, wireLength: number, out: string[]): void {
  view.need(0, IPV6_HEADER_LENGTH);
  const version = view.u8(0) >> 4;
  if (version !== 6) {
    out.push(`IP6 version error: ${version} != 6`);
    return;
  }
  out.push('IP6 ');
  const payloadLength = view.u16(4);
  if (IPV6_HEADER_LENGTH + payloadLength > wireLength) {
    out.push(`truncated-ip6 - ${IPV6_HEADER_LENGTH + payloadLength - wireLength} bytes missing!`);
  }
  const ip: IpContext = { src: ipv6Text(view, 8), dst: ipv6Text(view, 24), direct: true, fragmented: false };
  let next = view.u8(6);
  let offset = IPV6_HEADER_LENGTH;
  let remaining = payloadLength;
  const packet = view.layer(0, 'ip6', IPV6_HEADER_LENGTH + payloadLength);
  if (next === 44) {
    const fragment = packet.layer(offset, 'frag6');
    const offsetField = fragment.u16(2);
    next = fragment.u8(0);
    remaining -= FRAGMENT_HEADER_LENGTH;
    out.push(`${addressesText(ip)}frag (${offsetField & 0xfff8}|${remaining})`);
    if ((offsetField & 0xfff8) !== 0) return;
    out.push(' ');
    offset += FRAGMENT_HEADER_LENGTH;
    ip.direct = false;
    ip.fragmented = true;
  }
  describeTransport(next, packet.layer(offset, 'ip6'), remaining, ip, out, Math.max(0, wireLength - offset), true);
}
