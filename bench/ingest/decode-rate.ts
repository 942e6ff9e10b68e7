/**
 * Part (a): how many flow records one core decodes per second, in process, from the
 * pre-built datagram pool (no sockets). The sink adds packets and bytes, as the counting
 * consumer does, so nothing the decoder fills can be optimised away.
 */
import { FlowDecoders } from '../../src/flow/flow-decoders.ts';
import type { FlowRecord } from '../../src/flow/flow-record.ts';
import type { TrafficPool } from './traffic-pool.ts';

export interface DecodeRate {
  kind: TrafficPool['kind'];
  records: number;
  datagrams: number;
  seconds: number;
  /** Over the whole measuring time. */
  recordsPerSecond: number;
  datagramsPerSecond: number;
  /**
   * The best one-second window: on a shared machine other processes take the core now
   * and then, and the best window is the closest to what one core does.
   */
  bestRecordsPerSecond: number;
  bestDatagramsPerSecond: number;
  /** Decode problems counted (must be 0: the pool is valid). */
  errors: number;
}

const WARMUP_MS = 500;
const MAX_PASSES = 10_000;
const WINDOW_MS = 1000;

export function measureDecodeRate(pool: TrafficPool, seconds: number): DecodeRate {
  const protocol = pool.kind === 'sflow' ? 'sflow' : 'netflow';
  const decoders = new FlowDecoders({ maxExporters: 1000, maxTemplatesPerExporter: 1024, templateExpirySeconds: 3600 });
  let records = 0;
  let packets = 0;
  let bytes = 0;
  const sink = (flow: FlowRecord): void => {
    records++;
    packets += flow.packets;
    bytes += flow.bytes;
  };
  const now = Date.now();
  for (const e of pool.exporters) for (const d of e.preamble) decoders.decode(protocol, d, '127.0.0.1', now, sink);
  const pass = (): number => {
    let n = 0;
    for (const e of pool.exporters) {
      for (const d of e.data) decoders.decode(protocol, d, '127.0.0.1', now, sink);
      n += e.data.length;
    }
    return n;
  };
  const warmupEnd = performance.now() + WARMUP_MS;
  for (let i = 0; i < MAX_PASSES && performance.now() < warmupEnd; i++) pass();
  records = 0;
  let datagrams = 0;
  let best = { records: 0, datagrams: 0 };
  const start = performance.now();
  const end = start + seconds * 1000;
  let windowStart = start;
  let window = { records: 0, datagrams: 0 };
  for (let i = 0; i < MAX_PASSES; i++) {
    const before = records;
    const n = pass();
    datagrams += n;
    window = { records: window.records + records - before, datagrams: window.datagrams + n };
    const now = performance.now();
    if (now - windowStart >= WINDOW_MS) {
      const scale = 1000 / (now - windowStart);
      if (window.records * scale > best.records) best = { records: window.records * scale, datagrams: window.datagrams * scale };
      windowStart = now;
      window = { records: 0, datagrams: 0 };
    }
    if (now >= end) break;
  }
  const elapsed = (performance.now() - start) / 1000;
  let errors = 0;
  for (const count of decoders.errors.counts.values()) errors += count;
  if (packets < records || bytes < records) throw new Error('decode benchmark: implausible packet or byte totals');
  return {
    kind: pool.kind,
    records,
    datagrams,
    seconds: elapsed,
    recordsPerSecond: records / elapsed,
    datagramsPerSecond: datagrams / elapsed,
    bestRecordsPerSecond: best.records,
    bestDatagramsPerSecond: best.datagrams,
    errors,
  };
}
