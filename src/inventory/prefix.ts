/**
 * Parsing and canonical form of addresses and prefixes as the inventory stores them:
 * `203.0.113.5` becomes `203.0.113.5/32`; host bits set in a subnet are an error, since a
 * typo in an inventory file must not silently assign a different range.
 */
import ipaddr from 'ipaddr.js';

export interface ParsedPrefix {
  /** Canonical text, e.g. `2001:db8::/64`. */
  text: string;
  family: 4 | 6;
  length: number;
}

export class PrefixError extends Error {
  readonly code = 'INVALID_PREFIX';
}

export function parsePrefix(input: string): ParsedPrefix {
  const raw = input.trim();
  const slash = raw.indexOf('/');
  const addressText = slash < 0 ? raw : raw.slice(0, slash);
  if (!ipaddr.isValid(addressText)) throw new PrefixError(`${JSON.stringify(input)} is not an IP address or prefix`);
  let address = ipaddr.parse(addressText);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    address = (address as ipaddr.IPv6).toIPv4Address();
  }
  const family: 4 | 6 = address.kind() === 'ipv4' ? 4 : 6;
  const max = family === 4 ? 32 : 128;
  let length = max;
  if (slash >= 0) {
    const lengthText = raw.slice(slash + 1);
    if (!/^\d{1,3}$/.test(lengthText) || Number(lengthText) > max) {
      throw new PrefixError(`${JSON.stringify(input)} has an invalid prefix length (0-${max} for IPv${family})`);
    }
    length = Number(lengthText);
  }
  const network =
    family === 4
      ? ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${length}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${length}`);
  if (network.toString() !== address.toString()) {
    throw new PrefixError(`${JSON.stringify(input)} has host bits set (the network is ${network.toString()}/${length})`);
  }
  return { text: `${network.toString()}/${length}`, family, length };
}

/** Canonical text of a single address (no prefix length). */
export function canonicalAddress(input: string): string {
  const parsed = parsePrefix(input);
  if (parsed.length !== (parsed.family === 4 ? 32 : 128)) throw new PrefixError(`${JSON.stringify(input)} is a prefix, not one address`);
  return parsed.text.slice(0, parsed.text.indexOf('/'));
}
