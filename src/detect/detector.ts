/**
 * The detector component: takes flow batches from the receive threads, runs the
 * detection pipeline in this thread, keeps the wall clock ticking when flows stop, and
 * hands every incident event to its sinks in order (the store first, then the lock layer).
 * Sink work is queued, so detection never waits for a database.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Config } from '../config/config-schema.ts';
import type { InventoryIndex } from '../inventory/inventory-index.ts';
import type { Logger } from '../logger.ts';
import { DONE, type DetectionConsumerMessage } from './batching-flow-consumer.ts';
import { type FlowBatch, FlowBatchReader } from './flow-batch.ts';
import { FlowDetector } from './flow-detector.ts';
import type { Incident, IncidentSink } from './incident.ts';
import { type TrafficHistoryConfig, TrafficSampler, type TrafficSampleWriter } from './traffic-sampler.ts';

/** Asynchronous consumer of incident events (the store, the lock layer). */
export interface IncidentHandler {
  handle(event: 'opened' | 'updated' | 'ended', incident: Incident): Promise<void>;
}

export interface DetectorDeps {
  config: Config['detect'];
  index: InventoryIndex;
  logger: Logger;
  metrics: Registry;
  handlers: IncidentHandler[];
  /** Live mode ticks the wall clock; replay leaves time to the flows. */
  live?: boolean;
  /** Records the traffic history for the console's chart (absent: none). */
  trafficHistory?: { config: TrafficHistoryConfig; writer: TrafficSampleWriter };
}

export class Detector {
  readonly name = 'detector';
  readonly flows: FlowDetector;
  readonly #deps: DetectorDeps;
  readonly #reader = new FlowBatchReader();
  #queue: Promise<void> = Promise.resolve();
  #pending = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #incidents: Counter<'kind' | 'direction' | 'event'>;
  readonly #handlerErrors: Counter;
  readonly #flowsCounter: Counter;
  readonly #droppedCounter: Counter;
  /** Per receive thread: the counters its batches are acknowledged on (batching-flow-consumer.ts). */
  readonly #queues = new Map<number, Int32Array>();
  #lastDropLogMs = 0;
  #droppedSinceLog = 0;
  #flowsExported = 0;
  readonly #sampler: TrafficSampler | undefined;

  constructor(deps: DetectorDeps) {
    this.#deps = deps;
    const sink: IncidentSink = {
      opened: (i) => this.#emit('opened', i),
      updated: (i) => this.#emit('updated', i),
      ended: (i) => this.#emit('ended', i),
    };
    this.flows = new FlowDetector({ config: deps.config, index: deps.index, sink });
    const history = deps.trafficHistory;
    this.#sampler = history && new TrafficSampler({ config: history.config, writer: history.writer, flows: this.flows, index: deps.index, logger: deps.logger, metrics: deps.metrics });
    const registers = [deps.metrics];
    this.#incidents = new Counter({ name: 'netwarden_detector_incident_events_total', help: 'incident events', labelNames: ['kind', 'direction', 'event'], registers });
    this.#handlerErrors = new Counter({ name: 'netwarden_detector_handler_errors_total', help: 'incident events a handler failed on', registers });
    this.#flowsCounter = new Counter({ name: 'netwarden_detector_flows_total', help: 'flows run through detection', registers });
    this.#droppedCounter = new Counter({
      name: 'netwarden_detector_dropped_flows_total',
      help: 'flows a receive thread dropped because the detector had too many batches queued (detection is behind)',
      registers,
    });
    const stats = this.flows.stats;
    new Gauge({ name: 'netwarden_detector_active_servers', help: 'servers with traffic in the last 300 s', registers, collect() { this.set(stats.activeServers); } });
    new Gauge({ name: 'netwarden_detector_watched', help: 'server directions watched for evidence', registers, collect() { this.set(stats.watched); } });
    new Gauge({ name: 'netwarden_detector_rate_table_bytes', help: 'memory of the per-server rate table', registers, collect() { this.set(stats.rateTableBytes); } });
    new Gauge({ name: 'netwarden_detector_netscan_targets', help: 'distinct scan targets tracked', registers, collect() { this.set(stats.netscanTrackedTargets); } });
  }

  #emit(event: 'opened' | 'updated' | 'ended', incident: Incident): void {
    this.#incidents.inc({ kind: incident.kind, direction: incident.direction, event });
    if (event === 'opened') {
      this.#deps.logger.warn(
        { component: 'detector', incident: incident.id, kind: incident.kind, direction: incident.direction, server: incident.serverId, address: incident.address },
        'incident opened',
      );
    }
    this.#pending++;
    this.#queue = this.#queue.then(async () => {
      for (const handler of this.#deps.handlers) {
        try {
          await handler.handle(event, incident);
        } catch (error) {
          this.#handlerErrors.inc();
          this.#deps.logger.error({ component: 'detector', incident: incident.id, event, err: error }, 'incident handler failed');
        }
      }
      this.#pending--;
    });
  }

  /**
   * A message of a receive thread's batching consumer: a batch (run it, then acknowledge
   * it so the thread's queue bound counts it done), its queue counters, or a drop report.
   */
  onConsumerMessage(message: unknown, worker: number): void {
    const m = message as DetectionConsumerMessage;
    if (m.type === 'flow-batch') {
      try {
        this.onBatch(m.batch);
      } finally {
        const queue = this.#queues.get(worker);
        if (queue !== undefined) Atomics.add(queue, DONE, 1);
      }
    } else if (m.type === 'flow-batch-queue') {
      this.#queues.set(worker, new Int32Array(m.counters));
    } else if (m.type === 'flow-batch-dropped') {
      this.#droppedCounter.inc(m.flows);
      this.#droppedSinceLog += m.flows;
      const now = Date.now();
      if (now - this.#lastDropLogMs >= 10_000) {
        this.#deps.logger.warn({ component: 'detector', droppedFlows: this.#droppedSinceLog }, 'detection is behind: receive threads dropped flows (queue full)');
        this.#lastDropLogMs = now;
        this.#droppedSinceLog = 0;
      }
    }
  }

  /** A batch from a receive thread (or a replay). */
  onBatch(batch: FlowBatch): void {
    this.#reader.load(batch);
    this.flows.process(this.#reader);
    const n = this.flows.stats.flows;
    this.#flowsCounter.inc(n - this.#flowsExported);
    this.#flowsExported = n;
    this.#sampler?.observe(this.flows.clockMs);
  }

  /** Resolves when every queued incident event has been handled. */
  drain(): Promise<void> {
    return this.#queue;
  }

  get pendingEvents(): number {
    return this.#pending;
  }

  async start(): Promise<void> {
    if (this.#deps.live ?? true) {
      this.#timer = setInterval(() => {
        this.flows.idle(Date.now());
        this.#sampler?.observe(this.flows.clockMs);
      }, 100);
      this.#timer.unref();
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.flows.flood.flush(this.flows.clockMs);
    await this.drain();
    await this.#sampler?.stop();
  }
}

/** Persists every incident event. */
export function storeIncidents(repository: { save(incident: Incident): Promise<void> }): IncidentHandler {
  return { handle: (_event, incident) => repository.save(incident) };
}
