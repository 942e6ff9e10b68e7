import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPendingDataSets, type PendingHeader } from './pending-data-sets.ts';

const header: PendingHeader = { format: 10, observationDomain: 1, exportMs: 0, sysUptime: 0, sequence: 0 };
const body = (n: number) => new Uint8Array(n).fill(7);

describe('pending data sets', () => {
  it('evicts the oldest sets beyond the global set and byte caps', () => {
    const pending = createPendingDataSets({ maxSets: 3, maxBytes: 250, maxSetsPerExporter: 10, maxAgeMs: 60_000 });
    for (let i = 0; i < 5; i++) assert.ok(pending.add(`192.0.2.${i}`, header, 256, body(100), 0, 50, 0));
    assert.equal(pending.size, 3);
    assert.equal(pending.bytes, 150);
    assert.ok(pending.add('192.0.2.9', header, 256, body(200), 0, 200, 0));
    assert.deepEqual([pending.size, pending.bytes], [2, 250]);
    assert.equal(pending.add('192.0.2.9', header, 256, body(300), 0, 300, 0), false, 'larger than the whole buffer');
    assert.deepEqual(
      pending.take('192.0.2.4', 10, 1, 256, 0).map((e) => e.exporter),
      ['192.0.2.4'],
    );
    assert.deepEqual([pending.size, pending.bytes], [1, 200]);
  });

  it('copies the bytes, so the datagram buffer can be reused', () => {
    const pending = createPendingDataSets({ maxSets: 4, maxBytes: 1000, maxSetsPerExporter: 4, maxAgeMs: 60_000 });
    const datagram = Uint8Array.from([1, 2, 3, 4, 5, 6]);
    pending.add('192.0.2.1', header, 300, datagram, 2, 5, 0);
    datagram.fill(0);
    assert.deepEqual([...pending.take('192.0.2.1', 10, 1, 300, 0)[0].body], [3, 4, 5]);
  });

  it('drops sets older than maxAgeMs', () => {
    const pending = createPendingDataSets({ maxSets: 4, maxBytes: 1000, maxSetsPerExporter: 4, maxAgeMs: 1000 });
    pending.add('192.0.2.1', header, 300, body(10), 0, 10, 0);
    pending.add('192.0.2.1', header, 300, body(10), 0, 10, 900);
    assert.equal(pending.take('192.0.2.1', 10, 1, 300, 1500).length, 1);
    assert.equal(pending.bytes, 0);
  });
});
