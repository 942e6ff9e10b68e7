/** Address helpers for detection: text from batch bytes, private-range checks. */
import { formatAddress } from '../flow/flow-record.ts';

export function ipv4Text(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
}

export function ipv6Text(bytes: Uint8Array, offset: number): string {
  return formatAddress(bytes, 6, offset);
}

/** 10/8, 172.16/12, 192.168/16 (RFC 1918) and 100.64/10 (RFC 6598 shared space). */
export function isPrivate4(a: number): boolean {
  const o1 = a >>> 24;
  const o2 = (a >>> 16) & 0xff;
  return o1 === 10 || (o1 === 172 && o2 >= 16 && o2 <= 31) || (o1 === 192 && o2 === 168) || (o1 === 100 && o2 >= 64 && o2 <= 127);
}

/** fc00::/7 unique local addresses. */
export function isPrivate6(bytes: Uint8Array, offset: number): boolean {
  return (bytes[offset] & 0xfe) === 0xfc;
}

/** A map key for an address without allocating for IPv4. */
export function ipv6Key(bytes: Uint8Array, offset: number): string {
  let key = '';
  for (let i = 0; i < 16; i++) key += String.fromCharCode(bytes[offset + i]);
  return key;
}

/** The text of an address key: a uint32 IPv4 address, or an IPv6 address as ipv6Key made it. */
export function addressKeyText(key: number | string): string {
  if (typeof key === 'number') return ipv4Text(key >>> 0);
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) bytes[i] = key.charCodeAt(i);
  return ipv6Text(bytes, 0);
}
