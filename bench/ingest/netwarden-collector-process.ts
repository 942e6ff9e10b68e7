/**
 * Runs Netwarden's real UdpCollector in its own process for the bench (netwarden-target.ts
 * starts it), so its CPU and memory are measured like any other collector's. argv[2] is
 * the JSON of CollectorProcessOptions; the parent asks for totals over IPC.
 */
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { FlowConsumerSpec } from '../../src/flow/flow-consumer.ts';
import { type UdpCollectorConfig, UdpCollector, type UdpCollectorTotals } from '../../src/flow/udp/udp-collector.ts';
import { createLogger } from '../../src/logger.ts';

export interface CollectorProcessOptions {
  config: UdpCollectorConfig;
  consumer: FlowConsumerSpec;
}

export type CollectorProcessCommand = { type: 'totals' } | { type: 'stop' };

export type CollectorProcessReply =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'totals'; totals: UdpCollectorTotals; workerFlows: number[] };

const options = JSON.parse(process.argv[2]) as CollectorProcessOptions;
// The consumer's own flow counts per receive thread, when it reports them (the counting
// consumer does): shows how SO_REUSEPORT spread the exporters.
const workerFlows: number[] = [];
const collector = new UdpCollector({
  config: options.config,
  logger: createLogger('warn', pino.destination(2)),
  metrics: new Registry(),
  consumer: options.consumer,
  onConsumerMessage(message, worker) {
    const flows = (message as { flows?: unknown } | null)?.flows;
    if (typeof flows === 'number') workerFlows[worker] = flows;
  },
});

const reply = (message: CollectorProcessReply): void => {
  process.send?.(message);
};

process.on('message', (command: CollectorProcessCommand) => {
  if (command.type === 'totals') {
    reply({ type: 'totals', totals: collector.totals(), workerFlows: [...workerFlows] });
    return;
  }
  collector.stop().finally(() => process.disconnect?.());
});

collector.start().then(
  () => reply({ type: 'ready' }),
  (error: unknown) => {
    reply({ type: 'failed', message: (error as Error).message });
    process.disconnect?.();
  },
);
