/**
 * The receive-thread side of detection: packs every flow into a binary batch and sends it
 * to the detector when full or every tick (25 ms), so detection sees flows within a
 * fraction of a second without a message per flow.
 */
import type { FlowConsumer, FlowConsumerContext } from '../flow/flow-consumer.ts';
import { type FlowBatch, FlowBatchWriter } from './flow-batch.ts';

export interface FlowBatchMessage {
  type: 'flow-batch';
  batch: FlowBatch;
}

export function createFlowConsumer(options: unknown, context: FlowConsumerContext): FlowConsumer {
  const capacity = (options as { batchCapacity?: number } | undefined)?.batchCapacity ?? 4096;
  const writer = new FlowBatchWriter(capacity);
  const send = (): void => {
    if (writer.count === 0) return;
    const batch = writer.take();
    const message: FlowBatchMessage = { type: 'flow-batch', batch };
    context.post(message, [batch.buffer]);
  };
  return {
    consume(flow) {
      writer.add(flow);
      if (writer.full) send();
    },
    tick() {
      send();
    },
    close() {
      send();
    },
  };
}

export const BATCHING_CONSUMER_MODULE = new URL('./batching-flow-consumer.ts', import.meta.url).href;
