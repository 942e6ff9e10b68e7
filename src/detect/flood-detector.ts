/**
 * Packet-limit incidents: evaluates the sliding rates of every server touched since the
 * last tick against its thresholds, with hysteresis — an incident opens once a rate has
 * stayed above its threshold for `openAfterSeconds` and ends once every rate has stayed
 * below for `closeAfterSeconds`, so a flapping rate is one incident, not fifty.
 * From `watchFraction` of a threshold on, the server is watched: its remote peers and
 * sampled packets are kept for the evidence.
 */
import { randomUUID } from 'node:crypto';
import type { Config } from '../config/config-schema.ts';
import type { ServerSlotInfo } from '../inventory/inventory-index.ts';
import { addressKeyText } from './address-text.ts';
import { emptyRates, type Incident, type IncidentSink, RATE_METRICS, type Rates } from './incident.ts';
import { HeaderRing } from './header-ring.ts';
import { PeerTable } from './peer-table.ts';
import { WatchEvidence } from './watch-evidence.ts';
import { METRIC_COUNT, type ThresholdResolver, type ThresholdSet } from './thresholds.ts';
import type { TrafficRates } from './traffic-rates.ts';

type DetectConfig = Config['detect'];

/** Evidence and hysteresis state of one watched (server, direction). */
export interface WatchState {
  row: number;
  dir: number;
  slot: number;
  since: number;
  aboveSince: number;
  belowSince: number;
  belowWatchSince: number;
  peers: PeerTable;
  samples: HeaderRing;
  /**
   * The summary window (so "Sum" covers exactly what the "External" lines cover), the
   * totals while an incident is open and the packets per own address.
   */
  evidence: WatchEvidence;
  incident: Incident | null;
  lastPublishMs: number;
}

export interface FloodDetectorDeps {
  config: DetectConfig;
  rates: TrafficRates;
  thresholds: ThresholdResolver;
  slotInfo(slot: number): ServerSlotInfo | undefined;
  /** Changes whenever server data (host group, customer) may have changed. */
  inventoryGeneration(): number;
  sink: IncidentSink;
}

const UPDATE_EVERY_MS = 5000;
/** Outbound at this fraction of a threshold, a server may be about to flood: scan verdicts wait for the flood's. */
const FLOOD_SUSPICION = 0.5;
const UNWATCH_AFTER_MS = 60_000;

export class FloodDetector {
  readonly #deps: FloodDetectorDeps;
  /** row*2+dir -> watch state. */
  readonly watched = new Map<number, WatchState>();
  /** The same states by row*2+dir, for the per-flow lookup (an array index, not a hash). */
  readonly #stateAt: Array<WatchState | undefined> = [];
  /** Per row: bit 0 watched out, bit 1 watched in (hot-path check without a Map lookup). */
  watchFlags = new Uint8Array(1024);
  /**
   * Thresholds per slot as an index into interned sets: most servers share a handful of
   * sets (the defaults, a few host groups), so this costs 8 bytes per server, not a set each.
   */
  #setOfSlot = new Int32Array(1024).fill(-1);
  #generationOfSlot = new Int32Array(1024);
  readonly #sets: ThresholdSet[] = [];
  readonly #setIds = new Map<string, number>();
  readonly #scratch = new Float64Array(METRIC_COUNT);

  constructor(deps: FloodDetectorDeps) {
    this.#deps = deps;
  }

