/**
 * The traffic history behind the console's chart. Every `sampleSeconds` of detection time
 * the sampler reads the sliding packet and bit rates (in and out) of the recorded
 * servers from the detector's rate table and keeps the highest per server; when a bucket
 * of `bucketSeconds` is over, one sample per server goes to the store.
 *
 * Bounded by `maxServers` per bucket: servers near a threshold (watched for evidence)
 * first, since those are the ones the abuse desk looks at, then other servers with
 * traffic in slot order. Samples wait in a queue of at most four buckets' worth while one
 * write runs, so detection never waits for the store; beyond that they are dropped and
 * counted, and a failed write is counted and logged, not retried.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Counter, type Registry } from 'prom-client';
import type { InventoryIndex } from '../inventory/inventory-index.ts';
import type { Logger } from '../logger.ts';
import type { TrafficSample } from '../store/traffic-sample-repository.ts';
import { IN, METRIC_COUNT, OUT } from './thresholds.ts';
import { M_BYTES, M_PACKETS, type TrafficRates } from './traffic-rates.ts';

export const TrafficHistorySection = Type.Object(
  {
    sampleSeconds: Type.Integer({ minimum: 1, maximum: 60, default: 10, description: 'the rates of the recorded servers are read this often; a bucket stores the highest reading' }),
    bucketSeconds: Type.Integer({ minimum: 10, maximum: 3600, default: 60, description: 'one stored sample per server and bucket' }),
    maxServers: Type.Integer({
      minimum: 0,
      maximum: 100_000,
      default: 1000,
      description: 'servers recorded per bucket: those near a threshold first, then others with traffic (0: no history). Rows per day = this x 86400 / bucketSeconds',
    }),
    retentionDays: Type.Number({ minimum: 1, maximum: 365, default: 7, description: 'samples older than this are deleted' }),
  },
  { additionalProperties: false, default: {}, description: 'Traffic history for the console\'s chart, recorded by the detector.' },
);
export type TrafficHistoryConfig = Static<typeof TrafficHistorySection>;

export interface TrafficSampleWriter {
  record(samples: TrafficSample[]): Promise<void>;
  prune(beforeMs: number): Promise<number>;
}

/** The parts of the detection pipeline the sampler reads (FlowDetector has them). */
export interface SampledRates {
  rates: TrafficRates;
  flood: { watched: ReadonlyMap<number, { row: number }> };
}

/** Buckets' worth of samples that may wait for the store. */
const QUEUED_BUCKETS = 4;
const WRITE_CHUNK = 500;
const PRUNE_EVERY_MS = 3_600_000;

export class TrafficSampler {
  readonly #config: TrafficHistoryConfig;
  readonly #flows: SampledRates;
  readonly #index: InventoryIndex;
  readonly #writer: TrafficSampleWriter;
  readonly #logger: Logger;
  /** serverId -> [packetsIn, packetsOut, bitsIn, bitsOut], highest this bucket. */
  readonly #peaks = new Map<string, Float64Array>();
  readonly #scratch = new Float64Array(METRIC_COUNT);
  readonly #visited = new Set<number>();
  #bucket = -1;
  #nextSampleMs = 0;
  #lastPruneMs = 0;
  readonly #queue: TrafficSample[] = [];
  #pruneBefore: number | null = null;
  #writing: Promise<void> | null = null;
  readonly #written: Counter;
  readonly #failed: Counter;
  readonly #dropped: Counter;

  constructor(deps: { config: TrafficHistoryConfig; flows: SampledRates; index: InventoryIndex; writer: TrafficSampleWriter; logger: Logger; metrics: Registry }) {
    this.#config = deps.config;
    this.#flows = deps.flows;
    this.#index = deps.index;
    this.#writer = deps.writer;
    this.#logger = deps.logger;
    const registers = [deps.metrics];
    this.#written = new Counter({ name: 'netwarden_detector_traffic_samples_total', help: 'traffic samples written to the history', registers });
    this.#failed = new Counter({ name: 'netwarden_detector_traffic_sample_write_errors_total', help: 'history writes that failed (their samples are lost)', registers });
    this.#dropped = new Counter({ name: 'netwarden_detector_traffic_samples_dropped_total', help: 'samples not written because earlier writes were still pending', registers });
  }

