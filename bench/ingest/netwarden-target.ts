/** Netwarden's UdpCollector as a bench target, in its own process (netwarden-collector-process.ts). */
import { type ChildProcess, fork } from 'node:child_process';
import type { FlowConsumerSpec } from '../../src/flow/flow-consumer.ts';
import type { UdpCollectorConfig, UdpCollectorTotals } from '../../src/flow/udp/udp-collector.ts';
import { type IngestTarget, type StepCounts, sleep, waitFor } from './ingest-target.ts';
import type { CollectorProcessCommand, CollectorProcessOptions, CollectorProcessReply, DetectionTotals } from './netwarden-collector-process.ts';
import { udpPortStats } from './proc-stats.ts';

export interface NetwardenTargetOptions {
  protocol: 'sflow' | 'netflow';
  port: number;
  workers: number;
  receiveBufferBytes: number;
  consumer: FlowConsumerSpec;
  /** Run the detector on every flow (with the batching consumer), as `netwarden serve` does. */
  detect?: CollectorProcessOptions['detect'];
}

/**
 * With detection, a step's flows are those the detector has run by this long after the
 * sender stopped: a detector that falls behind loses them (its queue would grow without
 * end at that rate), however long it would take to catch up.
 */
const DETECTION_GRACE_MS = 1000;

/** Receive threads report once a second: a count unchanged this long has settled. */
const STABLE_MS = 2500;
const SETTLE_TIMEOUT_MS = 15_000;

export class NetwardenTarget implements IngestTarget {
  readonly implementation = 'netwarden';
  readonly port: number;
  setup: string;
  readonly #options: NetwardenTargetOptions;
  #child: ChildProcess | undefined;
  #exited = false;
  #before: UdpCollectorTotals | undefined;
  #after: UdpCollectorTotals | undefined;
  /** The last step's datagrams were all accounted for, so its totals are final. */
  #settledFully = false;
  #detectionBefore: DetectionTotals | null = null;
  #detectionAfter: DetectionTotals | null = null;
  workerFlows: number[] = [];
  /** Incidents the detector opened during the run (with detection). */
  incidentsOpened = 0;

  constructor(options: NetwardenTargetOptions) {
    this.#options = options;
    this.port = options.port;
    this.setup =
      `UdpCollector, ${options.workers} receive threads (SO_REUSEPORT), SO_RCVBUF ${options.receiveBufferBytes} requested` +
      (options.detect === undefined ? '' : `; Detector in the main thread, inventory of ${options.detect.networks.length * 256} servers (${options.detect.networks.join(', ')})`);
  }

  config(): UdpCollectorConfig {
    const o = this.#options;
    return {
      sflow: o.protocol === 'sflow' ? [`127.0.0.1:${o.port}`] : [],
      netflow: o.protocol === 'netflow' ? [`127.0.0.1:${o.port}`] : [],
      ipfix: [],
      exporters: ['127.0.0.1/32'],
      workers: o.workers,
      receiveBufferBytes: o.receiveBufferBytes,
      maxExporters: 10_000,
      maxTemplatesPerExporter: 1024,
      templateExpirySeconds: 1800,
    };
  }

  async start(): Promise<void> {
    const options: CollectorProcessOptions = { config: this.config(), consumer: this.#options.consumer, detect: this.#options.detect };
    const child = fork(new URL('./netwarden-collector-process.ts', import.meta.url), [JSON.stringify(options)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#child = child;
    child.once('exit', () => {
      this.#exited = true;
    });
    const reply = await this.#next(20_000);
    if (reply.type !== 'ready') throw new Error(`netwarden collector: ${reply.type === 'failed' ? reply.message : reply.type}`);
    if (!this.setup.includes('receive path')) this.setup += `; receive path ${reply.receiver}`;
  }

  #next(timeoutMs: number): Promise<CollectorProcessReply> {
    const child = this.#child;
    if (child === undefined || this.#exited) return Promise.reject(new Error('netwarden collector is not running'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.off('message', onMessage);
        reject(new Error('netwarden collector: no reply'));
      }, timeoutMs);
      const onMessage = (message: CollectorProcessReply) => {
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(message);
      };
      child.on('message', onMessage);
    });
  }

  async totals(): Promise<UdpCollectorTotals> {
    const pending = this.#next(5000);
    this.#child?.send({ type: 'totals' } satisfies CollectorProcessCommand);
    const reply = await pending;
    if (reply.type !== 'totals') throw new Error(`netwarden collector: unexpected ${reply.type}`);
    this.workerFlows = reply.workerFlows;
    this.#detectionAfter = reply.detection;
    if (reply.detection !== null) this.incidentsOpened = reply.detection.incidentsOpened;
    return reply.totals;
  }

  pid(): number {
    return this.#child?.pid ?? -1;
  }

  async beginStep(): Promise<void> {
    if (this.#settledFully && this.#after !== undefined) {
      this.#before = this.#after;
      this.#detectionBefore = this.#detectionAfter;
      return;
    }
    // Counts still arriving from the previous step would be charged to this one: wait.
    let last = -1;
    await waitFor(
      async () => {
        const t = await this.totals();
        const stable = t.datagrams === last && udpPortStats(this.port).queued === 0;
        last = t.datagrams;
        return stable;
      },
      SETTLE_TIMEOUT_MS,
      1100,
    );
    this.#before = await this.totals();
    this.#detectionBefore = this.#detectionAfter;
  }

  async settle(expected: { datagrams: number; flows: number }): Promise<void> {
    const before = this.#before!;
    let last = -1;
    let lastChange = performance.now();
    this.#settledFully = false;
    if (this.#options.detect !== undefined) this.#child?.send({ type: 'mark', atMs: Date.now(), graceMs: DETECTION_GRACE_MS } satisfies CollectorProcessCommand);
    await waitFor(
      async () => {
        const t = await this.totals();
        this.#after = t;
        const detection = this.#detectionAfter;
        // With detection: done once the grace time's count is in and the detector caught up (or stalled).
        const caughtUp = detection === null || (detection.flowsAtMark !== null && detection.flows >= (this.#detectionBefore?.flows ?? 0) + (t.flows - before.flows));
        if (detection !== null && detection.flowsAtMark === null) return false;
        const accounted = t.datagrams - before.datagrams + (t.kernelDrops - before.kernelDrops);
        if (accounted >= expected.datagrams && udpPortStats(this.port).queued === 0 && caughtUp) {
          this.#settledFully = true;
          return true;
        }
        if (t.datagrams !== last) {
          last = t.datagrams;
          lastChange = performance.now();
        }
        return performance.now() - lastChange > STABLE_MS;
      },
      SETTLE_TIMEOUT_MS,
      200,
    );
  }

  async collect(): Promise<StepCounts> {
    const a = this.#after!;
    const b = this.#before!;
    const detectionBefore = this.#detectionBefore;
    return {
      datagrams: a.datagrams - b.datagrams,
      flows: detectionBefore === null ? a.flows - b.flows : Math.max(0, (this.#detectionAfter?.flowsAtMark ?? -1) - detectionBefore.flows),
      kernelDrops: a.kernelDrops - b.kernelDrops,
      decodeErrors: a.decodeErrors - b.decodeErrors + (a.unknownExporterDatagrams - b.unknownExporterDatagrams),
    };
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (child === undefined || this.#exited) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.send({ type: 'stop' } satisfies CollectorProcessCommand);
    const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
    await Promise.race([exited, sleep(10_000)]);
    clearTimeout(timer);
  }

  killNow(): void {
    if (this.#child !== undefined && !this.#exited) this.#child.kill('SIGKILL');
  }
}