  #thresholdsOf(slot: number): ThresholdSet {
    const generation = this.#deps.inventoryGeneration();
    if (slot >= this.#setOfSlot.length) {
      const size = Math.max(slot + 1, this.#setOfSlot.length * 2);
      const sets = new Int32Array(size).fill(-1);
      sets.set(this.#setOfSlot);
      const generations = new Int32Array(size);
      generations.set(this.#generationOfSlot);
      this.#setOfSlot = sets;
      this.#generationOfSlot = generations;
    }
    const id = this.#setOfSlot[slot];
    if (id >= 0 && this.#generationOfSlot[slot] === generation) return this.#sets[id];
    const set = this.#deps.thresholds.resolve(this.#deps.slotInfo(slot));
    const key = set.join(',');
    let interned = this.#setIds.get(key);
    if (interned === undefined) {
      interned = this.#sets.push(set) - 1;
      this.#setIds.set(key, interned);
    }
    this.#setOfSlot[slot] = interned;
    this.#generationOfSlot[slot] = generation;
    return this.#sets[interned];
  }

  watchState(row: number, dir: number): WatchState | undefined {
    return this.#stateAt[row * 2 + dir];
  }

  /** Evaluates one row in both directions at `nowMs`. */
  evaluate(row: number, nowMs: number): void {
    const slot = this.#deps.rates.slotOf(row);
    if (slot < 0) return;
    const thresholds = this.#thresholdsOf(slot);
    for (let dir = 0; dir < 2; dir++) this.#evaluateDirection(row, dir, slot, thresholds, nowMs);
  }

  #evaluateDirection(row: number, dir: number, slot: number, thresholds: ThresholdSet, nowMs: number): void {
    const rates = this.#scratch;
    this.#deps.rates.rates(row, dir, nowMs, rates);
    const cfg = this.#deps.config;
    let above = false;
    let aboveWatch = false;
    for (let m = 0; m < METRIC_COUNT; m++) {
      const threshold = thresholds[dir * METRIC_COUNT + m];
      if (threshold <= 0) continue;
      if (rates[m] > threshold) above = true;
      if (rates[m] > threshold * cfg.watchFraction) aboveWatch = true;
    }
    const key = row * 2 + dir;
    let state = this.watched.get(key);
    if (state === undefined) {
      if (!aboveWatch) return;
      state = this.#watch(row, dir, slot, nowMs);
    }
    if (aboveWatch) state.belowWatchSince = Number.NaN;
    else if (Number.isNaN(state.belowWatchSince)) state.belowWatchSince = nowMs;

    const incident = state.incident;
    if (above) {
      state.belowSince = Number.NaN;
      if (Number.isNaN(state.aboveSince)) state.aboveSince = nowMs;
      if (incident === null) {
        if (nowMs - state.aboveSince >= cfg.openAfterSeconds * 1000) this.#open(state, rates, thresholds, nowMs);
      } else {
        this.#recordPeak(incident, rates, thresholds, dir);
        incident.lastSeenMs = nowMs;
        if (nowMs - state.lastPublishMs >= UPDATE_EVERY_MS) this.#publish(state, nowMs, 'updated');
      }
    } else {
      state.aboveSince = Number.NaN;
      if (incident !== null) {
        if (Number.isNaN(state.belowSince)) state.belowSince = nowMs;
        if (nowMs - state.belowSince >= cfg.closeAfterSeconds * 1000) {
          incident.status = 'ended';
          incident.endedMs = nowMs;
          this.#publish(state, nowMs, 'ended');
          state.incident = null;
        } else if (nowMs - state.lastPublishMs >= UPDATE_EVERY_MS) {
          this.#publish(state, nowMs, 'updated');
        }
      } else if (!aboveWatch && nowMs - state.belowWatchSince >= UNWATCH_AFTER_MS) {
        this.#unwatch(key, row, dir);
      }
    }
  }

  #watch(row: number, dir: number, slot: number, nowMs: number): WatchState {
    const state: WatchState = {
      row,
      dir,
      slot,
      since: nowMs,
      aboveSince: Number.NaN,
      belowSince: Number.NaN,
      belowWatchSince: Number.NaN,
      peers: new PeerTable(this.#deps.config.maxRemotesPerIncident),
      samples: new HeaderRing(this.#deps.config.evidenceSamples),
      evidence: new WatchEvidence(),
      incident: null,
      lastPublishMs: 0,
    };
    this.watched.set(row * 2 + dir, state);
    this.#stateAt[row * 2 + dir] = state;
    if (row >= this.watchFlags.length) {
      const next = new Uint8Array(Math.max(row + 1, this.watchFlags.length * 2));
      next.set(this.watchFlags);
      this.watchFlags = next;
    }
    this.watchFlags[row] |= 1 << dir;
    return state;
  }

  /**
   * Starts keeping evidence at once, before the next evaluation: one NetFlow record can carry
   * the whole burst that crosses the threshold, and its peer must be in the summary.
   */
  watchNow(row: number, dir: number, slot: number, nowMs: number): WatchState {
    return this.#stateAt[row * 2 + dir] ?? this.#watch(row, dir, slot, nowMs);
  }

  #unwatch(key: number, row: number, dir: number): void {
    this.watched.delete(key);
    this.#stateAt[key] = undefined;
    this.watchFlags[row] &= ~(1 << dir);
  }

  /** True while a row has any watch state (it must not be evicted). */
  isWatched(row: number): boolean {
    return row < this.watchFlags.length && this.watchFlags[row] !== 0;
  }

  #recordPeak(incident: Incident, rates: Float64Array, thresholds: ThresholdSet, dir: number): void {
    RATE_METRICS.forEach((metric, m) => {
      if (rates[m] > incident.peak[metric]) incident.peak[metric] = rates[m];
      const threshold = thresholds[dir * METRIC_COUNT + m];
      if (threshold > 0 && rates[m] > threshold) {
        const exceeded = incident.exceeded.find((e) => e.metric === metric);
        if (exceeded === undefined) incident.exceeded.push({ metric, threshold, peak: rates[m] });
        else if (rates[m] > exceeded.peak) exceeded.peak = rates[m];
      }
    });
  }

  #open(state: WatchState, rates: Float64Array, thresholds: ThresholdSet, nowMs: number): void {
    const info = this.#deps.slotInfo(state.slot);
    if (info === undefined) return;
    const peak: Rates = emptyRates();
    const incident: Incident = {
      id: randomUUID(),
      serverId: info.serverId,
      customerId: info.customerId,
      address: '',
      kind: 'flood',
      direction: state.dir === 0 ? 'out' : 'in',
      status: 'open',
      firstSeenMs: state.aboveSince,
      lastSeenMs: nowMs,
      endedMs: null,
      exceeded: [],
      peak,
      totals: { packets: 0, bytes: 0, flows: 0 },
      summary: null,
      netscan: null,
      sourceAddress: null,
      samples: [],
    };
    this.#recordPeak(incident, rates, thresholds, state.dir);
    state.incident = incident;
    // A server watched on after an earlier incident ended starts this one's totals anew.
    state.evidence.resetTotals();
    this.#publish(state, nowMs, 'opened');
  }

