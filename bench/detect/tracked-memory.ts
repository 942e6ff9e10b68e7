/**
 * Memory of detection state per tracked server: an inventory of N servers is loaded, then
 * every server gets traffic in both directions (so it holds a rate row, a threshold set
 * and a learned link address, as a busy server does) and the growth of JS heap plus
 * ArrayBuffer memory is divided by N. Then connection attempts from random servers to
 * random peers measure the netscan state per tracked target, whose count the config caps
 * (detect.netscan.maxTrackedTargets). Needs --expose-gc.
 */
import type { Config } from '../../src/config/config-schema.ts';
import { FlowBatchReader, FlowBatchWriter } from '../../src/detect/flow-batch.ts';
import { FlowDetector } from '../../src/detect/flow-detector.ts';
import type { IncidentSink } from '../../src/detect/incident.ts';
import { createFlowRecord, type FlowRecord } from '../../src/flow/flow-record.ts';
import { prng } from '../../test/helpers/traffic-scenarios.ts';
import { generateInventory, loadIndex, type ProviderInventory, remote4, serverMac } from './provider-inventory.ts';

export interface MemorySnapshot {
  rss: number;
  heapUsed: number;
  arrayBuffers: number;
}

export interface TrackedMemoryResult {
  servers: number;
  inventory: { heapBytes: number; arrayBufferBytes: number; seconds: number };
  tracking: {
    heapBytes: number;
    arrayBufferBytes: number;
    rssBytes: number;
    bytesPerServer: number;
    /** What TrafficRates reports for its row arrays (the documented ~1 KB per server). */
    rateTableBytes: number;
    activeServers: number;
    rowsRefused: number;
    seconds: number;
  };
  netscan: { attempts: number; trackedTargets: number; bytesPerTarget: number; maxTrackedTargets: number; seconds: number };
  after: MemorySnapshot;
}

const SCAN_PORTS = [22, 23, 445, 3389];
const gc = (globalThis as { gc?: () => void }).gc;

export async function memory(): Promise<MemorySnapshot> {
  if (gc === undefined) throw new Error('run with --expose-gc');
  // Twice with a turn of the event loop between: freed ArrayBuffers are released late.
  gc();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers };
}

export async function measureTrackedMemory(options: { servers: number; attempts: number; config: Config['detect']; seed: number }): Promise<TrackedMemoryResult> {
  const random = prng(options.seed);
  const m0 = await memory();
  let t = Date.now();
  const inventory = generateInventory(options.servers, options.seed);
  const index = loadIndex(inventory);
  const inventorySeconds = (Date.now() - t) / 1000;
  const sink: IncidentSink = { opened: () => {}, updated: () => {}, ended: () => {} };
  const detector = new FlowDetector({ config: options.config, index, sink });
  const m1 = await memory();

  t = Date.now();
  const startMs = Date.UTC(2026, 0, 1);
  const flow = createFlowRecord();
  const feed = new Feeder(detector);
  const spanMs = 20_000;
  for (let i = 0; i < options.servers; i++) {
    const timeMs = startMs + Math.floor((i * spanMs) / options.servers);
    const remote = remote4(inventory, random);
    established(flow, inventory, i, remote, timeMs, true);
    feed.add(flow);
    established(flow, inventory, i, remote, timeMs, false);
    feed.add(flow);
  }
  feed.flush();
  const trackingSeconds = (Date.now() - t) / 1000;
  const m2 = await memory();

  t = Date.now();
  const attemptStart = startMs + spanMs;
  for (let k = 0; k < options.attempts; k++) {
    const server = Math.floor(random() * options.servers);
    const timeMs = attemptStart + Math.floor((k * spanMs) / options.attempts);
    attempt(flow, inventory, server, remote4(inventory, random), SCAN_PORTS[Math.floor(random() * SCAN_PORTS.length)], timeMs);
    feed.add(flow);
  }
  feed.flush();
  const netscanSeconds = (Date.now() - t) / 1000;
  const m3 = await memory();
  const trackedTargets = detector.netscan.trackedTargets;
  const grown = (a: MemorySnapshot, b: MemorySnapshot): number => b.heapUsed + b.arrayBuffers - a.heapUsed - a.arrayBuffers;
  return {
    servers: options.servers,
    inventory: { heapBytes: m1.heapUsed - m0.heapUsed, arrayBufferBytes: m1.arrayBuffers - m0.arrayBuffers, seconds: inventorySeconds },
    tracking: {
      heapBytes: m2.heapUsed - m1.heapUsed,
      arrayBufferBytes: m2.arrayBuffers - m1.arrayBuffers,
      rssBytes: m2.rss - m1.rss,
      bytesPerServer: grown(m1, m2) / options.servers,
      rateTableBytes: detector.rates.memoryBytes,
      activeServers: detector.rates.activeRows,
      rowsRefused: detector.rates.overflow,
      seconds: trackingSeconds,
    },
    netscan: {
      attempts: options.attempts,
      trackedTargets,
      bytesPerTarget: trackedTargets > 0 ? grown(m2, m3) / trackedTargets : 0,
      maxTrackedTargets: options.config.netscan.maxTrackedTargets,
      seconds: netscanSeconds,
    },
    after: m3,
  };
}

