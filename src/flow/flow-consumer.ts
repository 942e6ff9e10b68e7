/**
 * What a receive thread does with decoded flows. The collector knows nothing of detection:
 * it loads the consumer module it is told to (detection's pre-aggregator in production, a
 * counter in benchmarks) inside each receive thread, and relays the consumer's messages to
 * the main thread.
 */
import type { FlowSink } from './flow-record.ts';

export interface FlowConsumer {
  readonly consume: FlowSink;
  /** Called about every 25 ms with the current time: flush aggregates, expire state. */
  tick(nowMs: number): void;
  /** Flushes everything; called once when the thread stops. */
  close(): void;
}

export interface FlowConsumerContext {
  /** Index of this receive thread (0..workers-1). */
  worker: number;
  /** Sends a message to the main thread (structured clone; transfer lists for ArrayBuffers). */
  post(message: unknown, transfer?: ArrayBuffer[]): void;
}

/** A consumer module exports this function. */
export type CreateFlowConsumer = (options: unknown, context: FlowConsumerContext) => FlowConsumer | Promise<FlowConsumer>;

export interface FlowConsumerSpec {
  /** Absolute file URL of the module exporting `createFlowConsumer`. */
  module: string;
  options: unknown;
}
