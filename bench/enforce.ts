/**
 * Enforcement latency: time from the lock decision (the apply call) to the first packet
 * the gateway drops, for the nftables adapter and the BGP blackhole adapter, measured with
 * real packets in a namespace lab (needs root).
 *
 * The internet host sends a UDP probe to the server every millisecond, the server echoes
 * it, and each probe's send time is kept. The first probe sent after the decision that
 * never gets an echo (and is followed only by unanswered ones) is the first dropped
 * packet; its send time minus the decision time is the latency, to within one probe
 * interval. Unlock is measured the same way (decision to the first echo again).
 *
 *   node bench/enforce.ts [trials]        (default 5 per adapter)
 *
 * The same file runs the echo server and the prober inside the namespaces
 * (`--echo PORT`, `--probe ADDRESS PORT DURATION_MS`).
 */
import dgram from 'node:dgram';
import { pino } from 'pino';
import { createEnforcementLab, GOBGP_API, LAB, type NetnsLab, startBgpLab } from '../test/helpers/netns.ts';
import { BgpBlackholeEnforcer } from '../src/enforce/bgp/bgp-blackhole-enforcer.ts';
import type { EnforcementEntry } from '../src/enforce/enforcement-entry.ts';
import { GatewayCommandRunner } from '../src/enforce/gateway-command-runner.ts';
import { NftablesEnforcer } from '../src/enforce/nftables/nftables-enforcer.ts';
import { Reconciler } from '../src/enforce/reconciler.ts';
import { Registry } from 'prom-client';

const PORT = 9999;
const INTERVAL_MS = 1;
const LEAD_MS = 300;

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes. */
const now = () => performance.timeOrigin + performance.now();

function echo(port: number): void {
  for (const type of ['udp4', 'udp6'] as const) {
    const socket = dgram.createSocket({ type, ipv6Only: type === 'udp6' });
    socket.on('message', (message, remote) => socket.send(message, remote.port, remote.address));
    socket.bind(port);
  }
}

function probe(address: string, port: number, durationMs: number): void {
  const socket = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4');
  const sent: number[] = [];
  const answered = new Set<number>();
  socket.on('message', (message) => answered.add(message.readUInt32BE(0)));
  // ICMP errors for unanswered probes would otherwise surface as socket errors.
  socket.on('error', () => {});
  socket.bind(0, () => {
    const end = now() + durationMs;
    const timer = setInterval(() => {
      const seq = sent.length;
      const buffer = Buffer.alloc(16);
      buffer.writeUInt32BE(seq, 0);
      sent.push(now());
      socket.send(buffer, port, address);
      if (now() >= end) {
        clearInterval(timer);
        // Late echoes still count.
        setTimeout(() => {
          process.stdout.write(JSON.stringify({ sent, answered: [...answered] }));
          socket.close();
        }, 200);
      }
    }, INTERVAL_MS);
  });
}

interface ProbeResult {
  sent: number[];
  answered: number[];
}

async function runProbe(lab: NetnsLab, durationMs: number, during: () => Promise<number>): Promise<{ result: ProbeResult; decision: number }> {
  const child = lab.spawn('inet', [process.execPath, import.meta.filename, '--probe', LAB.server.v4, String(PORT), String(durationMs)]);
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    output += d;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise((r) => setTimeout(r, LEAD_MS + 200));
  const decision = await during();
  await exited;
  return { result: JSON.parse(output) as ProbeResult, decision };
}

/** First probe sent at or after `decision` whose fate is `wanted` (false: dropped) and stays so for the rest of the run. */
function firstChange(result: ProbeResult, decision: number, wanted: boolean): number | null {
  const answered = new Set(result.answered);
  let candidate: number | null = null;
  for (let seq = 0; seq < result.sent.length; seq++) {
    if (result.sent[seq] < decision) continue;
    const fate = answered.has(seq);
    if (fate === wanted) candidate ??= seq;
    else candidate = null;
  }
  return candidate === null ? null : result.sent[candidate] - decision;
}

function lossesBefore(result: ProbeResult, decision: number): number {
  const answered = new Set(result.answered);
  return result.sent.filter((t, seq) => t < decision - 5 && !answered.has(seq)).length;
}

interface Trial {
  applyMs: number;
  dropMs: number | null;
  unlockApplyMs: number;
  reachMs: number | null;
  noise: number;
}

/** Makes the gateway enforce `entries`; resolves when the call that does it returns. */
type Decide = (entries: EnforcementEntry[]) => Promise<void>;

