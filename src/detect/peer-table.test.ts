import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ipv6Key } from './address-text.ts';
import { PeerTable } from './peer-table.ts';

describe('peer table', () => {
  it('lists the first addresses with their traffic, largest first, and adds up the rest', () => {
    const t = new PeerTable(2);
    t.add4(0xc6336401 | 0, 10, 1000, 1); // 198.51.100.1
    t.add4(0xc6336402 | 0, 30, 3000, 1);
    t.add4(0xc6336401 | 0, 5, 500, 1);
    t.add4(0xc6336403 | 0, 7, 700, 1); // beyond the two listed
    t.add4(0xc6336403 | 0, 1, 100, 1);
    t.add6(ipv6Key(Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1), 0), 2, 200, 1);
    assert.deepEqual(t.top(10), [
      { address: '198.51.100.2', packets: 30, bytes: 3000, flows: 1 },
      { address: '198.51.100.1', packets: 15, bytes: 1500, flows: 2 },
    ]);
    assert.deepEqual(t.others, { packets: 10, bytes: 1000, flows: 3, addresses: 2 });
  });

  it('estimates how many other addresses there were within a few percent', () => {
    for (const n of [0, 100, 5_000, 30_000]) {
      const t = new PeerTable(10);
      for (let i = 0; i < 10; i++) t.add4(i, 1, 1, 1);
      for (let i = 0; i < n; i++) t.add4((0xc6120000 + i) | 0, 1, 60, 1);
      const estimate = t.others.addresses;
      assert.ok(Math.abs(estimate - n) <= Math.max(2, n * 0.03), `${n} other addresses estimated as ${estimate}`);
      assert.equal(t.others.packets, n);
    }
  });
});

describe('peer table growth', () => {
  it('keeps every listed address and its traffic as the table grows to its limit', () => {
    const t = new PeerTable(2000);
    // Consecutive addresses, twice each, negative int32 keys among them (above 127.255.255.255).
    for (let round = 0; round < 2; round++) for (let i = 0; i < 3000; i++) t.add4((0xc6120000 + i) | 0, i + 1, 100, 1);
    assert.equal(t.size, 2000);
    const top = t.top(5000);
    assert.equal(top.length, 2000);
    // The first 2,000 addresses were listed (in order of arrival), each with both rounds' traffic.
    assert.deepEqual(top[0], { address: '198.18.7.207', packets: 4000, bytes: 200, flows: 2 });
    assert.deepEqual(top[1999], { address: '198.18.0.0', packets: 2, bytes: 200, flows: 2 });
    const others = t.others;
    assert.equal(others.packets, 2 * ((2001 + 3000) * 1000) / 2);
    assert.equal(others.flows, 2000);
    assert.ok(Math.abs(others.addresses - 1000) <= 30, `1000 other addresses estimated as ${others.addresses}`);
  });
});
