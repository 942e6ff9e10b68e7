/**
 * Flows travel from the receive threads to the detector in fixed-stride binary batches
 * (transferred, not copied): no object per flow on either side. sFlow packet headers go
 * into a side area of the same buffer, for the traffic dump.
 */
import type { FlowRecord } from '../flow/flow-record.ts';

/** Whether typed arrays store words least significant byte first (x86, ARM as Linux runs them). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** A uint32 with its bytes reversed: in a little-endian word, an address in network byte order. */
function swap32(v: number): number {
  return ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}

/** Bytes per flow: 13 float64 words. */
export const FLOW_STRIDE = 104;
export const F64_PER_FLOW = FLOW_STRIDE / 8;
export const U32_PER_FLOW = FLOW_STRIDE / 4;
/** Longest header kept per sFlow sample (covers Ethernet+VLANs+IPv6+TCP with options). */
export const MAX_HEADER_BYTES = 160;

// float64 word offsets
const F_TIME = 0;
const F_PACKETS = 1;
const F_BYTES = 2;
// uint32 word offsets (word 6 onwards)
const U_SAMPLING = 6;
const U_MISC = 7; // ipVersion | protocol << 8 | tcpFlags << 16 | fragment << 24
const U_PORTS = 8; // srcPort << 16 | dstPort
const U_IN_IF = 9;
const U_SRC = 10; // 4 words
const U_DST = 14; // 4 words
const U_MAC_HI = 18; // srcMac >> 32 (16 bits) | vlan << 16
const U_MAC_LO = 19;
const U_HEADER_OFFSET = 20;
const U_HEADER_LENGTH = 21; // headerLength | exporterIndex << 16
const U_FRAME_LENGTH = 22;
const U_OUT_IF = 23;
const U_DURATION = 24; // flow duration in ms (end - start), capped at 2^32 - 1

export interface FlowBatch {
  /** An ArrayBuffer (transferred) or a SharedArrayBuffer slot of a receive thread (batching-flow-consumer.ts). */
  buffer: ArrayBufferLike;
  count: number;
  /** Bytes used in the header area (which starts at capacity * FLOW_STRIDE). */
  headerBytes: number;
  capacity: number;
  exporters: string[];
}

/** Bytes of a batch buffer for `capacity` flows (flow area, then the header area). */
export function batchBufferBytes(capacity: number): number {
  return capacity * (FLOW_STRIDE + MAX_HEADER_BYTES);
}

/** Fills batches in a receive thread. */
export class FlowBatchWriter {
  readonly capacity: number;
  #buffer!: ArrayBufferLike;
  #f64!: Float64Array;
  #u32!: Uint32Array;
  #u8!: Uint8Array;
  #count = 0;
  #headerBytes = 0;
  #exporters: string[] = [];
  #lastExporter = '';
  #lastExporterIndex = -1;

  /** `buffer`: where to write (at least batchBufferBytes(capacity)); default a new ArrayBuffer. */
  constructor(capacity = 4096, buffer?: ArrayBufferLike) {
    this.capacity = capacity;
    this.#use(buffer ?? new ArrayBuffer(batchBufferBytes(capacity)));
  }

