/**
 * ICMP (IPv4) as tcpdump prints it without -v: "ICMP <what>, length N", N being the ICMP
 * message length the IP header declares. tcpdump assembles the text before printing, so a
 * truncated message prints nothing but the marker; so do we.
 */
import { ipv4Text } from './address-text.ts';
import type { ByteView } from './byte-view.ts';
import { addressesText, type IpContext } from './ip-context.ts';

const SIMPLE_TYPES: ReadonlyMap<number, string> = new Map([
  [4, 'source quench'],
  [10, 'router solicitation'],
  [15, 'information request'],
  [16, 'information reply'],
  [17, 'address mask request'],
]);

/** Destination-unreachable codes that print with a fixed template ('%s' is the original destination). */
const UNREACHABLE_TEMPLATES: ReadonlyMap<number, string> = new Map([
  [0, 'net %s unreachable'],
  [1, 'host %s unreachable'],
  [5, '%s unreachable - source route failed'],
  [6, 'net %s unreachable - unknown'],
  [7, 'host %s unreachable - unknown'],
  [8, '%s unreachable - source host isolated'],
  [9, 'net %s unreachable - admin prohibited'],
  [10, 'host %s unreachable - admin prohibited'],
  [11, 'net %s unreachable - tos prohibited'],
  [12, 'host %s unreachable - tos prohibited'],
  [13, 'host %s unreachable - admin prohibited filter'],
  [14, 'host %s unreachable - host precedence violation'],
  [15, 'host %s unreachable - precedence cutoff'],
]);

const REDIRECT_TEMPLATES: ReadonlyMap<number, string> = new Map([
  [0, 'redirect %s to net %s'],
  [1, 'redirect %s to host %s'],
  [2, 'redirect-tos %s to net %s'],
  [3, 'redirect-tos %s to host %s'],
]);

/** Offset of the original IP header quoted in error messages. */
const QUOTED_IP = 8;

function fill(template: string, ...values: string[]): string {
  let i = 0;
  return template.replace(/%s/g, () => values[i++]);
}

/** Milliseconds since midnight UTC as HH:MM:SS.mmm (hours may exceed 23 for odd values). */
function timestampText(ms: number): string {
  const sec = Math.floor(ms / 1000);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(Math.floor(sec / 3600))}:${two(Math.floor(sec / 60) % 60)}:${two(sec % 60)}.${String(ms % 1000).padStart(3, '0')}`;
}

function lifetimeText(seconds: number): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  if (seconds < 60) return String(seconds);
  if (seconds < 3600) return `${Math.floor(seconds / 60)}:${two(seconds % 60)}`;
  return `${Math.floor(seconds / 3600)}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`;
}

function unreachableText(view: ByteView, code: number): string {
  const quotedDst = ipv4Text(view, QUOTED_IP + 16);
  switch (code) {
    case 2:
      return `${quotedDst} protocol ${view.u8(QUOTED_IP + 9)} unreachable`;
    case 3: {
      const protocol = view.u8(QUOTED_IP + 9);
      const dstPort = view.u16(QUOTED_IP + (view.u8(QUOTED_IP) & 0x0f) * 4 + 2);
      if (protocol === 6) return `${quotedDst} tcp port ${dstPort} unreachable`;
      if (protocol === 17) return `${quotedDst} udp port ${dstPort} unreachable`;
      return `${quotedDst} protocol ${protocol} port ${dstPort} unreachable`;
    }
    case 4: {
      const mtu = view.u16(6);
      return mtu === 0 ? `${quotedDst} unreachable - need to frag` : `${quotedDst} unreachable - need to frag (mtu ${mtu})`;
    }
    default: {
      const template = UNREACHABLE_TEMPLATES.get(code);
      return template === undefined ? `${quotedDst} unreachable - #${code}` : fill(template, quotedDst);
    }
  }
}

function routerAdvertisementText(view: ByteView): string {
  const count = view.u8(4);
  const size = view.u8(5);
  let text = `router advertisement lifetime ${lifetimeText(view.u16(6))} ${count}:`;
  if (size !== 2) return `${text} [size ${size}]`;
  for (let i = 0; i < count; i++) text += ` {${ipv4Text(view, 8 + i * 8)} ${view.u32(12 + i * 8)}}`;
  return text;
}

function messageText(view: ByteView): string {
  const type = view.u8(0);
  const code = view.u8(1);
  switch (type) {
    case 0:
    case 8:
      return `echo ${type === 8 ? 'request' : 'reply'}, id ${view.u16(4)}, seq ${view.u16(6)}`;
    case 3:
      return unreachableText(view, code);
    case 5: {
      const quotedDst = ipv4Text(view, QUOTED_IP + 16);
      const gateway = ipv4Text(view, 4);
      const template = REDIRECT_TEMPLATES.get(code);
      return template === undefined ? `redirect-#${code} ${quotedDst} to ${gateway}` : fill(template, quotedDst, gateway);
    }
    case 9:
      return routerAdvertisementText(view);
    case 11:
      view.need(QUOTED_IP + 16, 4);
      if (code === 0) return 'time exceeded in-transit';
      if (code === 1) return 'ip reassembly time exceeded';
      return `time exceeded-#${code}`;
    case 12:
      return code === 0 ? `parameter problem - octet ${view.u8(4)}` : `parameter problem - code ${code}`;
    case 13:
      return `time stamp query id ${view.u16(4)} seq ${view.u16(6)}`;
    case 14:
      return (
        `time stamp reply id ${view.u16(4)} seq ${view.u16(6)}: org ${timestampText(view.u32(8))}` +
        `, recv ${timestampText(view.u32(12))}, xmit ${timestampText(view.u32(16))}`
      );
    case 18:
      return `address mask is 0x${view.u32(8).toString(16).padStart(8, '0')}`;
    default:
      return SIMPLE_TYPES.get(type) ?? `type-#${type}`;
  }
}

/** `length` is the ICMP message length the IP layer declares. */
export function describeIcmp(view: ByteView, length: number, ip: IpContext, out: string[]): void {
  out.push(addressesText(ip));
  out.push(`ICMP ${messageText(view)}, length ${length}`);
}
