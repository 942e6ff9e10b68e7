/**
 * The receive-thread side of detection: packs every flow into a binary batch and sends it
 * to the detector when full or every tick (25 ms), so detection sees flows within a
 * fraction of a second without a message per flow.
 *
 * The queue to the detector is bounded. A detector that cannot keep up (more flows than one
 * core can run, or a long pause) would otherwise let batches pile up in the thread's message
 * port until the process runs out of memory. Each thread shares two counters with the
 * detector (batches sent, batches done); with `maxQueuedBatches` outstanding, further
 * batches are dropped here, counted, and reported to the detector, which exports the count
 * and logs it. Dropping is the same choice the kernel makes for a full socket buffer, made
 * where it is visible.
 */
import type { FlowConsumer, FlowConsumerContext } from '../flow/flow-consumer.ts';
import { type FlowBatch, FlowBatchWriter } from './flow-batch.ts';

export interface FlowBatchMessage {
  type: 'flow-batch';
  batch: FlowBatch;
}

/** Sent once, before any batch: the counters the detector acknowledges batches on. */
export interface FlowBatchQueueMessage {
  type: 'flow-batch-queue';
  /** Int32 [0] batches sent (this thread writes), [1] batches done (the detector writes). */
  counters: SharedArrayBuffer;
}

/** Flows dropped since the last report because the detector's queue was full. */
export interface FlowBatchDroppedMessage {
  type: 'flow-batch-dropped';
  flows: number;
}

export type DetectionConsumerMessage = FlowBatchMessage | FlowBatchQueueMessage | FlowBatchDroppedMessage;

export const SENT = 0;
export const DONE = 1;
/** 64 batches of 4,096 flows: a quarter of a second at a million flows a second, about 27 MB. */
const DEFAULT_MAX_QUEUED_BATCHES = 64;

export interface BatchingConsumerOptions {
  batchCapacity?: number;
  maxQueuedBatches?: number;
}

export function createFlowConsumer(options: unknown, context: FlowConsumerContext): FlowConsumer {
  const o = (options ?? {}) as BatchingConsumerOptions;
  const capacity = o.batchCapacity ?? 4096;
  const maxQueued = o.maxQueuedBatches ?? DEFAULT_MAX_QUEUED_BATCHES;
  const writer = new FlowBatchWriter(capacity);
  const counters = new Int32Array(new SharedArrayBuffer(8));
  context.post({ type: 'flow-batch-queue', counters: counters.buffer as SharedArrayBuffer } satisfies FlowBatchQueueMessage);
  let dropped = 0;
  const send = (): void => {
    if (writer.count === 0) return;
    if (Atomics.load(counters, SENT) - Atomics.load(counters, DONE) >= maxQueued) {
      dropped += writer.clear();
      return;
    }
    const batch = writer.take();
    Atomics.add(counters, SENT, 1);
    context.post({ type: 'flow-batch', batch } satisfies FlowBatchMessage, [batch.buffer]);
  };
  const reportDropped = (): void => {
    if (dropped === 0) return;
    context.post({ type: 'flow-batch-dropped', flows: dropped } satisfies FlowBatchDroppedMessage);
    dropped = 0;
  };
  return {
    consume(flow) {
      writer.add(flow);
      if (writer.full) send();
    },
    tick() {
      send();
      reportDropped();
    },
    close() {
      send();
      reportDropped();
    },
  };
}

export const BATCHING_CONSUMER_MODULE = new URL('./batching-flow-consumer.ts', import.meta.url).href;
