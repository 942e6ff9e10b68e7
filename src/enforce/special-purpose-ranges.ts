/**
 * Address blocks that can never be a customer's static access IP: the IANA IPv4 and IPv6
 * Special-Purpose Address Registries, plus multicast and, for IPv6, everything outside
 * the global unicast space 2000::/3. The documentation ranges Netwarden's own tests and
 * lab use (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) are deliberately
 * left out; 3fff::/20 (documentation, RFC 9637) is not, as nothing here needs it.
 *
 * Listed most specific first, so the message names the narrowest block.
 */
import { type Cidr, parseCidr } from './cidr.ts';

export interface SpecialRange {
  cidr: Cidr;
  text: string;
  name: string;
}

const range = (text: string, name: string): SpecialRange => ({ cidr: parseCidr(text), text, name });

export const SPECIAL_RANGES: readonly SpecialRange[] = [
  // IPv4
  range('255.255.255.255/32', 'limited broadcast (RFC 919)'),
  range('0.0.0.0/8', '"this network" (RFC 791)'),
  range('10.0.0.0/8', 'private-use (RFC 1918)'),
  range('100.64.0.0/10', 'shared address space / carrier-grade NAT (RFC 6598)'),
  range('127.0.0.0/8', 'loopback (RFC 1122)'),
  range('169.254.0.0/16', 'link-local (RFC 3927)'),
  range('172.16.0.0/12', 'private-use (RFC 1918)'),
  range('192.0.0.0/24', 'IETF protocol assignments (RFC 6890)'),
  range('192.31.196.0/24', 'AS112-v4 (RFC 7535)'),
  range('192.52.193.0/24', 'AMT (RFC 7450)'),
  range('192.88.99.0/24', 'deprecated 6to4 relay anycast (RFC 7526)'),
  range('192.168.0.0/16', 'private-use (RFC 1918)'),
  range('192.175.48.0/24', 'direct delegation AS112 service (RFC 7534)'),
  range('198.18.0.0/15', 'benchmarking (RFC 2544)'),
  range('224.0.0.0/4', 'multicast (RFC 5771)'),
  range('240.0.0.0/4', 'reserved (RFC 1112)'),
  // IPv6
  range('::/128', 'unspecified address (RFC 4291)'),
  range('::1/128', 'loopback (RFC 4291)'),
  range('::ffff:0:0/96', 'IPv4-mapped (RFC 4291); enter the IPv4 address itself'),
  range('64:ff9b::/96', 'IPv4/IPv6 translation (RFC 6052)'),
  range('64:ff9b:1::/48', 'local-use IPv4/IPv6 translation (RFC 8215)'),
  range('100::/64', 'discard-only (RFC 6666)'),
  range('100:0:0:1::/64', 'dummy IPv6 prefix (RFC 9780)'),
  range('2001::/32', 'Teredo (RFC 4380)'),
  range('2001:2::/48', 'benchmarking (RFC 5180)'),
  range('2001::/23', 'IETF protocol assignments (RFC 2928)'),
  range('2002::/16', '6to4 (RFC 3056)'),
  range('2620:4f:8000::/48', 'direct delegation AS112 service (RFC 7534)'),
  range('3fff::/20', 'documentation (RFC 9637)'),
  range('5f00::/16', 'segment routing SIDs (RFC 9602)'),
  range('fc00::/7', 'unique-local (RFC 4193)'),
  range('fe80::/10', 'link-local (RFC 4291)'),
  range('ff00::/8', 'multicast (RFC 4291)'),
  range('::/3', 'reserved by the IETF (outside the global unicast space 2000::/3)'),
  range('4000::/2', 'reserved by the IETF (outside the global unicast space 2000::/3)'),
  range('8000::/1', 'reserved by the IETF (outside the global unicast space 2000::/3)'),
];
