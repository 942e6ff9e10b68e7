/**
 * Netscans: one server making connection attempts (TCP SYN without ACK, UDP from an
 * ephemeral port, ICMP echo) to many distinct addresses on one port (horizontal) or many
 * distinct ports on one address (vertical) within a sliding window.
 *
 * Distinct targets are counted exactly per (server, port) and (server, address) key, with
 * a global cap on tracked entries (the oldest keys are dropped first), so memory is
 * bounded however many servers scan. With sampled telemetry the distinct count is
 * estimated as sampled distinct x sampling rate, but only once enough targets were really
 * seen (`minSampledTargets`): one sampled SYN is not a scan.
 */
import { randomUUID } from 'node:crypto';
import type { Config } from '../config/config-schema.ts';
import type { ServerSlotInfo } from '../inventory/inventory-index.ts';
import { emptyRates, type Incident, type IncidentSink, type ScanAttempt } from './incident.ts';

type NetscanConfig = Config['detect']['netscan'];

/** One key's distinct targets in the window, in first-seen order. */
interface TargetWindow {
  type: 'horizontal' | 'vertical';
  slot: number;
  protocol: number;
  /** Horizontal: the port; vertical: -1. */
  port: number;
  /** Vertical: the address text. */
  target: string | null;
  seen: Map<number | string, number>;
  times: number[];
  keys: Array<number | string>;
  attempts: ScanAttempt[];
  head: number;
  privateTargets: number;
  samplingRate: number;
  lastMs: number;
}

interface OpenScan {
  incident: Incident;
  lastAttemptMs: number;
  lastPublishMs: number;
  /** Targets already listed in the incident, so a re-probe is not listed twice. */
  listed: Set<string>;
}

/** Formats the current flow's addresses on demand (the detector reuses one of these). */
export interface AttemptAddresses {
  srcText(): string;
  dstText(): string;
}

export interface NetscanDetectorDeps {
  config: NetscanConfig;
  slotInfo(slot: number): ServerSlotInfo | undefined;
  sink: IncidentSink;
  /**
   * Whether the server is sending at flood level: 'no' (scan verdicts are immediate),
   * 'maybe' (high rate, a flood incident may be about to open: wait), 'yes' (a flood
   * incident is open: the spread of destinations is the flood's, not a scan).
   */
  floodState(slot: number, nowMs: number): 'no' | 'maybe' | 'yes';
  /** How long a 'maybe' may wait for the flood verdict. */
  floodVerdictMs: number;
}

const PROTOCOL_CLASS: Record<number, number> = { 6: 0, 17: 1, 1: 2, 58: 2 };
const UPDATE_EVERY_MS = 5000;
const REORDER_AFTER_MS = 1000;
/** Long enough for a flood's rate to show in a 1 s window, short enough to report a scan within 1 s. */
const FLOOD_GRACE_MS = 800;

