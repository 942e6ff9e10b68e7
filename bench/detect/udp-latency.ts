/**
 * Attack-to-incident latency over real UDP on loopback: a Netwarden with the collector
 * (two receive threads), the detector and the API on a throw-away SQLite store (locking
 * in dry-run, e-mail into the temporary directory); the attacks of attack-schedules.ts
 * sent in real time from a fresh socket per run. The incident counts as opened when the
 * detector emits it (its 'incident opened' log line, written synchronously as it opens);
 * when the extra incident handler sees it (after the store and the lock layer) is shown
 * beside. Every run uses a server of its own, so no run inherits another's state, and the
 * runs start at evenly spread offsets within the wall-clock second: NetFlow v9 headers
 * carry whole seconds, so where in its second a datagram leaves matters, and with 10 runs
 * the generated exports (on 100 ms steps) fall once into each tenth of the second.
 */
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../src/config/load-config.ts';
import type { IncidentHandler } from '../../src/detect/detector.ts';
import type { Incident } from '../../src/detect/incident.ts';
import { createLogger } from '../../src/logger.ts';
import { startNetwarden } from '../../src/services/netwarden-service.ts';
import { type AttackSchedule, netflowFlood, type ScheduledDatagram, sflowFlood, sweep } from './attack-schedules.ts';

export interface LatencyRun {
  /** Incident opened by the detector minus the reference instant, ms; NaN when no incident opened in time. */
  latencyMs: number;
  /** The same up to the extra handler's 'opened' event (after the store and the lock layer). */
  handledMs: number;
  /** For floods: when the detector first saw the rate above the threshold, minus the reference. */
  aboveAfterMs: number;
  /** How late the reference datagram left compared with its schedule (sender lag). */
  senderLagMs: number;
}

export interface LatencyScenario {
  name: string;
  reference: string;
  /** The requirement, for the summary. */
  target: string;
  runs: LatencyRun[];
}

interface ScenarioSpec {
  name: string;
  reference: string;
  target: string;
  kind: 'flood' | 'netscan';
  /** Sending time; the run ends early once the incident is open. */
  seconds: number;
  make(server: string, index: number, startMs: number): AttackSchedule;
}

const SERVERS = 200;
const WAIT_AFTER_MS = 2000;
const PAUSE_BETWEEN_RUNS_MS = 300;

