/**
 * Incorrect network configuration: a server sending from addresses inside the provider's
 * prefixes that are assigned to no server, or to another customer's server.
 *
 * The sender is recognised by what the telemetry says about the link: the source MAC
 * (sFlow headers, IPFIX/NetFlow MAC fields) or the exporter's input interface. Both are
 * learned from the server's traffic with its own addresses; a MAC or interface seen with
 * several servers (a router, an aggregation link) identifies nobody and is not used.
 */
import { randomUUID } from 'node:crypto';
import type { Config } from '../config/config-schema.ts';
import { formatMac } from '../flow/flow-record.ts';
import type { ServerSlotInfo } from '../inventory/inventory-index.ts';
import { emptyRates, type Incident, type IncidentSink } from './incident.ts';
import { NumberIndex } from './number-index.ts';

type SourceConfig = Config['detect']['sourceAddress'];

const AMBIGUOUS = -2;
const MAX_LEARNED = 2_000_000;
/** Flows a link address must have carried for its server before it identifies the server. */
const MIN_LEARNED_FLOWS = 5;

interface Learned {
  slot: number;
  flows: number;
}
const UPDATE_EVERY_MS = 5000;

interface Suspect {
  slot: number;
  via: 'mac' | 'interface';
  mac: number;
  /** address -> [packets in window, first seen ms, assigned-to server id or ''] */
  addresses: Map<string, { packets: number; firstMs: number; assignedTo: string | null }>;
  windowStart: number;
  packets: number;
  incident: Incident | null;
  lastMs: number;
  lastPublishMs: number;
}

export interface SourceAddressCheckerDeps {
  config: SourceConfig;
  slotInfo(slot: number): ServerSlotInfo | undefined;
  sink: IncidentSink;
}

export class SourceAddressChecker {
  readonly #deps: SourceAddressCheckerDeps;
  /** MAC -> the server it belongs to (slot AMBIGUOUS when shared). */
  readonly #macs = new Map<number, Learned>();
  /** Server slot -> the first MAC seen with its own addresses. */
  readonly #macOf = new Map<number, number>();
  /** exporter id * 2^32 + input interface -> the server behind it. */
  readonly #interfaces = new Map<number, Learned>();
  readonly #interfaceOf = new Map<number, number>();
  readonly #exporterIds = new Map<string, number>();
  /**
   * MACs and interfaces found shared (AMBIGUOUS), a final verdict: behind a router every
   * server's traffic carries the router's MAC, or enters on its aggregation port, and
   * without these each outbound flow paid up to three Map lookups to be told so again.
   */
  readonly #sharedMacs = new NumberIndex();
  readonly #sharedInterfaces = new NumberIndex();
  /** Slot -> its own MAC once learned for sure (0 = not yet), to skip the Maps on the hot path. */
  #settledMac = new Float64Array(1024);
  /**
   * Slot -> the exporter interface key + 1 whose verdict for it cannot change any more: its
   * own interface (learned for sure) or a shared one (ambiguous identifies nobody). Behind a
   * router's aggregation port every server's interface is shared, and without this each
   * outbound NetFlow record paid a Map lookup to be told so again.
   */
  #settledLink = new Float64Array(1024);
  /** Set by #classify: its -1 is final for this slot and link. */
  #stable = false;
  #lastExporter = '';
  #lastExporterId = 0;
  readonly #suspects = new Map<number, Suspect>();
  /** Wrong-source packets whose sender could not be recognised. */
  unattributedPackets = 0;

  constructor(deps: SourceAddressCheckerDeps) {
    this.#deps = deps;
  }

