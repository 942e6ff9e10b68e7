/**
 * NetscanDetector's housekeeping: windows idle for a whole window are dropped, windows
 * still active are kept, and the sweep that does it costs nothing per tick for windows
 * that are not due (it used to walk every tracked window on every tick — with a tick per
 * batch that made netscan counting quadratic in the number of tracked targets).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveConfig } from '../config/load-config.ts';
import type { Incident } from './incident.ts';
import { NetscanDetector } from './netscan-detector.ts';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
const TCP = 6;
const config = resolveConfig({}).detect.netscan;
const WINDOW_MS = config.windowSeconds * 1000;

function detector(opened: Incident[] = []): NetscanDetector {
  return new NetscanDetector({
    config,
    slotInfo: (slot) => ({ serverId: `S${slot}`, customerId: 'K1', hostGroupId: null, uplinkGateway: 'gw' }),
    sink: { opened: (i) => opened.push(i), updated: () => {}, ended: () => {} },
    floodState: () => 'no',
    floodVerdictMs: 1700,
  });
}

/** One SYN from server `slot` to 198.18.0.0 + `target` on port 22. */
function probe(d: NetscanDetector, slot: number, target: number, timeMs: number): void {
  const dst = (0xc6120000 + target) >>> 0;
  d.observe(slot, timeMs, TCP, 40000, 0xcb007101 | 0, dst | 0, 22, false, 1);
}

describe('netscan window housekeeping', () => {
  it('drops windows idle for a whole window and keeps the active ones', () => {
    const d = detector();
    probe(d, 1, 1, T0); // server 1: one horizontal and one vertical window, one target each
    probe(d, 2, 1, T0 + 30_000);
    probe(d, 2, 2, T0 + 30_001);
    // Server 1: port 22 {1} and address 1 {22}; server 2: port 22 {1, 2}, address 1 {22}, address 2 {22}.
    assert.equal(d.trackedTargets, 2 + 4);
    d.tick(T0 + WINDOW_MS + 1);
    assert.equal(d.trackedTargets, 4, "server 1's windows are idle, server 2's are not");
    d.tick(T0 + 30_001 + WINDOW_MS + 1);
    assert.equal(d.trackedTargets, 0);
  });

  it('keeps a window that was touched again, even when it was created first', () => {
    const d = detector();
    probe(d, 1, 1, T0);
    probe(d, 2, 1, T0 + 10_000);
    probe(d, 1, 2, T0 + 50_000); // server 1 active again: its port-22 window must survive
    d.tick(T0 + WINDOW_MS + 20_000);
    // Server 2 is gone; server 1 (active 30 s ago) keeps its port-22 window (targets 1 and 2)
    // and its vertical windows of targets 1 and 2 until it next grows.
    assert.equal(d.trackedTargets, 4);
    // Its next new target drops what is idle for a whole window: the vertical window of
    // target 1 and target 1 in the port-22 window (first reached 80 s ago).
    probe(d, 1, 3, T0 + WINDOW_MS + 20_000);
    // Left: port 22 {2, 3}, address 2 {22}, address 3 {22}.
    assert.equal(d.trackedTargets, 4);
    probe(d, 1, 2, T0 + WINDOW_MS + 20_001); // a re-probe is no new target
    assert.equal(d.trackedTargets, 4);
  });

  it('still opens a scan at the threshold', () => {
    const opened: Incident[] = [];
    const d = detector(opened);
    for (let i = 0; i < config.horizontalAddresses; i++) probe(d, 7, i, T0 + i);
    d.tick(T0 + config.horizontalAddresses + 1000);
    assert.deepEqual(
      opened.map((i) => [i.kind, i.serverId, i.netscan?.type, i.netscan?.port]),
      [['netscan', 'S7', 'horizontal', 22]],
    );
  });

  it('ticks in time independent of how many windows are tracked', () => {
    const d = detector();
    // 100,000 servers with one probe each: 200,000 windows, none due for 60 s.
    for (let slot = 0; slot < 100_000; slot++) probe(d, slot, slot & 0xffff, T0 + (slot >> 4));
    assert.equal(d.trackedTargets, 200_000);
    const start = process.hrtime.bigint();
    for (let k = 0; k < 1000; k++) d.tick(T0 + 10_000 + k * 10);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    // Walking all 200,000 windows per tick would be 200 million steps (seconds); the sweep
    // stops at the first window that is not due, so 1,000 ticks take a few milliseconds.
    assert.ok(ms < 1000, `1,000 ticks over 200,000 tracked windows took ${ms.toFixed(0)} ms`);
    assert.equal(d.trackedTargets, 200_000);
  });
});
