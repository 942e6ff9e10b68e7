/**
 * Records per second one core runs through FlowDetector.process — attribution through
 * the inventory index, per-server rate windows, the per-batch evaluation tick, netscan
 * counting and the source-address checks — over pre-built batches loaded the way
 * Detector.onBatch loads them. Between passes (untimed) the flows' times move on and the
 * remote peers change, so the detector sees a stream that goes forward in time with new
 * peers, not the same second replayed.
 */
import { GCProfiler } from 'node:v8';
import type { Config } from '../../src/config/config-schema.ts';
import { FlowBatchReader } from '../../src/detect/flow-batch.ts';
import { FlowDetector } from '../../src/detect/flow-detector.ts';
import type { IncidentSink } from '../../src/detect/incident.ts';
import type { InventoryIndex } from '../../src/inventory/inventory-index.ts';
import { type FlowMix, preparePass } from './flow-mix.ts';

export interface ThroughputResult {
  name: string;
  flowsPerPass: number;
  passes: number;
  seconds: number;
  recordsPerSecond: number;
  /** Records per second of CPU time the process used (all its threads, so GC helpers count): steadier than wall time on a shared machine. */
  recordsPerCpuSecond: number;
  nsPerRecord: number;
  /** Garbage collections during the timed passes and their total pause. */
  gcs: number;
  gcPauseMs: number;
  heapUsedMiB: number;
  arrayBuffersMiB: number;
  activeServers: number;
  netscanTrackedTargets: number;
  incidentsOpened: number;
}

export async function measureThroughput(options: {
  name: string;
  config: Config['detect'];
  index: InventoryIndex;
  mix: FlowMix;
  /** Event time one pass covers. */
  spanMs: number;
  seconds: number;
  maxPasses: number;
}): Promise<ThroughputResult> {
  let opened = 0;
  const sink: IncidentSink = { opened: () => opened++, updated: () => {}, ended: () => {} };
  const detector = new FlowDetector({ config: options.config, index: options.index, sink });
  const reader = new FlowBatchReader();
  const batches = options.mix.batches;
  const flowsPerPass = options.mix.composition.flows;
  let cpuMicros = 0;
  const runPass = (): number => {
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    for (const batch of batches) {
      reader.load(batch);
      detector.process(reader);
    }
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    const used = process.cpuUsage(cpu);
    cpuMicros += used.user + used.system;
    return elapsed;
  };
  let pass = 1;
  // Untimed warm-up: the JIT optimizes process() and what it inlines, and the netscan
  // windows fill (one window of event time) so the timed passes see the steady state.
  const warmupPasses = Math.ceil((options.config.netscan.windowSeconds * 1000) / options.spanMs) + 1;
  for (let k = 0; k < warmupPasses; k++) {
    preparePass(options.mix, pass++, k === 0 ? 0 : options.spanMs);
    runPass();
  }
  cpuMicros = 0;
  await new Promise((resolve) => setImmediate(resolve));
  const profiler = new GCProfiler();
  profiler.start();
  let elapsedMs = 0;
  let passes = 0;
  const wallStart = Date.now();
  while (passes < options.maxPasses && Date.now() - wallStart < options.seconds * 1000) {
    preparePass(options.mix, pass++, options.spanMs);
    elapsedMs += runPass();
    passes++;
  }
  const gcStats = profiler.stop()?.statistics ?? [];
  const records = passes * flowsPerPass;
  const memory = process.memoryUsage();
  return {
    name: options.name,
    flowsPerPass,
    passes,
    seconds: elapsedMs / 1000,
    recordsPerSecond: records / (elapsedMs / 1000),
    recordsPerCpuSecond: records / (cpuMicros / 1e6),
    nsPerRecord: (elapsedMs * 1e6) / records,
    gcs: gcStats.length,
    gcPauseMs: gcStats.reduce((sum, s) => sum + s.cost, 0) / 1000,
    heapUsedMiB: memory.heapUsed / 1048576,
    arrayBuffersMiB: memory.arrayBuffers / 1048576,
    activeServers: detector.stats.activeServers,
    netscanTrackedTargets: detector.stats.netscanTrackedTargets,
    incidentsOpened: opened,
  };
}