  #use(buffer: ArrayBufferLike): void {
    this.#buffer = buffer;
    this.#f64 = new Float64Array(this.#buffer, 0, this.capacity * F64_PER_FLOW);
    this.#u32 = new Uint32Array(this.#buffer, 0, this.capacity * U32_PER_FLOW);
    this.#u8 = new Uint8Array(this.#buffer);
    this.clear();
  }

  get count(): number {
    return this.#count;
  }

  get full(): boolean {
    return this.#count >= this.capacity;
  }

  add(flow: FlowRecord): void {
    const i = this.#count++;
    const f = i * F64_PER_FLOW;
    const u = i * U32_PER_FLOW;
    const f64 = this.#f64;
    const u32 = this.#u32;
    f64[f + F_TIME] = flow.timeMs;
    f64[f + F_PACKETS] = flow.packets;
    f64[f + F_BYTES] = flow.bytes;
    u32[u + U_SAMPLING] = flow.samplingRate;
    u32[u + U_MISC] = flow.ipVersion | (flow.protocol << 8) | (flow.tcpFlags << 16) | ((flow.fragment ? 1 : 0) << 24);
    u32[u + U_PORTS] = ((flow.srcPort << 16) | flow.dstPort) >>> 0;
    u32[u + U_IN_IF] = flow.inputInterface;
    u32[u + U_OUT_IF] = flow.outputInterface;
    const u8 = this.#u8;
    if (flow.ipVersion === 4 && LITTLE_ENDIAN) {
      // An IPv4 address as one word in network byte order and three zero words: 8 stores
      // instead of a 32-byte copy (most flows are IPv4).
      u32[u + U_SRC] = swap32(flow.srcAddr4);
      u32[u + U_SRC + 1] = 0;
      u32[u + U_SRC + 2] = 0;
      u32[u + U_SRC + 3] = 0;
      u32[u + U_DST] = swap32(flow.dstAddr4);
      u32[u + U_DST + 1] = 0;
      u32[u + U_DST + 2] = 0;
      u32[u + U_DST + 3] = 0;
    } else {
      // Byte loops, not set(): for 16 bytes (and a 128-byte header) the builtin's call and
      // the subarray it needs cost more than the copy (measured in the receive threads).
      const srcAt = (u + U_SRC) * 4;
      const dstAt = (u + U_DST) * 4;
      const src = flow.srcAddr;
      const dst = flow.dstAddr;
      for (let k = 0; k < 16; k++) {
        u8[srcAt + k] = src[k];
        u8[dstAt + k] = dst[k];
      }
    }
    u32[u + U_MAC_HI] = (Math.floor(flow.srcMac / 0x100000000) & 0xffff) | (flow.vlan << 16);
    u32[u + U_MAC_LO] = flow.srcMac >>> 0;
    u32[u + U_FRAME_LENGTH] = flow.frameLength;
    u32[u + U_DURATION] = Math.min(0xffffffff, Math.max(0, flow.timeMs - flow.startMs));
    if (flow.exporter !== this.#lastExporter) {
      this.#lastExporter = flow.exporter;
      let index = this.#exporters.indexOf(flow.exporter);
      if (index < 0) index = this.#exporters.push(flow.exporter) - 1;
      this.#lastExporterIndex = index;
    }
    let headerLength = 0;
    if (flow.header !== null && flow.headerLength > 0) {
      headerLength = Math.min(flow.headerLength, MAX_HEADER_BYTES);
      const at = this.capacity * FLOW_STRIDE + this.#headerBytes;
      const header = flow.header;
      const from = flow.headerOffset;
      for (let k = 0; k < headerLength; k++) u8[at + k] = header[from + k];
      u32[u + U_HEADER_OFFSET] = this.#headerBytes;
      this.#headerBytes += headerLength;
    }
    u32[u + U_HEADER_LENGTH] = headerLength | (this.#lastExporterIndex << 16);
  }

  /** Forgets the flows written so far, keeping the buffer (a batch that will not be sent). */
  clear(): number {
    const count = this.#count;
    this.#count = 0;
    this.#headerBytes = 0;
    this.#exporters = [];
    this.#lastExporter = '';
    this.#lastExporterIndex = -1;
    return count;
  }

  /** Hands the filled batch over and starts a new one in `next` (default a new ArrayBuffer). */
  take(next?: ArrayBufferLike): FlowBatch {
    const batch: FlowBatch = { buffer: this.#buffer, count: this.#count, headerBytes: this.#headerBytes, capacity: this.capacity, exporters: this.#exporters };
    this.#use(next ?? new ArrayBuffer(batchBufferBytes(this.capacity)));
    return batch;
  }
}

/** Reads a batch in the detector: accessors by flow index, no allocation. */
export class FlowBatchReader {
  f64: Float64Array = new Float64Array(0);
  u32: Uint32Array = new Uint32Array(0);
  u8: Uint8Array = new Uint8Array(0);
  count = 0;
  capacity = 0;
  exporters: string[] = [];

  load(batch: FlowBatch): void {
    this.f64 = new Float64Array(batch.buffer, 0, batch.capacity * F64_PER_FLOW);
    this.u32 = new Uint32Array(batch.buffer, 0, batch.capacity * U32_PER_FLOW);
    this.u8 = new Uint8Array(batch.buffer);
    this.count = batch.count;
    this.capacity = batch.capacity;
    this.exporters = batch.exporters;
  }

  timeMs(i: number): number {
    return this.f64[i * F64_PER_FLOW + F_TIME];
  }
  packets(i: number): number {
    return this.f64[i * F64_PER_FLOW + F_PACKETS];
  }
  bytes(i: number): number {
    return this.f64[i * F64_PER_FLOW + F_BYTES];
  }
  samplingRate(i: number): number {
    return this.u32[i * U32_PER_FLOW + U_SAMPLING];
  }
  ipVersion(i: number): number {
    return this.u32[i * U32_PER_FLOW + U_MISC] & 0xff;
  }
  protocol(i: number): number {
    return (this.u32[i * U32_PER_FLOW + U_MISC] >>> 8) & 0xff;
  }
  tcpFlags(i: number): number {
    return (this.u32[i * U32_PER_FLOW + U_MISC] >>> 16) & 0xff;
  }
  fragment(i: number): boolean {
    return (this.u32[i * U32_PER_FLOW + U_MISC] >>> 24) !== 0;
  }
  srcPort(i: number): number {
    return this.u32[i * U32_PER_FLOW + U_PORTS] >>> 16;
  }
  dstPort(i: number): number {
    return this.u32[i * U32_PER_FLOW + U_PORTS] & 0xffff;
  }
  inputInterface(i: number): number {
    return this.u32[i * U32_PER_FLOW + U_IN_IF];
  }
  outputInterface(i: number): number {
    return this.u32[i * U32_PER_FLOW + U_OUT_IF];
  }
  /** Byte offset of the 16-byte source address in `u8`. */
  srcOffset(i: number): number {
    return (i * U32_PER_FLOW + U_SRC) * 4;
  }
  dstOffset(i: number): number {
    return (i * U32_PER_FLOW + U_DST) * 4;
  }
  /** IPv4 source as uint32 (big-endian bytes). */
  src4(i: number): number {
    const o = this.srcOffset(i);
    const b = this.u8;
    return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
  }
  dst4(i: number): number {
    const o = this.dstOffset(i);
    const b = this.u8;
    return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
  }
  srcMac(i: number): number {
    const u = i * U32_PER_FLOW;
    return (this.u32[u + U_MAC_HI] & 0xffff) * 0x100000000 + this.u32[u + U_MAC_LO];
  }
  vlan(i: number): number {
    return this.u32[i * U32_PER_FLOW + U_MAC_HI] >>> 16;
  }
  /** How long the flow lasted, in ms (0 for a sampled packet). */
  durationMs(i: number): number {
    return this.u32[i * U32_PER_FLOW + U_DURATION];
  }
  frameLength(i: number): number {
    return this.u32[i * U32_PER_FLOW + U_FRAME_LENGTH];
  }
  exporter(i: number): string {
    return this.exporters[this.u32[i * U32_PER_FLOW + U_HEADER_LENGTH] >>> 16] ?? '';
  }
  headerLength(i: number): number {
    return this.u32[i * U32_PER_FLOW + U_HEADER_LENGTH] & 0xffff;
  }
  /** Absolute offset of the header bytes in `u8`. */
  headerOffset(i: number): number {
    return this.capacity * FLOW_STRIDE + this.u32[i * U32_PER_FLOW + U_HEADER_OFFSET];
  }
}
