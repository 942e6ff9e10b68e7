import ipaddr from 'ipaddr.js';
import { AddressIndexError } from './address-index-error.ts';

/**
 * Parsed IPv4/IPv6 prefixes as the address index takes them, plus the strict text parser
 * for inventory data.
 *
 * Strictness is deliberate: inventory rows are typed by people and scripts, and a silently
 * "fixed" prefix assigns traffic to the wrong server. So IPv4 must be four-part decimal
 * without leading zeros (ipaddr.js alone would read `010.1.1.1` as octal and `3221225985`
 * as an address), zone ids are refused, and a prefix with host bits set is rejected with
 * the network it probably meant rather than normalized.
 */
export interface Ipv4Prefix {
  readonly family: 4;
  /** The network address as a uint32 (0..2^32-1), same form as FlowRecord.srcAddr4. */
  readonly address: number;
  /** 0..32. */
  readonly length: number;
}

export interface Ipv6Prefix {
  readonly family: 6;
  /** The 16 network address bytes in network order. */
  readonly bytes: Uint8Array;
  /** 0..128. */
  readonly length: number;
}

export type AddressPrefix = Ipv4Prefix | Ipv6Prefix;

const DECIMAL_LENGTH = /^(0|[1-9]\d{0,2})$/;
const IPV4_TEXT = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;
/** `::a.b.c.d` (deprecated IPv4-compatible); ipaddr.js turns it into `::ffff:a.b.c.d`. */
const IPV4_COMPATIBLE_TEXT = /^::\d+\.\d+\.\d+\.\d+$/;

/** Network mask of an IPv4 prefix length as an int32 (JS shifts count modulo 32). */
export function ipv4Mask(length: number): number {
  return length === 0 ? 0 : -1 << (32 - length);
}

/** Parses dotted-quad text into a uint32, or returns -1 when it is not strict IPv4. */
export function parseIpv4(text: string): number {
  const m = IPV4_TEXT.exec(text);
  if (m === null) return -1;
  let addr = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return -1;
    addr = addr * 256 + octet;
  }
  return addr;
}

/** Parses IPv6 text into 16 bytes, or returns null when it is not a plain IPv6 address. */
export function parseIpv6(text: string): Uint8Array | null {
  if (text.includes('%') || IPV4_COMPATIBLE_TEXT.test(text) || !ipaddr.IPv6.isValid(text)) return null;
  return Uint8Array.from(ipaddr.IPv6.parse(text).toByteArray());
}

export function formatIpv4(addr: number): string {
  return `${addr >>> 24}.${(addr >>> 16) & 255}.${(addr >>> 8) & 255}.${addr & 255}`;
}

export function formatIpv6(bytes: Uint8Array): string {
  const parts: number[] = [];
  for (let i = 0; i < 16; i += 2) parts.push((bytes[i] << 8) | bytes[i + 1]);
  return new ipaddr.IPv6(parts).toRFC5952String();
}

export function formatAddressPrefix(prefix: AddressPrefix): string {
  return prefix.family === 4
    ? `${formatIpv4(prefix.address)}/${prefix.length}`
    : `${formatIpv6(prefix.bytes)}/${prefix.length}`;
}

/**
 * Parses `a.b.c.d/len`, `x:y::/len`, or a bare address (taken as /32 or /128).
 * Throws AddressIndexError `invalid_prefix` or `host_bits_set`.
 */
export function parseAddressPrefix(text: string): AddressPrefix {
  const shown = JSON.stringify(text);
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const lengthText = slash < 0 ? null : text.slice(slash + 1);
  const isV6 = addrText.includes(':');
  const maxLength = isV6 ? 128 : 32;
  let length = maxLength;
  if (lengthText !== null) {
    if (!DECIMAL_LENGTH.test(lengthText) || Number(lengthText) > maxLength) {
      throw invalidPrefix(shown, `prefix length must be a decimal 0..${maxLength}`);
    }
    length = Number(lengthText);
  }
  if (isV6) {
    const bytes = parseIpv6(addrText);
    if (bytes === null) throw invalidPrefix(shown, 'not an IPv6 address (zone ids and ::a.b.c.d are refused)');
    return checkHostBits({ family: 6, bytes, length }, shown);
  }
  const address = parseIpv4(addrText);
  if (address < 0) throw invalidPrefix(shown, 'not an IPv4 address (four decimal octets, no leading zeros)');
  return checkHostBits({ family: 4, address, length }, shown);
}

