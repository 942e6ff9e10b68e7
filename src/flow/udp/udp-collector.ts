/**
 * The collector component: starts the receive threads, turns their counters into
 * Prometheus metrics, logs a few decode-error samples per interval, and relays consumer
 * messages (e.g. detection aggregates) to whoever listens.
 */
import { Worker } from 'node:worker_threads';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '../../logger.ts';
import type { FlowConsumerSpec } from '../flow-consumer.ts';
import { LISTENER_PROTOCOLS, type ListenerKind } from '../flow-protocol.ts';
import type { CollectorWorkerData, CollectorWorkerMessage, CollectorWorkerStats } from './collector-worker.ts';
import { kernelUdpDrops } from './kernel-udp-drops.ts';
import { parseListenAddress } from './udp-listener.ts';

export interface UdpCollectorConfig {
  sflow: string[];
  netflow: string[];
  ipfix: string[];
  exporters: string[];
  workers: number;
  receiveBufferBytes: number;
  /** Default 'auto': the batched native receive path when built (npm run build:native), else Node's dgram. */
  receiver?: 'auto' | 'node' | 'recvmmsg';
  maxExporters: number;
  maxTemplatesPerExporter: number;
  templateExpirySeconds: number;
}

export interface UdpCollectorDeps {
  config: UdpCollectorConfig;
  logger: Logger;
  metrics: Registry;
  consumer?: FlowConsumerSpec;
  /** Receives every message a consumer posts from a receive thread. */
  onConsumerMessage?: (message: unknown, worker: number) => void;
}

export interface UdpCollectorTotals {
  datagrams: number;
  flows: number;
  unknownExporterDatagrams: number;
  decodeErrors: number;
  kernelDrops: number;
}

const LOG_PER_MINUTE = 5;

const COUNTING_CONSUMER: FlowConsumerSpec = { module: new URL('../counting-flow-consumer.ts', import.meta.url).href, options: {} };

export class UdpCollector {
  readonly name = 'collector';
  readonly #deps: UdpCollectorDeps;
  readonly #workers: Worker[] = [];
  /** How the receive threads take datagrams, once started. */
  receiver: 'node' | 'recvmmsg' | undefined;
  readonly #latest = new Map<number, CollectorWorkerStats>();
  readonly #ports: number[];
  readonly #datagrams: Counter<'protocol'>;
  readonly #flows: Counter<'protocol'>;
  readonly #unknown: Counter;
  readonly #errors: Counter<'protocol' | 'exporter' | 'reason'>;
  readonly #kernelDrops: Gauge;
  readonly #templates: Gauge;
  /** Counter values already exported, per series key, to turn cumulative worker counts into increments. */
  readonly #exported = new Map<string, number>();
  #stopped: Promise<void>[] = [];
  #logWindowStart = 0;
  #logged = 0;
  #suppressed = 0;

