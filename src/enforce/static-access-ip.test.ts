import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../errors.ts';
import { checkStaticAccessIp, requireStaticAccessIp, validateStaticAccessIps } from './static-access-ip.ts';

function refused(input: string): string {
  const result = checkStaticAccessIp(input);
  assert.equal(result.ok, false, `${input} should be refused`);
  return result.ok ? '' : result.message;
}

describe('static access IPs', () => {
  it('accepts public addresses and small prefixes, in canonical form', () => {
    const accepted: Array<[string, string]> = [
      ['198.51.100.7', '198.51.100.7/32'],
      [' 203.0.113.8/29 ', '203.0.113.8/29'],
      ['192.0.2.10/32', '192.0.2.10/32'],
      ['2001:DB8:200::10', '2001:db8:200::10/128'],
      ['2001:db8::8/125', '2001:db8::8/125'],
      ['8.8.8.8', '8.8.8.8/32'],
      ['2a01:4f8::1', '2a01:4f8::1/128'],
    ];
    for (const [input, prefix] of accepted) assert.deepEqual(checkStaticAccessIp(input), { ok: true, prefix }, input);
  });

  it('refuses prefixes wider than a /29 or /125', () => {
    assert.equal(refused('203.0.113.0/28'), '203.0.113.0/28 is too wide: a static access prefix may be at most a /29 (8 addresses)');
    assert.match(refused('2001:db8::/64'), /at most a \/125/);
    assert.match(refused('0.0.0.0/0'), /too wide/);
  });

  it('refuses every special-purpose range, naming it', () => {
    const cases: Array<[string, RegExp]> = [
      ['10.1.2.3', /10\.0\.0\.0\/8, private-use \(RFC 1918\)/],
      ['172.31.255.1', /172\.16\.0\.0\/12, private-use/],
      ['192.168.1.1', /192\.168\.0\.0\/16, private-use/],
      ['100.64.0.1', /carrier-grade NAT/],
      ['127.0.0.1', /loopback/],
      ['169.254.1.1', /link-local/],
      ['224.0.0.1', /multicast/],
      ['239.255.255.250', /multicast/],
      ['255.255.255.255', /limited broadcast/],
      ['240.0.0.1', /reserved/],
      ['0.0.0.0', /"this network"/],
      ['192.0.0.9', /IETF protocol assignments/],
      ['192.88.99.1', /6to4 relay/],
      ['198.18.0.1', /benchmarking/],
      ['192.31.196.1', /AS112/],
      ['192.52.193.1', /AMT/],
      ['192.175.48.1', /AS112/],
      ['::', /unspecified/],
      ['::1', /loopback/],
      ['::ffff:198.51.100.7', /IPv4-mapped/],
      ['64:ff9b::c633:6407', /translation/],
      ['100::1', /discard-only/],
      ['2001::1', /Teredo/],
      ['2001:2::1', /benchmarking/],
      ['2001:10::1', /IETF protocol assignments/],
      ['2002:c633:6407::1', /6to4/],
      ['2620:4f:8000::1', /AS112/],
      ['3fff::1', /documentation \(RFC 9637\)/],
      ['5f00::1', /segment routing/],
      ['fd00::1', /unique-local/],
      ['fe80::1', /link-local/],
      ['ff02::1', /multicast/],
      ['4000::1', /outside the global unicast space/],
      ['1234::1', /outside the global unicast space/],
    ];
    for (const [input, pattern] of cases) assert.match(refused(input), pattern, input);
  });

  it('refuses malformed input with the parser\'s reason', () => {
    assert.equal(refused('203.0.113.9/29'), '203.0.113.9/29 has host bits set: did you mean 203.0.113.8/29?');
    assert.equal(refused('hello'), '"hello": not an IPv4 address (four decimal octets, no leading zeros)');
    assert.match(refused('203.0.113'), /not an IPv4 address/);
    assert.match(refused('fe80::1%eth0'), /zone/);
    assert.match(refused('203.0.113.7/33'), /prefix length/);
    assert.deepEqual(checkStaticAccessIp(42), { ok: false, message: 'enter an IPv4 or IPv6 address, or a prefix of at most 8 addresses' });
  });

  it('checks a submitted list item by item, duplicates and the limit', () => {
    const { prefixes, problems } = validateStaticAccessIps(['198.51.100.7', '10.0.0.1', '198.51.100.7/32', '2001:db8::1', '203.0.113.1', '203.0.113.2'], { max: 4 });
    assert.deepEqual(prefixes, ['198.51.100.7/32', '2001:db8::1/128', '203.0.113.1/32', '203.0.113.2/32']);
    assert.deepEqual(problems, [
      { field: 'staticIps[1]', message: '10.0.0.1/32 is in 10.0.0.0/8, private-use (RFC 1918): a static access IP must be a public address' },
      { field: 'staticIps[2]', message: '198.51.100.7/32 is listed twice' },
      { field: 'staticIps', message: 'at most 4 static access IPs per server (got 6)' },
    ]);
    assert.deepEqual(validateStaticAccessIps('198.51.100.7', { max: 5, field: 'ips' }).problems, [{ field: 'ips', message: 'must be a list of addresses or prefixes' }]);
  });

  it('throws a field-level validation error for a single address', () => {
    assert.equal(requireStaticAccessIp('203.0.113.7'), '203.0.113.7/32');
    assert.throws(
      () => requireStaticAccessIp('192.168.0.1', 'address'),
      (error: unknown) => error instanceof DomainError && error.code === 'VALIDATION_FAILED' && error.fields[0].field === 'address' && /private-use/.test(error.fields[0].message),
    );
  });
});
