/**
 * The detection pipeline over batches of flows: attribution through the inventory index
 * (a server's address as source is its outbound traffic, as destination its inbound),
 * rate windows, netscan counting and source-address checks. Time is the flows' own (event
 * time), so a replayed capture behaves as it did live; a clock tick every 100 ms of that
 * time evaluates the servers touched since the last one.
 */
import type { Config } from '../config/config-schema.ts';
import type { InventoryIndex } from '../inventory/inventory-index.ts';
import { ipv4Text, ipv6Key, ipv6Text, isPrivate4, isPrivate6 } from './address-text.ts';
import type { FlowBatchReader } from './flow-batch.ts';
import { FloodDetector, type WatchState } from './flood-detector.ts';
import { type IncidentSink, RATE_METRICS } from './incident.ts';
import { NetscanDetector } from './netscan-detector.ts';
import { SourceAddressChecker } from './source-address-checker.ts';
import { IN, OUT, ThresholdResolver } from './thresholds.ts';
import { FAST_BUCKET_MS, TrafficRates } from './traffic-rates.ts';

type DetectConfig = Config['detect'];

const TCP = 6;
const UDP = 17;
const ICMP = 1;
const ICMP6 = 58;
const SYN = 0x02;
const ACK = 0x10;
const EVICT_EVERY_MS = 30_000;
/** Ticks run for a jump of the clock at most; longer silences are skipped over. */
const MAX_CATCH_UP = 100;
/** Least flow time between two end-of-batch evaluations. */
const BATCH_TICK_MS = 25;

/**
 * Per metric, the lowest rate that matters for any server: the lowest threshold among the
 * defaults and every override, times the watch fraction. Below it a server needs no look.
 */
export function hotRates(config: DetectConfig): number[] {
  const sets: Array<Record<string, number | undefined> | undefined> = [config.outbound, config.inbound];
  for (const group of [config.overrides.hostGroups, config.overrides.customers, config.overrides.servers]) {
    for (const o of Object.values(group)) sets.push(o.outbound, o.inbound);
  }
  return RATE_METRICS.map((metric) => {
    let lowest = Number.POSITIVE_INFINITY;
    for (const set of sets) {
      const value = set?.[metric];
      if (value !== undefined && value > 0 && value < lowest) lowest = value;
    }
    return lowest * config.watchFraction;
  });
}

export interface FlowDetectorStats {
  flows: number;
  attributedOut: number;
  attributedIn: number;
  unattributed: number;
  lateFlows: number;
  activeServers: number;
  watched: number;
  netscanTrackedTargets: number;
  rateTableBytes: number;
}

export class FlowDetector {
  readonly #config: DetectConfig;
  readonly #index: InventoryIndex;
  readonly rates: TrafficRates;
  readonly flood: FloodDetector;
  readonly netscan: NetscanDetector;
  readonly sources: SourceAddressChecker;
  #clockMs = 0;
  #nextTickMs = 0;
  #nextEvictMs = 0;
  #lastTickMs = 0;
  readonly #clientUdpPorts = new Uint8Array(65536);
  readonly stats: FlowDetectorStats = {
    flows: 0,
    attributedOut: 0,
    attributedIn: 0,
    unattributed: 0,
    lateFlows: 0,
    activeServers: 0,
    watched: 0,
    netscanTrackedTargets: 0,
    rateTableBytes: 0,
  };

  constructor(deps: { config: DetectConfig; index: InventoryIndex; sink: IncidentSink }) {
    this.#config = deps.config;
    this.#index = deps.index;
    const slotInfo = (slot: number) => deps.index.slotInfo(slot);
    for (const port of deps.config.netscan.clientUdpPorts) this.#clientUdpPorts[port] = 1;
    this.rates = new TrafficRates({ windowSeconds: deps.config.rateWindowSeconds, maxRows: deps.config.maxActiveServers, hotPerSecond: hotRates(deps.config) });
    this.flood = new FloodDetector({
      config: deps.config,
      rates: this.rates,
      thresholds: new ThresholdResolver(deps.config),
      slotInfo,
      inventoryGeneration: () => deps.index.generation,
      sink: deps.sink,
    });
    this.netscan = new NetscanDetector({
      config: deps.config.netscan,
      slotInfo,
      inventoryGeneration: () => deps.index.generation,
      sink: deps.sink,
      floodState: (slot, nowMs) => {
        // Bring the flood verdict up to date first: scans cross their threshold between ticks.
        const row = this.rates.rowOf(slot);
        if (row >= 0) this.flood.evaluate(row, nowMs);
        return this.flood.floodState(slot, nowMs);
      },
      floodVerdictMs: (deps.config.openAfterSeconds + deps.config.rateWindowSeconds) * 1000 + 500,
    });
    this.sources = new SourceAddressChecker({ config: deps.config.sourceAddress, slotInfo, sink: deps.sink });
  }