  /** Refreshes the incident's summary and evidence from the watch state, then hands it on. */
  #publish(state: WatchState, nowMs: number, event: 'opened' | 'updated' | 'ended'): void {
    const incident = state.incident;
    if (incident === null) return;
    state.lastPublishMs = nowMs;
    const sum = state.evidence.summary(nowMs, state.since);
    incident.summary = {
      windowSeconds: sum.windowSeconds,
      sum: { packets: sum.packets, flows: sum.flows, bytes: sum.bytes },
      externals: state.peers.top(this.#deps.config.maxRemotesPerIncident),
      otherExternals: { ...state.peers.others },
    };
    incident.totals = state.evidence.totals;
    incident.samples = state.samples.toArray();
    const best = state.evidence.busiestAddress();
    incident.address = best === null ? '' : addressKeyText(best);
    if (event === 'opened') this.#deps.sink.opened(structuredCloneIncident(incident));
    else if (event === 'updated') this.#deps.sink.updated(structuredCloneIncident(incident));
    else this.#deps.sink.ended(structuredCloneIncident(incident));
  }

  /**
   * Whether a server sends outbound at flood level (for the netscan detector): 'yes' with
   * an open outbound flood incident, 'maybe' when watched and above the watch level.
   */
  floodState(slot: number, nowMs: number): 'no' | 'maybe' | 'yes' {
    const row = this.#deps.rates.rowOf(slot);
    if (row < 0) return 'no';
    const state = this.watched.get(row * 2);
    if (state === undefined) return 'no';
    if (state.incident !== null) return 'yes';
    const thresholds = this.#thresholdsOf(slot);
    const rates = this.#scratch;
    this.#deps.rates.rates(row, 0, nowMs, rates);
    for (let m = 0; m < METRIC_COUNT; m++) {
      const threshold = thresholds[m];
      if (threshold > 0 && rates[m] > threshold * FLOOD_SUSPICION) return 'maybe';
    }
    return 'no';
  }

  /** Publishes every open incident's current evidence (shutdown or end of a replay). */
  flush(nowMs: number): void {
    for (const state of this.watched.values()) {
      if (state.incident !== null) this.#publish(state, nowMs, 'updated');
    }
  }
}

/** Sinks get their own copy: the detector keeps mutating its incident. */
function structuredCloneIncident(incident: Incident): Incident {
  return {
    ...incident,
    exceeded: incident.exceeded.map((e) => ({ ...e })),
    peak: { ...incident.peak },
    totals: { ...incident.totals },
    summary: incident.summary === null ? null : { ...incident.summary, externals: incident.summary.externals.slice() },
    samples: incident.samples.slice(),
  };
}