  /**
   * An outbound flow with server `srcSlot`'s own address. Learns the link address (MAC,
   * or exporter interface without a MAC) and returns the slot of another server that is
   * really sending it (the link address belongs to that server, and `srcSlot` is known
   * under a different one), or -1. A link address seen with several servers none of which
   * has a different own address is shared (a router, an aggregation link) and identifies
   * nobody.
   */
  classify(srcSlot: number, mac: number, exporter: string, inputInterface: number): number {
    if (mac !== 0) {
      // The common case, a server with its own MAC once learned: one array read, no Map.
      if (srcSlot < this.#settledMac.length && this.#settledMac[srcSlot] === mac) return -1;
      if (this.#sharedMacs.get(mac) >= 0) return -1;
      const sender = this.#classify(this.#macs, this.#macOf, this.#sharedMacs, mac, srcSlot);
      if (this.#stable) this.#settle(srcSlot, mac);
      return sender;
    }
    if (inputInterface !== 0) {
      const link = this.#interfaceKey(exporter, inputInterface);
      if (srcSlot < this.#settledLink.length && this.#settledLink[srcSlot] === link + 1) return -1;
      if (this.#sharedInterfaces.get(link) >= 0) return -1;
      const sender = this.#classify(this.#interfaces, this.#interfaceOf, this.#sharedInterfaces, link, srcSlot);
      if (this.#stable) this.#settleLink(srcSlot, link);
      return sender;
    }
    return -1;
  }

  #settleLink(slot: number, link: number): void {
    if (slot >= this.#settledLink.length) {
      const next = new Float64Array(Math.max(slot + 1, this.#settledLink.length * 2));
      next.set(this.#settledLink);
      this.#settledLink = next;
    }
    this.#settledLink[slot] = link + 1;
  }

  #settle(slot: number, mac: number): void {
    if (slot >= this.#settledMac.length) {
      const next = new Float64Array(Math.max(slot + 1, this.#settledMac.length * 2));
      next.set(this.#settledMac);
      this.#settledMac = next;
    }
    this.#settledMac[slot] = mac;
  }

  #classify(owners: Map<number, Learned>, ownLink: Map<number, number>, shared: NumberIndex, link: number, srcSlot: number): number {
    this.#stable = false;
    const learned = owners.get(link);
    if (learned === undefined) {
      if (owners.size < MAX_LEARNED) owners.set(link, { slot: srcSlot, flows: 1 });
      if (!ownLink.has(srcSlot) && ownLink.size < MAX_LEARNED) ownLink.set(srcSlot, link);
      return -1;
    }
    if (learned.slot === srcSlot) {
      learned.flows++;
      this.#stable = learned.flows >= MIN_LEARNED_FLOWS;
      return -1;
    }
    if (learned.slot === AMBIGUOUS) {
      shared.set(link, 1);
      this.#stable = true;
      return -1;
    }
    const victimLink = ownLink.get(srcSlot);
    if (learned.flows >= MIN_LEARNED_FLOWS && victimLink !== undefined && victimLink !== link) return learned.slot;
    learned.slot = AMBIGUOUS;
    shared.set(link, 1);
    this.#stable = true;
    return -1;
  }

  #interfaceKey(exporter: string, inputInterface: number): number {
    // Flows of a batch mostly share their exporter's string: compare it before hashing it.
    if (exporter === this.#lastExporter) return this.#lastExporterId * 4_294_967_296 + inputInterface;
    let id = this.#exporterIds.get(exporter);
    if (id === undefined) {
      id = this.#exporterIds.size;
      if (id < 1_000_000) this.#exporterIds.set(exporter, id);
    }
    this.#lastExporter = exporter;
    this.#lastExporterId = id;
    return id * 4_294_967_296 + inputInterface;
  }

  /** The server a MAC (or, without one, the input interface) reliably identifies. */
  senderOf(mac: number, exporter: string, inputInterface: number): { slot: number; via: 'mac' | 'interface' } | null {
    if (mac !== 0) {
      const learned = this.#macs.get(mac);
      return learned !== undefined && learned.slot >= 0 && learned.flows >= MIN_LEARNED_FLOWS ? { slot: learned.slot, via: 'mac' } : null;
    }
    if (inputInterface !== 0) {
      const learned = this.#interfaces.get(this.#interfaceKey(exporter, inputInterface));
      return learned !== undefined && learned.slot >= 0 && learned.flows >= MIN_LEARNED_FLOWS ? { slot: learned.slot, via: 'interface' } : null;
    }
    return null;
  }

  /**
   * A flow whose source is provider space but not the sender's: unassigned
   * (`assignedSlot` -1) or another server's. Returns true when it was attributed.
   */
  observe(
    timeMs: number,
    mac: number,
    exporter: string,
    inputInterface: number,
    sourceText: string,
    assignedSlot: number,
    packets: number,
  ): boolean {
    const sender = this.senderOf(mac, exporter, inputInterface);
    if (sender === null || sender.slot === assignedSlot) {
      if (sender === null) this.unattributedPackets += packets;
      return false;
    }
    const senderInfo = this.#deps.slotInfo(sender.slot);
    const assignedInfo = assignedSlot >= 0 ? this.#deps.slotInfo(assignedSlot) : undefined;
    // Another server of the same customer: the customer may move addresses; not ours to judge.
    if (senderInfo === undefined || (assignedInfo !== undefined && assignedInfo.customerId === senderInfo.customerId)) return false;
    const cfg = this.#deps.config;
    let suspect = this.#suspects.get(sender.slot);
    if (suspect === undefined) {
      suspect = { slot: sender.slot, via: sender.via, mac, addresses: new Map(), windowStart: timeMs, packets: 0, incident: null, lastMs: timeMs, lastPublishMs: 0 };
      this.#suspects.set(sender.slot, suspect);
    }
    if (suspect.incident === null && timeMs - suspect.windowStart > cfg.windowSeconds * 1000) {
      suspect.windowStart = timeMs;
      suspect.packets = 0;
      suspect.addresses.clear();
    }
    suspect.lastMs = Math.max(suspect.lastMs, timeMs);
    suspect.packets += packets;
    const entry = suspect.addresses.get(sourceText);
    if (entry === undefined) {
      if (suspect.addresses.size < 1000) suspect.addresses.set(sourceText, { packets, firstMs: timeMs, assignedTo: assignedInfo?.serverId ?? null });
    } else entry.packets += packets;
    if (suspect.incident === null && suspect.packets >= cfg.minPackets) this.#open(suspect, senderInfo, timeMs);
    else if (suspect.incident !== null) suspect.incident.lastSeenMs = timeMs;
    return true;
  }

  #evidence(suspect: Suspect): Incident['sourceAddress'] {
    return {
      addresses: [...suspect.addresses].map(([address, a]) => ({ address, packets: a.packets, assignedTo: a.assignedTo })).sort((x, y) => y.packets - x.packets),
      identifiedBy: suspect.via,
      mac: suspect.mac === 0 ? null : formatMac(suspect.mac),
    };
  }

  #open(suspect: Suspect, info: ServerSlotInfo, timeMs: number): void {
    const evidence = this.#evidence(suspect);
    suspect.incident = {
      id: randomUUID(),
      serverId: info.serverId,
      customerId: info.customerId,
      address: evidence?.addresses[0]?.address ?? '',
      kind: 'wrong_source_address',
      direction: 'out',
      status: 'open',
      firstSeenMs: suspect.windowStart,
      lastSeenMs: timeMs,
      endedMs: null,
      exceeded: [],
      peak: emptyRates(),
      totals: { packets: suspect.packets, flows: 0, bytes: 0 },
      summary: null,
      netscan: null,
      sourceAddress: evidence,
      samples: [],
    };
    suspect.lastPublishMs = timeMs;
    this.#deps.sink.opened({ ...suspect.incident });
  }

  tick(nowMs: number): void {
    const windowMs = this.#deps.config.windowSeconds * 1000;
    for (const [slot, suspect] of this.#suspects) {
      const incident = suspect.incident;
      if (incident === null) {
        if (nowMs - suspect.lastMs > windowMs) this.#suspects.delete(slot);
        continue;
      }
      incident.sourceAddress = this.#evidence(suspect);
      incident.totals = { packets: suspect.packets, flows: 0, bytes: 0 };
      if (nowMs - suspect.lastMs > windowMs) {
        incident.status = 'ended';
        incident.endedMs = nowMs;
        this.#deps.sink.ended({ ...incident });
        this.#suspects.delete(slot);
      } else if (nowMs - suspect.lastPublishMs >= UPDATE_EVERY_MS) {
        suspect.lastPublishMs = nowMs;
        this.#deps.sink.updated({ ...incident });
      }
    }
  }
}