  get clockMs(): number {
    return this.#clockMs;
  }

  process(batch: FlowBatchReader): void {
    const lateCutoffMs = this.#config.maxLatenessSeconds * 1000;
    for (let i = 0; i < batch.count; i++) this.#processFlow(batch, i, lateCutoffMs);
    // Flows of one instant (a NetFlow export) are judged as soon as they are all in; under
    // load (a batch every few ms) at most every BATCH_TICK_MS of flow time.
    if (this.#clockMs - this.#lastTickMs >= BATCH_TICK_MS) this.tick(this.#clockMs);
  }

  #processFlow(batch: FlowBatchReader, i: number, lateCutoffMs: number): void {
    const index = this.#index;
    const rates = this.rates;
    const u8 = batch.u8;
    const t = batch.timeMs(i);
    if (t > this.#clockMs) this.#advance(t);
    else if (this.#clockMs - t > lateCutoffMs) this.stats.lateFlows++;
    this.stats.flows++;
    const v = batch.ipVersion(i);
    if (v === 0) return;
    let srcSlot: number;
    let dstSlot: number;
    let src4 = 0;
    let dst4 = 0;
    const srcOff = batch.srcOffset(i);
    const dstOff = batch.dstOffset(i);
    if (v === 4) {
      src4 = batch.src4(i);
      dst4 = batch.dst4(i);
      srcSlot = index.slotOf4(src4);
      dstSlot = index.slotOf4(dst4);
    } else {
      srcSlot = index.slotOf6(u8, srcOff);
      dstSlot = index.slotOf6(u8, dstOff);
    }
    const packets = batch.packets(i);
    const bytes = batch.bytes(i);
    const protocol = batch.protocol(i);
    const flags = batch.tcpFlags(i);
    const headerLength = batch.headerLength(i);
    const samplingRate = batch.samplingRate(i);
    // A NetFlow/IPFIX record is one flow (times the sampling rate); an sFlow sample is one sampled packet.
    const flows = headerLength > 0 ? 1 : samplingRate;
    const syn = protocol === TCP && (flags & (SYN | ACK)) === SYN ? packets : 0;
    const udp = protocol === UDP ? packets : 0;
    const icmp = protocol === ICMP || protocol === ICMP6 ? packets : 0;
    const fragments = batch.fragment(i) ? packets : 0;
    const duration = batch.durationMs(i);
    const mac = batch.srcMac(i);
    const exporter = mac === 0 ? batch.exporter(i) : '';

    if (srcSlot >= 0) {
      this.stats.attributedOut++;
      const inputInterface = batch.inputInterface(i);
      // Another customer's address sent from a known server's link is a wrong source, not this server's traffic.
      if (this.sources.classify(srcSlot, mac, exporter, inputInterface) >= 0) {
        const srcText = v === 4 ? ipv4Text(src4) : ipv6Text(u8, srcOff);
        if (this.sources.observe(t, mac, exporter, inputInterface, srcText, srcSlot, packets)) return;
      }
      const row = rates.ensureRow(srcSlot, t);
      if (row >= 0) {
        if (rates.addSpread(row, OUT, t, duration, packets, bytes, flows, syn, udp, icmp, fragments)) this.flood.watchNow(row, OUT, srcSlot, t);
        if ((this.flood.watchFlags[row] & 1) !== 0) this.#collect(this.flood.watchState(row, OUT)!, batch, i, t, v, true, src4, dst4, srcOff, dstOff, packets, bytes, flows);
      }
      const srcPort = batch.srcPort(i);
      const dstPort = batch.dstPort(i);
      if (this.#isAttempt(protocol, flags, srcPort, dstPort) && !this.netscan.allowed(srcSlot)) {
        if (v === 4) this.netscan.observe(srcSlot, t, protocol, srcPort, src4 | 0, dst4 | 0, dstPort, isPrivate4(dst4), samplingRate);
        else this.netscan.observe(srcSlot, t, protocol, srcPort, ipv6Key(u8, srcOff), ipv6Key(u8, dstOff), dstPort, isPrivate6(u8, dstOff), samplingRate);
      }
    } else if (v === 4 ? index.isProviderSpace4(src4) : index.isProviderSpace6(u8, srcOff)) {
      const srcText = v === 4 ? ipv4Text(src4) : ipv6Text(u8, srcOff);
      this.sources.observe(t, mac, exporter, batch.inputInterface(i), srcText, -1, packets);
    }

    if (dstSlot >= 0) {
      this.stats.attributedIn++;
      const row = rates.ensureRow(dstSlot, t);
      if (row >= 0) {
        if (rates.addSpread(row, IN, t, duration, packets, bytes, flows, syn, udp, icmp, fragments)) this.flood.watchNow(row, IN, dstSlot, t);
        if ((this.flood.watchFlags[row] & 2) !== 0) this.#collect(this.flood.watchState(row, IN)!, batch, i, t, v, false, src4, dst4, srcOff, dstOff, packets, bytes, flows);
      }
    } else if (srcSlot < 0) {
      this.stats.unattributed++;
    }
  }

  /**
   * Connection attempts: TCP SYN without ACK, UDP from an ephemeral port (not to a port
   * clients use everywhere, like DNS), ICMP echo requests.
   */
  #isAttempt(protocol: number, flags: number, srcPort: number, dstPort: number): boolean {
    if (protocol === TCP) return (flags & (SYN | ACK)) === SYN;
    if (protocol === UDP) return srcPort >= 1024 && this.#clientUdpPorts[dstPort] === 0;
    if (protocol === ICMP) return dstPort >> 8 === 8;
    if (protocol === ICMP6) return dstPort >> 8 === 128;
    return false;
  }

  /** Evidence of a watched server: the flow in its summary window and totals, the remote peer's traffic, the sampled header. */
  #collect(
    state: WatchState,
    batch: FlowBatchReader,
    i: number,
    t: number,
    v: number,
    outbound: boolean,
    src4: number,
    dst4: number,
    srcOff: number,
    dstOff: number,
    packets: number,
    bytes: number,
    flows: number,
  ): void {
    const u8 = batch.u8;
    const remote4 = outbound ? dst4 : src4;
    const remoteOff = outbound ? dstOff : srcOff;
    const ownOff = outbound ? srcOff : dstOff;
    // Addresses as keys (IPv4 as int32, `| 0`, never a heap number), formatted only when
    // the incident is published: no string per flow.
    const own = v === 4 ? (outbound ? src4 : dst4) | 0 : ipv6Key(u8, ownOff);
    state.evidence.add(t, own, packets, bytes, flows, state.incident !== null);
    if (v === 4) state.peers.add4(remote4 | 0, packets, bytes, flows);
    else state.peers.add6(ipv6Key(u8, remoteOff), packets, bytes, flows);
    const headerLength = batch.headerLength(i);
    if (headerLength > 0) state.samples.add(t, u8, batch.headerOffset(i), headerLength, batch.frameLength(i) || headerLength);
  }