  constructor(deps: UdpCollectorDeps) {
    this.#deps = deps;
    const listeners = this.listeners();
    this.#ports = [...new Set(listeners.map((l) => l.port))];
    const r = [deps.metrics];
    this.#datagrams = new Counter({ name: 'netwarden_collector_datagrams_total', help: 'export datagrams decoded', labelNames: ['protocol'], registers: r });
    this.#flows = new Counter({ name: 'netwarden_collector_flows_total', help: 'flow records decoded', labelNames: ['protocol'], registers: r });
    this.#unknown = new Counter({ name: 'netwarden_collector_unknown_exporter_datagrams_total', help: 'datagrams from exporters not in collector.exporters, dropped', registers: r });
    this.#errors = new Counter({
      name: 'netwarden_collector_decode_errors_total',
      help: 'decode problems per exporter and reason (the datagram or its bad part was dropped)',
      labelNames: ['protocol', 'exporter', 'reason'],
      registers: r,
    });
    this.#kernelDrops = new Gauge({ name: 'netwarden_collector_kernel_drops', help: 'datagrams the kernel dropped on our sockets (receive queue full)', registers: r });
    this.#templates = new Gauge({ name: 'netwarden_collector_templates', help: 'NetFlow v9/IPFIX templates cached, all threads', registers: r });
  }

  listeners(): CollectorWorkerData['listeners'] {
    const c = this.#deps.config;
    return (Object.keys(LISTENER_PROTOCOLS) as ListenerKind[]).flatMap((kind) =>
      c[kind].map((address) => ({ protocol: LISTENER_PROTOCOLS[kind], ...parseListenAddress(address), address })),
    );
  }

  async start(): Promise<void> {
    const c = this.#deps.config;
    const ready: Promise<void>[] = [];
    for (let i = 0; i < c.workers; i++) {
      const data: CollectorWorkerData = {
        worker: i,
        listeners: this.listeners(),
        exporters: c.exporters,
        receiveBufferBytes: c.receiveBufferBytes,
        receiver: c.receiver ?? 'auto',
        decoders: { maxExporters: c.maxExporters, maxTemplatesPerExporter: c.maxTemplatesPerExporter, templateExpirySeconds: c.templateExpirySeconds },
        consumer: this.#deps.consumer ?? COUNTING_CONSUMER,
      };
      const worker = new Worker(new URL('./collector-worker.ts', import.meta.url), { workerData: data, name: `collector-${i}` });
      this.#workers.push(worker);
      ready.push(
        new Promise<void>((resolve, reject) => {
          worker.on('message', (message: CollectorWorkerMessage) => {
            if (message.type === 'ready') {
              this.receiver = message.receiver;
              resolve();
            }
            else if (message.type === 'failed') reject(new Error(`receive thread ${i}: ${message.message}`));
            else this.#onMessage(message);
          });
          worker.on('error', (error) => {
            this.#deps.logger.error({ component: 'collector', worker: i, err: error }, 'receive thread crashed');
            reject(error);
          });
        }),
      );
      this.#stopped.push(new Promise<void>((resolve) => worker.once('exit', () => resolve())));
    }
    try {
      await Promise.all(ready);
    } catch (error) {
      await this.stop();
      throw error;
    }
    this.#deps.logger.info({ component: 'collector', workers: c.workers, receiver: this.receiver, listeners: this.listeners().map((l) => `${l.protocol}@${l.address}`) }, 'collector listening');
  }

  #onMessage(message: CollectorWorkerMessage): void {
    if (message.type === 'consumer') {
      this.#deps.onConsumerMessage?.(message.message, message.worker);
      return;
    }
    if (message.type !== 'stats') return;
    this.#latest.set(message.worker, message);
    const w = message.worker;
    for (const protocol of ['sflow', 'netflow'] as const) {
      this.#advance(this.#datagrams, { protocol }, `${w}/d/${protocol}`, message.datagrams[protocol]);
      this.#advance(this.#flows, { protocol }, `${w}/f/${protocol}`, message.flows[protocol]);
    }
    this.#advance(this.#unknown, {}, `${w}/u`, message.unknownExporterDatagrams);
    for (const [protocol, exporter, reason, count] of message.errors) {
      this.#advance(this.#errors, { protocol, exporter, reason }, `${w}/e/${protocol}/${exporter}/${reason}`, count);
    }
    for (const s of message.samples) this.#logBadDatagram(s);
    let templates = 0;
    for (const stats of this.#latest.values()) templates += stats.templates.templates;
    this.#templates.set(templates);
    this.#kernelDrops.set(kernelUdpDrops(this.#ports));
  }

  /**
   * At most LOG_PER_MINUTE lines a minute about bad datagrams, whatever a sender does; the
   * counters have every one of them, and the next line says how many were not logged.
   */
  #logBadDatagram(s: { exporter: string; protocol: string; reason: string; detail: string }): void {
    const now = Date.now();
    if (now - this.#logWindowStart >= 60_000) {
      this.#logWindowStart = now;
      this.#logged = 0;
    }
    if (this.#logged >= LOG_PER_MINUTE) {
      this.#suppressed++;
      return;
    }
    this.#logged++;
    const suppressed = this.#suppressed;
    this.#suppressed = 0;
    this.#deps.logger.warn(
      { component: 'collector', exporter: s.exporter, protocol: s.protocol, reason: s.reason, detail: s.detail, ...(suppressed > 0 ? { notLoggedBefore: suppressed } : {}) },
      'bad export datagram',
    );
  }

  #advance<L extends string>(counter: Counter<L>, labels: Partial<Record<L, string>>, key: string, total: number): void {
    const before = this.#exported.get(key) ?? 0;
    if (total > before) {
      counter.inc(labels, total - before);
      this.#exported.set(key, total);
    }
  }

  /** Totals over all threads as of their last report. */
  totals(): UdpCollectorTotals {
    const t: UdpCollectorTotals = { datagrams: 0, flows: 0, unknownExporterDatagrams: 0, decodeErrors: 0, kernelDrops: kernelUdpDrops(this.#ports) };
    for (const s of this.#latest.values()) {
      t.datagrams += s.datagrams.sflow + s.datagrams.netflow;
      t.flows += s.flows.sflow + s.flows.netflow;
      t.unknownExporterDatagrams += s.unknownExporterDatagrams;
      for (const e of s.errors) t.decodeErrors += e[3];
    }
    return t;
  }

  async stop(): Promise<void> {
    for (const worker of this.#workers) worker.postMessage({ type: 'stop' });
    const timeout = setTimeout(() => {
      for (const worker of this.#workers) void worker.terminate();
    }, 5000);
    await Promise.all(this.#stopped);
    clearTimeout(timeout);
    this.#workers.length = 0;
    this.#stopped = [];
  }
}
