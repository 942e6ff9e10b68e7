/**
 * The newest sampled packet headers of one watched server and direction (the traffic dump
 * and pcap of its incident), copied into one byte ring allocated on first use: no object
 * per sample. Copying each header into its own Uint8Array halved detection throughput
 * while every server of a bench was flooding. A header longer than SLOT_BYTES is cut
 * there, as a capture's snap length would cut it (sFlow agents send 128 bytes by default).
 * At most a quarter of the capacity is taken per second (a flood brings thousands of
 * headers a second; each copy into this cold memory costs about 160 ns, measured), so the
 * ring fills within four seconds of watching and then holds the last few seconds.
 */
import type { SampledPacket } from './incident.ts';

export const SLOT_BYTES = 256;

export class HeaderRing {
  readonly capacity: number;
  #bytes: Uint8Array | null = null;
  readonly #times: Float64Array;
  readonly #lengths: Uint16Array;
  readonly #originalLengths: Uint32Array;
  /** Slot the next header goes to. */
  #next = 0;
  #count = 0;
  readonly #perSecond: number;
  #second = -1;
  #takenThisSecond = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.#times = new Float64Array(capacity);
    this.#lengths = new Uint16Array(capacity);
    this.#originalLengths = new Uint32Array(capacity);
    this.#perSecond = Math.max(10, Math.ceil(capacity / 4));
  }

  get size(): number {
    return this.#count;
  }

  /** Copies (within the per-second quota) `length` bytes of `source` at `offset` (a header seen at `timeMs`), replacing the oldest when full. */
  add(timeMs: number, source: Uint8Array, offset: number, length: number, originalLength: number): void {
    if (this.capacity === 0) return;
    const second = Math.floor(timeMs / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#takenThisSecond = 0;
    }
    if (this.#takenThisSecond >= this.#perSecond) return;
    this.#takenThisSecond++;
    this.#bytes ??= new Uint8Array(this.capacity * SLOT_BYTES);
    const bytes = this.#bytes;
    const slot = this.#next;
    const n = Math.min(length, SLOT_BYTES);
    const at = slot * SLOT_BYTES;
    bytes.set(source.subarray(offset, offset + n), at);
    this.#times[slot] = timeMs;
    this.#lengths[slot] = n;
    this.#originalLengths[slot] = originalLength;
    this.#next = slot + 1 === this.capacity ? 0 : slot + 1;
    if (this.#count < this.capacity) this.#count++;
  }

  /**
   * The headers held, oldest first: views on one copy of the ring (an incident is published
   * every few seconds while it runs; one allocation instead of one per header).
   */
  toArray(): SampledPacket[] {
    const list: SampledPacket[] = [];
    if (this.#bytes === null || this.#count === 0) return list;
    const copy = this.#bytes.slice();
    for (let k = 0; k < this.#count; k++) {
      const slot = (this.#next - this.#count + k + this.capacity) % this.capacity;
      const at = slot * SLOT_BYTES;
      list.push({ timeMs: this.#times[slot], data: copy.subarray(at, at + this.#lengths[slot]), originalLength: this.#originalLengths[slot] });
    }
    return list;
  }
}
