/**
 * Per-server traffic counters, one row per server that had traffic in the last five
 * minutes, in pooled typed arrays (no object per server):
 * - a fast ring of 100 ms buckets per direction and metric, summed into sliding rates;
 * - a summary ring of 20 s buckets (packets, bytes, flows) covering 300 s, for the log's
 *   "Sum" line.
 * Memory per row: 2 x 7 x (fast buckets) x 4 B + 2 x 3 x 15 x 4 B + 48 B; with the default
 * 1 s window that is 560 + 360 + 48 = 968 B, so a million active servers take about 1 GB.
 */
import { METRIC_COUNT } from './thresholds.ts';

export const FAST_BUCKET_MS = 100;
export const SUMMARY_BUCKET_MS = 20_000;
export const SUMMARY_BUCKETS = 15;
export const SUMMARY_WINDOW_MS = SUMMARY_BUCKET_MS * SUMMARY_BUCKETS;

// Metric indexes, in RATE_METRICS order; bits are stored as bytes and multiplied on read.
export const M_PACKETS = 0;
export const M_BYTES = 1;
export const M_FLOWS = 2;
export const M_SYN = 3;
export const M_UDP = 4;
export const M_ICMP = 5;
export const M_FRAGMENTS = 6;

export class TrafficRates {
  readonly fastBuckets: number;
  readonly windowMs: number;
  #capacity: number;
  readonly #maxRows: number;
  #rows = 0;
  readonly #freeRows: number[] = [];
  /** slot -> row + 1 (0 = no row). */
  #rowOfSlot = new Int32Array(1024);
  #slotOfRow: Int32Array;
  #fast: Float32Array;
  #fastLatest: Float64Array;
  #summary: Float32Array;
  #summaryLatest: Float64Array;
  #lastSeen: Float64Array;
  #firstSeen: Float64Array;
  /** Rows touched since the last takeTouched(). */
  #touched: Int32Array;
  #touchedCount = 0;
  #touchedFlag: Uint8Array;
  /** Rows that could not get a row because maxRows was reached. */
  overflow = 0;

  constructor(options: { windowSeconds: number; maxRows: number; initialRows?: number }) {
    this.fastBuckets = Math.max(1, Math.round((options.windowSeconds * 1000) / FAST_BUCKET_MS));
    this.windowMs = this.fastBuckets * FAST_BUCKET_MS;
    this.#maxRows = options.maxRows;
    this.#capacity = Math.min(options.initialRows ?? 1024, options.maxRows);
    this.#slotOfRow = new Int32Array(this.#capacity);
    this.#fast = new Float32Array(this.#capacity * 2 * METRIC_COUNT * this.fastBuckets);
    this.#fastLatest = new Float64Array(this.#capacity);
    this.#summary = new Float32Array(this.#capacity * 2 * 3 * SUMMARY_BUCKETS);
    this.#summaryLatest = new Float64Array(this.#capacity);
    this.#lastSeen = new Float64Array(this.#capacity);
    this.#firstSeen = new Float64Array(this.#capacity);
    this.#touched = new Int32Array(this.#capacity);
    this.#touchedFlag = new Uint8Array(this.#capacity);
  }

  get activeRows(): number {
    return this.#rows - this.#freeRows.length;
  }

  /** Bytes held by the row arrays (what the per-server memory figure is made of). */
  get memoryBytes(): number {
    return (
      this.#fast.byteLength +
      this.#summary.byteLength +
      this.#fastLatest.byteLength +
      this.#summaryLatest.byteLength +
      this.#lastSeen.byteLength +
      this.#firstSeen.byteLength +
      this.#slotOfRow.byteLength +
      this.#touched.byteLength +
      this.#touchedFlag.byteLength +
      this.#rowOfSlot.byteLength
    );
  }

  rowOf(slot: number): number {
    return slot < this.#rowOfSlot.length ? this.#rowOfSlot[slot] - 1 : -1;
  }

  slotOf(row: number): number {
    return this.#slotOfRow[row];
  }

  firstSeen(row: number): number {
    return this.#firstSeen[row];
  }

