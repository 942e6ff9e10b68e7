import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Cidr, type CidrPair, canonicalCidr, covers, disjointCidrs, disjointPairs, formatCidr, parseCidr, subtract } from './cidr.ts';

const c = parseCidr;
const texts = (list: Cidr[]) => list.map(formatCidr);

describe('cidr', () => {
  it('parses and formats canonical text in both families', () => {
    assert.equal(canonicalCidr('203.0.113.5'), '203.0.113.5/32');
    assert.equal(canonicalCidr('2001:DB8:0:0::1'), '2001:db8::1/128');
    assert.equal(canonicalCidr('2001:db8:10::/64'), '2001:db8:10::/64');
    assert.throws(() => parseCidr('203.0.113.5/24'), /host bits/);
    assert.throws(() => parseCidr('010.0.0.1'), /not an IPv4 address/);
  });

  it('knows containment across lengths and never across families', () => {
    assert.equal(covers(c('203.0.113.0/24'), c('203.0.113.77/32')), true);
    assert.equal(covers(c('203.0.113.77/32'), c('203.0.113.0/24')), false);
    assert.equal(covers(c('0.0.0.0/0'), c('2001:db8::/32')), false);
    assert.equal(covers(c('2001:db8::/32'), c('2001:db8:ffff::1')), true);
    assert.equal(covers(c('2001:db8::/32'), c('2001:db9::1')), false);
  });

  it('subtracts a prefix into one sibling per bit', () => {
    assert.deepEqual(texts(subtract(c('203.0.113.0/30'), c('203.0.113.1/32'))), ['203.0.113.2/31', '203.0.113.0/32']);
    assert.deepEqual(texts(subtract(c('2001:db8::/126'), c('2001:db8::3/128'))), ['2001:db8::/127', '2001:db8::2/128']);
    assert.deepEqual(texts(subtract(c('203.0.113.0/24'), c('198.51.100.0/24'))), ['203.0.113.0/24']);
  });

  it('drops duplicates and covered prefixes, keeps adjacent ones', () => {
    const out = disjointCidrs(['203.0.113.5/32', '203.0.113.0/28', '203.0.113.5/32', '203.0.113.128/25', '203.0.113.0/25', '2001:db8::1', '2001:db8::/64'].map(c));
    assert.deepEqual(texts(out), ['203.0.113.0/25', '203.0.113.128/25', '2001:db8::/64']);
  });

  it('turns crossing (locked, allowed) boxes into disjoint ones with the same pairs', () => {
    const pairs: CidrPair[] = [
      [c('203.0.113.0/28'), c('192.0.2.8/29')],
      [c('203.0.113.5/32'), c('192.0.2.0/28')], // crosses the first: narrower locked, wider allowed
      [c('203.0.113.5/32'), c('192.0.2.12/30')], // inside the second
      [c('198.51.100.7/32'), c('192.0.2.1/32')],
    ];
    const out = disjointPairs(pairs);
    for (let i = 0; i < out.length; i++) {
      for (let j = i + 1; j < out.length; j++) {
        const overlap = (covers(out[i][0], out[j][0]) || covers(out[j][0], out[i][0])) && (covers(out[i][1], out[j][1]) || covers(out[j][1], out[i][1]));
        assert.equal(overlap, false, `${formatCidr(out[i][0])} . ${formatCidr(out[i][1])} overlaps ${formatCidr(out[j][0])} . ${formatCidr(out[j][1])}`);
      }
    }
    // Every address pair in the lab range is allowed by the output exactly when by the input.
    const inBoxes = (boxes: readonly CidrPair[], locked: Cidr, allowed: Cidr) => boxes.some((b) => covers(b[0], locked) && covers(b[1], allowed));
    for (let l = 0; l < 16; l++) {
      for (let a = 0; a < 16; a++) {
        const locked = c(`203.0.113.${l}`);
        const allowed = c(`192.0.2.${a}`);
        assert.equal(inBoxes(out, locked, allowed), inBoxes(pairs, locked, allowed), `203.0.113.${l} . 192.0.2.${a}`);
      }
    }
    assert.ok(inBoxes(out, c('198.51.100.7'), c('192.0.2.1')));
  });

  it('keeps random pair sets equivalent and disjoint', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const randomPrefix = (base: string) => {
      const length = 28 + random(5);
      const host = random(16) & ~((1 << (32 - length)) - 1) & 15;
      return c(`${base}.${host}/${length}`);
    };
    for (let round = 0; round < 200; round++) {
      const pairs: CidrPair[] = Array.from({ length: 1 + random(6) }, () => [randomPrefix('203.0.113'), randomPrefix('192.0.2')] as const);
      const out = disjointPairs(pairs);
      for (let l = 0; l < 16; l++) {
        for (let a = 0; a < 16; a++) {
          const hits = out.filter((b) => covers(b[0], c(`203.0.113.${l}`)) && covers(b[1], c(`192.0.2.${a}`))).length;
          const wanted = pairs.some((b) => covers(b[0], c(`203.0.113.${l}`)) && covers(b[1], c(`192.0.2.${a}`))) ? 1 : 0;
          assert.equal(hits, wanted, `round ${round}: 203.0.113.${l} . 192.0.2.${a} covered ${hits} times`);
        }
      }
    }
  });
});
