/**
 * Runs Netwarden's real UdpCollector in its own process for the bench (netwarden-target.ts
 * starts it), so its CPU and memory are measured like any other collector's. argv[2] is
 * the JSON of CollectorProcessOptions; the parent asks for totals over IPC.
 */
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { resolveConfig } from '../../src/config/load-config.ts';
import { Detector } from '../../src/detect/detector.ts';
import type { FlowConsumerSpec } from '../../src/flow/flow-consumer.ts';
import { type UdpCollectorConfig, UdpCollector, type UdpCollectorTotals } from '../../src/flow/udp/udp-collector.ts';
import { InventoryIndex } from '../../src/inventory/inventory-index.ts';
import { createLogger } from '../../src/logger.ts';

export interface CollectorProcessOptions {
  config: UdpCollectorConfig;
  consumer: FlowConsumerSpec;
  /**
   * Run detection as `netwarden serve` does: the receive threads batch (the consumer must
   * be the batching one) and this thread's Detector takes every batch. The inventory holds
   * one server per address of `networks` (IPv4 /24s), which are also the provider's space.
   */
  detect?: { networks: string[]; overrides: Record<string, unknown> };
}

export interface DetectionTotals {
  /** Flows the detector has run through attribution, windows and netscan counting. */
  flows: number;
  /** Its flows `graceMs` after the last mark; null until that time has come, -1 when it was still behind at the mark. */
  flowsAtMark: number | null;
  incidentsOpened: number;
  activeServers: number;
}

/** `mark`: the sender stopped at wall time `atMs`; note the detector's flow count by `atMs + graceMs`. */
export type CollectorProcessCommand = { type: 'totals' } | { type: 'mark'; atMs: number; graceMs: number } | { type: 'stop' };

export type CollectorProcessReply =
  | { type: 'ready'; receiver: string }
  | { type: 'failed'; message: string }
  | { type: 'totals'; totals: UdpCollectorTotals; workerFlows: number[]; detection: DetectionTotals | null };

const options = JSON.parse(process.argv[2]) as CollectorProcessOptions;
// The consumer's own flow counts per receive thread, when it reports them (the counting
// consumer does): shows how SO_REUSEPORT spread the exporters.
const workerFlows: number[] = [];
const logger = createLogger('error', pino.destination(2));
let flowsAtMark: number | null = null;
/** Wall-clock deadline of the last mark, and the detector's flows as last seen before it. */
let markDeadlineMs = Number.NEGATIVE_INFINITY;
let flowsByDeadline = 0;
let incidentsOpened = 0;
const detector = options.detect === undefined ? undefined : makeDetector(options.detect);

function makeDetector(detect: NonNullable<CollectorProcessOptions['detect']>): Detector {
  const index = new InventoryIndex();
  for (const network of detect.networks) {
    const base = network.replace(/\.0\/24$/, '');
    for (let host = 0; host < 256; host++) {
      index.setServer({ serverId: `${base}.${host}`, customerId: `K${base}`, hostGroupId: null, uplinkGateway: 'bench-gw' }, [`${base}.${host}`]);
    }
  }
  index.setProvider(detect.networks);
  return new Detector({
    config: resolveConfig({ detect: detect.overrides }).detect,
    index,
    logger,
    metrics: new Registry(),
    handlers: [
      {
        handle: async (event) => {
          if (event === 'opened') incidentsOpened++;
        },
      },
    ],
  });
}

const collector = new UdpCollector({
  config: options.config,
  logger,
  metrics: new Registry(),
  consumer: options.consumer,
  onConsumerMessage(message, worker) {
    if (detector !== undefined) {
      detector.onConsumerMessage(message, worker);
      // Wall time, not a timer: a backlog of batches is handled in one go and would delay it.
      if (Date.now() <= markDeadlineMs) flowsByDeadline = detector.flows.stats.flows;
      return;
    }
    const flows = (message as { flows?: unknown } | null)?.flows;
    if (typeof flows === 'number') workerFlows[worker] = flows;
  },
});

const reply = (message: CollectorProcessReply): void => {
  process.send?.(message);
};

process.on('message', (command: CollectorProcessCommand) => {
  if (command.type === 'mark') {
    flowsAtMark = null;
    markDeadlineMs = command.atMs + command.graceMs;
    // Handled after the deadline: this thread was still working off batches a whole grace
    // time after the sender stopped, so the detector is behind (reported as -1).
    flowsByDeadline = Date.now() <= markDeadlineMs ? (detector?.flows.stats.flows ?? 0) : -1;
    setTimeout(
      () => {
        flowsAtMark = flowsByDeadline;
      },
      Math.max(0, markDeadlineMs - Date.now()),
    );
    return;
  }
  if (command.type === 'totals') {
    const detection =
      detector === undefined ? null : { flows: detector.flows.stats.flows, flowsAtMark, incidentsOpened, activeServers: detector.flows.stats.activeServers };
    reply({ type: 'totals', totals: collector.totals(), workerFlows: [...workerFlows], detection });
    return;
  }
  collector
    .stop()
    .then(() => detector?.stop())
    .finally(() => process.disconnect?.());
});

Promise.resolve(detector?.start()).then(() => collector.start()).then(
  () => reply({ type: 'ready', receiver: collector.receiver ?? 'unknown' }),
  (error: unknown) => {
    reply({ type: 'failed', message: (error as Error).message });
    process.disconnect?.();
  },
);
