/** What the transport printers need to know about the IP packet around them. */
export interface IpContext {
  src: string;
  dst: string;
  /**
   * False when IPv6 extension headers sit between the fixed header and the transport
   * header: tcpdump then prints only the ports ("frag (0|1448) 1234 > 53: ...").
   */
  direct: boolean;
  /** The packet is a fragment (the transport header's lengths may exceed this piece). */
  fragmented: boolean;
}

/** "src.sport > dst.dport: ", or the ports alone after IPv6 extension headers. */
export function endpointsText(ip: IpContext, srcPort: number, dstPort: number): string {
  return ip.direct ? `${ip.src}.${srcPort} > ${ip.dst}.${dstPort}: ` : `${srcPort} > ${dstPort}: `;
}

/** "src > dst: " when the ports could not be read. */
export function addressesText(ip: IpContext): string {
  return ip.direct ? `${ip.src} > ${ip.dst}: ` : '';
}
