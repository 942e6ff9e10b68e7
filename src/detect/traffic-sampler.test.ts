/**
 * The traffic history sampler over a real rate table: one sample per server and bucket
 * with the highest rates read in it, watched servers first when the server limit bites,
 * pruning by retention, and no unbounded queue when the store is slow.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InventoryIndex } from '../inventory/inventory-index.ts';
import { createLogger } from '../logger.ts';
import { createMetricsRegistry } from '../metrics.ts';
import type { TrafficSample } from '../store/traffic-sample-repository.ts';
import { IN, OUT } from './thresholds.ts';
import { TrafficRates } from './traffic-rates.ts';
import { type TrafficHistoryConfig, TrafficSampler, type TrafficSampleWriter } from './traffic-sampler.ts';

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

function setup(config: Partial<TrafficHistoryConfig>, writer: TrafficSampleWriter) {
  const index = new InventoryIndex();
  for (const [serverId, prefix] of [
    ['S1', '203.0.113.1/32'],
    ['S2', '203.0.113.2/32'],
    ['S3', '203.0.113.3/32'],
  ]) {
    index.setServer({ serverId, customerId: 'K1', hostGroupId: null, uplinkGateway: 'gw' }, [prefix]);
  }
  const rates = new TrafficRates({ windowSeconds: 1, maxRows: 100 });
  const watched = new Map<number, { row: number }>();
  const metrics = createMetricsRegistry();
  const sampler = new TrafficSampler({
    config: { sampleSeconds: 1, bucketSeconds: 10, maxServers: 10, retentionDays: 7, ...config },
    flows: { rates, flood: { watched } },
    index,
    writer,
    logger: createLogger('silent'),
    metrics,
  });
  const row = (serverId: string) => rates.ensureRow(index.slotOfServer(serverId), T0);
  const streams: Array<{ row: number; dir: number; perTick: (t: number) => number; size: number }> = [];
  /** Packets of `size` bytes every 100 ms, so the 1 s sliding rate is exactly 10 x perTick. */
  const feed = (serverId: string, dir: number, perTick: (t: number) => number, size = 1000) => {
    streams.push({ row: row(serverId), dir, perTick, size });
  };
  /** Time runs in 100 ms steps: traffic arrives, then the sampler looks, as in the detector. */
  const run = (from: number, to: number) => {
    for (let t = from; t < to; t += 100) {
      for (const s of streams) rates.add(s.row, s.dir, t, s.perTick(t), s.perTick(t) * s.size, 1, 0, 0, 0, 0);
      if (t >= T0 + 1000) sampler.observe(t);
    }
  };
  return { sampler, rates, watched, row, feed, run, metrics };
}

function collectingWriter(): TrafficSampleWriter & { samples: TrafficSample[]; prunedBefore: number[] } {
  const samples: TrafficSample[] = [];
  const prunedBefore: number[] = [];
  return {
    samples,
    prunedBefore,
    async record(batch) {
      samples.push(...batch);
    },
    async prune(before) {
      prunedBefore.push(before);
      return 0;
    },
  };
}

describe('traffic sampler', () => {
  it('stores per server and bucket the highest rates read, in and out', async () => {
    const writer = collectingWriter();
    const { sampler, feed, run } = setup({}, writer);
    // S1 sends 1,000 packets/s of 1,000 bytes (8 Mbit/s), and 5,000 packets/s for the two seconds from T0+13 s.
    feed('S1', OUT, (t) => (t >= T0 + 13_000 && t < T0 + 15_000 ? 500 : 100));
    // S2 receives 200 packets/s of 100 bytes.
    feed('S2', IN, () => 20, 100);
    run(T0, T0 + 30_000);
    await sampler.stop();
    const s1 = writer.samples.filter((s) => s.serverId === 'S1');
    assert.deepEqual(
      s1.map((s) => [(s.at - T0) / 1000, Math.round(s.packetsOut), Math.round(s.bitsOut), s.packetsIn, s.bitsIn]),
      [
        [0, 1000, 8_000_000, 0, 0],
        [10, 5000, 40_000_000, 0, 0],
        [20, 1000, 8_000_000, 0, 0],
      ],
    );
    const s2 = writer.samples.filter((s) => s.serverId === 'S2');
    assert.deepEqual(
      s2.map((s) => [(s.at - T0) / 1000, Math.round(s.packetsIn), Math.round(s.bitsIn), s.packetsOut]),
      [
        [0, 200, 160_000, 0],
        [10, 200, 160_000, 0],
        [20, 200, 160_000, 0],
      ],
    );
    assert.equal(writer.samples.filter((s) => s.serverId === 'S3').length, 0, 'no traffic, no row, no sample');
    assert.deepEqual(writer.prunedBefore, [T0 + 1000 - 7 * 86_400_000]);
  });

  it('records watched servers first when maxServers is reached', async () => {
    const writer = collectingWriter();
    const { sampler, feed, run, row, watched } = setup({ maxServers: 1 }, writer);
    feed('S1', OUT, () => 100);
    feed('S3', OUT, () => 10);
    watched.set(row('S3') * 2 + OUT, { row: row('S3') });
    run(T0, T0 + 12_000);
    await sampler.stop();
    assert.deepEqual([...new Set(writer.samples.map((s) => s.serverId))], ['S3']);
  });

  it('drops samples instead of queueing without bound when the store does not answer', async () => {
    let release: () => void = () => {};
    const stalled = new Promise<void>((resolve) => {
      release = resolve;
    });
    let calls = 0;
    const writer: TrafficSampleWriter = {
      async record() {
        calls++;
        await stalled;
      },
      async prune() {
        return 0;
      },
    };
    const { sampler, feed, run, metrics } = setup({ bucketSeconds: 10, maxServers: 1 }, writer);
    feed('S1', OUT, () => 1);
    // Ten buckets end while the writer is busy (first with the retention prune, then with a
    // write that hangs): four buckets wait, the other six are dropped.
    run(T0, T0 + 101_000);
    await new Promise((resolve) => setImmediate(resolve));
    const dropped = (await metrics.getSingleMetric('netwarden_detector_traffic_samples_dropped_total')?.get())?.values[0]?.value ?? 0;
    assert.equal(dropped, 6);
    assert.equal(calls, 1, 'one write at a time');
    release();
    await sampler.stop();
    assert.equal(calls, 2, 'once the store answers, the last bucket follows');
  });
});
