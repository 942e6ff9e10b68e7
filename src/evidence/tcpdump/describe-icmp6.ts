/**
 * ICMPv6 as tcpdump prints it without -v. tcpdump writes this one piece by piece, so a
 * truncated message keeps the words printed before the marker. Types tcpdump decodes in
 * depth that abuse evidence rarely shows (node information, router renumbering, mtrace)
 * get their name and length only; tcpdump would add a few details there.
 */
import { ipv6Text } from './address-text.ts';
import { type ByteView, Truncated } from './byte-view.ts';
import { addressesText, type IpContext } from './ip-context.ts';

const TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [1, 'destination unreachable'],
  [2, 'packet too big'],
  [3, 'time exceeded in-transit'],
  [4, 'parameter problem'],
  [128, 'echo request'],
  [129, 'echo reply'],
  [130, 'multicast listener query'],
  [131, 'multicast listener report'],
  [132, 'multicast listener done'],
  [133, 'router solicitation'],
  [134, 'router advertisement'],
  [135, 'neighbor solicitation'],
  [136, 'neighbor advertisement'],
  [137, 'redirect'],
  [138, 'router renumbering'],
  [139, 'node information query'],
  [140, 'node information reply'],
  [141, 'inverse neighbor solicitation'],
  [142, 'inverse neighbor advertisement'],
  [143, 'multicast listener report v2'],
  [144, 'ha discovery request'],
  [145, 'ha discovery reply'],
  [146, 'mobile router solicitation'],
  [147, 'mobile router advertisement'],
  [200, 'mtrace response'],
  [201, 'mtrace message'],
]);

const UNREACHABLE_CODES: ReadonlyMap<number, string> = new Map([
  [0, 'unreachable route'],
  [1, ' unreachable prohibited'],
  [2, 'beyond scope'],
  [3, 'unreachable address'],
  [4, 'unreachable port'],
]);

const PARAMETER_PROBLEMS: ReadonlyMap<number, string> = new Map([
  [0, 'erroneous'],
  [1, 'next header'],
  [2, 'option'],
  [3, 'incomplete header chain'],
]);

/** Offset of the original IPv6 header quoted in error messages. */
const QUOTED_IP = 8;

/** Walks the quoted packet's extension headers to its TCP/UDP destination port, as tcpdump does. */
function quotedTransport(view: ByteView): { protocol: number; dstPort: number } {
  let next = view.u8(QUOTED_IP + 6);
  let offset = QUOTED_IP + 40;
  for (let hops = 0; hops < 16; hops++) {
    switch (next) {
      case 6:
      case 17:
        return { protocol: next, dstPort: view.u16(offset + 2) };
      case 0:
      case 43:
      case 60: {
        const length = (view.u8(offset + 1) + 1) * 8;
        next = view.u8(offset);
        offset += length;
        break;
      }
      case 44:
        if ((view.u16(offset + 2) & 0xfff8) !== 0) throw new Truncated(view.protocol);
        next = view.u8(offset);
        offset += 8;
        break;
      case 51: {
        const length = (view.u8(offset + 1) + 2) * 4;
        next = view.u8(offset);
        offset += length;
        break;
      }
      default:
        // tcpdump gives up on headers it cannot walk and reports truncation.
        throw new Truncated(view.protocol);
    }
  }
  throw new Truncated(view.protocol);
}

function unreachableText(view: ByteView, code: number, out: string[]): 'ok' | 'stop' {
  const name = UNREACHABLE_CODES.get(code);
  if (name === undefined) {
    // tcpdump follows this with a hex dump and no length; the dump is left out.
    out.push(`, unknown unreach code (${code})`);
    return 'stop';
  }
  out.push(`, ${name}`);
  if (code === 2) {
    out.push(` ${ipv6Text(view, QUOTED_IP + 24)}, source address ${ipv6Text(view, QUOTED_IP + 8)}`);
  } else if (code === 4) {
    const { protocol, dstPort } = quotedTransport(view);
    out.push(`, ${ipv6Text(view, QUOTED_IP + 24)} ${protocol === 6 ? 'tcp' : 'udp'} port ${dstPort}`);
  } else {
    out.push(` ${ipv6Text(view, QUOTED_IP + 24)}`);
  }
  return 'ok';
}

/** MLDv1: tcpdump appends this without a separator ("multicast listener donemax resp delay: ..."). */
function multicastListenerText(view: ByteView): string {
  if (!view.has(0, 24)) return '';
  return `max resp delay: ${view.u16(4)} addr: ${ipv6Text(view, 8)}`;
}

function multicastQueryV2Text(view: ByteView, length: number): string {
  let text = ` [gaddr ${ipv6Text(view, 8)}`;
  const sources = view.u16(26);
  if (sources > 0) text += length < 28 + sources * 16 ? ' [invalid number of sources]' : `, ${sources} source(s)`;
  return `${text}]`;
}

/** `length` is the ICMPv6 message length the IP layer declares. */
export function describeIcmp6(view: ByteView, length: number, ip: IpContext, out: string[]): void {
  out.push(addressesText(ip));
  const type = view.u8(0);
  const name = TYPE_NAMES.get(type);
  if (name === undefined) {
    // tcpdump adds a hex dump of the message on the following lines; one line is enough here.
    out.push(`ICMP6, unknown icmp6 type (${type}), length ${length}`);
    return;
  }
  out.push(`ICMP6, ${name}`);
  const code = view.u8(1);
  switch (type) {
    case 1:
      if (unreachableText(view, code, out) === 'stop') return;
      break;
    case 2:
      out.push(`, mtu ${view.u32(4)}`);
      break;
    case 3:
      if (code === 0) out.push(` for ${ipv6Text(view, QUOTED_IP + 24)}`);
      else if (code === 1) out.push(' (reassembly)');
      else out.push(`, unknown code (${code})`);
      break;
    case 4: {
      view.need(QUOTED_IP + 24, 16);
      const problem = PARAMETER_PROBLEMS.get(code);
      out.push(problem === undefined ? `, code-#${code}` : `, ${problem} - octet ${view.u32(4)}`);
      break;
    }
    case 128:
    case 129:
      out.push(`, id ${view.u16(4)}, seq ${view.u16(6)}`);
      break;
    case 135:
      out.push(`, who has ${ipv6Text(view, 8)}`);
      break;
    case 136:
      out.push(`, tgt is ${ipv6Text(view, 8)}`);
      break;
    case 130:
      if (length === 24) out.push(multicastListenerText(view));
      else if (length >= 28) out.push(` v2${multicastQueryV2Text(view, length)}`);
      else out.push(` unknown-version (len ${length}) `);
      break;
    case 131:
    case 132:
      out.push(multicastListenerText(view));
      break;
    case 144:
    case 146:
      out.push(`, id 0x${view.u16(4).toString(16).padStart(4, '0')}`);
      break;
    case 143:
      out.push(`, ${view.u16(6)} group record(s)`);
      break;
    case 137:
      out.push(`, ${ipv6Text(view, 24)}`);
      out.push(` to ${ipv6Text(view, 8)}`);
      break;
    default:
      break;
  }
  out.push(`, length ${length}`);
}