export class NetscanDetector {
  readonly #deps: NetscanDetectorDeps;
  readonly #windows = new Map<number | string, TargetWindow>();
  /** The current observe() call's details, reused (no object per attempt). */
  readonly #call: { timeMs: number; srcPort: number; port: number; protocol: number; addresses: AttemptAddresses | null } = {
    timeMs: 0,
    srcPort: 0,
    port: 0,
    protocol: 0,
    addresses: null,
  };
  #attempt: ScanAttempt | null = null;
  /** Each server's window keys, so an opened scan drops them without walking every window. */
  readonly #keysOfSlot = new Map<number, Set<number | string>>();
  readonly #open = new Map<number, OpenScan>();
  /** Scans that crossed their threshold while the server sent at flood level: slot -> window and when. */
  readonly #pending = new Map<number, { window: TargetWindow; sinceMs: number }>();
  /** Scans not reported because the server's flood incident covers them. */
  suppressedByFlood = 0;
  readonly #allowServers: Set<string>;
  readonly #allowGroups: Set<string>;
  #tracked = 0;
  /** Keys dropped because the global cap was reached. */
  evictedKeys = 0;

  constructor(deps: NetscanDetectorDeps) {
    this.#deps = deps;
    this.#allowServers = new Set(deps.config.allowServers);
    this.#allowGroups = new Set(deps.config.allowHostGroups);
  }

  get trackedTargets(): number {
    return this.#tracked;
  }

  allowed(slot: number): boolean {
    const info = this.#deps.slotInfo(slot);
    if (info === undefined) return true;
    return this.#allowServers.has(info.serverId) || (info.hostGroupId !== null && this.#allowGroups.has(info.hostGroupId));
  }

  /**
   * One attempt by server `slot`. `dstKey` identifies the destination address (uint32 for
   * IPv4, a string for IPv6); `addresses` says where the flow's addresses are, to format
   * them only when an attempt must be kept (most attempts are only counted).
   */
  observe(
    slot: number,
    timeMs: number,
    protocol: number,
    srcPort: number,
    dstKey: number | string,
    dstPort: number,
    isPrivateTarget: boolean,
    samplingRate: number,
    addresses: AttemptAddresses,
  ): void {
    const cls = PROTOCOL_CLASS[protocol];
    if (cls === undefined) return;
    const port = cls === 2 ? 0 : dstPort;
    const horizontalKey = slot * 262_144 + cls * 65_536 + port;
    const open = this.#open.get(slot);
    this.#attempt = null;
    this.#call.timeMs = timeMs;
    this.#call.srcPort = srcPort;
    this.#call.port = port;
    this.#call.protocol = protocol;
    this.#call.addresses = addresses;
    if (open !== undefined) {
      open.lastAttemptMs = timeMs;
      const evidence = open.incident.netscan!;
      const id = `${typeof dstKey === 'number' ? dstKey : addresses.dstText()}:${port}`;
      if (evidence.attempts.length < this.#deps.config.maxEvidenceTargets && !open.listed.has(id)) {
        open.listed.add(id);
        evidence.attempts.push(this.#makeAttempt());
        if (isPrivateTarget) evidence.privateTargets++;
      }
      open.incident.lastSeenMs = timeMs;
      return;
    }
    this.#add(horizontalKey, 'horizontal', slot, protocol, port, false, dstKey, timeMs, isPrivateTarget, samplingRate);
    if (cls !== 2) {
      const verticalKey = typeof dstKey === 'number' && slot < 2_000_000 ? -(slot * 4_294_967_296 + dstKey) - 1 : `${slot}|${dstKey}`;
      this.#add(verticalKey, 'vertical', slot, protocol, -1, true, dstPort, timeMs, isPrivateTarget, samplingRate);
    }
  }

  /** The attempt of the current observe() call, made once and only when kept. */
  #makeAttempt(): ScanAttempt {
    const c = this.#call;
    this.#attempt ??= { timeMs: c.timeMs, srcAddr: c.addresses!.srcText(), srcPort: c.srcPort, dstAddr: c.addresses!.dstText(), dstPort: c.port, protocol: c.protocol };
    return this.#attempt;
  }

  #add(
    key: number | string,
    type: 'horizontal' | 'vertical',
    slot: number,
    protocol: number,
    port: number,
    vertical: boolean,
    element: number | string,
    timeMs: number,
    isPrivateTarget: boolean,
    samplingRate: number,
  ): void {
    const cfg = this.#deps.config;
    let w = this.#windows.get(key);
    if (w === undefined) {
      w = {
        type,
        slot,
        protocol,
        port,
        target: vertical ? this.#call.addresses!.dstText() : null,
        seen: new Map(),
        times: [],
        keys: [],
        attempts: [],
        head: 0,
        privateTargets: 0,
        samplingRate,
        lastMs: timeMs,
      };
      this.#windows.set(key, w);
      let keys = this.#keysOfSlot.get(slot);
      if (keys === undefined) this.#keysOfSlot.set(slot, (keys = new Set()));
      keys.add(key);
    } else if (timeMs - w.lastMs > REORDER_AFTER_MS) {
      // Keep recently active keys at the end of the Map (eviction and the idle sweep take
      // from the front); within a second the order is left as it is, which saves two Map
      // operations per attempt and delays a sweep by at most that second.
      this.#windows.delete(key);
      this.#windows.set(key, w);
    }
    w.lastMs = Math.max(w.lastMs, timeMs);
    if (samplingRate > w.samplingRate) w.samplingRate = samplingRate;
    this.#expire(w, timeMs - cfg.windowSeconds * 1000);
    if (w.seen.has(element)) return;
    w.seen.set(element, timeMs);
    w.times.push(timeMs);
    w.keys.push(element);
    w.attempts.push(this.#makeAttempt());
    if (isPrivateTarget) w.privateTargets++;
    this.#tracked++;
    const sampled = w.seen.size;
    const estimate = sampled * Math.max(1, w.samplingRate);
    const needed = type === 'horizontal' ? cfg.horizontalAddresses : cfg.verticalPorts;
    const enoughSamples = w.samplingRate <= 1 || sampled >= cfg.minSampledTargets;
    if (estimate >= needed && enoughSamples) this.#crossed(w, timeMs);
    else if (this.#tracked > cfg.maxTrackedTargets) this.#evictOldest();
  }

  /**
   * A window crossed its threshold. The verdict waits FLOOD_GRACE_MS: a flood to random
   * ports or addresses crosses a scan threshold within milliseconds, long before its rate
   * is measurable; if the server turns out to be flooding, the flood incident covers it.
   */
  #crossed(w: TargetWindow, timeMs: number): void {
    if (!this.#pending.has(w.slot)) this.#pending.set(w.slot, { window: w, sinceMs: timeMs });
  }

  #suppress(slot: number): void {
    this.suppressedByFlood++;
    this.#pending.delete(slot);
    this.#dropKeysOf(slot);
  }

  #expire(w: TargetWindow, cutoff: number): void {
    while (w.head < w.times.length && w.times[w.head] < cutoff) {
      const element = w.keys[w.head];
      if (w.seen.get(element) === w.times[w.head]) {
        w.seen.delete(element);
        this.#tracked--;
      }
      w.head++;
    }
    if (w.head > 1024 && w.head * 2 > w.times.length) {
      w.times = w.times.slice(w.head);
      w.keys = w.keys.slice(w.head);
      w.attempts = w.attempts.slice(w.head);
      w.head = 0;
    }
  }

  #evictOldest(): void {
    for (const [key, w] of this.#windows) {
      if (this.#tracked <= this.#deps.config.maxTrackedTargets * 0.9) break;
      this.#forget(key, w);
      this.evictedKeys++;
    }
  }

  #forget(key: number | string, w: TargetWindow): void {
    this.#tracked -= w.seen.size;
    this.#windows.delete(key);
    const keys = this.#keysOfSlot.get(w.slot);
    if (keys !== undefined) {
      keys.delete(key);
      if (keys.size === 0) this.#keysOfSlot.delete(w.slot);
    }
  }

  #openIncident(w: TargetWindow, timeMs: number): void {
    const info = this.#deps.slotInfo(w.slot);
    if (info === undefined) return;
    const attempts = w.attempts.slice(w.head, w.head + this.#deps.config.maxEvidenceTargets);
    const incident: Incident = {
      id: randomUUID(),
      serverId: info.serverId,
      customerId: info.customerId,
      address: attempts[0]?.srcAddr ?? '',
      kind: 'netscan',
      direction: 'out',
      status: 'open',
      firstSeenMs: attempts[0]?.timeMs ?? timeMs,
      lastSeenMs: timeMs,
      endedMs: null,
      exceeded: [],
      peak: emptyRates(),
      totals: { packets: 0, flows: 0, bytes: 0 },
      summary: null,
      netscan: {
        type: w.type,
        port: w.port,
        target: w.target,
        protocol: w.protocol,
        distinctTargets: w.seen.size * Math.max(1, w.samplingRate),
        sampledTargets: w.seen.size,
        samplingRate: w.samplingRate,
        privateTargets: w.privateTargets,
        attempts,
      },
      sourceAddress: null,
      samples: [],
    };
    this.#open.set(w.slot, { incident, lastAttemptMs: timeMs, lastPublishMs: timeMs, listed: new Set(attempts.map((a) => `${a.dstAddr}:${a.dstPort}`)) });
    this.#dropKeysOf(w.slot);
    this.#deps.sink.opened(copy(incident));
  }

  /** The server's other windows are folded into the open incident from now on. */
  #dropKeysOf(slot: number): void {
    for (const key of this.#keysOfSlot.get(slot) ?? []) {
      const w = this.#windows.get(key);
      if (w !== undefined) this.#forget(key, w);
    }
    this.#keysOfSlot.delete(slot);
  }

  /** Ends scans without attempts for a whole window; publishes updates of running ones. */
  tick(nowMs: number): void {
    const windowMs = this.#deps.config.windowSeconds * 1000;
    for (const [slot, pending] of this.#pending) {
      const age = nowMs - pending.sinceMs;
      if (age < FLOOD_GRACE_MS) continue;
      const flood = this.#deps.floodState(slot, nowMs);
      if (flood === 'yes') this.#suppress(slot);
      else if (flood === 'no' || age >= this.#deps.floodVerdictMs) {
        this.#pending.delete(slot);
        this.#openIncident(pending.window, pending.sinceMs);
      }
    }
    for (const [slot, open] of this.#open) {
      const n = open.incident.netscan!;
      n.sampledTargets = Math.max(n.sampledTargets, open.listed.size);
      n.distinctTargets = Math.max(n.distinctTargets, open.listed.size * Math.max(1, n.samplingRate));
      if (nowMs - open.lastAttemptMs >= windowMs) {
        open.incident.status = 'ended';
        open.incident.endedMs = nowMs;
        this.#deps.sink.ended(copy(open.incident));
        this.#open.delete(slot);
      } else if (nowMs - open.lastPublishMs >= UPDATE_EVERY_MS) {
        open.lastPublishMs = nowMs;
        this.#deps.sink.updated(copy(open.incident));
      }
    }
    // Windows idle for a whole window hold nothing countable any more. The Map is in
    // last-activity order (#add re-inserts), so the sweep stops at the first window still
    // active: walking them all on every tick (one per batch) was quadratic in the windows.
    for (const [key, w] of this.#windows) {
      const idle = nowMs - w.lastMs;
      if (idle > windowMs) this.#forget(key, w);
      // The order may lag by REORDER_AFTER_MS: stop where everything after is surely active.
      else if (idle < windowMs - REORDER_AFTER_MS) break;
    }
  }
}

function copy(incident: Incident): Incident {
  const n = incident.netscan!;
  return { ...incident, netscan: { ...n, attempts: n.attempts.slice() } };
}
