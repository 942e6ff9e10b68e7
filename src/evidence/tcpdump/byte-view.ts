/**
 * Bounds-checked reads over a captured packet. Sampled packets are cut short (sFlow keeps
 * about 128 bytes), so every read may run off the end; like tcpdump we then print what we
 * have and close the line with " [|proto]", which is what `Truncated` carries up.
 */

/** A `Truncated` protocol meaning the printer already wrote its own marker. */
export const MARKER_WRITTEN = '';

export class Truncated extends Error {
  readonly protocol: string;
  constructor(protocol: string) {
    super(`truncated ${protocol}`);
    this.protocol = protocol;
  }
}

export class ByteView {
  readonly bytes: Uint8Array;
  /** Absolute offset of this layer in `bytes`. */
  readonly start: number;
  /** Absolute end of usable data: the capture end, or earlier when a header says the packet ends sooner. */
  readonly end: number;
  /** Protocol name used in the truncation marker. */
  readonly protocol: string;

  constructor(bytes: Uint8Array, start: number, end: number, protocol: string) {
    this.bytes = bytes;
    this.start = start;
    this.end = Math.max(start, Math.min(end, bytes.length));
    this.protocol = protocol;
  }

  /** Bytes available from this layer's start. */
  get available(): number {
    return this.end - this.start;
  }

  has(offset: number, length: number): boolean {
    return this.start + offset + length <= this.end;
  }

  need(offset: number, length: number): void {
    if (!this.has(offset, length)) throw new Truncated(this.protocol);
  }

  u8(offset: number): number {
    this.need(offset, 1);
    return this.bytes[this.start + offset];
  }

  u16(offset: number): number {
    this.need(offset, 2);
    const i = this.start + offset;
    return (this.bytes[i] << 8) | this.bytes[i + 1];
  }

  u32(offset: number): number {
    this.need(offset, 4);
    const i = this.start + offset;
    return ((this.bytes[i] << 24) | (this.bytes[i + 1] << 16) | (this.bytes[i + 2] << 8) | this.bytes[i + 3]) >>> 0;
  }

  /** A view of the next layer, optionally cut to `length` bytes (a header's declared payload length). */
  layer(offset: number, protocol: string, length?: number): ByteView {
    const start = this.start + offset;
    const end = length === undefined ? this.end : Math.min(this.end, start + length);
    return new ByteView(this.bytes, start, end, protocol);
  }
}
