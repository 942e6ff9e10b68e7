/**
 * The traffic sender, run as its own process (bench/ingest/sender-process.ts starts it) so
 * its CPU is not counted against the collector. It builds the datagram pool once, then
 * on each `send` command opens one UDP socket per exporter on 127.0.0.1 (distinct source
 * ports, so SO_REUSEPORT spreads exporters over receive threads as a real network does),
 * sends each exporter's preamble (templates), and then the data, paced to the target rate
 * for a bounded time, round-robin over exporters, renumbering sequence numbers and (NetFlow)
 * stamping the export time in place.
 * It reports what it actually achieved: on a 2-core machine the sender may be the limit.
 */
import { createSocket, type Socket } from 'node:dgram';
import { loadNativeReceive, udpHandleOf } from '../../src/flow/udp/native-receiver.ts';
import { buildTrafficPool, poolSummary, type TrafficKind, type TrafficPool } from './traffic-pool.ts';

/** sendmmsg through the collector's native module when built: the sender then costs the shared cores less. */
const native = loadNativeReceive();

export type SenderCommand =
  | { type: 'build'; kind: TrafficKind; exporters: number; datagramsPerExporter: number; seed: number }
  | { type: 'send'; port: number; rate: number; seconds: number }
  | { type: 'exit' };

export type SenderReply =
  | { type: 'built'; datagrams: number; flowsPerDatagram: number; bytesPerDatagram: number; exporters: number }
  | { type: 'sent'; report: SendReport }
  | { type: 'failed'; message: string };

export interface SendReport {
  /** Datagrams and flow records sent, preamble (template) datagrams included. */
  datagrams: number;
  flows: number;
  preambleDatagrams: number;
  /** Seconds from the first data datagram to the last. */
  seconds: number;
  targetRate: number;
  achievedRate: number;
  /** Sends the socket refused synchronously (counted, not retried). */
  sendErrors: number;
  cpuSeconds: number;
}

const HOST = '127.0.0.1';
/** Wait after the templates so a collector has them before data arrives, as after an exporter's restart. */
const PREAMBLE_SETTLE_MS = 200;

let pool: TrafficPool | undefined;
/** Per exporter: next datagram index and next sequence number (kept across sends, as a live exporter's). */
let nextIndex: number[] = [];
let nextSequence: number[] = [];

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function openSockets(port: number, count: number, onError: () => void): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < count; i++) {
    const socket = createSocket('udp4');
    socket.on('error', onError);
    await new Promise<void>((resolve) => socket.bind({ address: HOST, port: 0 }, resolve));
    await new Promise<void>((resolve) => socket.connect(port, HOST, resolve));
    sockets.push(socket);
  }
  return sockets;
}

async function send(port: number, rate: number, seconds: number): Promise<SendReport> {
  if (pool === undefined) throw new Error('send before build');
  const { exporters, sequence, exportSeconds } = pool;
  let sendErrors = 0;
  const sockets = await openSockets(port, exporters.length, () => sendErrors++);
  const cpu0 = process.cpuUsage();
  let datagrams: number;
  let flows = 0;
  let preambleDatagrams = 0;
  try {
    for (const [e, exporter] of exporters.entries()) {
      for (const d of exporter.preamble) {
        sockets[e].send(d);
        preambleDatagrams++;
      }
    }
    if (preambleDatagrams > 0) await sleep(PREAMBLE_SETTLE_MS);
    // Bursts are at most ~2 ms of traffic; between bursts the event loop turns (IPC, timers).
    const chunk = Math.max(16, Math.ceil(rate / 500));
    // A sender that was descheduled does not catch up in one long burst: the schedule
    // slips instead (the achieved rate shows it), so no collector ever sees more than
    // ~5 ms of traffic at once.
    const maxOwed = Math.max(chunk, Math.ceil(rate / 200));
    const fds = sockets.map((socket) => (native === null ? -1 : udpHandleOf(socket).fd));
    const batches: Uint8Array[][] | null = native === null ? null : sockets.map(() => []);
    const start = performance.now();
    const end = start + seconds * 1000;
    let sent = 0;
    let slipped = 0;
    let e = 0;
    for (;;) {
      const now = performance.now();
      if (now >= end) break;
      let due = Math.floor(((now - start) / 1000) * rate) - sent - slipped;
      if (due > maxOwed) {
        slipped += due - maxOwed;
        due = maxOwed;
      }
      if (due <= 0) {
        await sleep(1);
        continue;
      }
      const n = Math.min(due, chunk);
      // The time of sending as the export time: the records' times move on as a live router's.
      const unixSeconds = Math.floor((performance.timeOrigin + now) / 1000);
      for (let i = 0; i < n; i++) {
        const exporter = exporters[e];
        const index = nextIndex[e];
        const datagram = exporter.data[index];
        datagram.writeUInt32BE(nextSequence[e] >>> 0, sequence.offset);
        if (exportSeconds !== undefined) datagram.writeUInt32BE(unixSeconds, exportSeconds.offset);
        nextSequence[e] += sequence.counts === 'datagrams' ? 1 : exporter.flows[index];
        nextIndex[e] = index + 1 === exporter.data.length ? 0 : index + 1;
        if (batches !== null) batches[e].push(datagram);
        else sockets[e].send(datagram);
        flows += exporter.flows[index];
        e = e + 1 === exporters.length ? 0 : e + 1;
      }
      if (batches !== null) {
        // One sendmmsg per exporter socket for the burst. The pool repeats a datagram only
        // after 256 others of its exporter, so each is sent before it is rewritten.
        for (let k = 0; k < batches.length; k++) {
          const batch = batches[k];
          if (batch.length === 0) continue;
          const r = native!.send(fds[k], batch);
          if (r < batch.length) sendErrors += batch.length - Math.max(0, r);
          batch.length = 0;
        }
      }
      sent += n;
      if (n === chunk) await new Promise((resolve) => setImmediate(resolve));
    }
    const elapsed = (performance.now() - start) / 1000;
    datagrams = sent + preambleDatagrams;
    const cpu = process.cpuUsage(cpu0);
    return {
      datagrams,
      flows,
      preambleDatagrams,
      seconds: elapsed,
      targetRate: rate,
      achievedRate: sent / elapsed,
      sendErrors,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
    };
  } finally {
    // Let queued sends leave before the sockets close.
    await sleep(50);
    for (const socket of sockets) socket.close();
  }
}

function reply(message: SenderReply): void {
  process.send?.(message);
}

process.on('message', (command: SenderCommand) => {
  if (command.type === 'exit') {
    process.disconnect?.();
    return;
  }
  if (command.type === 'build') {
    pool = buildTrafficPool(command.kind, {
      exporters: command.exporters,
      datagramsPerExporter: command.datagramsPerExporter,
      seed: command.seed,
      nowMs: Date.now(),
    });
    nextIndex = pool.exporters.map(() => 0);
    nextSequence = pool.exporters.map(() => 1);
    reply({ type: 'built', ...poolSummary(pool), exporters: pool.exporters.length });
    return;
  }
  send(command.port, command.rate, command.seconds).then(
    (report) => reply({ type: 'sent', report }),
    (error: unknown) => reply({ type: 'failed', message: (error as Error).message }),
  );
});
