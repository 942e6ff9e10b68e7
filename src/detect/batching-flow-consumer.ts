/**
 * The receive-thread side of detection: packs every flow into a binary batch and sends it
 * to the detector when full or every tick (25 ms), so detection sees flows within a
 * fraction of a second without a message per flow.
 *
 * Batches are written into a ring of `maxQueuedBatches + 1` SharedArrayBuffer slots that
 * the detector reads in place: no buffer is allocated, transferred or freed per batch (at a
 * million flows a second that was 250 MB/s of zeroed memory for the receive threads to
 * allocate and the detector's thread to sweep). Each thread shares two counters with the
 * detector (batches sent, batches done). So the queue is bounded: with `maxQueuedBatches`
 * outstanding (a detector that cannot keep up, or a long pause), further batches are
 * dropped here, counted and reported to the detector, which exports the count and logs it,
 * instead of piling up until the process runs out of memory. It is the choice the kernel
 * makes for a full socket buffer, made where it is visible.
 */
import type { FlowConsumer, FlowConsumerContext } from '../flow/flow-consumer.ts';
import { batchBufferBytes, type FlowBatch, FlowBatchWriter } from './flow-batch.ts';

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
/** 64 batches of 4,096 flows: a quarter of a second at a million flows a second; up to 69 MB of slots per thread (made as a backlog needs them). */
const DEFAULT_MAX_QUEUED_BATCHES = 64;

export interface BatchingConsumerOptions {
  batchCapacity?: number;
  maxQueuedBatches?: number;
}

export function createFlowConsumer(options: unknown, context: FlowConsumerContext): FlowConsumer {
  const o = (options ?? {}) as BatchingConsumerOptions;
  const capacity = o.batchCapacity ?? 4096;
  const maxQueued = o.maxQueuedBatches ?? DEFAULT_MAX_QUEUED_BATCHES;
  // Slot of batch number n: n % slots. With at most maxQueued batches in flight, the slot the
  // next batch is written into is never one the detector still reads.
  const slots: SharedArrayBuffer[] = [];
  const slotCount = maxQueued + 1;
  const slot = (n: number): SharedArrayBuffer => (slots[n % slotCount] ??= new SharedArrayBuffer(batchBufferBytes(capacity)));
  const writer = new FlowBatchWriter(capacity, slot(0));
  const counters = new Int32Array(new SharedArrayBuffer(8));
  context.post({ type: 'flow-batch-queue', counters: counters.buffer as SharedArrayBuffer } satisfies FlowBatchQueueMessage);
  let dropped = 0;
  const send = (): void => {
    if (writer.count === 0) return;
    const sent = Atomics.load(counters, SENT);
    if (sent - Atomics.load(counters, DONE) >= maxQueued) {
      dropped += writer.clear();
      return;
    }
    const batch: FlowBatch = writer.take(slot(sent + 1));
    Atomics.store(counters, SENT, sent + 1);
    context.post({ type: 'flow-batch', batch } satisfies FlowBatchMessage);
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
