import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NumberIndex } from './number-index.ts';

describe('number index', () => {
  it('maps int32, large (MAC, exporter-interface) and zero keys, through growth, like a Map', () => {
    const index = new NumberIndex(4);
    const reference = new Map<number, number>();
    const keys = [0, -1, -2_147_483_648, 2_147_483_647, 2_147_483_648, 0x0200_5e00_0001, 999_999 * 4_294_967_296 + 48];
    for (let i = 0; i < 5_000; i++) keys.push((Math.imul(i, 0x9e3779b1) | 0) ^ 0xc6120000, i * 4_294_967_296 + (i % 64));
    keys.forEach((key, value) => {
      index.set(key, value);
      reference.set(key, value);
    });
    assert.equal(index.size, reference.size);
    for (const [key, value] of reference) assert.equal(index.get(key), value, `key ${key}`);
    for (const absent of [1, 12_345, 2 ** 52, -7]) if (!reference.has(absent)) assert.equal(index.get(absent), -1);
    index.set(0, 77);
    assert.equal(index.get(0), 77);
    assert.equal(index.size, reference.size);
    assert.ok(index.memoryBytes >= index.size * 12 * 2);
  });
});