/** Packs flows into batches and runs each through the detector as soon as it is full. */
class Feeder {
  readonly #detector: FlowDetector;
  readonly #reader = new FlowBatchReader();
  #writer = new FlowBatchWriter(4096);

  constructor(detector: FlowDetector) {
    this.#detector = detector;
  }

  add(flow: FlowRecord): void {
    this.#writer.add(flow);
    if (this.#writer.full) this.flush();
  }

  flush(): void {
    if (this.#writer.count === 0) return;
    this.#reader.load(this.#writer.take());
    this.#detector.process(this.#reader);
  }
}

/** A NetFlow-style record of an established TCP connection of server i, either direction. */
function established(flow: FlowRecord, inventory: ProviderInventory, i: number, remote: number, timeMs: number, outbound: boolean): void {
  const own = inventory.address4[i];
  setV4(flow, outbound ? own : remote, outbound ? remote : own);
  flow.timeMs = timeMs;
  flow.protocol = 6;
  flow.srcPort = outbound ? 443 : 50000;
  flow.dstPort = outbound ? 50000 : 443;
  flow.tcpFlags = 0x1b;
  flow.packets = 20;
  flow.bytes = 20 * 800;
  flow.samplingRate = 1;
  flow.srcMac = outbound ? serverMac(i) : 0x0200000000fe;
  flow.exporter = '192.0.2.11';
  flow.inputInterface = 10;
  flow.outputInterface = 1;
}

/** One SYN from server i to a remote peer. */
function attempt(flow: FlowRecord, inventory: ProviderInventory, i: number, remote: number, port: number, timeMs: number): void {
  setV4(flow, inventory.address4[i], remote);
  flow.timeMs = timeMs;
  flow.protocol = 6;
  flow.srcPort = 40000;
  flow.dstPort = port;
  flow.tcpFlags = 0x02;
  flow.packets = 1;
  flow.bytes = 60;
  flow.samplingRate = 1;
  flow.srcMac = serverMac(i);
  flow.exporter = '192.0.2.11';
  flow.inputInterface = 10;
  flow.outputInterface = 1;
}

function setV4(flow: FlowRecord, src: number, dst: number): void {
  flow.ipVersion = 4;
  flow.srcAddr4 = src;
  flow.dstAddr4 = dst;
  flow.srcAddr.fill(0);
  flow.dstAddr.fill(0);
  new DataView(flow.srcAddr.buffer, flow.srcAddr.byteOffset).setUint32(0, src);
  new DataView(flow.dstAddr.buffer, flow.dstAddr.byteOffset).setUint32(0, dst);
}