async function trial(lab: NetnsLab, decide: Decide, lock: EnforcementEntry, windowMs: number): Promise<Trial> {
  let applyMs = 0;
  const locked = await runProbe(lab, windowMs, async () => {
    const decision = now();
    await decide([lock]);
    applyMs = now() - decision;
    return decision;
  });
  let unlockApplyMs = 0;
  const unlocked = await runProbe(lab, windowMs, async () => {
    const decision = now();
    await decide([]);
    unlockApplyMs = now() - decision;
    return decision;
  });
  return {
    applyMs,
    dropMs: firstChange(locked.result, locked.decision, false),
    unlockApplyMs,
    reachMs: firstChange(unlocked.result, unlocked.decision, true),
    // Before unlocking the server is locked: only the lock run has a clean baseline.
    noise: lossesBefore(locked.result, locked.decision),
  };
}

const fmt = (ms: number | null) => (ms === null ? 'n/a' : ms.toFixed(1));

function summary(values: Array<number | null>): string {
  const known = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (known.length === 0) return 'n/a';
  const median = known[Math.floor((known.length - 1) / 2)];
  return `median ${fmt(median)} ms (min ${fmt(known[0])}, max ${fmt(known[known.length - 1])}${known.length < values.length ? `, ${values.length - known.length} not seen` : ''})`;
}

async function main(trials: number): Promise<void> {
  const lab = await createEnforcementLab();
  const bgp = await startBgpLab(lab).catch(async (error: unknown) => {
    await lab.destroy();
    throw error;
  });
  try {
    lab.spawn('srv', [process.execPath, import.meta.filename, '--echo', String(PORT)]);
    for (let i = 0; !(await lab.run('srv', ['ss', '-H', '-l', '-u', '-n'])).includes(`:${PORT}`); i++) {
      if (i > 100) throw new Error('the echo server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    const lock: EnforcementEntry = { blockingId: 'L-BENCH', serverId: 'EX-1', gateway: 'lab-gw', addresses: [`${LAB.server.v4}/32`], allow: [] };
    const nftables = new NftablesEnforcer({
      gateway: 'lab-gw',
      runner: new GatewayCommandRunner({ access: { netns: lab.ns('gw') }, timeoutMs: 10_000 }),
      table: 'netwarden',
    });
    // The whole path a lock takes in the service: the lock layer commits, calls trigger(),
    // the reconciler debounces (the default 50 ms), reads the desired state, compares and applies.
    let desired: EnforcementEntry[] = [];
    const reconciler = new Reconciler({
      desired: async () => desired,
      enforcerFor: () => nftables,
      gateways: ['lab-gw'],
      reconcileSeconds: 3600,
      debounceMs: 50,
      retryInitialMs: 1000,
      retryMaxMs: 1000,
      registry: new Registry(),
      logger: pino({ level: 'silent' }),
    });
    const viaReconciler: Decide = async (entries) => {
      desired = entries;
      reconciler.trigger();
    };
    const bgpEnforcer = new BgpBlackholeEnforcer({
      gateway: 'lab-gw',
      runner: new GatewayCommandRunner({ access: { netns: lab.ns('noc') }, timeoutMs: 10_000 }),
      api: GOBGP_API,
      nextHop4: LAB.noc.v4,
      nextHop6: LAB.noc.v6,
      community: '65535:666',
      logger: pino({ level: 'silent' }),
    });
    const adapters: Array<{ name: string; decide: Decide; windowMs: number }> = [
      { name: 'nftables', decide: (entries) => nftables.apply(entries), windowMs: 1200 },
      // apply_ms is ~0 here: trigger() only schedules the run.
      { name: 'nft+rec', decide: viaReconciler, windowMs: 1200 },
      { name: 'bgp', decide: (entries) => bgpEnforcer.apply(entries), windowMs: 2500 },
    ];
    console.log(`enforcement latency: lock decision (apply call) -> first dropped packet; UDP probes every ${INTERVAL_MS} ms, internet host -> server`);
    console.log('adapter   trial  apply_ms  first_drop_ms  unlock_apply_ms  first_reply_ms  losses_before');
    await reconciler.start();
    for (const { name, decide, windowMs } of adapters) {
      await decide([]);
      const results: Trial[] = [];
      for (let i = 0; i < trials; i++) {
        const t = await trial(lab, decide, lock, windowMs);
        results.push(t);
        console.log(
          `${name.padEnd(9)} ${String(i + 1).padStart(5)}  ${fmt(t.applyMs).padStart(8)}  ${fmt(t.dropMs).padStart(13)}  ${fmt(t.unlockApplyMs).padStart(15)}  ${fmt(t.reachMs).padStart(14)}  ${String(t.noise).padStart(13)}`,
        );
      }
      console.log(`${name}: lock -> first drop ${summary(results.map((r) => r.dropMs))}; unlock -> first reply ${summary(results.map((r) => r.reachMs))}`);
    }
    await reconciler.stop();
  } finally {
    await bgp.stop();
    await lab.destroy();
  }
}

const [mode, ...args] = process.argv.slice(2);
if (mode === '--echo') echo(Number(args[0]));
else if (mode === '--probe') probe(args[0], Number(args[1]), Number(args[2]));
else await main(Number(mode ?? 5));
