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
import { addressKeyText } from './address-text.ts';
import { emptyRates, type Incident, type IncidentSink, type ScanAttempt } from './incident.ts';

type NetscanConfig = Config['detect']['netscan'];

/**
 * An address as the detector keys it: an IPv4 address as an int32 (its uint32 `| 0`, a
 * small integer to V8 where the uint32 would be a heap number), or the 16 bytes of an IPv6
 * address as a string (address-text.ts ipv6Key). Formatted only for a report.
 */
type AddressKey = number | string;

/** A counted attempt, kept raw: most are never reported, so none is formatted until one is. */
interface RawAttempt {
  timeMs: number;
  protocol: number;
  srcPort: number;
  dstPort: number;
  src: AddressKey;
  dst: AddressKey;
}

/** One key's distinct targets in the window, in first-seen order. */
interface TargetWindow {
  type: 'horizontal' | 'vertical';
  /** The key in its server's map. */
  key: number | string;
  protocol: number;
  /** Horizontal: the port; vertical: -1. */
  port: number;
  /** Vertical: the scanned address. */
  target: AddressKey | null;
  /** The attempt that first reached each distinct target; the live ones are [head, length). */
  attempts: RawAttempt[];
  head: number;
  /** When the oldest live target was first reached (+Infinity with none): the expiry check without touching an attempt. */
  headMs: number;
  /**
   * The live targets, once there are more than SMALL_WINDOW of them; before that the live
   * attempts are searched. Most windows (a server's connection to one peer) never get one.
   */
  seen: Set<AddressKey> | null;
  privateTargets: number;
  samplingRate: number;
  lastMs: number;
}

/**
 * One server's windows: horizontal ones by protocol class and port, vertical ones by
 * target address. Each Map is in last-activity order, like the servers themselves.
 */
interface ServerScans {
  slot: number;
  horizontal: Map<number, TargetWindow>;
  vertical: Map<AddressKey, TargetWindow>;
  /** Distinct targets live in this server's windows. */
  tracked: number;
  lastMs: number;
  /** Dropped (scan opened, suppressed, idle or evicted): counts no more. */
  dropped: boolean;
}

interface OpenScan {
  incident: Incident;
  lastAttemptMs: number;
  lastPublishMs: number;
  /** Targets already listed in the incident, so a re-probe is not listed twice. */
  listed: Set<number | string>;
  /** Listed attempts not yet formatted into the incident (formatted when it is published). */
  unformatted: RawAttempt[];
}