  #grow(): boolean {
    if (this.#capacity >= this.#maxRows) return false;
    const capacity = Math.min(this.#maxRows, this.#capacity * 2);
    const grow = <T extends Float32Array | Float64Array | Int32Array | Uint8Array>(old: T, perRow: number, make: (n: number) => T): T => {
      const next = make(capacity * perRow);
      next.set(old);
      return next;
    };
    this.#slotOfRow = grow(this.#slotOfRow, 1, (n) => new Int32Array(n));
    this.#fast = grow(this.#fast, 2 * METRIC_COUNT * this.fastBuckets, (n) => new Float32Array(n));
    this.#fastLatest = grow(this.#fastLatest, 1, (n) => new Float64Array(n));
    this.#summary = grow(this.#summary, 2 * 3 * SUMMARY_BUCKETS, (n) => new Float32Array(n));
    this.#summaryLatest = grow(this.#summaryLatest, 1, (n) => new Float64Array(n));
    this.#lastSeen = grow(this.#lastSeen, 1, (n) => new Float64Array(n));
    this.#firstSeen = grow(this.#firstSeen, 1, (n) => new Float64Array(n));
    this.#touched = grow(this.#touched, 1, (n) => new Int32Array(n));
    this.#touchedFlag = grow(this.#touchedFlag, 1, (n) => new Uint8Array(n));
    this.#capacity = capacity;
    return true;
  }

  /** The row of a slot, created on first traffic; -1 when the row limit is reached. */
  ensureRow(slot: number, timeMs: number): number {
    if (slot >= this.#rowOfSlot.length) {
      const next = new Int32Array(Math.max(slot + 1, this.#rowOfSlot.length * 2));
      next.set(this.#rowOfSlot);
      this.#rowOfSlot = next;
    }
    const existing = this.#rowOfSlot[slot] - 1;
    if (existing >= 0) return existing;
    let row = this.#freeRows.pop();
    if (row === undefined) {
      if (this.#rows >= this.#capacity && !this.#grow()) {
        this.overflow++;
        return -1;
      }
      row = this.#rows++;
    }
    this.#rowOfSlot[slot] = row + 1;
    this.#slotOfRow[row] = slot;
    const fastSize = 2 * METRIC_COUNT * this.fastBuckets;
    this.#fast.fill(0, row * fastSize, (row + 1) * fastSize);
    const summarySize = 2 * 3 * SUMMARY_BUCKETS;
    this.#summary.fill(0, row * summarySize, (row + 1) * summarySize);
    const bucket = Math.floor(timeMs / FAST_BUCKET_MS);
    this.#fastLatest[row] = bucket;
    this.#summaryLatest[row] = Math.floor(timeMs / SUMMARY_BUCKET_MS);
    this.#firstSeen[row] = timeMs;
    this.#lastSeen[row] = timeMs;
    return row;
  }

  /** Moves a row's fast ring forward to `bucket`, zeroing the buckets it skips. */
  #advanceFast(row: number, bucket: number): void {
    const latest = this.#fastLatest[row];
    if (bucket <= latest) return;
    const n = this.fastBuckets;
    const base = row * 2 * METRIC_COUNT * n;
    const steps = Math.min(n, bucket - latest);
    for (let s = 1; s <= steps; s++) {
      const pos = (latest + s) % n;
      for (let k = 0; k < 2 * METRIC_COUNT; k++) this.#fast[base + k * n + pos] = 0;
    }
    this.#fastLatest[row] = bucket;
  }

  #advanceSummary(row: number, bucket: number): void {
    const latest = this.#summaryLatest[row];
    if (bucket <= latest) return;
    const base = row * 2 * 3 * SUMMARY_BUCKETS;
    const steps = Math.min(SUMMARY_BUCKETS, bucket - latest);
    for (let s = 1; s <= steps; s++) {
      const pos = (latest + s) % SUMMARY_BUCKETS;
      for (let k = 0; k < 6; k++) this.#summary[base + k * SUMMARY_BUCKETS + pos] = 0;
    }
    this.#summaryLatest[row] = bucket;
  }

  /**
   * Adds one flow to a row. Flows older than the fast window only reach the summary;
   * older than the summary window, nothing.
   */
  add(row: number, dir: number, timeMs: number, packets: number, bytes: number, flows: number, syn: number, udp: number, icmp: number, fragments: number): void {
    if (timeMs > this.#lastSeen[row]) this.#lastSeen[row] = timeMs;
    if (this.#touchedFlag[row] === 0) {
      this.#touchedFlag[row] = 1;
      this.#touched[this.#touchedCount++] = row;
    }
    const n = this.fastBuckets;
    const bucket = Math.floor(timeMs / FAST_BUCKET_MS);
    this.#advanceFast(row, bucket);
    if (bucket > this.#fastLatest[row] - n) {
      const base = (row * 2 + dir) * METRIC_COUNT * n + (bucket % n);
      const f = this.#fast;
      f[base] += packets;
      f[base + n] += bytes;
      f[base + 2 * n] += flows;
      if (syn !== 0) f[base + 3 * n] += syn;
      if (udp !== 0) f[base + 4 * n] += udp;
      if (icmp !== 0) f[base + 5 * n] += icmp;
      if (fragments !== 0) f[base + 6 * n] += fragments;
    }
    const sBucket = Math.floor(timeMs / SUMMARY_BUCKET_MS);
    this.#advanceSummary(row, sBucket);
    if (sBucket > this.#summaryLatest[row] - SUMMARY_BUCKETS) {
      const base = (row * 2 + dir) * 3 * SUMMARY_BUCKETS + (sBucket % SUMMARY_BUCKETS);
      const s = this.#summary;
      s[base] += packets;
      s[base + SUMMARY_BUCKETS] += bytes;
      s[base + 2 * SUMMARY_BUCKETS] += flows;
    }
  }

  /**
   * Rates per second over the sliding window ending at `nowMs`, written into `out`
   * (RATE_METRICS order; bits = bytes x 8).
   */
  rates(row: number, dir: number, nowMs: number, out: Float64Array): void {
    const n = this.fastBuckets;
    const nowBucket = Math.floor(nowMs / FAST_BUCKET_MS);
    this.#advanceFast(row, nowBucket);
    const base = (row * 2 + dir) * METRIC_COUNT * n;
    const seconds = this.windowMs / 1000;
    for (let m = 0; m < METRIC_COUNT; m++) {
      let sum = 0;
      const start = base + m * n;
      for (let b = 0; b < n; b++) sum += this.#fast[start + b];
      out[m] = (m === M_BYTES ? sum * 8 : sum) / seconds;
    }
  }

  /** Packets, bytes and flows over the summary window ending at `nowMs`, and the seconds it covers. */
  summary(row: number, dir: number, nowMs: number): { packets: number; bytes: number; flows: number; windowSeconds: number } {
    this.#advanceSummary(row, Math.floor(nowMs / SUMMARY_BUCKET_MS));
    const base = (row * 2 + dir) * 3 * SUMMARY_BUCKETS;
    let packets = 0;
    let bytes = 0;
    let flows = 0;
    for (let b = 0; b < SUMMARY_BUCKETS; b++) {
      packets += this.#summary[base + b];
      bytes += this.#summary[base + SUMMARY_BUCKETS + b];
      flows += this.#summary[base + 2 * SUMMARY_BUCKETS + b];
    }
    const covered = Math.min(SUMMARY_WINDOW_MS, nowMs - this.#firstSeen[row] + FAST_BUCKET_MS);
    return { packets, bytes, flows, windowSeconds: Math.max(1, Math.round(covered / 1000)) };
  }

  /** Rows touched since the last call (each once). */
  takeTouched(visit: (row: number) => void): void {
    const count = this.#touchedCount;
    this.#touchedCount = 0;
    for (let i = 0; i < count; i++) {
      const row = this.#touched[i];
      this.#touchedFlag[row] = 0;
      visit(row);
    }
  }

  /** Frees rows without traffic for the whole summary window, except those `keep` says to keep. */
  evictIdle(nowMs: number, keep: (row: number) => boolean): number {
    let evicted = 0;
    const free = new Set(this.#freeRows);
    for (let row = 0; row < this.#rows; row++) {
      if (free.has(row) || nowMs - this.#lastSeen[row] <= SUMMARY_WINDOW_MS || keep(row)) continue;
      this.#rowOfSlot[this.#slotOfRow[row]] = 0;
      this.#slotOfRow[row] = -1;
      this.#freeRows.push(row);
      evicted++;
    }
    return evicted;
  }
}
