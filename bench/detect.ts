/**
 * Detection benchmark: is detection bounded and fast?
 *
 * Run: node bench/detect.ts [options]   (npm run bench:detect)
 *
 * 1. Throughput (one core, in process): an inventory of 100,000 servers (one IPv4 address
 *    each, every tenth with a routed /29, 30 % with an IPv6 /64; generated provider blocks,
 *    nothing is sent) and pre-built flow batches with a provider's mix (bench/detect/
 *    flow-mix.ts) run through FlowDetector.process for a few seconds: records/s through
 *    attribution, rate windows, evaluation and netscan counting. Once with connection
 *    attempts (the realistic mix) and once without (netscan counting idle), to show its share.
 *    Untimed passes first fill one netscan window (60 s of event time): the steady state is timed.
 * 2. Memory (a child process with --expose-gc): 1,000,000 servers each with traffic in both
 *    directions; JS heap + ArrayBuffer growth per tracked server, and per netscan target.
 * 3. Latency over UDP on loopback with the collector running (bench/detect/udp-latency.ts,
 *    at most 200 s):
 *    an outbound flood of 135,000 packets/s in sFlow 1:1000 and in NetFlow v9, and a SYN
 *    sweep over NetFlow v9 (1,000 probes/s) and sFlow (5,000 and 20,000 probes/s), each
 *    repeated --runs times on fresh servers; median,
 *    min and max from the reference instant to the detector opening the incident (and,
 *    for information, to the incident handlers after the store and the lock layer).
 * Then a table of the figures beside the targets with PASS/FAIL.
 *
 * Bounded: about 3-4 minutes in all (each part has its own time limit); traffic goes to
 * 127.0.0.1 only; the Netwarden and the child process it starts are stopped.
 *
 * Options:
 *   --only LIST             throughput,memory,latency (default all)
 *   --runs N                runs per latency scenario (default 10: one per tenth of a second of start offset)
 *   --seconds N             timed seconds per throughput case (default 4)
 *   --servers N             inventory size for throughput (default 100000)
 *   --memory-servers N      tracked servers for the memory part (default 1000000)
 *   --netscan-attempts N    attempts for the netscan memory figure (default 200000)
 *   --detect JSON           overrides of the detect config section, e.g. '{"openAfterSeconds":0.1}'
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { resolveConfig } from '../src/config/load-config.ts';
import { buildFlowMix } from './detect/flow-mix.ts';
import { generateInventory, loadIndex } from './detect/provider-inventory.ts';
import { machineInfo, median, mib, millions, ms, table, type Verdict, verdictTable } from './detect/report.ts';
import { measureThroughput, type ThroughputResult } from './detect/throughput.ts';
import { measureTrackedMemory, type TrackedMemoryResult } from './detect/tracked-memory.ts';
import { type LatencyScenario, measureUdpLatency } from './detect/udp-latency.ts';

const THROUGHPUT_TARGET = 2_000_000;
const MEMORY_TARGET_SERVERS = 1_000_000;
const GIB = 2 ** 30;
const LATENCY_TARGET_MS = 1000;
const MEMORY_CHILD_TIMEOUT_MS = 150_000;
const LATENCY_BUDGET_MS = 200_000;
const FLOWS_PER_BATCH = 4096;
const BATCHES = 64;
const PASS_SPAN_MS = 1000;

const { values: args } = parseArgs({
  options: {
    only: { type: 'string', default: 'throughput,memory,latency' },
    runs: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '4' },
    servers: { type: 'string', default: '100000' },
    'memory-servers': { type: 'string', default: String(MEMORY_TARGET_SERVERS) },
    'netscan-attempts': { type: 'string', default: '200000' },
    detect: { type: 'string', default: '{}' },
    'memory-child': { type: 'boolean', default: false },
  },
});

const detectOverrides = JSON.parse(args.detect) as Record<string, unknown>;
const config = resolveConfig({ detect: detectOverrides }).detect;

if (args['memory-child']) {
  const result = await measureTrackedMemory({ servers: Number(args['memory-servers']), attempts: Number(args['netscan-attempts']), config, seed: 3 });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

const parts = new Set(args.only.split(','));
const benchStart = Date.now();
const verdicts: Verdict[] = [];
const log = (line = ''): void => console.log(line);

log('detection benchmark (bench/detect.ts)');
for (const line of machineInfo()) log(line);
log(
  `detect config: rateWindowSeconds ${config.rateWindowSeconds}, openAfterSeconds ${config.openAfterSeconds}, outbound packetsPerSecond ${config.outbound.packetsPerSecond.toLocaleString('en')}, ` +
    `netscan horizontalAddresses ${config.netscan.horizontalAddresses} (minSampledTargets ${config.netscan.minSampledTargets}), maxActiveServers ${config.maxActiveServers.toLocaleString('en')}` +
    (args.detect === '{}' ? ' (defaults)' : ` (overrides ${args.detect})`),
);
log();

if (parts.has('throughput')) {
  const servers = Number(args.servers);
  log(`1. throughput, one core: FlowDetector.process over ${BATCHES} pre-built batches of ${FLOWS_PER_BATCH} flows (1 s of event time per pass), ${servers.toLocaleString('en')} servers`);
  let t = Date.now();
  const inventory = generateInventory(servers, 1);
  const index = loadIndex(inventory);
  const stats = index.stats();
  log(`   inventory: ${stats.servers.toLocaleString('en')} servers, ${stats.prefixes.toLocaleString('en')} prefixes, loaded in ${Date.now() - t} ms`);
  const results: ThroughputResult[] = [];
  for (const attempts of [true, false]) {
    t = Date.now();
    const mix = buildFlowMix(inventory, { flows: BATCHES * FLOWS_PER_BATCH, capacity: FLOWS_PER_BATCH, startMs: Date.UTC(2026, 0, 1), spanMs: PASS_SPAN_MS, seed: 2, attempts });
    const c = mix.composition;
    const pct = (n: number): string => `${((100 * n) / c.flows).toFixed(1)} %`;
    log(
      `   mix ${attempts ? 'with' : 'without'} connection attempts (built in ${Date.now() - t} ms): outbound ${pct(c.outbound)}, inbound ${pct(c.inbound)}, transit ${pct(c.transit)}, ` +
        `server-to-server ${pct(c.serverToServer)}, IPv6 ${pct(c.ipv6)}, attempts ${pct(c.attempts)}, sFlow samples ${pct(c.sflow)}`,
    );
    results.push(
      await measureThroughput({
        name: attempts ? 'provider mix (with connection attempts)' : 'same mix, no connection attempts',
        config,
        index,
        mix,
        spanMs: PASS_SPAN_MS,
        seconds: Number(args.seconds),
        maxPasses: 200,
      }),
    );
  }
  log(
    table(
      ['case', 'records/s', 'per CPU-second', 'ns/record', 'passes', 'GCs (pause)', 'active servers', 'netscan targets', 'incidents', 'heap / ArrayBuffers after'],
      results.map((r) => [
        r.name,
        millions(r.recordsPerSecond),
        millions(r.recordsPerCpuSecond),
        r.nsPerRecord.toFixed(0),
        String(r.passes),
        `${r.gcs} (${r.gcPauseMs.toFixed(0)} ms)`,
        r.activeServers.toLocaleString('en'),
        r.netscanTrackedTargets.toLocaleString('en'),
        String(r.incidentsOpened),
        `${mib(r.heapUsedMiB * 2 ** 20)} / ${mib(r.arrayBuffersMiB * 2 ** 20)}`,
      ]),
    )
      .split('\n')
      .map((l) => `   ${l}`)
      .join('\n'),
  );
  log('   (incidents: netscans of servers whose sampled UDP from ephemeral ports reaches new peers on every pass; the replay changes peers each pass)');
  verdicts.push({
    measure: 'records/s per core (attribution, windows, netscan)',
    measured: `${millions(results[0].recordsPerSecond)} (per CPU-s ${millions(results[0].recordsPerCpuSecond)}; ${millions(results[1].recordsPerSecond)} without attempts)`,
    target: `>= ${millions(THROUGHPUT_TARGET)}`,
    pass: results[0].recordsPerSecond >= THROUGHPUT_TARGET,
  });
  log();
}

if (parts.has('memory')) {
  const servers = Number(args['memory-servers']);
  log(`2. memory: ${servers.toLocaleString('en')} tracked servers (child process, --expose-gc --max-old-space-size=4096, limit ${MEMORY_CHILD_TIMEOUT_MS / 1000} s)`);
  const m = await runMemoryChild();
  if (m === null) {
    verdicts.push({ measure: `memory of ${MEMORY_TARGET_SERVERS.toLocaleString('en')} tracked servers`, measured: 'no result', target: '<= 1 GiB', pass: false });
  } else {
    const tr = m.tracking;
    const total = tr.heapBytes + tr.arrayBufferBytes;
    const atTarget = tr.bytesPerServer * MEMORY_TARGET_SERVERS;
    log(`   inventory index of ${m.servers.toLocaleString('en')} servers: heap ${mib(m.inventory.heapBytes)}, ArrayBuffers ${mib(m.inventory.arrayBufferBytes)} (loaded in ${m.inventory.seconds.toFixed(1)} s; not counted below)`);
    log(
      `   detection state of ${tr.activeServers.toLocaleString('en')} tracked servers: heap ${mib(tr.heapBytes)} + ArrayBuffers ${mib(tr.arrayBufferBytes)} = ${mib(total)}; RSS grew ${mib(tr.rssBytes)} ` +
        `(${tr.seconds.toFixed(1)} s to feed; rows refused ${tr.rowsRefused})`,
    );
    log(`   per tracked server: ${tr.bytesPerServer.toFixed(0)} bytes measured; the rate table's own figure (TrafficRates.memoryBytes) is ${(tr.rateTableBytes / tr.activeServers).toFixed(0)} bytes`);
    const ns = m.netscan;
    log(
      `   netscan: ${ns.attempts.toLocaleString('en')} attempts from random servers to random peers -> ${ns.trackedTargets.toLocaleString('en')} tracked targets, ${ns.bytesPerTarget.toFixed(0)} bytes each ` +
        `(${ns.seconds.toFixed(1)} s); at the cap of ${ns.maxTrackedTargets.toLocaleString('en')} that is ${mib(ns.bytesPerTarget * ns.maxTrackedTargets)}`,
    );
    log(`   process after: RSS ${mib(m.after.rss)}, heap ${mib(m.after.heapUsed)}, ArrayBuffers ${mib(m.after.arrayBuffers)}`);
    verdicts.push({
      measure: `memory of ${MEMORY_TARGET_SERVERS.toLocaleString('en')} tracked servers`,
      measured: `${tr.bytesPerServer.toFixed(0)} B/server -> ${(atTarget / GIB).toFixed(2)} GiB`,
      target: '<= 1 GiB',
      pass: atTarget <= GIB,
    });
  }
  log();
}

if (parts.has('latency')) {
  const runs = Number(args.runs);
  log(`3. latency over UDP (127.0.0.1), collector (2 receive threads) + detector + api, SQLite store; ${runs} runs per scenario, each on a fresh server`);
  const scenarios = await measureUdpLatency({ runs, detect: detectOverrides, budgetMs: LATENCY_BUDGET_MS, log });
  const rows = scenarios.map((s) => {
    const values = s.runs.map((r) => r.latencyMs);
    const detected = values.filter((v) => !Number.isNaN(v));
    return [
      s.name,
      s.reference,
      ms(median(values)),
      detected.length > 0 ? `${ms(Math.min(...detected))} / ${ms(Math.max(...detected))}` : '-',
      `${detected.length}/${values.length}`,
      ms(median(s.runs.map((r) => r.handledMs))),
    ];
  });
  log(
    table(['scenario', 'latency from', 'median', 'min / max', 'detected', 'handled (median)'], rows)
      .split('\n')
      .map((l) => `   ${l}`)
      .join('\n'),
  );
  for (const s of scenarios) verdicts.push(latencyVerdict(s));
  log();
}

log('summary');
log(verdictTable(verdicts));
log();
log(`total ${((Date.now() - benchStart) / 1000).toFixed(0)} s`);

function latencyVerdict(s: LatencyScenario): Verdict {
  const values = s.runs.map((r) => r.latencyMs);
  const missed = values.filter((v) => Number.isNaN(v)).length;
  const m = median(values);
  return {
    measure: `latency: ${s.name}`,
    measured: `median ${ms(m)}${missed > 0 ? `, ${missed}/${values.length} runs without incident` : ''}`,
    target: s.target,
    pass: m <= LATENCY_TARGET_MS && missed === 0,
  };
}

/** Runs the memory part in a child with its own heap limit; null if it fails or overruns. */
async function runMemoryChild(): Promise<TrackedMemoryResult | null> {
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      '--max-old-space-size=4096',
      fileURLToPath(import.meta.url),
      '--memory-child',
      '--memory-servers',
      args['memory-servers'],
      '--netscan-attempts',
      args['netscan-attempts'],
      '--detect',
      args.detect,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const timer = setTimeout(() => {
    log(`   memory child overran ${MEMORY_CHILD_TIMEOUT_MS / 1000} s: stopping it`);
    child.kill('SIGKILL');
  }, MEMORY_CHILD_TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(timer);
  if (code !== 0) {
    log(`   memory child exited with ${code}`);
    return null;
  }
  return JSON.parse(out.trim().split('\n').at(-1) ?? 'null') as TrackedMemoryResult | null;
}