export interface NetscanDetectorDeps {
  config: NetscanConfig;
  slotInfo(slot: number): ServerSlotInfo | undefined;
  /** Bumped when the inventory changes (the allowlist verdicts per server are cached). */
  inventoryGeneration?: () => number;
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

const UPDATE_EVERY_MS = 5000;
const REORDER_AFTER_MS = 1000;
/** Long enough for a flood's rate to show in a 1 s window, short enough to report a scan within 1 s. */
const FLOOD_GRACE_MS = 800;
/** Up to this many live targets a window is searched instead of hashed. */
const SMALL_WINDOW = 8;

/** Protocol class of a counted protocol: 0 TCP, 1 UDP, 2 ICMP/ICMPv6, -1 not counted. */
function protocolClass(protocol: number): number {
  if (protocol === 6) return 0;
  if (protocol === 17) return 1;
  if (protocol === 1 || protocol === 58) return 2;
  return -1;
}

export class NetscanDetector {
  readonly #deps: NetscanDetectorDeps;
  /** slot -> its windows, in last-activity order (the idle sweep and eviction take from the front). */
  readonly #servers = new Map<number, ServerScans>();
  /** The current observe() call's details, reused (no object per attempt). */
  readonly #call = { timeMs: 0, protocol: 0, srcPort: 0, dstPort: 0, src: 0 as AddressKey, dst: 0 as AddressKey };
  #attempt: RawAttempt | null = null;
  readonly #open = new Map<number, OpenScan>();
  /** Scans that crossed their threshold while the server sent at flood level: slot -> window and when. */
  readonly #pending = new Map<number, { window: TargetWindow; sinceMs: number }>();
  /** Scans not reported because the server's flood incident covers them. */
  suppressedByFlood = 0;
  readonly #allowServers: Set<string>;
  readonly #allowGroups: Set<string>;
  /** Per slot: 0 not yet asked, 1 allowlisted, 2 not; valid for #allowedGeneration. */
  #allowedCache = new Uint8Array(1024);
  #allowedGeneration = -1;
  #tracked = 0;
  /** Windows dropped because the global cap was reached. */
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
    const generation = this.#deps.inventoryGeneration?.() ?? 0;
    if (generation !== this.#allowedGeneration) {
      this.#allowedGeneration = generation;
      this.#allowedCache.fill(0);
    }
    if (slot >= this.#allowedCache.length) {
      const next = new Uint8Array(Math.max(slot + 1, this.#allowedCache.length * 2));
      next.set(this.#allowedCache);
      this.#allowedCache = next;
    }
    const cached = this.#allowedCache[slot];
    if (cached !== 0) return cached === 1;
    const info = this.#deps.slotInfo(slot);
    const allowed = info === undefined || this.#allowServers.has(info.serverId) || (info.hostGroupId !== null && this.#allowGroups.has(info.hostGroupId));
    this.#allowedCache[slot] = allowed ? 1 : 2;
    return allowed;
  }

  /**
   * One attempt by server `slot` from address `src` to `dst` (AddressKey: uint32 for IPv4,
   * ipv6Key for IPv6). Most attempts are only counted; an attempt is kept (raw) only when
   * it reaches a new target.
   */
  observe(
    slot: number,
    timeMs: number,
    protocol: number,
    srcPort: number,
    src: AddressKey,
    dst: AddressKey,
    dstPort: number,
    isPrivateTarget: boolean,
    samplingRate: number,
  ): void {
    const cls = protocolClass(protocol);
    if (cls < 0) return;
    const port = cls === 2 ? 0 : dstPort;
    const c = this.#call;
    c.timeMs = timeMs;
    c.protocol = protocol;
    c.srcPort = srcPort;
    c.dstPort = port;
    c.src = src;
    c.dst = dst;
    this.#attempt = null;
    const open = this.#open.get(slot);
    if (open !== undefined) {
      open.lastAttemptMs = timeMs;
      open.incident.lastSeenMs = timeMs;
      const id = typeof dst === 'number' ? dst * 65_536 + port : `${dst}:${port}`;
      if (open.listed.size < this.#deps.config.maxEvidenceTargets && !open.listed.has(id)) {
        open.listed.add(id);
        open.unformatted.push(this.#makeAttempt());
        if (isPrivateTarget) open.incident.netscan!.privateTargets++;
      }
      return;
    }
    let server = this.#servers.get(slot);
    if (server === undefined) {
      server = { slot, horizontal: new Map(), vertical: new Map(), tracked: 0, lastMs: timeMs, dropped: false };
      this.#servers.set(slot, server);
    } else if (timeMs - server.lastMs > REORDER_AFTER_MS) {
      // Keep recently active servers at the end (the sweep and eviction take from the
      // front); within a second the order is left as it is, which saves two Map operations
      // per attempt and delays a sweep by at most that second.
      this.#servers.delete(slot);
      this.#servers.set(slot, server);
    }
    if (timeMs > server.lastMs) server.lastMs = timeMs;
    this.#add(server, server.horizontal, cls * 65_536 + port, 'horizontal', dst, isPrivateTarget, samplingRate);
    // (The horizontal count may have evicted this very server at the cap.)
    if (cls !== 2 && !server.dropped) {
      this.#add(server, server.vertical, dst, 'vertical', port, isPrivateTarget, samplingRate);
    }
  }

  /** The attempt of the current observe() call, made once and only when kept. */
  #makeAttempt(): RawAttempt {
    const c = this.#call;
    this.#attempt ??= { timeMs: c.timeMs, protocol: c.protocol, srcPort: c.srcPort, dstPort: c.dstPort, src: c.src, dst: c.dst };
    return this.#attempt;
  }

  #add<K extends number | string>(
    server: ServerScans,
    windows: Map<K, TargetWindow>,
    key: K,
    type: 'horizontal' | 'vertical',
    element: AddressKey,
    isPrivateTarget: boolean,
    samplingRate: number,
  ): void {
    const cfg = this.#deps.config;
    const timeMs = this.#call.timeMs;
    let w = windows.get(key);
    if (w === undefined) {
      // A new window is when a server's state grows: drop its windows idle for a whole window first.
      this.#sweepServer(server, timeMs);
      w = {
        type,
        key,
        protocol: this.#call.protocol,
        port: type === 'horizontal' ? this.#call.dstPort : -1,
        target: type === 'vertical' ? this.#call.dst : null,
        // Most windows keep one target (a server's connection to one peer): no room for more yet.
        attempts: [this.#makeAttempt()],
        head: 0,
        headMs: timeMs,
        seen: null,
        privateTargets: 0,
        samplingRate,
        lastMs: timeMs,
      };
      windows.set(key, w);
    } else {
      if (timeMs - w.lastMs > REORDER_AFTER_MS) {
        windows.delete(key);
        windows.set(key, w);
      }
      if (timeMs > w.lastMs) w.lastMs = timeMs;
      if (samplingRate > w.samplingRate) w.samplingRate = samplingRate;
      if (w.headMs < timeMs - cfg.windowSeconds * 1000) this.#expire(server, w, timeMs - cfg.windowSeconds * 1000);
      if (this.#holds(w, element)) return;
      if (w.attempts.length === w.head) w.headMs = timeMs;
      w.attempts.push(this.#makeAttempt());
      if (w.seen !== null) w.seen.add(element);
      else if (w.attempts.length - w.head > SMALL_WINDOW) w.seen = liveTargets(w);
    }
    if (isPrivateTarget) w.privateTargets++;
    server.tracked++;
    this.#tracked++;
    const sampled = w.attempts.length - w.head;
    const estimate = sampled * Math.max(1, w.samplingRate);
    const needed = type === 'horizontal' ? cfg.horizontalAddresses : cfg.verticalPorts;
    const enoughSamples = w.samplingRate <= 1 || sampled >= cfg.minSampledTargets;
    if (estimate >= needed && enoughSamples) this.#crossed(server.slot, w, timeMs);
    else if (this.#tracked > cfg.maxTrackedTargets) this.#evictOldest();
  }

  #holds(w: TargetWindow, element: AddressKey): boolean {
    if (w.seen !== null) return w.seen.has(element);
    const attempts = w.attempts;
    if (w.type === 'horizontal') {
      for (let k = w.head; k < attempts.length; k++) if (attempts[k].dst === element) return true;
    } else {
      for (let k = w.head; k < attempts.length; k++) if (attempts[k].dstPort === element) return true;
    }
    return false;
  }

  /**
   * A window crossed its threshold. The verdict waits FLOOD_GRACE_MS: a flood to random
   * ports or addresses crosses a scan threshold within milliseconds, long before its rate
   * is measurable; if the server turns out to be flooding, the flood incident covers it.
   */
  #crossed(slot: number, w: TargetWindow, timeMs: number): void {
    if (!this.#pending.has(slot)) this.#pending.set(slot, { window: w, sinceMs: timeMs });
  }

  #suppress(slot: number): void {
    this.suppressedByFlood++;
    this.#pending.delete(slot);
    this.#dropServer(slot);
  }

  /** Targets first reached before `cutoff` leave the window. */
  #expire(server: ServerScans, w: TargetWindow, cutoff: number): void {
    const attempts = w.attempts;
    let head = w.head;
    while (head < attempts.length && attempts[head].timeMs < cutoff) {
      w.seen?.delete(elementOf(w, attempts[head]));
      head++;
    }
    const expired = head - w.head;
    if (expired === 0) return;
    server.tracked -= expired;
    this.#tracked -= expired;
    if (head === attempts.length) {
      w.attempts = [];
      w.head = 0;
      w.headMs = Number.POSITIVE_INFINITY;
      w.seen = null;
    } else if (head > 1024 && head * 2 > attempts.length) {
      w.attempts = attempts.slice(head);
      w.head = 0;
      w.headMs = w.attempts[0].timeMs;
    } else {
      w.head = head;
      w.headMs = attempts[head].timeMs;
    }
  }

  /** Drops a server's windows idle for a whole window (the Maps are in last-activity order). */
  #sweepServer(server: ServerScans, nowMs: number): void {
    this.#sweepWindows(server, server.horizontal, nowMs);
    this.#sweepWindows(server, server.vertical, nowMs);
  }

  #sweepWindows(server: ServerScans, windows: Map<AddressKey, TargetWindow>, nowMs: number): void {
    const windowMs = this.#deps.config.windowSeconds * 1000;
    for (const w of windows.values()) {
      const idle = nowMs - w.lastMs;
      if (idle > windowMs) {
        windows.delete(w.key);
        const live = w.attempts.length - w.head;
        server.tracked -= live;
        this.#tracked -= live;
      } else if (idle < windowMs - REORDER_AFTER_MS) break;
    }
  }

