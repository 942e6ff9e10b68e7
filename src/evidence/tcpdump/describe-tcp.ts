/**
 * TCP as `tcpdump -n -S` prints it: flags, absolute sequence numbers, ack, window, urgent
 * pointer, options and segment length. Absolute numbers (tcpdump's -S) because sampled
 * packets are 1-in-N: tcpdump's default relative numbers would be relative to whichever
 * unrelated packet of the connection happened to be sampled first. SYNs, the usual
 * evidence of a flood or scan, print identically either way. Payload decoding on
 * well-known ports (HTTP, BGP, ...) is left out on purpose, and so is the detail of the
 * MPTCP, SCPS and TCP-AO options (their name is printed, then the raw bytes).
 */
import { type ByteView, MARKER_WRITTEN, Truncated } from './byte-view.ts';
import { addressesText, endpointsText, type IpContext } from './ip-context.ts';

const TCP_HEADER_LENGTH = 20;
const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const ACK = 0x10;
const URG = 0x20;

/** tcpdump's flag letters in its order: FIN SYN RST PSH ACK URG ECE CWR. */
const FLAG_LETTERS: ReadonlyArray<[number, string]> = [
  [0x01, 'F'],
  [0x02, 'S'],
  [0x04, 'R'],
  [0x08, 'P'],
  [0x10, '.'],
  [0x20, 'U'],
  [0x40, 'E'],
  [0x80, 'W'],
];

export function tcpFlagsText(flags: number): string {
  let text = '';
  for (const [bit, letter] of FLAG_LETTERS) if (flags & bit) text += letter;
  return text === '' ? 'none' : text;
}

const OPTION_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'eol'],
  [1, 'nop'],
  [2, 'mss'],
  [3, 'wscale'],
  [4, 'sackOK'],
  [5, 'sack'],
  [6, 'echo'],
  [7, 'echoreply'],
  [8, 'TS'],
  [11, 'cc'],
  [12, 'ccnew'],
  [13, ''],
  [19, 'md5'],
  [20, 'scps'],
  [28, 'uto'],
  [29, 'tcp-ao'],
  [30, 'mptcp'],
  [34, 'tfo'],
  [254, 'exp'],
]);

const TFO_EXPERIMENT_MAGIC = 0xf989;

function hexBytes(view: ByteView, offset: number, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += view.u8(offset + i).toString(16).padStart(2, '0');
  return text;
}

/** TCP Fast Open (RFC 7413): an empty option requests a cookie; a cookie is 4..16 bytes, even. */
function fastOpenText(view: ByteView, offset: number, length: number): string {
  if (length === 0) return ' cookiereq';
  if (length % 2 !== 0 || length < 4 || length > 16) return ' (invalid)';
  return ` cookie ${hexBytes(view, offset, length)}`;
}

/** Raised where tcpdump jumps to "[bad opt]": the option list is malformed. */
class BadOption extends Error {}

/**
 * Prints the option list the way tcpdump walks it. Two truncation flavours exist in
 * tcpdump: running out while reading an option's kind or length prints " [|tcp]", while
 * running out inside an option's data prints " [|tcp]" plus '>' after the first option.
 */
