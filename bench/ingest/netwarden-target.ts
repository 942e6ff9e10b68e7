/** Netwarden's UdpCollector as a bench target, in its own process (netwarden-collector-process.ts). */
import { type ChildProcess, fork } from 'node:child_process';
import type { FlowConsumerSpec } from '../../src/flow/flow-consumer.ts';
import type { UdpCollectorConfig, UdpCollectorTotals } from '../../src/flow/udp/udp-collector.ts';
import { type IngestTarget, type StepCounts, sleep, waitFor } from './ingest-target.ts';
import type { CollectorProcessCommand, CollectorProcessOptions, CollectorProcessReply } from './netwarden-collector-process.ts';
import { udpPortStats } from './proc-stats.ts';

export interface NetwardenTargetOptions {
  protocol: 'sflow' | 'netflow';
  port: number;
  workers: number;
  receiveBufferBytes: number;
  consumer: FlowConsumerSpec;
}

/** Receive threads report once a second: a count unchanged this long has settled. */
const STABLE_MS = 2500;
const SETTLE_TIMEOUT_MS = 15_000;

export class NetwardenTarget implements IngestTarget {
  readonly implementation = 'netwarden';
  readonly port: number;
  readonly setup: string;
  readonly #options: NetwardenTargetOptions;
  #child: ChildProcess | undefined;
  #exited = false;
  #before: UdpCollectorTotals | undefined;
  #after: UdpCollectorTotals | undefined;
  /** The last step's datagrams were all accounted for, so its totals are final. */
  #settledFully = false;
  workerFlows: number[] = [];

  constructor(options: NetwardenTargetOptions) {
    this.#options = options;
    this.port = options.port;
    this.setup = `UdpCollector, ${options.workers} receive threads (SO_REUSEPORT), SO_RCVBUF ${options.receiveBufferBytes} requested`;
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
    const options: CollectorProcessOptions = { config: this.config(), consumer: this.#options.consumer };
    const child = fork(new URL('./netwarden-collector-process.ts', import.meta.url), [JSON.stringify(options)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#child = child;
    child.once('exit', () => {
      this.#exited = true;
    });
    const reply = await this.#next(20_000);
    if (reply.type !== 'ready') throw new Error(`netwarden collector: ${reply.type === 'failed' ? reply.message : reply.type}`);
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
    return reply.totals;
  }

  pid(): number {
    return this.#child?.pid ?? -1;
  }

  async beginStep(): Promise<void> {
    if (this.#settledFully && this.#after !== undefined) {
      this.#before = this.#after;
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
  }

  async settle(expected: { datagrams: number; flows: number }): Promise<void> {
    const before = this.#before!;
    let last = -1;
    let lastChange = performance.now();
    this.#settledFully = false;
    await waitFor(
      async () => {
        const t = await this.totals();
        this.#after = t;
        const accounted = t.datagrams - before.datagrams + (t.kernelDrops - before.kernelDrops);
        if (accounted >= expected.datagrams && udpPortStats(this.port).queued === 0) {
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
    return {
      datagrams: a.datagrams - b.datagrams,
      flows: a.flows - b.flows,
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