  /**
   * Moves the clock, running a tick at every 100 ms step it passes (at most MAX_CATCH_UP),
   * so hysteresis sees the time between two exports go by as it would live.
   */
  #advance(timeMs: number): void {
    if (timeMs < this.#nextTickMs) {
      this.#clockMs = timeMs;
      return;
    }
    let step = Math.max(this.#nextTickMs, timeMs - MAX_CATCH_UP * FAST_BUCKET_MS);
    for (; step <= timeMs; step += FAST_BUCKET_MS) this.tick(step);
    this.#clockMs = timeMs;
    this.#nextTickMs = (Math.floor(timeMs / FAST_BUCKET_MS) + 1) * FAST_BUCKET_MS;
  }

  /** Evaluates now: servers touched since the last tick and every watched one. */
  tick(nowMs: number): void {
    if (nowMs > this.#clockMs) this.#clockMs = nowMs;
    this.#lastTickMs = nowMs;
    const flood = this.flood;
    const evaluated = new Set<number>();
    this.rates.takeTouched((row) => {
      evaluated.add(row);
      flood.evaluate(row, nowMs);
    });
    for (const state of [...flood.watched.values()]) {
      if (!evaluated.has(state.row)) {
        evaluated.add(state.row);
        flood.evaluate(state.row, nowMs);
      }
    }
    this.netscan.tick(nowMs);
    this.sources.tick(nowMs);
    if (nowMs >= this.#nextEvictMs) {
      this.#nextEvictMs = nowMs + EVICT_EVERY_MS;
      this.rates.evictIdle(nowMs, (row) => flood.isWatched(row));
    }
    this.stats.activeServers = this.rates.activeRows;
    this.stats.watched = flood.watched.size;
    this.stats.netscanTrackedTargets = this.netscan.trackedTargets;
    this.stats.rateTableBytes = this.rates.memoryBytes;
  }

  /** Advances wall-clock time when no flows arrive (live mode), so incidents can end. */
  idle(nowMs: number): void {
    if (nowMs > this.#clockMs + FAST_BUCKET_MS) this.tick(nowMs);
  }
}
