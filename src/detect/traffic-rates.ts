/**
 * Per-server traffic counters, one row per server that had traffic in the last two
 * minutes, in pooled typed arrays (no object per server): a ring of 100 ms buckets per
 * direction and metric, summed into sliding rates. (The 300 s summary of the log is kept
 * only for watched servers, in watch-evidence.ts.) Layout: a flow's update touches one 32-byte block (its row, direction and bucket hold
 * the 7 metrics side by side), not seven scattered arrays — the table is far larger than
 * the CPU caches, so this is what the hot path costs. Memory per row: 2 x (fast buckets)
 * x 8 x 4 B + 8 B + 9 B; with the default 1 s window that is 640 + 8 + 9 = 657 B.
 */
import { METRIC_COUNT } from './thresholds.ts';

export const FAST_BUCKET_MS = 100;

// Metric indexes, in RATE_METRICS order; bits are stored as bytes and multiplied on read.
export const M_PACKETS = 0;
export const M_BYTES = 1;
export const M_FLOWS = 2;
export const M_SYN = 3;
export const M_UDP = 4;
export const M_ICMP = 5;
export const M_FRAGMENTS = 6;
/** Bucket tags are kept modulo this: exact in a float32, never equal within a window. */
const TAG_MODULO = 16_777_216;
const TAG_MASK = TAG_MODULO - 1;
/** Bucket numbers are counted from the first one seen minus this, to stay int32 for years either side. */
const BASE_OFFSET = 2 ** 30;
const INT32_LIMIT = 2 ** 31;
/** A row without traffic this long is freed (and made again on the next flow). */
const IDLE_MS = 120_000;
/** Floats per (row, direction, bucket) block: the 7 metrics and the bucket's tag (32 bytes). */
const FAST_STRIDE = 8;

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
  #firstSeen: Float64Array;
  /** Rows that reached the hot level since the last takeTouched(). */
  #touched: Int32Array;
  #touchedCount = 0;
  #touchedFlag: Uint8Array;
  /** Rows that could not get a row because maxRows was reached. */
  overflow = 0;
  /**
   * Bucket numbers are kept relative to this (set from the first time seen), so the ring
   * position and the tag are integer operations: on the absolute number (about 1.8e10 for
   * today's time) they were floating-point remainders, the most expensive part of add().
   */
  #baseBucket = Number.NaN;
  /** The bucket the last add() fell into (flows come in time order, so most share it). */
  #lastStartMs = 0;
  #lastEndMs = 0;
  #lastRing = 0;
  #lastTag = 0;

  /** Per-bucket amounts (packets, bytes, flows, ...) from which a row is worth evaluating. */
  readonly #hot: Float64Array;

  /**
   * `hotPerSecond`: per metric (RATE_METRICS order, bits as bits), the smallest rate any
   * server must be told about (the lowest threshold times the watch fraction); 0 = always.
   */
  constructor(options: { windowSeconds: number; maxRows: number; initialRows?: number; hotPerSecond?: readonly number[] }) {
    this.#hot = new Float64Array(METRIC_COUNT);
    for (let m = 0; m < METRIC_COUNT; m++) {
      const perSecond = options.hotPerSecond?.[m] ?? 0;
      this.#hot[m] = ((m === M_BYTES ? perSecond / 8 : perSecond) * FAST_BUCKET_MS) / 1000;
    }
    this.fastBuckets = Math.max(1, Math.round((options.windowSeconds * 1000) / FAST_BUCKET_MS));
    this.windowMs = this.fastBuckets * FAST_BUCKET_MS;
    this.#maxRows = options.maxRows;
    this.#capacity = Math.min(options.initialRows ?? 1024, options.maxRows);
    this.#slotOfRow = new Int32Array(this.#capacity);
    this.#fast = new Float32Array(this.#capacity * 2 * this.fastBuckets * FAST_STRIDE);
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

  #grow(): boolean {
    if (this.#capacity >= this.#maxRows) return false;
    const capacity = Math.min(this.#maxRows, this.#capacity * 2);
    const grow = <T extends Float32Array | Float64Array | Int32Array | Uint8Array>(old: T, perRow: number, make: (n: number) => T): T => {
      const next = make(capacity * perRow);
      next.set(old);
      return next;
    };
    this.#slotOfRow = grow(this.#slotOfRow, 1, (n) => new Int32Array(n));
    this.#fast = grow(this.#fast, 2 * this.fastBuckets * FAST_STRIDE, (n) => new Float32Array(n));
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
    // A reused row's blocks carry old tags: mark them all stale.
    const fastSize = 2 * this.fastBuckets * FAST_STRIDE;
    for (let at = row * fastSize + 7; at < (row + 1) * fastSize; at += FAST_STRIDE) this.#fast[at] = -1;
    this.#firstSeen[row] = timeMs;
    return row;
  }

  /** The bucket of `timeMs` relative to the base bucket (set by the first call). */
  #relativeBucket(timeMs: number): number {
    const bucket = Math.floor(timeMs / FAST_BUCKET_MS);
    if (Number.isNaN(this.#baseBucket)) this.#baseBucket = bucket - BASE_OFFSET;
    return bucket - this.#baseBucket;
  }

  /** Position of a relative bucket in a row's ring. */
  #ringOf(rel: number): number {
    if (rel >= 0 && rel < INT32_LIMIT) return (rel | 0) % this.fastBuckets;
    return ((rel % this.fastBuckets) + this.fastBuckets) % this.fastBuckets;
  }

  /**
   * The tag a block holding relative bucket `rel` carries. Each block keeps, in its pad
   * float, the bucket number it holds (modulo 2^24, exact in a float32 and unique within
   * any window), so a stale block is recognised and reset when it is next written or read:
   * no sweep of old buckets, no clearing of quiet rows.
   */
  #tagOf(rel: number): number {
    if (rel >= 0 && rel < INT32_LIMIT) return (rel | 0) & TAG_MASK;
    return ((rel % TAG_MODULO) + TAG_MODULO) % TAG_MODULO;
  }

  /**
   * A flow record that lasted longer than the rate window (NetFlow/IPFIX records span up to
   * the exporter's active timeout, often 60 s) counts in the window only with the share of
   * its packets that its own rate puts there: a 60 s record is its rate for a second, not a
   * 60-fold burst. Shorter records count whole at their end, which over a steady stream of
   * records gives the true rate at the moment the records arrive. (The 300 s summary of a
   * watched server gets the whole record: see watch-evidence.ts.)
   */
  addSpread(row: number, dir: number, timeMs: number, durationMs: number, packets: number, bytes: number, flows: number, syn: number, udp: number, icmp: number, fragments: number): boolean {
    if (durationMs <= this.windowMs) return this.add(row, dir, timeMs, packets, bytes, flows, syn, udp, icmp, fragments);
    const f = this.windowMs / durationMs;
    return this.add(row, dir, timeMs, packets * f, bytes * f, flows * f, syn * f, udp * f, icmp * f, fragments * f);
  }

  /** Returns true when this flow made the row hot (reached the hot level in its bucket). */
  add(
    row: number,
    dir: number,
    timeMs: number,
    packets: number,
    bytes: number,
    flows: number,
    syn: number,
    udp: number,
    icmp: number,
    fragments: number,
  ): boolean {
    let becameHot = false;
    const n = this.fastBuckets;
    if (!(timeMs >= this.#lastStartMs && timeMs < this.#lastEndMs)) {
      const rel = this.#relativeBucket(timeMs);
      // NetFlow records end at scattered times, so this runs for most of them: one division, not two.
      this.#lastStartMs = (rel + this.#baseBucket) * FAST_BUCKET_MS;
      this.#lastEndMs = this.#lastStartMs + FAST_BUCKET_MS;
      this.#lastRing = this.#ringOf(rel);
      this.#lastTag = this.#tagOf(rel);
    }
    // Only the flow's own 32-byte block is touched: its tag says whether it holds this
    // bucket, an older one (reset it) or a newer one (the flow is late for the window).
    const at = ((row * 2 + dir) * n + this.#lastRing) * FAST_STRIDE;
    const f = this.#fast;
    const tag = this.#lastTag;
    const held = f[at + 7];
    if (held !== tag) {
      if (held > tag && held - tag < TAG_MODULO / 2) return false;
      f[at] = 0;
      f[at + 1] = 0;
      f[at + 2] = 0;
      f[at + 3] = 0;
      f[at + 4] = 0;
      f[at + 5] = 0;
      f[at + 6] = 0;
      f[at + 7] = tag;
    }
    f[at] += packets;
    f[at + 1] += bytes;
    f[at + 2] += flows;
    if (syn !== 0) f[at + 3] += syn;
    if (udp !== 0) f[at + 4] += udp;
    if (icmp !== 0) f[at + 5] += icmp;
    if (fragments !== 0) f[at + 6] += fragments;
    // Only a row whose bucket reaches the hot level can be near a threshold: the others
    // need no evaluation (a window above x has a bucket above x / buckets). The flag is
    // read only then, so a quiet row costs nothing more than its block.
    const hot = this.#hot;
    if (f[at] >= hot[0] || f[at + 1] >= hot[1] || f[at + 2] >= hot[2] || f[at + 3] >= hot[3] || f[at + 4] >= hot[4] || f[at + 5] >= hot[5] || f[at + 6] >= hot[6]) {
      if (this.#touchedFlag[row] === 0) {
        this.#touchedFlag[row] = 1;
        this.#touched[this.#touchedCount++] = row;
        becameHot = true;
      }
    }
    return becameHot;
  }

  /**
   * Rates per second over the sliding window ending at `nowMs`, written into `out`
   * (RATE_METRICS order; bits = bytes x 8).
   */
  rates(row: number, dir: number, nowMs: number, out: Float64Array): void {
    const n = this.fastBuckets;
    const now = this.#relativeBucket(nowMs);
    for (let m = 0; m < METRIC_COUNT; m++) out[m] = 0;
    const f = this.#fast;
    const first = (row * 2 + dir) * n;
    for (let k = 0; k < n; k++) {
      const rel = now - k;
      const at = (first + this.#ringOf(rel)) * FAST_STRIDE;
      if (f[at + 7] !== this.#tagOf(rel)) continue;
      for (let m = 0; m < METRIC_COUNT; m++) out[m] += f[at + m];
    }
    const seconds = this.windowMs / 1000;
    for (let m = 0; m < METRIC_COUNT; m++) out[m] = (m === M_BYTES ? out[m] * 8 : out[m]) / seconds;
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

  /** When the row last had traffic, from its newest block (never earlier than its creation). */
  #lastActivityMs(row: number, nowMs: number): number {
    const n = this.fastBuckets;
    const nowTag = this.#tagOf(this.#relativeBucket(nowMs));
    let newestAge = Number.POSITIVE_INFINITY;
    for (let at = row * 2 * n * FAST_STRIDE + 7; at < (row + 1) * 2 * n * FAST_STRIDE; at += FAST_STRIDE) {
      const held = this.#fast[at];
      if (held < 0) continue;
      const age = (nowTag - held + TAG_MODULO) % TAG_MODULO;
      if (age < newestAge) newestAge = age;
    }
    const fromBlocks = nowMs - newestAge * FAST_BUCKET_MS;
    return Math.max(fromBlocks, this.#firstSeen[row]);
  }

  /** Frees rows without traffic for IDLE_MS, except those `keep` says to keep. */
  evictIdle(nowMs: number, keep: (row: number) => boolean): number {
    let evicted = 0;
    const free = new Set(this.#freeRows);
    for (let row = 0; row < this.#rows; row++) {
      if (free.has(row) || nowMs - this.#lastActivityMs(row, nowMs) <= IDLE_MS || keep(row)) continue;
      this.#rowOfSlot[this.#slotOfRow[row]] = 0;
      this.#slotOfRow[row] = -1;
      this.#freeRows.push(row);
      evicted++;
    }
    return evicted;
  }
}