export async function measureUdpLatency(options: {
  runs: number;
  detect: Record<string, unknown>;
  /** No new run starts after this much time; the remaining ones are left out (and said so). */
  budgetMs: number;
  log: (line: string) => void;
}): Promise<LatencyScenario[]> {
  const partStart = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'netwarden-bench-detect-'));
  const [sflowPort, netflowPort] = await freeUdpPorts(2);
  const config = resolveConfig({
    log: { level: 'silent' },
    http: { host: '127.0.0.1', port: 0 },
    database: { url: `sqlite:${join(dir, 'netwarden.db')}` },
    collector: { sflow: [`127.0.0.1:${sflowPort}`], netflow: [`127.0.0.1:${netflowPort}`], ipfix: [], workers: 2 },
    inventory: { reloadSeconds: 0 },
    // Decide locks as in production but enforce nothing, mail nobody, and raise no blast-radius alert for the bench's many attacks.
    locking: { dryRun: true, blastRadius: { maxAutomaticLocks: 1000 } },
    notify: { outboxDir: join(dir, 'outbox') },
    detect: options.detect,
  });
  const detected = new Map<string, number>();
  const logDestination = {
    write(line: string): void {
      if (!line.includes('"incident opened"')) {
        // Errors only: the lock layer's "lock decided" warnings are expected here.
        if ((JSON.parse(line) as { level: number }).level >= 50) process.stderr.write(line);
        return;
      }
      const entry = JSON.parse(line) as { time: string; kind: string; server: string };
      const key = `${entry.kind}|${entry.server}`;
      if (!detected.has(key)) detected.set(key, Date.parse(entry.time));
    },
  };
  const opened = new Map<string, { atMs: number; incident: Incident }>();
  const handler: IncidentHandler = {
    async handle(event, incident) {
      const key = `${incident.kind}|${incident.serverId}`;
      if (event === 'opened' && !opened.has(key)) opened.set(key, { atMs: Date.now(), incident });
    },
  };
  const netwarden = await startNetwarden(config, ['collector', 'detector', 'api'], createLogger('warn', logDestination), [handler]);
  try {
    await netwarden.inventory.importSnapshot(
      {
        customers: [{ id: 'K-BENCH', name: 'Benchmark customer', email: 'noc@example.com', language: 'en' }],
        hostGroups: [],
        servers: Array.from({ length: SERVERS }, (_, i) => ({
          id: serverIdOf(i),
          name: `bench${i}`,
          customerId: 'K-BENCH',
          hostGroupId: null,
          uplinkGateway: 'bench-uplink-gw',
          addresses: [`${serverAddressOf(i)}/32`],
        })),
        protectedPrefixes: [],
        providerPrefixes: [{ prefix: '203.0.113.0/24', description: 'benchmark servers' }],
      },
      { type: 'cli', id: 'bench-detect' },
    );
    const bootMs = Date.now() - 3_600_000;
    const netscan = config.detect.netscan;
    const specs: ScenarioSpec[] = [
      {
        name: 'sFlow 1:1000 outbound flood, 135,000 packets/s',
        reference: 'flood start (first packet)',
        target: '<= 1 s (FastNetMon: 2.1 s fastest, 7.1 s default)',
        kind: 'flood',
        seconds: 3,
        make: (server, i, startMs) => sflowFlood(server, `198.51.100.${1 + (i % 250)}`, startMs, 3, 100 + i),
      },
      {
        name: 'NetFlow v9 outbound flood, 135,000 packets/s',
        reference: 'first datagram with flood records sent',
        target: '<= 1 s after the exporter sends',
        kind: 'flood',
        seconds: 4,
        make: (server, i, startMs) => netflowFlood(server, `198.51.100.${1 + (i % 250)}`, startMs, 4, bootMs),
      },
      {
        name: 'NetFlow v9 netscan, SYN sweep 1,000 probes/s',
        reference: `datagram with the ${netscan.horizontalAddresses}th distinct target sent`,
        target: '<= 1 s after threshold crossed',
        kind: 'netscan',
        seconds: 1,
        make: (server, _i, startMs) => sweep(server, startMs, 1, 1000, 'netflow', { bootMs, seed: 0, netscan }),
      },
      {
        name: 'sFlow 1:1000 netscan, SYN sweep 5,000 probes/s',
        reference: `datagram with the ${netscan.minSampledTargets}th distinct sampled target sent`,
        target: '<= 1 s after threshold crossed',
        kind: 'netscan',
        seconds: 5,
        make: (server, i, startMs) => sweep(server, startMs, 5, 5000, 'sflow', { bootMs, seed: 200 + i, netscan }),
      },
      {
        name: 'sFlow 1:1000 netscan, SYN sweep 20,000 probes/s',
        reference: `datagram with the ${netscan.minSampledTargets}th distinct sampled target sent`,
        target: '<= 1 s after threshold crossed',
        kind: 'netscan',
        seconds: 2,
        make: (server, i, startMs) => sweep(server, startMs, 2, 20_000, 'sflow', { bootMs, seed: 200 + i, netscan }),
      },
    ];
    if (specs.length * options.runs > SERVERS) throw new Error(`at most ${Math.floor(SERVERS / specs.length)} runs per scenario`);
    const results: LatencyScenario[] = [];
    let next = 0;
    for (const spec of specs) {
      const runs: LatencyRun[] = [];
      for (let r = 0; r < options.runs; r++) {
        if (Date.now() - partStart > options.budgetMs) {
          options.log(`  ${spec.name}: time budget of ${options.budgetMs / 1000} s used up, runs ${r + 1}-${options.runs} left out`);
          break;
        }
        const i = next++;
        const server = serverAddressOf(i);
        // Start at an evenly spread offset within a wall-clock second, at least 300 ms ahead.
        const phaseMs = Math.round(((r + 0.5) / options.runs) * 1000);
        const startMs = Math.ceil((Date.now() + 300) / 1000) * 1000 + phaseMs;
        const schedule = spec.make(server, i, startMs);
        const key = `${spec.kind}|${serverIdOf(i)}`;
        const socket = createSocket('udp4');
        const port = schedule.protocol === 'sflow' ? sflowPort : netflowPort;
        const sentAt = await sendPaced(socket, port, schedule.datagrams, () => opened.has(key));
        socket.close();
        const deadline = Date.now() + WAIT_AFTER_MS;
        while (!opened.has(key) && Date.now() < deadline) await sleep(10);
        const ref = schedule.referenceDatagram >= 0 ? sentAt[schedule.referenceDatagram] : schedule.referenceMs;
        const lag = schedule.referenceDatagram >= 0 ? sentAt[schedule.referenceDatagram] - schedule.datagrams[schedule.referenceDatagram].timeMs : 0;
        const got = opened.get(key);
        const run: LatencyRun = {
          latencyMs: (detected.get(key) ?? Number.NaN) - ref,
          handledMs: got === undefined ? Number.NaN : got.atMs - ref,
          aboveAfterMs: got !== undefined && spec.kind === 'flood' ? got.incident.firstSeenMs - ref : Number.NaN,
          senderLagMs: lag,
        };
        runs.push(run);
        const sentPhase = schedule.referenceDatagram >= 0 ? `, reference sent at +${schedule.datagrams[schedule.referenceDatagram].timeMs % 1000} ms` : '';
        options.log(
          `  ${spec.name}: run ${r + 1}/${options.runs}, start +${phaseMs} ms in the second${sentPhase}: ${Number.isNaN(run.latencyMs) ? 'no incident' : `opened after ${run.latencyMs} ms, handled after ${run.handledMs} ms`}` +
            (Number.isNaN(run.aboveAfterMs) ? '' : `; rate above threshold after ${run.aboveAfterMs} ms`),
        );
        await sleep(PAUSE_BETWEEN_RUNS_MS);
      }
      results.push({ name: spec.name, reference: spec.reference, target: spec.target, runs });
    }
    return results;
  } finally {
    await netwarden.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function serverIdOf(i: number): string {
  return `BENCH-${i}`;
}

function serverAddressOf(i: number): string {
  return `203.0.113.${10 + i}`;
}

/** Sends each datagram at its scheduled time; returns the actual send times (NaN: not sent). */
async function sendPaced(socket: Socket, port: number, datagrams: ScheduledDatagram[], stop: () => boolean): Promise<number[]> {
  const sentAt = datagrams.map(() => Number.NaN);
  for (let d = 0; d < datagrams.length; d++) {
    if (stop()) break;
    const wait = datagrams[d].timeMs - Date.now();
    if (wait > 0) await sleep(wait);
    sentAt[d] = Date.now();
    await new Promise<void>((resolve, reject) => socket.send(datagrams[d].datagram, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
  }
  return sentAt;
}

async function freeUdpPorts(count: number): Promise<number[]> {
  const sockets = Array.from({ length: count }, () => createSocket('udp4'));
  const ports = await Promise.all(sockets.map((s) => new Promise<number>((resolve) => s.bind(0, '127.0.0.1', () => resolve(s.address().port)))));
  for (const s of sockets) s.close();
  return ports;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