  #evictOldest(): void {
    for (const [slot, server] of this.#servers) {
      if (this.#tracked <= this.#deps.config.maxTrackedTargets * 0.9) break;
      this.evictedKeys += server.horizontal.size + server.vertical.size;
      this.#dropServer(slot);
    }
  }

  #dropServer(slot: number): void {
    const server = this.#servers.get(slot);
    if (server === undefined) return;
    this.#tracked -= server.tracked;
    server.dropped = true;
    this.#servers.delete(slot);
  }

  #openIncident(slot: number, w: TargetWindow, timeMs: number): void {
    const info = this.#deps.slotInfo(slot);
    if (info === undefined) return;
    const raw = w.attempts.slice(w.head, w.head + this.#deps.config.maxEvidenceTargets);
    const attempts = raw.map(formatAttempt);
    const sampled = w.attempts.length - w.head;
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
        target: w.target === null ? null : addressKeyText(w.target),
        protocol: w.protocol,
        distinctTargets: sampled * Math.max(1, w.samplingRate),
        sampledTargets: sampled,
        samplingRate: w.samplingRate,
        privateTargets: w.privateTargets,
        attempts,
      },
      sourceAddress: null,
      samples: [],
    };
    const listed = new Set<number | string>(raw.map((a) => (typeof a.dst === 'number' ? a.dst * 65_536 + a.dstPort : `${a.dst}:${a.dstPort}`)));
    this.#open.set(slot, { incident, lastAttemptMs: timeMs, lastPublishMs: timeMs, listed, unformatted: [] });
    this.#dropServer(slot);
    this.#deps.sink.opened(copy(incident));
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
        this.#openIncident(slot, pending.window, pending.sinceMs);
      }
    }
    for (const [slot, open] of this.#open) {
      const ended = nowMs - open.lastAttemptMs >= windowMs;
      if (!ended && nowMs - open.lastPublishMs < UPDATE_EVERY_MS) continue;
      const n = open.incident.netscan!;
      for (const a of open.unformatted) n.attempts.push(formatAttempt(a));
      open.unformatted.length = 0;
      n.sampledTargets = Math.max(n.sampledTargets, open.listed.size);
      n.distinctTargets = Math.max(n.distinctTargets, open.listed.size * Math.max(1, n.samplingRate));
      if (ended) {
        open.incident.status = 'ended';
        open.incident.endedMs = nowMs;
        this.#deps.sink.ended(copy(open.incident));
        this.#open.delete(slot);
      } else {
        open.lastPublishMs = nowMs;
        this.#deps.sink.updated(copy(open.incident));
      }
    }
    // Servers idle for a whole window hold nothing countable any more. The Map is in
    // last-activity order (observe re-inserts), so the sweep stops at the first server still
    // active: walking them all on every tick (one per batch) was quadratic in the servers.
    for (const [slot, server] of this.#servers) {
      const idle = nowMs - server.lastMs;
      if (idle > windowMs) this.#dropServer(slot);
      // The order may lag by REORDER_AFTER_MS: stop where everything after is surely active.
      else if (idle < windowMs - REORDER_AFTER_MS) break;
    }
  }
}

/** The target of an attempt in a window: its address (horizontal) or its port (vertical). */
function elementOf(w: TargetWindow, a: RawAttempt): AddressKey {
  return w.type === 'horizontal' ? a.dst : a.dstPort;
}

function liveTargets(w: TargetWindow): Set<AddressKey> {
  const live = new Set<AddressKey>();
  for (let k = w.head; k < w.attempts.length; k++) live.add(elementOf(w, w.attempts[k]));
  return live;
}

function formatAttempt(a: RawAttempt): ScanAttempt {
  return { timeMs: a.timeMs, srcAddr: addressKeyText(a.src), srcPort: a.srcPort, dstAddr: addressKeyText(a.dst), dstPort: a.dstPort, protocol: a.protocol };
}

function copy(incident: Incident): Incident {
  const n = incident.netscan!;
  return { ...incident, netscan: { ...n, attempts: n.attempts.slice() } };
}
