/**
 * The running counts of one watched server and direction that every one of its flows
 * updates: the summary window, the totals while an incident is open, and the packets per
 * own address (the busiest is the incident's address; a server may send from several).
 *
 * They live in one Float64Array, laid out so that a flow touches two or three cache lines
 * of it. During a flood hundreds of servers are watched at once and their state is mostly
 * not in the CPU cache; as separate objects (a summary array, a totals object, two lists of
 * addresses) these counts cost a cache miss each per flow.
 */
import type { TrafficTotals } from './incident.ts';

export const SUMMARY_BUCKET_MS = 60_000;
export const SUMMARY_BUCKETS = 5;
export const SUMMARY_WINDOW_MS = SUMMARY_BUCKET_MS * SUMMARY_BUCKETS;

/** Own IPv4 addresses counted at most (a server has one or a few). */
const MAX_OWN = 64;

// Word offsets. Line 0: the bookkeeping and totals; then the summary, 4 words per bucket
// (packets, bytes, flows, the bucket's number); then (key, packets) per own IPv4 address.
const OWN_COUNT = 0;
const OWN_LAST = 1;
const TOTALS = 2;
const SUMMARY = 8;
const OWN = SUMMARY + SUMMARY_BUCKETS * 4;
const WORDS = OWN + MAX_OWN * 2;

export interface SummarySums extends TrafficTotals {
  /** Seconds the sums cover: the whole window, or the time watched so far. */
  windowSeconds: number;
}

export class WatchEvidence {
  readonly #w = new Float64Array(WORDS);
  /** Own IPv6 addresses (their keys are strings; rare), with their packets. */
  readonly #own6: string[] = [];
  readonly #own6Packets: number[] = [];

  constructor() {
    for (let b = 0; b < SUMMARY_BUCKETS; b++) this.#w[SUMMARY + b * 4 + 3] = -1;
  }

  /**
   * Adds a flow seen at `timeMs` from or to own address `own` (an address key: int32 IPv4
   * or ipv6Key); `incidentOpen` adds it to the incident's totals too.
   */
  add(timeMs: number, own: number | string, packets: number, bytes: number, flows: number, incidentOpen: boolean): void {
    const w = this.#w;
    if (incidentOpen) {
      w[TOTALS] += packets;
      w[TOTALS + 1] += bytes;
      w[TOTALS + 2] += flows;
    }
    const bucket = Math.floor(timeMs / SUMMARY_BUCKET_MS);
    const at = SUMMARY + (bucket % SUMMARY_BUCKETS) * 4;
    if (w[at + 3] === bucket) {
      w[at] += packets;
      w[at + 1] += bytes;
      w[at + 2] += flows;
    } else if (w[at + 3] < bucket) {
      w[at] = packets;
      w[at + 1] = bytes;
      w[at + 2] = flows;
      w[at + 3] = bucket;
    } // else: older than the window
    if (typeof own === 'number') this.#addOwn4(own, packets);
    else this.#addOwn6(own, packets);
  }

  /** The last address hit is checked first: most flows of a server come from the same one. */
  #addOwn4(key: number, packets: number): void {
    const w = this.#w;
    const last = OWN + w[OWN_LAST] * 2;
    const count = w[OWN_COUNT];
    if (count > 0 && w[last] === key) {
      w[last + 1] += packets;
      return;
    }
    for (let k = 0; k < count; k++) {
      if (w[OWN + k * 2] === key) {
        w[OWN_LAST] = k;
        w[OWN + k * 2 + 1] += packets;
        return;
      }
    }
    if (count < MAX_OWN) {
      w[OWN + count * 2] = key;
      w[OWN + count * 2 + 1] = packets;
      w[OWN_LAST] = count;
      w[OWN_COUNT] = count + 1;
    }
  }

  #addOwn6(key: string, packets: number): void {
    const k = this.#own6.indexOf(key);
    if (k >= 0) this.#own6Packets[k] += packets;
    else if (this.#own6.length < MAX_OWN) {
      this.#own6.push(key);
      this.#own6Packets.push(packets);
    }
  }

  /** Starts the totals of a new incident from zero. */
  resetTotals(): void {
    this.#w.fill(0, TOTALS, TOTALS + 3);
  }

  /** Packets, bytes and flows since the last resetTotals, counted while an incident was open. */
  get totals(): TrafficTotals {
    const w = this.#w;
    return { packets: w[TOTALS], bytes: w[TOTALS + 1], flows: w[TOTALS + 2] };
  }

  /** The summary window's sums at `nowMs`, for a server watched since `sinceMs`. */
  summary(nowMs: number, sinceMs: number): SummarySums {
    const w = this.#w;
    const now = Math.floor(nowMs / SUMMARY_BUCKET_MS);
    let packets = 0;
    let bytes = 0;
    let flows = 0;
    for (let b = 0; b < SUMMARY_BUCKETS; b++) {
      const at = SUMMARY + b * 4;
      const bucket = w[at + 3];
      if (bucket < 0 || bucket <= now - SUMMARY_BUCKETS) continue;
      packets += w[at];
      bytes += w[at + 1];
      flows += w[at + 2];
    }
    const covered = Math.min(SUMMARY_WINDOW_MS, nowMs - sinceMs + 100);
    return { packets, bytes, flows, windowSeconds: Math.max(1, Math.round(covered / 1000)) };
  }

  /** The own address with the most packets (an address key), or null before any flow. */
  busiestAddress(): number | string | null {
    const w = this.#w;
    let best: number | string | null = null;
    let most = -1;
    for (let k = 0; k < w[OWN_COUNT]; k++) {
      if (w[OWN + k * 2 + 1] > most) {
        most = w[OWN + k * 2 + 1];
        best = w[OWN + k * 2];
      }
    }
    for (let k = 0; k < this.#own6.length; k++) {
      if (this.#own6Packets[k] > most) {
        most = this.#own6Packets[k];
        best = this.#own6[k];
      }
    }
    return best;
  }
}