/** Parses a bare address (no length) for `lookup(text)`. Throws `invalid_address`. */
export function parseAddress(text: string): AddressPrefix {
  if (text.includes(':')) {
    const bytes = parseIpv6(text);
    if (bytes !== null) return { family: 6, bytes, length: 128 };
  } else {
    const address = parseIpv4(text);
    if (address >= 0) return { family: 4, address, length: 32 };
  }
  throw new AddressIndexError('invalid_address', `invalid address ${JSON.stringify(text)}: not a plain IPv4 or IPv6 address`);
}

/**
 * Validates a prefix object handed in by code (not text): family, length range, address
 * shape and host bits. Returns the same object so callers can chain.
 */
export function validateAddressPrefix(prefix: AddressPrefix): AddressPrefix {
  // The description is built only on error: build() validates millions of these.
  if (prefix === null || typeof prefix !== 'object') throw invalidPrefix(describe(prefix), 'not a prefix object');
  const maxLength = prefix.family === 4 ? 32 : prefix.family === 6 ? 128 : -1;
  if (maxLength < 0) throw invalidPrefix(describe(prefix), 'family must be 4 or 6');
  if (!Number.isInteger(prefix.length) || prefix.length < 0 || prefix.length > maxLength) {
    throw invalidPrefix(describe(prefix), `prefix length must be an integer 0..${maxLength}`);
  }
  if (prefix.family === 4) {
    if (!Number.isInteger(prefix.address) || prefix.address < 0 || prefix.address > 0xffffffff) {
      throw invalidPrefix(describe(prefix), 'IPv4 address must be a uint32 number');
    }
  } else if (!(prefix.bytes instanceof Uint8Array) || prefix.bytes.length !== 16) {
    throw invalidPrefix(describe(prefix), 'IPv6 bytes must be a Uint8Array of 16');
  }
  return checkHostBits(prefix, null);
}

/** Throws host_bits_set when bits after the length are set; `shown` null = describe(prefix). */
function checkHostBits(prefix: AddressPrefix, shown: string | null): AddressPrefix {
  if (prefix.family === 4) {
    const network = (prefix.address & ipv4Mask(prefix.length)) >>> 0;
    if (network !== prefix.address) {
      throw hostBitsSet(shown ?? describe(prefix), `${formatIpv4(network)}/${prefix.length}`);
    }
    return prefix;
  }
  const bytes = prefix.bytes;
  let hostBits = 0;
  for (let i = 0; i < 16; i++) hostBits |= bytes[i] & hostMask(prefix.length, i);
  if (hostBits === 0) return prefix;
  const network = new Uint8Array(16);
  for (let i = 0; i < 16; i++) network[i] = bytes[i] & ~hostMask(prefix.length, i);
  throw hostBitsSet(shown ?? describe(prefix), `${formatIpv6(network)}/${prefix.length}`);
}

/** Bits of byte `i` that lie after a prefix of `length` bits. */
function hostMask(length: number, i: number): number {
  const keep = Math.max(0, Math.min(8, length - i * 8));
  return 0xff >> keep;
}

function hostBitsSet(shown: string, network: string): AddressIndexError {
  return new AddressIndexError(
    'host_bits_set',
    `invalid prefix ${shown}: host bits set after the prefix length (the network is ${network}); ` +
      'the address index rejects such prefixes instead of normalizing them',
  );
}

function invalidPrefix(shown: string, why: string): AddressIndexError {
  return new AddressIndexError('invalid_prefix', `invalid prefix ${shown}: ${why}`);
}

function describe(prefix: AddressPrefix): string {
  if (prefix === null || typeof prefix !== 'object') return String(prefix);
  const p = prefix as { family?: unknown; address?: unknown; bytes?: unknown; length?: unknown };
  const where = p.family === 6 ? `bytes: ${p.bytes instanceof Uint8Array ? Buffer.from(p.bytes).toString('hex') : String(p.bytes)}` : `address: ${String(p.address)}`;
  return `{family: ${String(p.family)}, ${where}, length: ${String(p.length)}}`;
}