function describeOptions(view: ByteView, headerLength: number, out: string[]): 'ok' | 'stop' {
  out.push(', options [');
  let offset = TCP_HEADER_LENGTH;
  let remaining = headerLength - TCP_HEADER_LENGTH;
  let separator = '';
  const dataCheck = (n: number): void => {
    if (n > remaining) throw new BadOption();
    if (!view.has(offset, n)) {
      out.push(' [|tcp]');
      if (separator !== '') out.push('>');
      throw new Truncated(MARKER_WRITTEN);
    }
  };
  try {
    while (remaining > 0) {
      out.push(separator);
      const kind = view.u8(offset);
      offset += 1;
      let optionLength = 1;
      if (kind !== 0 && kind !== 1) {
        optionLength = view.u8(offset);
        offset += 1;
        if (optionLength < 2 || optionLength > remaining) throw new BadOption();
        remaining -= 1;
      }
      remaining -= 1;
      out.push(OPTION_NAMES.get(kind) ?? `unknown-${kind}`);
      let dataLength = 0;
      switch (kind) {
        case 2:
          dataLength = 2;
          dataCheck(2);
          out.push(` ${view.u16(offset)}`);
          break;
        case 3:
          dataLength = 1;
          dataCheck(1);
          out.push(` ${view.u8(offset)}`);
          break;
        case 5:
          dataLength = optionLength - 2;
          if (dataLength % 8 !== 0) {
            out.push(' invalid sack');
          } else {
            out.push(` ${dataLength / 8} `);
            for (let i = 0; i < dataLength; i += 8) {
              dataCheck(i + 8);
              out.push(`{${view.u32(offset + i)}:${view.u32(offset + i + 4)}}`);
            }
          }
          break;
        case 8:
          dataLength = 8;
          dataCheck(8);
          out.push(` val ${view.u32(offset)} ecr ${view.u32(offset + 4)}`);
          break;
        case 6:
        case 7:
        case 11:
        case 12:
        case 13:
          dataLength = 4;
          dataCheck(4);
          out.push(` ${view.u32(offset)}`);
          break;
        case 19:
          // Debian's tcpdump is built with libcrypto and says it cannot verify without -M.
          dataLength = 16;
          dataCheck(16);
          out.push(` shared secret not supplied with -M, can't check - ${hexBytes(view, offset, 16)}`);
          break;
        case 28: {
          dataLength = 2;
          dataCheck(2);
          const raw = view.u16(offset);
          // RFC 5482: the low bit selects minutes instead of seconds.
          out.push(` 0x${raw.toString(16)} ${raw & 1 ? (raw >> 1) * 60 : raw >> 1}`);
          break;
        }
        case 34:
          dataLength = optionLength - 2;
          dataCheck(dataLength);
          out.push(` ${fastOpenText(view, offset, dataLength)}`);
          break;
        case 254: {
          dataLength = optionLength - 2;
          dataCheck(2);
          const magic = view.u16(offset);
          if (magic === TFO_EXPERIMENT_MAGIC) {
            dataCheck(dataLength);
            out.push(`-tfo${fastOpenText(view, offset + 2, dataLength - 2)}`);
          } else {
            out.push(`-${magic.toString(16).padStart(4, '0')}`);
          }
          break;
        }
        case 0:
        case 1:
        case 4:
          break;
        default:
          dataLength = optionLength - 2;
          if (dataLength > 0) out.push(' 0x');
          for (let i = 0; i < dataLength; i++) {
            dataCheck(i + 1);
            out.push(view.u8(offset + i).toString(16).padStart(2, '0'));
          }
      }
      offset += dataLength;
      remaining -= dataLength;
      const consumed = dataLength + (kind === 0 || kind === 1 ? 1 : 2);
      if (consumed !== optionLength) out.push(`[len ${optionLength}]`);
      separator = ',';
      if (kind === 0) break;
    }
  } catch (error) {
    if (error instanceof BadOption) {
      out.push('[bad opt]');
      if (separator !== '') out.push(']');
      return 'stop';
    }
    throw error;
  }
  out.push(']');
  return 'ok';
}

/** `length` is the TCP segment length the IP layer declares (header included). */
export function describeTcp(view: ByteView, length: number, ip: IpContext, out: string[]): void {
  if (!view.has(0, 4)) {
    // Unlike UDP, tcpdump ends this with the colon: "src > dst: [|tcp]".
    out.push(addressesText(ip).trimEnd());
    view.need(0, 4);
  }
  out.push(endpointsText(ip, view.u16(0), view.u16(2)));
  view.need(0, TCP_HEADER_LENGTH);
  const seq = view.u32(4);
  const ack = view.u32(8);
  const headerLength = (view.u8(12) >> 4) * 4;
  const flags = view.u8(13);
  const window = view.u16(14);
  const urgent = view.u16(18);
  if (headerLength < TCP_HEADER_LENGTH) {
    out.push(` tcp ${length - headerLength} [bad hdr length ${headerLength} - too short, < ${TCP_HEADER_LENGTH}]`);
    return;
  }
  out.push(`Flags [${tcpFlagsText(flags)}]`);
  if (headerLength > length) {
    out.push(` [bad hdr length ${headerLength} - too long, > ${length}]`);
    return;
  }
  const dataLength = length - headerLength;
  if (dataLength > 0 || flags & (SYN | FIN | RST)) {
    out.push(`, seq ${seq}`);
    if (dataLength > 0) out.push(`:${(seq + dataLength) >>> 0}`);
  }
  if (flags & ACK) out.push(`, ack ${ack}`);
  out.push(`, win ${window}`);
  if (flags & URG) out.push(`, urg ${urgent}`);
  if (headerLength > TCP_HEADER_LENGTH) {
    if (describeOptions(view, headerLength, out) === 'stop') return;
  }
  out.push(`, length ${dataLength}`);
  if (dataLength > 0 && !view.has(0, headerLength)) {
    // Before looking at the payload tcpdump checks that the whole header was captured;
    // the option walk may have stopped early at an EOL.
    out.push(` [remaining caplen(${view.available}) < header length(${headerLength})]`);
    view.need(0, headerLength);
  }
}
