/**
 * Address text exactly as tcpdump prints it with -n: dotted quads, inet_ntop-style IPv6
 * (longest zero run compressed, IPv4-mapped and -compatible tails in dotted form) and
 * colon-separated MACs.
 */
import type { ByteView } from './byte-view.ts';

export function ipv4Text(view: ByteView, offset: number): string {
  view.need(offset, 4);
  const b = view.bytes;
  const i = view.start + offset;
  return `${b[i]}.${b[i + 1]}.${b[i + 2]}.${b[i + 3]}`;
}

export function ipv6Text(view: ByteView, offset: number): string {
  view.need(offset, 16);
  const b = view.bytes;
  const i0 = view.start + offset;
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((b[i0 + i * 2] << 8) | b[i0 + i * 2 + 1]);
  let bestBase = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestBase = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestBase = -1;
  let text = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) text += ':';
      continue;
    }
    if (i !== 0) text += ':';
    // inet_ntop writes ::a.b.c.d and ::ffff:a.b.c.d for IPv4-compatible and -mapped addresses.
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      text += `${b[i0 + 12]}.${b[i0 + 13]}.${b[i0 + 14]}.${b[i0 + 15]}`;
      break;
    }
    text += words[i].toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) text += ':';
  return text;
}

export function macText(view: ByteView, offset: number): string {
  view.need(offset, 6);
  const parts: string[] = [];
  for (let i = 0; i < 6; i++) parts.push(view.bytes[view.start + offset + i].toString(16).padStart(2, '0'));
  return parts.join(':');
}
