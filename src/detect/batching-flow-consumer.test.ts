/**
 * The bounded queue between a receive thread's batching consumer and the detector: batches
 * the detector has not acknowledged are limited, the rest are dropped, counted and reported,
 * and the detector acknowledges every batch it runs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { resolveConfig } from '../config/load-config.ts';
import { ipv4FlowRecord } from '../../test/helpers/flow-records.ts';
import { InventoryIndex } from '../inventory/inventory-index.ts';
import { createLogger } from '../logger.ts';
import { createFlowConsumer, type DetectionConsumerMessage } from './batching-flow-consumer.ts';
import { Detector } from './detector.ts';
import { FlowBatchReader } from './flow-batch.ts';

function flow(timeMs: number) {
  const f = ipv4FlowRecord('203.0.113.1', '198.51.100.1');
  f.timeMs = timeMs;
  f.startMs = timeMs;
  f.protocol = 6;
  f.packets = 10;
  f.bytes = 1000;
  f.samplingRate = 1;
  f.exporter = '192.0.2.1';
  return f;
}

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);

describe('batching consumer queue bound', () => {
  it('drops batches beyond maxQueuedBatches while the detector acknowledges none, and reports them', () => {
    const posted: DetectionConsumerMessage[] = [];
    const consumer = createFlowConsumer({ batchCapacity: 4, maxQueuedBatches: 2 }, { worker: 0, post: (m) => posted.push(m as DetectionConsumerMessage) });
    for (let i = 0; i < 20; i++) consumer.consume(flow(T0 + i));
    consumer.tick(T0 + 20);
    assert.deepEqual(
      posted.map((m) => m.type),
      ['flow-batch-queue', 'flow-batch', 'flow-batch', 'flow-batch-dropped'],
    );
    const dropped = posted.at(-1) as { flows: number };
    assert.equal(dropped.flows, 12, 'three full batches of four flows could not be queued');
    const counters = new Int32Array((posted[0] as { counters: SharedArrayBuffer }).counters);
    assert.equal(counters[0], 2, 'batches sent');
    assert.equal(counters[1], 0, 'none done');
  });

  it('never writes into a slot the detector has not finished: every batch reads back as it was sent', () => {
    const posted: DetectionConsumerMessage[] = [];
    /** Per batch sent: its flow times at the moment it was posted. */
    const asSent: number[][] = [];
    const snapshot = new FlowBatchReader();
    const post = (m: unknown): void => {
      const message = m as DetectionConsumerMessage;
      posted.push(message);
      if (message.type !== 'flow-batch') return;
      snapshot.load(message.batch);
      asSent.push(Array.from({ length: snapshot.count }, (_, i) => snapshot.timeMs(i) - T0));
    };
    const consumer = createFlowConsumer({ batchCapacity: 4, maxQueuedBatches: 2 }, { worker: 0, post });
    const counters = new Int32Array((posted[0] as { counters: SharedArrayBuffer }).counters);
    const reader = new FlowBatchReader();
    let next = 0;
    let read = 0;
    // The detector runs one batch while the thread fills two: the queue stays full, the
    // thread keeps writing into the free slot.
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 8; i++) consumer.consume(flow(T0 + next++));
      const batches = posted.filter((m) => m.type === 'flow-batch');
      reader.load(batches[read].batch);
      assert.deepEqual(
        Array.from({ length: reader.count }, (_, i) => reader.timeMs(i) - T0),
        asSent[read],
        `batch ${read} changed while queued`,
      );
      read++;
      Atomics.add(counters, 1, 1);
    }
    assert.equal(read, 10);
  });

  it('sends everything when the detector keeps up: it runs and acknowledges each batch', async () => {
    const metrics = new Registry();
    const index = new InventoryIndex();
    index.setServer({ serverId: 'web01', customerId: 'K1', hostGroupId: null, uplinkGateway: 'gw' }, ['203.0.113.1']);
    const detector = new Detector({ config: resolveConfig({}).detect, index, logger: createLogger('silent'), metrics, handlers: [], live: false });
    const consumer = createFlowConsumer({ batchCapacity: 4, maxQueuedBatches: 2 }, { worker: 3, post: (m) => detector.onConsumerMessage(m, 3) });
    for (let i = 0; i < 20; i++) consumer.consume(flow(T0 + i));
    consumer.close();
    assert.equal(detector.flows.stats.flows, 20);
    assert.equal(detector.flows.stats.attributedOut, 20);
    const dropped = await metrics.getSingleMetric('netwarden_detector_dropped_flows_total')!.get();
    assert.equal(dropped.values[0]?.value ?? 0, 0);
  });

  it('counts the flows a receive thread reports as dropped', async () => {
    const metrics = new Registry();
    const detector = new Detector({ config: resolveConfig({}).detect, index: new InventoryIndex(), logger: createLogger('silent'), metrics, handlers: [], live: false });
    detector.onConsumerMessage({ type: 'flow-batch-dropped', flows: 4096 }, 0);
    detector.onConsumerMessage({ type: 'flow-batch-dropped', flows: 100 }, 1);
    const dropped = await metrics.getSingleMetric('netwarden_detector_dropped_flows_total')!.get();
    assert.equal(dropped.values[0].value, 4196);
  });
});
