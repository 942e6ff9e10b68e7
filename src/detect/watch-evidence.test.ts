import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ipv6Key } from './address-text.ts';
import { SUMMARY_BUCKET_MS, SUMMARY_WINDOW_MS, WatchEvidence } from './watch-evidence.ts';

const A = 0xc6336401 | 0; // 198.51.100.1
const B = 0xc6336402 | 0;
const T0 = 1_800_000_000_000;

describe('watch evidence', () => {
  it('sums the flows of the last five minutes, by minute', () => {
    const e = new WatchEvidence();
    e.add(T0, A, 10, 1000, 1, false);
    e.add(T0 + 1000, A, 5, 500, 1, false);
    assert.deepEqual(e.summary(T0 + 1900, T0), { packets: 15, bytes: 1500, flows: 2, windowSeconds: 2 });
    e.add(T0 + 2 * SUMMARY_BUCKET_MS, A, 7, 700, 1, false);
    // Past the window, the first minute's flows drop out; the window then covers 300 s.
    const later = T0 + SUMMARY_WINDOW_MS + SUMMARY_BUCKET_MS;
    assert.deepEqual(e.summary(later, T0), { packets: 7, bytes: 700, flows: 1, windowSeconds: 300 });
    // A bucket reused five minutes on starts from zero; a flow older than its bucket is left out.
    e.add(T0 + 2 * SUMMARY_BUCKET_MS + SUMMARY_WINDOW_MS, A, 3, 300, 1, false);
    e.add(T0 + 2 * SUMMARY_BUCKET_MS, A, 100, 100, 1, false);
    assert.deepEqual(e.summary(T0 + 2 * SUMMARY_BUCKET_MS + SUMMARY_WINDOW_MS, T0), { packets: 3, bytes: 300, flows: 1, windowSeconds: 300 });
  });

  it('counts totals only while an incident is open, from zero for each incident', () => {
    const e = new WatchEvidence();
    e.add(T0, A, 10, 1000, 1, false);
    e.add(T0, A, 20, 2000, 2, true);
    assert.deepEqual(e.totals, { packets: 20, bytes: 2000, flows: 2 });
    e.resetTotals();
    e.add(T0, A, 1, 100, 1, true);
    assert.deepEqual(e.totals, { packets: 1, bytes: 100, flows: 1 });
  });

  it('names the own address with the most packets, IPv4 or IPv6', () => {
    const e = new WatchEvidence();
    assert.equal(e.busiestAddress(), null);
    e.add(T0, A, 10, 0, 1, false);
    e.add(T0, B, 8, 0, 1, false);
    e.add(T0, B, 8, 0, 1, false);
    e.add(T0, A, 1, 0, 1, false);
    assert.equal(e.busiestAddress(), B);
    const v6 = ipv6Key(Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1), 0);
    e.add(T0, v6, 50, 0, 1, false);
    assert.equal(e.busiestAddress(), v6);
  });

  it('counts at most 64 own IPv4 addresses', () => {
    const e = new WatchEvidence();
    for (let i = 0; i < 64; i++) e.add(T0, (0xc6336400 + i) | 0, 1, 0, 1, false);
    e.add(T0, 0xcb007101 | 0, 1000, 0, 1, false); // a 65th: not counted
    e.add(T0, (0xc6336400 + 63) | 0, 1, 0, 1, false);
    assert.equal(e.busiestAddress(), (0xc6336400 + 63) | 0);
  });
});
