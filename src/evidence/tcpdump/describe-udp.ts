/**
 * UDP as tcpdump prints it without application decoding: "UDP, length N", where N comes
 * from the UDP header (not the captured bytes). tcpdump additionally decodes payloads on
 * well-known ports (DNS, NTP, SNMP, ...); we deliberately print the transport summary only.
 */
import type { ByteView } from './byte-view.ts';
import { addressesText, endpointsText, type IpContext } from './ip-context.ts';

const UDP_HEADER_LENGTH = 8;

/** `length` is the UDP datagram length the IP layer declares (payload after IP headers). */
export function describeUdp(view: ByteView, length: number, ip: IpContext, out: string[]): void {
  if (!view.has(0, 4)) {
    out.push(addressesText(ip));
    view.need(0, 4);
  }
  const srcPort = view.u16(0);
  const dstPort = view.u16(2);
  out.push(endpointsText(ip, srcPort, dstPort));
  if (length < UDP_HEADER_LENGTH) {
    out.push(`truncated-udp ${length}`);
    return;
  }
  const udpLength = view.u16(4);
  if (udpLength < UDP_HEADER_LENGTH) {
    out.push(`truncated-udplength ${udpLength}`);
    return;
  }
  view.need(0, UDP_HEADER_LENGTH);
  const payload = udpLength - UDP_HEADER_LENGTH;
  const ipPayload = length - UDP_HEADER_LENGTH;
  // A first fragment's UDP header announces the whole datagram, so only whole packets can lie.
  if (payload > ipPayload && !ip.fragmented) {
    out.push(`UDP, bad length ${payload} > ${ipPayload}`);
    return;
  }
  out.push(`UDP, length ${payload}`);
}