  /** Called with the detector's clock after every batch and tick; samples when one is due. */
  observe(nowMs: number): void {
    if (this.#config.maxServers === 0 || nowMs < this.#nextSampleMs) return;
    const bucketMs = this.#config.bucketSeconds * 1000;
    const bucket = Math.floor(nowMs / bucketMs) * bucketMs;
    if (bucket !== this.#bucket) {
      this.#flush();
      this.#bucket = bucket;
    }
    this.#sample(nowMs);
    const sampleMs = this.#config.sampleSeconds * 1000;
    this.#nextSampleMs = (Math.floor(nowMs / sampleMs) + 1) * sampleMs;
    if (nowMs - this.#lastPruneMs >= PRUNE_EVERY_MS) {
      this.#lastPruneMs = nowMs;
      this.#pruneBefore = nowMs - this.#config.retentionDays * 86_400_000;
      this.#write();
    }
  }

  /** Writes the current bucket and waits for every queued write. */
  async stop(): Promise<void> {
    this.#flush();
    while (this.#writing !== null) await this.#writing;
  }

  #sample(nowMs: number): void {
    const rates = this.#flows.rates;
    this.#visited.clear();
    for (const state of this.#flows.flood.watched.values()) this.#read(state.row, nowMs);
    const slots = this.#index.slotCapacity;
    for (let slot = 0; slot < slots && this.#peaks.size < this.#config.maxServers; slot++) {
      const row = rates.rowOf(slot);
      if (row >= 0) this.#read(row, nowMs);
    }
  }

  #read(row: number, nowMs: number): void {
    if (this.#visited.has(row)) return;
    this.#visited.add(row);
    const info = this.#index.slotInfo(this.#flows.rates.slotOf(row));
    if (info === undefined) return;
    let peak = this.#peaks.get(info.serverId);
    if (peak === undefined) {
      if (this.#peaks.size >= this.#config.maxServers) return;
      peak = new Float64Array(4);
      this.#peaks.set(info.serverId, peak);
    }
    const r = this.#scratch;
    this.#flows.rates.rates(row, IN, nowMs, r);
    if (r[M_PACKETS] > peak[0]) peak[0] = r[M_PACKETS];
    if (r[M_BYTES] > peak[2]) peak[2] = r[M_BYTES];
    this.#flows.rates.rates(row, OUT, nowMs, r);
    if (r[M_PACKETS] > peak[1]) peak[1] = r[M_PACKETS];
    if (r[M_BYTES] > peak[3]) peak[3] = r[M_BYTES];
  }

  #flush(): void {
    if (this.#bucket < 0 || this.#peaks.size === 0) return;
    const at = this.#bucket;
    const limit = QUEUED_BUCKETS * this.#config.maxServers;
    let dropped = 0;
    for (const [serverId, p] of this.#peaks) {
      if (this.#queue.length >= limit) dropped++;
      else this.#queue.push({ serverId, at, packetsIn: p[0], packetsOut: p[1], bitsIn: p[2], bitsOut: p[3] });
    }
    this.#peaks.clear();
    if (dropped > 0) this.#dropped.inc(dropped);
    this.#write();
  }

  /** Starts the writer loop unless it runs; it empties the queue one chunk at a time. */
  #write(): void {
    if (this.#writing !== null) return;
    this.#writing = (async () => {
      while (this.#queue.length > 0 || this.#pruneBefore !== null) {
        const chunk = this.#queue.splice(0, WRITE_CHUNK);
        const pruneBefore = this.#pruneBefore;
        this.#pruneBefore = null;
        try {
          if (chunk.length > 0) {
            await this.#writer.record(chunk);
            this.#written.inc(chunk.length);
          }
          if (pruneBefore !== null) await this.#writer.prune(pruneBefore);
        } catch (error) {
          this.#failed.inc();
          this.#logger.warn({ component: 'detector', err: error, samples: chunk.length }, 'traffic history write failed');
        }
      }
      this.#writing = null;
    })();
  }
}
