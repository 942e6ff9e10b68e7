/** A consumer that only counts (benchmarks, and the collector running without a detector). */
import type { FlowConsumer, FlowConsumerContext } from './flow-consumer.ts';
import type { FlowRecord } from './flow-record.ts';

export interface FlowCounts {
  type: 'flow-counts';
  worker: number;
  flows: number;
  packets: number;
  bytes: number;
}

export function createFlowConsumer(_options: unknown, context: FlowConsumerContext): FlowConsumer {
  const counts: FlowCounts = { type: 'flow-counts', worker: context.worker, flows: 0, packets: 0, bytes: 0 };
  let lastPost = 0;
  return {
    consume(flow: FlowRecord) {
      counts.flows++;
      counts.packets += flow.packets;
      counts.bytes += flow.bytes;
    },
    tick(nowMs) {
      if (nowMs - lastPost >= 1000) {
        lastPost = nowMs;
        context.post({ ...counts });
      }
    },
    close() {
      context.post({ ...counts });
    },
  };
}
