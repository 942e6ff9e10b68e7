import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AddressIndex, MAX_ADDRESS_INDEX_VALUE } from './address-index.ts';
import { AddressIndexError } from './address-index-error.ts';
import { prng } from '../../test/helpers/traffic-scenarios.ts';
import { formatAddressPrefix, parseAddressPrefix } from './address-prefix.ts';

function ipv4(addr: number): string {
  return `${addr >>> 24}.${(addr >>> 16) & 255}.${(addr >>> 8) & 255}.${addr & 255}`;
}

function ipv6Bytes(text: string): Uint8Array {
  const p = parseAddressPrefix(text);
  assert.equal(p.family, 6);
  return p.family === 6 ? p.bytes : new Uint8Array(16);
}

function bigToBytes(value: bigint): Uint8Array {
  const bytes = new Uint8Array(16);
  let v = value;
  for (let i = 15; i >= 0; i--) {
    bytes[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return bytes;
}

function expectCode(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof AddressIndexError, `expected AddressIndexError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (message) assert.match(err.message, message);
    return true;
  });
}

/**
 * Brute-force reference: a list of live prefixes scanned in full per lookup, matching with
 * division (IPv4) and BigInt shifts (IPv6) rather than the index's masks, so the two do
 * not share a bug.
 */
class Reference {
  readonly v4 = new Map<string, { address: number; length: number; value: number }>();
  readonly v6 = new Map<string, { network: bigint; length: number; value: number }>();

  set4(address: number, length: number, value: number): void {
    this.v4.set(`${address}/${length}`, { address, length, value });
  }

  set6(network: bigint, length: number, value: number): void {
    this.v6.set(`${network}/${length}`, { network, length, value });
  }

  lookup4(addr: number): number {
    let best = -1;
    let bestLength = -1;
    for (const p of this.v4.values()) {
      const size = 2 ** (32 - p.length);
      if (Math.floor(addr / size) === Math.floor(p.address / size) && p.length > bestLength) {
        best = p.value;
        bestLength = p.length;
      }
    }
    return best;
  }

  lookup6(addr: bigint): number {
    let best = -1;
    let bestLength = -1;
    for (const p of this.v6.values()) {
      const shift = BigInt(128 - p.length);
      if (addr >> shift === p.network >> shift && p.length > bestLength) {
        best = p.value;
        bestLength = p.length;
      }
    }
    return best;
  }
}

describe('AddressIndex IPv4', () => {
  it('returns the longest prefix: a /32 beats the subnet around it', () => {
    const index = new AddressIndex();
    index.insert('192.0.2.0/24', 10);
    index.insert('192.0.2.77', 11);
    index.insert('192.0.2.64/26', 12);
    index.insert('192.0.0.0/16', 13);
    assert.equal(index.lookup('192.0.2.77'), 11);
    assert.equal(index.lookup('192.0.2.78'), 12);
    assert.equal(index.lookup('192.0.2.63'), 10);
    assert.equal(index.lookup('192.0.2.128'), 10);
    assert.equal(index.lookup('192.0.3.1'), 13);
    assert.equal(index.lookup('198.51.100.1'), -1);
    assert.equal(index.size, 4);
  });

  it('takes the address as uint32 or as its int32 alias', () => {
    const index = new AddressIndex();
    index.insert('203.0.113.9', 4);
    const addr = 203 * 2 ** 24 + 113 * 256 + 9; // 203.0.113.9 as uint32, above 2^31
    assert.ok(addr > 0x7fffffff);
    assert.equal(index.lookup4(addr), 4);
    assert.equal(index.lookup4(addr | 0), 4);
    assert.equal(index.lookup4(addr + 1), -1);
  });

  it('handles /0 and /32 at the ends of the address space', () => {
    const index = new AddressIndex();
    index.insert('0.0.0.0/0', 1);
    index.insert('0.0.0.0/32', 2);
    index.insert('255.255.255.255/32', 3);
    assert.equal(index.lookup4(0), 2);
    assert.equal(index.lookup4(1), 1);
    assert.equal(index.lookup4(0xffffffff), 3);
    assert.equal(index.lookup4(0xfffffffe), 1);
    assert.equal(index.lookup('198.51.100.20'), 1);
    assert.equal(index.remove('0.0.0.0/0'), true);
    assert.equal(index.lookup('198.51.100.20'), -1);
    assert.equal(index.lookup4(0), 2);
    assert.equal(index.lookup4(0xffffffff), 3);
  });

  it('reveals the covering prefix again when a longer one is removed, at every level', () => {
    const index = new AddressIndex();
    const nest = ['198.51.0.0/16', '198.51.100.0/24', '198.51.100.128/25', '198.51.100.192/28', '198.51.100.200/32'];
    for (const [i, p] of nest.entries()) index.insert(p, i);
    assert.equal(index.lookup('198.51.100.200'), 4);
    for (let i = nest.length - 1; i >= 0; i--) {
      assert.equal(index.remove(nest[i]), true);
      assert.equal(index.lookup('198.51.100.200'), i - 1);
    }
    assert.equal(index.size, 0);
  });

  it('removes a middle level without disturbing the longer one inside it', () => {
    const index = new AddressIndex();
    index.insert('198.51.0.0/16', 1);
    index.insert('198.51.100.0/24', 2);
    index.insert('198.51.100.5', 3);
    index.remove('198.51.100.0/24');
    assert.equal(index.lookup('198.51.100.5'), 3);
    assert.equal(index.lookup('198.51.100.6'), 1);
    index.insert('198.51.100.0/24', 4);
    assert.equal(index.lookup('198.51.100.5'), 3);
    assert.equal(index.lookup('198.51.100.6'), 4);
  });

  it('replaces the value of an existing prefix and frees the /24 chunk when the last long prefix goes', () => {
    const index = new AddressIndex();
    index.insert('203.0.113.0/24', 1);
    assert.equal(index.insert('203.0.113.10', 2), true);
    assert.equal(index.insert('203.0.113.10', 5), false);
    assert.equal(index.lookup('203.0.113.10'), 5);
    assert.equal(index.stats().ipv4Chunks, 1);
    assert.equal(index.size, 2);
    assert.equal(index.remove('203.0.113.10'), true);
    assert.equal(index.remove('203.0.113.10'), false);
    assert.equal(index.stats().ipv4Chunks, 0);
    assert.equal(index.lookup('203.0.113.10'), 1);
  });

  it('reuses freed chunks', () => {
    const index = new AddressIndex();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 100; i++) index.insert(`198.18.${i}.1`, i);
      assert.equal(index.stats().ipv4Chunks, 100);
      for (let i = 0; i < 100; i++) index.remove(`198.18.${i}.1`);
      assert.equal(index.stats().ipv4Chunks, 0);
    }
    for (let i = 0; i < 100; i++) index.insert(`198.18.${i}.1/32`, i + 1000);
    assert.equal(index.lookup('198.18.42.1'), 1042);
    assert.equal(index.lookup('198.18.42.2'), -1);
  });
});

describe('AddressIndex IPv6', () => {
  it('returns the longest prefix and works at an offset in a larger buffer', () => {
    const index = new AddressIndex();
    index.insert('2001:db8::/32', 1);
    index.insert('2001:db8:1::/48', 2);
    index.insert('2001:db8:1:2::/64', 3);
    index.insert('2001:db8:1:2::25', 4);
    assert.equal(index.lookup('2001:db8:1:2::25'), 4);
    assert.equal(index.lookup('2001:db8:1:2::26'), 3);
    assert.equal(index.lookup('2001:db8:1:3::1'), 2);
    assert.equal(index.lookup('2001:db8:2::1'), 1);
    assert.equal(index.lookup('2001:db9::1'), -1);
    const buffer = new Uint8Array(40);
    buffer.set(ipv6Bytes('2001:db8:1:2::25'), 20);
    assert.equal(index.lookup6(buffer, 20), 4);
    assert.equal(index.lookup6(ipv6Bytes('2001:db8:1:2::26')), 3);
  });

  it('handles ::/0, /128 and prefixes shorter than the /32 guard', () => {
    const index = new AddressIndex();
    index.insert('::/128', 1);
    index.insert('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128', 2);
    assert.equal(index.lookup('::'), 1);
    assert.equal(index.lookup('::1'), -1);
    index.insert('2000::/3', 3);
    assert.equal(index.lookup('2001:db8::1'), 3);
    index.insert('::/0', 4);
    assert.equal(index.lookup('::1'), 4);
    assert.equal(index.lookup('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'), 2);
    assert.equal(index.lookup('2001:db8::1'), 3);
    index.insert('2001:db8::/31', 5);
    index.insert('2001:db8:0:1::/64', 6);
    assert.equal(index.lookup('2001:db9::1'), 5);
    assert.equal(index.lookup('2001:db8:0:1::1'), 6);
    assert.equal(index.lookup('2001:db8:0:2::1'), 5);
    index.remove('2001:db8::/31');
    assert.equal(index.lookup('2001:db8:0:2::1'), 3);
    index.remove('2000::/3');
    assert.equal(index.lookup('2001:db8:0:2::1'), 4);
    index.remove('::/0');
    assert.equal(index.lookup('2001:db8:0:2::1'), -1);
    assert.equal(index.lookup('2001:db8:0:1::1'), 6);
  });

  it('treats IPv4-mapped IPv6 as IPv6: it never matches IPv4 prefixes, nor the reverse', () => {
    const index = new AddressIndex();
    index.insert('192.0.2.0/24', 1);
    assert.equal(index.lookup('::ffff:192.0.2.1'), -1);
    index.insert('::ffff:198.51.100.0/120', 2);
    assert.equal(index.lookup('::ffff:198.51.100.9'), 2);
    assert.equal(index.lookup6(ipv6Bytes('::ffff:c633:6409')), 2);
    assert.equal(index.lookup('198.51.100.9'), -1);
    assert.equal(index.lookup('192.0.2.1'), 1);
  });

  it('keeps working through churn that grows and shrinks the hash', () => {
    const index = new AddressIndex();
    for (let i = 0; i < 5000; i++) index.insert(`2001:db8:${(i >> 8).toString(16)}::${(i & 255).toString(16)}/128`, i);
    const grown = index.stats().ipv6Slots;
    assert.ok(grown >= 5000 / 0.7, `hash has ${grown} slots for 5000 prefixes`);
    for (let i = 0; i < 5000; i += 2) index.remove(`2001:db8:${(i >> 8).toString(16)}::${(i & 255).toString(16)}`);
    for (let i = 0; i < 5000; i++) {
      assert.equal(index.lookup(`2001:db8:${(i >> 8).toString(16)}::${(i & 255).toString(16)}`), i % 2 === 0 ? -1 : i);
    }
    for (let i = 1; i < 5000; i += 2) index.remove(`2001:db8:${(i >> 8).toString(16)}::${(i & 255).toString(16)}`);
    assert.equal(index.size, 0);
    assert.ok(index.stats().ipv6Slots < grown, 'hash shrank after the removals');
    assert.equal(index.lookup('2001:db8::1'), -1);
  });
});

describe('AddressIndex input checks', () => {
  it('rejects host bits set, naming the network and saying it does not normalize', () => {
    const index = new AddressIndex();
    expectCode(() => index.insert('192.0.2.1/24', 1), 'host_bits_set', /192\.0\.2\.0\/24.*rejects/);
    expectCode(() => index.insert('2001:db8::1/64', 1), 'host_bits_set', /2001:db8::\/64/);
    expectCode(() => index.insert({ family: 4, address: 0xc0000201, length: 24 }, 1), 'host_bits_set', /192\.0\.2\.0\/24/);
    expectCode(() => index.insert('2001:db8::/28', 1), 'host_bits_set', /2001:db0::\/28/);
    expectCode(() => index.insert('2001:db8::c000/113', 1), 'host_bits_set', /2001:db8::8000\/113/);
    expectCode(() => index.insert({ family: 6, bytes: ipv6Bytes('2001:db8::1'), length: 127 }, 1), 'host_bits_set', /2001:db8::\/127/);
    assert.equal(index.size, 0);
    // Lengths that end inside a byte or word and leave no host bits are fine.
    assert.equal(index.insert('2001:db8::/29', 1), true);
    assert.equal(index.insert('2001:db8::/112', 2), true);
    assert.equal(index.insert('2001:db8::8000/113', 3), true);
    assert.equal(index.insert('198.51.100.128/25', 4), true);
    assert.equal(index.lookup('2001:db8::8001'), 3);
    assert.equal(index.lookup('2001:db8::7fff'), 2);
    assert.equal(index.lookup('2001:dc0::1'), -1);
    assert.equal(index.lookup('2001:db9::1'), 1);
    assert.equal(index.lookup('2001:dbf:ffff::1'), 1);
  });

  it('rejects malformed prefixes with invalid_prefix', () => {
    const index = new AddressIndex();
    const bad = [
      '',
      '192.0.2.0/33',
      '192.0.2.0/-1',
      '192.0.2.0/',
      '192.0.2.0/024',
      '192.0.2.0/8x',
      '192.0.2',
      '192.0.2.256',
      '010.0.2.0/24',
      '3221225984/24',
      '0xc0.0.2.0/24',
      ' 192.0.2.0/24',
      '2001:db8::/129',
      '2001:db8:::/64',
      '2001:db8::g/128',
      'fe80::1%eth0',
      '::192.0.2.1',
      'server-1',
    ];
    for (const text of bad) expectCode(() => index.insert(text, 1), 'invalid_prefix', /invalid prefix/);
    expectCode(() => index.insert({ family: 4, address: 2 ** 32, length: 32 }, 1), 'invalid_prefix');
    expectCode(() => index.insert({ family: 4, address: 1.5, length: 32 }, 1), 'invalid_prefix');
    expectCode(() => index.insert({ family: 6, bytes: new Uint8Array(4), length: 32 }, 1), 'invalid_prefix');
    expectCode(() => index.insert({ family: 6, bytes: new Uint8Array(16), length: 129 }, 1), 'invalid_prefix');
    expectCode(() => index.remove('192.0.2.0/40'), 'invalid_prefix');
    assert.equal(index.size, 0);
  });

  it('rejects values that are not small non-negative integers', () => {
    const index = new AddressIndex();
    for (const value of [-1, 1.5, Number.NaN, MAX_ADDRESS_INDEX_VALUE + 1, Number.POSITIVE_INFINITY]) {
      expectCode(() => index.insert('192.0.2.0/24', value), 'invalid_value', /192\.0\.2\.0\/24/);
    }
    index.insert('192.0.2.0/24', MAX_ADDRESS_INDEX_VALUE);
    index.insert('2001:db8::/32', MAX_ADDRESS_INDEX_VALUE);
    assert.equal(index.lookup('192.0.2.1'), MAX_ADDRESS_INDEX_VALUE);
    assert.equal(index.lookup('2001:db8::1'), MAX_ADDRESS_INDEX_VALUE);
  });

  it('rejects text that is not an address in lookup(text)', () => {
    const index = new AddressIndex();
    for (const text of ['192.0.2.0/24', 'example.org', '', '2001:db8::/64']) {
      expectCode(() => index.lookup(text), 'invalid_address');
    }
  });

  it('accepts bare addresses and parsed prefixes as host or network prefixes', () => {
    const index = new AddressIndex();
    index.insert('198.51.100.7', 1);
    index.insert({ family: 4, address: 0xc6336400, length: 24 }, 2);
    index.insert(parseAddressPrefix('2001:db8::7'), 3);
    assert.equal(index.get('198.51.100.7/32'), 1);
    assert.equal(index.get('198.51.100.0/24'), 2);
    assert.equal(index.get('2001:db8::7/128'), 3);
    assert.equal(index.get('2001:db8::/64'), -1);
    assert.equal(formatAddressPrefix(parseAddressPrefix('2001:DB8:0:0::/48')), '2001:db8::/48');
  });
});

describe('AddressIndex build', () => {
  it('replaces the content, loading nested prefixes in any order', () => {
    const index = new AddressIndex();
    index.insert('203.0.113.0/24', 99);
    index.build([
      { prefix: '198.51.100.9', value: 1 },
      { prefix: '198.51.100.0/24', value: 2 },
      { prefix: '198.51.0.0/16', value: 3 },
      { prefix: '2001:db8:1::9', value: 4 },
      { prefix: '2001:db8::/32', value: 5 },
      { prefix: '198.51.100.9', value: 1 },
    ]);
    assert.equal(index.size, 5);
    assert.equal(index.lookup('203.0.113.1'), -1);
    assert.equal(index.lookup('198.51.100.9'), 1);
    assert.equal(index.lookup('198.51.100.10'), 2);
    assert.equal(index.lookup('198.51.7.1'), 3);
    assert.equal(index.lookup('2001:db8:1::9'), 4);
    assert.equal(index.lookup('2001:db8:1::a'), 5);
  });

  it('is all-or-nothing: a duplicate or an invalid entry leaves the old content', () => {
    const index = new AddressIndex();
    index.insert('203.0.113.0/24', 7);
    expectCode(
      () =>
        index.build([
          { prefix: '198.51.100.0/24', value: 1 },
          { prefix: '198.51.100.0/24', value: 2 },
        ]),
      'duplicate_prefix',
      /198\.51\.100\.0\/24.*1 and 2/,
    );
    expectCode(
      () =>
        index.build([
          { prefix: '2001:db8::/32', value: 1 },
          { prefix: '2001:db8::/32', value: 2 },
        ]),
      'duplicate_prefix',
    );
    expectCode(() => index.build([{ prefix: '198.51.100.0/24', value: 1 }, { prefix: '198.51.100.1/24', value: 2 }]), 'host_bits_set');
    assert.equal(index.size, 1);
    assert.equal(index.lookup('203.0.113.5'), 7);
    assert.equal(index.lookup('198.51.100.1'), -1);
  });

  it('leaves an empty index empty when its first load fails half-way', () => {
    const index = new AddressIndex();
    const entries = [
      { prefix: '198.51.100.0/24', value: 1 },
      { prefix: '198.51.100.7', value: 2 },
      { prefix: '2001:db8::/48', value: 3 },
      { prefix: '198.51.100.7', value: 4 },
    ];
    expectCode(() => index.build(entries), 'duplicate_prefix', /198\.51\.100\.7\/32/);
    assert.equal(index.size, 0);
    assert.equal(index.lookup('198.51.100.7'), -1);
    assert.equal(index.lookup('198.51.100.8'), -1);
    assert.equal(index.stats().ipv4Chunks, 0);
    index.build(entries.slice(0, 3));
    assert.equal(index.lookup('198.51.100.7'), 2);
    assert.equal(index.lookup('198.51.100.8'), 1);
    assert.equal(index.lookup('2001:db8::1'), 3);
  });
});

describe('AddressIndex against a brute-force reference (seeded random)', () => {
  it('IPv4: thousands of interleaved inserts, replacements and removes', () => {
    const rand = prng(0x5eed4);
    const index = new AddressIndex();
    const ref = new Reference();
    const live: { address: number; length: number }[] = [];
    const base = 0xc6120000; // 198.18.0.0/15, the benchmarking range
    // Short prefixes rewrite up to 2^24 slots each; a few are enough to cover that path.
    const shortOnes = [
      { address: 0, length: 0 },
      { address: 0xc0000000, length: 2 },
      { address: 0xc6000000, length: 8 },
      { address: 0xc6100000, length: 12 },
    ];
    const randomPrefix = (): { address: number; length: number } => {
      if (rand() < 0.01) return shortOnes[Math.floor(rand() * shortOnes.length)];
      const r = rand();
      const length = r < 0.45 ? 32 : r < 0.6 ? 25 + Math.floor(rand() * 7) : 15 + Math.floor(rand() * 10);
      // Cluster into 64 /24s so prefixes nest and share chunks.
      const addr = base + Math.floor(rand() * 64) * 2048 + Math.floor(rand() * 256);
      const size = 2 ** (32 - length);
      return { address: Math.floor(addr / size) * size, length };
    };
    const randomAddress = (): number => {
      const r = rand();
      if (r < 0.2 || live.length === 0) return Math.floor(rand() * 2 ** 32);
      const p = live[Math.floor(rand() * live.length)];
      const size = 2 ** (32 - p.length);
      if (r < 0.3) return p.address + size - 1;
      if (r < 0.35) return (p.address + size) % 2 ** 32;
      return p.address + Math.floor(rand() * size);
    };
    let checked = 0;
    for (let step = 0; step < 6000; step++) {
      const r = rand();
      if (r < 0.6 || live.length === 0) {
        const p = randomPrefix();
        const value = Math.floor(rand() * 1000);
        const isNew = !ref.v4.has(`${p.address}/${p.length}`);
        assert.equal(index.insert({ family: 4, ...p }, value), isNew);
        if (isNew) live.push(p);
        ref.set4(p.address, p.length, value);
      } else if (r < 0.95) {
        const i = Math.floor(rand() * live.length);
        const p = live[i];
        live[i] = live[live.length - 1];
        live.pop();
        assert.equal(index.remove(`${ipv4(p.address)}/${p.length}`), true);
        ref.v4.delete(`${p.address}/${p.length}`);
      } else {
        const p = randomPrefix();
        const present = ref.v4.has(`${p.address}/${p.length}`);
        if (!present) assert.equal(index.remove({ family: 4, ...p }), false);
      }
      assert.equal(index.size, ref.v4.size);
      for (let k = 0; k < 4; k++) {
        const addr = randomAddress();
        assert.equal(index.lookup4(addr), ref.lookup4(addr), `step ${step}: lookup ${ipv4(addr)}`);
        checked++;
      }
    }
    assert.equal(checked, 24000);
    const entries = [...index.entries()].map((e) => `${formatAddressPrefix(e.prefix)}=${e.value}`).sort();
    const expected = [...ref.v4.values()].map((p) => `${ipv4(p.address)}/${p.length}=${p.value}`).sort();
    assert.deepEqual(entries, expected);
    // Removing everything must leave no chunk behind and no match anywhere.
    for (const p of live) index.remove({ family: 4, ...p });
    assert.equal(index.size, 0);
    assert.equal(index.stats().ipv4Chunks, 0);
    for (let k = 0; k < 1000; k++) assert.equal(index.lookup4(base + Math.floor(rand() * 131072)), -1);
  });

  it('IPv6: thousands of interleaved inserts, replacements and removes', () => {
    const rand = prng(0x5eed6);
    const index = new AddressIndex();
    const ref = new Reference();
    const live: { network: bigint; length: number }[] = [];
    const doc = 0x20010db8n << 96n;
    const sites = Array.from({ length: 6 }, () => doc | (BigInt(Math.floor(rand() * 65536)) << 80n));
    const shortOnes = [
      { network: 0n, length: 0 },
      { network: 0x2n << 125n, length: 3 },
      { network: 0x2001n << 112n, length: 16 },
      { network: doc, length: 31 },
    ];
    const lengths = [32, 40, 44, 48, 52, 56, 60, 63, 64, 65, 72, 96, 112, 120, 124, 127, 128, 128, 128, 128, 128];
    const randomBits = (bits: number): bigint => {
      let v = 0n;
      for (let i = 0; i < bits; i += 16) v = (v << 16n) | BigInt(Math.floor(rand() * 65536));
      return v & ((1n << BigInt(bits)) - 1n);
    };
    const randomPrefix = (): { network: bigint; length: number } => {
      if (rand() < 0.02) return shortOnes[Math.floor(rand() * shortOnes.length)];
      const length = rand() < 0.1 ? 32 + Math.floor(rand() * 97) : lengths[Math.floor(rand() * lengths.length)];
      // A site /48, one of 8 subnets, then a few hosts: nests like a provider's plan.
      const addr = sites[Math.floor(rand() * sites.length)] | (BigInt(Math.floor(rand() * 8)) << 64n) | BigInt(Math.floor(rand() * 32));
      const shift = BigInt(128 - length);
      return { network: (addr >> shift) << shift, length };
    };
    const randomAddress = (): bigint => {
      const r = rand();
      if (r < 0.2 || live.length === 0) return randomBits(128);
      const p = live[Math.floor(rand() * live.length)];
      const hostBits = 128 - p.length;
      if (r < 0.3) return p.network | ((1n << BigInt(hostBits)) - 1n);
      return p.network | randomBits(hostBits);
    };
    const toPrefix = (p: { network: bigint; length: number }) => ({ family: 6 as const, bytes: bigToBytes(p.network), length: p.length });
    const buffer = new Uint8Array(32);
    for (let step = 0; step < 5000; step++) {
      const r = rand();
      if (r < 0.6 || live.length === 0) {
        const p = randomPrefix();
        const value = Math.floor(rand() * 1000);
        const isNew = !ref.v6.has(`${p.network}/${p.length}`);
        assert.equal(index.insert(toPrefix(p), value), isNew);
        if (isNew) live.push(p);
        ref.set6(p.network, p.length, value);
      } else if (r < 0.95) {
        const i = Math.floor(rand() * live.length);
        const p = live[i];
        live[i] = live[live.length - 1];
        live.pop();
        assert.equal(index.remove(formatAddressPrefix(toPrefix(p))), true);
        ref.v6.delete(`${p.network}/${p.length}`);
      } else {
        const p = randomPrefix();
        if (!ref.v6.has(`${p.network}/${p.length}`)) assert.equal(index.remove(toPrefix(p)), false);
      }
      assert.equal(index.size, ref.v6.size);
      for (let k = 0; k < 4; k++) {
        const addr = randomAddress();
        const offset = k * 4;
        buffer.set(bigToBytes(addr), offset);
        assert.equal(index.lookup6(buffer, offset), ref.lookup6(addr), `step ${step}: lookup ${addr.toString(16)}`);
      }
    }
    const entries = [...index.entries()].map((e) => `${formatAddressPrefix(e.prefix)}=${e.value}`).sort();
    const expected = [...ref.v6.values()].map((p) => `${formatAddressPrefix(toPrefix(p))}=${p.value}`).sort();
    assert.deepEqual(entries, expected);
    for (const p of live) assert.equal(index.remove(toPrefix(p)), true);
    assert.equal(index.size, 0);
    assert.equal(index.lookup6(bigToBytes(sites[0] | 1n)), -1);
  });

  it('build gives the same answers as incremental inserts', () => {
    const rand = prng(0xb111d);
    const entries: { prefix: string; value: number }[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const length = rand() < 0.5 ? 32 : 20 + Math.floor(rand() * 13);
      const size = 2 ** (32 - length);
      const addr = Math.floor((0xc6120000 + Math.floor(rand() * 65536)) / size) * size;
      const prefix = `${ipv4(addr)}/${length}`;
      if (seen.has(prefix)) continue;
      seen.add(prefix);
      entries.push({ prefix, value: i });
      if (rand() < 0.3) {
        const v6 = `2001:db8:${Math.floor(rand() * 4).toString(16)}::${Math.floor(rand() * 4096).toString(16)}/128`;
        if (!seen.has(v6)) {
          seen.add(v6);
          entries.push({ prefix: v6, value: i });
        }
      }
    }
    const built = new AddressIndex();
    built.build(entries);
    const incremental = new AddressIndex();
    for (let i = entries.length - 1; i >= 0; i--) incremental.insert(entries[i].prefix, entries[i].value);
    assert.equal(built.size, entries.length);
    assert.equal(incremental.size, entries.length);
    const ref = new Reference();
    for (const e of entries) {
      const p = parseAddressPrefix(e.prefix);
      if (p.family === 4) ref.set4(p.address, p.length, e.value);
    }
    for (let k = 0; k < 3000; k++) {
      const addr = 0xc6120000 + Math.floor(rand() * 65536);
      const expected = ref.lookup4(addr);
      assert.equal(built.lookup4(addr), expected);
      assert.equal(incremental.lookup4(addr), expected);
    }
    for (const e of entries) assert.equal(built.get(e.prefix), e.value);
  });
});
