/**
 * A map from integer keys (int32, or non-negative below 2^53: MACs, exporter-interface
 * keys) to int32 values, in two typed arrays with open addressing. The detector looks up
 * such keys once or more per flow; a JavaScript Map hashes a key above 2^31 as a heap
 * number and walks a chain of entries elsewhere in memory, which under load was the
 * detector's most expensive single operation. Entries are never removed: the users drop
 * the whole index instead (a watched server's peers) or keep verdicts that are final.
 */
const EMPTY = Number.NaN;
const TWO_32 = 4_294_967_296;

export class NumberIndex {
  #keys: Float64Array;
  #values: Int32Array;
  #mask: number;
  #size = 0;

  /** `capacity`: slots to start with (rounded up to a power of two); it doubles at half full. */
  constructor(capacity = 16) {
    let slots = 8;
    while (slots < capacity) slots *= 2;
    this.#keys = new Float64Array(slots).fill(EMPTY);
    this.#values = new Int32Array(slots);
    this.#mask = slots - 1;
  }

  get size(): number {
    return this.#size;
  }

  /** Bytes of the two arrays. */
  get memoryBytes(): number {
    return this.#keys.byteLength + this.#values.byteLength;
  }

  #slotOf(key: number): number {
    let h = key | 0;
    if (key > 2_147_483_647) h ^= Math.imul(Math.floor(key / TWO_32) | 0, 0x9e3779b1);
    // murmur3's finalizer: consecutive addresses and interface numbers spread over the table.
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) & this.#mask;
  }

  /** The value of `key`, or -1 when it has none. */
  get(key: number): number {
    const keys = this.#keys;
    const mask = this.#mask;
    for (let at = this.#slotOf(key); ; at = (at + 1) & mask) {
      const k = keys[at];
      if (k === key) return this.#values[at];
      if (k !== k) return -1; // NaN: an empty slot ends the probe
    }
  }

  set(key: number, value: number): void {
    const keys = this.#keys;
    const mask = this.#mask;
    for (let at = this.#slotOf(key); ; at = (at + 1) & mask) {
      const k = keys[at];
      if (k === key) {
        this.#values[at] = value;
        return;
      }
      if (k !== k) {
        keys[at] = key;
        this.#values[at] = value;
        if (++this.#size * 2 > keys.length) this.#grow();
        return;
      }
    }
  }

  #grow(): void {
    const oldKeys = this.#keys;
    const oldValues = this.#values;
    this.#keys = new Float64Array(oldKeys.length * 2).fill(EMPTY);
    this.#values = new Int32Array(oldKeys.length * 2);
    this.#mask = this.#keys.length - 1;
    this.#size = 0;
    for (let i = 0; i < oldKeys.length; i++) {
      const k = oldKeys[i];
      if (k === k) this.set(k, oldValues[i]);
    }
  }
}
