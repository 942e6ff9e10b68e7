/**
 * The per-record hot path of the v9/IPFIX decoder: executes a compiled template's
 * [kind, fieldIndex] operations against one data record and normalizes the result into
 * the shared FlowRecord. Values that need the whole record (sampling, time, address
 * family, ICMP) are parked in a reused RecordContext and resolved in finishRecord.
 */
import type { FlowRecord } from '../flow-record.ts';
import type { CompiledTemplate } from './template-compiler.ts';

/** Seconds between the NTP era 0 epoch (1900) and the Unix epoch. */
const NTP_UNIX_OFFSET = 2208988800;
const TWO_32 = 4294967296;

export interface RecordContext {
  // Per datagram (or replayed pending set).
  format: 9 | 10;
  exportMs: number;
  /** v9 header sysUptime in ms. */
  sysUptime: number;
  /** IPFIX systemInitTimeMilliseconds known for the domain; 0 when unknown. */
  domainSystemInitMs: number;
  /** Rate for records that carry no sampling information of their own (>= 1). */
  domainRate: number;
  samplerRates: Map<number, number> | null;
  // Per record scratch, cleared by beginRecord.
  rawBytes: number;
  rawPackets: number;
  rate: number;
  zeroRate: boolean;
  samplerId: number;
  hasSamplerId: boolean;
  timeMs: number;
  uptime: number;
  hasUptime: boolean;
  startMs: number;
  startUptime: number;
  hasStartUptime: boolean;
  systemInitMs: number;
  icmp4: number;
  icmp6: number;
  fragFlags: number;
  fragOffset: number;
  hasSrc4: boolean;
  hasDst4: boolean;
  hasSrc6: boolean;
  hasDst6: boolean;
}

export function createRecordContext(): RecordContext {
  return {
    format: 9,
    exportMs: 0,
    sysUptime: 0,
    domainSystemInitMs: 0,
    domainRate: 1,
    samplerRates: null,
    rawBytes: 0,
    rawPackets: 0,
    rate: 0,
    zeroRate: false,
    samplerId: 0,
    hasSamplerId: false,
    timeMs: 0,
    uptime: 0,
    hasUptime: false,
    startMs: 0,
    startUptime: 0,
    hasStartUptime: false,
    systemInitMs: 0,
    icmp4: -1,
    icmp6: -1,
    fragFlags: 0,
    fragOffset: 0,
    hasSrc4: false,
    hasDst4: false,
    hasSrc6: false,
    hasDst6: false,
  };
}

export function beginRecord(c: RecordContext): void {
  c.rawBytes = 0;
  c.rawPackets = 0;
  c.rate = 0;
  c.zeroRate = false;
  c.samplerId = 0;
  c.hasSamplerId = false;
  c.timeMs = 0;
  c.uptime = 0;
  c.hasUptime = false;
  c.startMs = 0;
  c.startUptime = 0;
  c.hasStartUptime = false;
  c.systemInitMs = 0;
  c.icmp4 = -1;
  c.icmp6 = -1;
  c.fragFlags = 0;
  c.fragOffset = 0;
  c.hasSrc4 = false;
  c.hasDst4 = false;
  c.hasSrc6 = false;
  c.hasDst6 = false;
}

/**
 * Reads the fields named by `ops` from the record at `base`.
 *
 * The case labels are number literals (the K_* kinds of field-map.ts, named in comments):
 * with imported constants V8 does not build a jump table, which cost about 25% of the
 * decode rate. record-reader.test.ts checks that every label matches its constant. Bounds were checked by the
 * caller once for the whole record (fixed templates) or while laying out the variable
 * fields, so the reads here are unchecked.
 */
export function applyOps(b: Uint8Array, base: number, t: CompiledTemplate, ops: Int32Array, flow: FlowRecord, c: RecordContext): void {
  const offsets = t.fieldOffsets;
  const lengths = t.fieldLengths;
  for (let i = 0; i < ops.length; i += 2) {
    const field = ops[i + 1];
    const o = base + offsets[field];
    const len = lengths[field];
    switch (ops[i]) {
      case /* K_SRC4 */ 1:
        flow.srcAddr4 = u32(b, o);
        c.hasSrc4 = true;
        break;
      case /* K_DST4 */ 2:
        flow.dstAddr4 = u32(b, o);
        c.hasDst4 = true;
        break;
      case /* K_SRC6 */ 3:
        if (copy16(b, o, flow.srcAddr)) c.hasSrc6 = true;
        break;
      case /* K_DST6 */ 4:
        if (copy16(b, o, flow.dstAddr)) c.hasDst6 = true;
        break;
      case /* K_SRC_PORT */ 5:
        flow.srcPort = readUint(b, o, len) & 0xffff;
        break;
      case /* K_DST_PORT */ 6:
        flow.dstPort = readUint(b, o, len) & 0xffff;
        break;
      case /* K_PROTOCOL */ 7:
        flow.protocol = readUint(b, o, len) & 0xff;
        break;
      case /* K_TCP_FLAGS */ 8:
        // 2-byte tcpControlBits carries the header's data-offset/reserved bits too.
        flow.tcpFlags = readUint(b, o, len) & 0xff;
        break;
      case /* K_BYTES */ 9:
        c.rawBytes = readUint(b, o, len);
        break;
      case /* K_PACKETS */ 10:
        c.rawPackets = readUint(b, o, len);
        break;
      case /* K_IN_IF */ 11:
        flow.inputInterface = readUint(b, o, len);
        break;
      case /* K_OUT_IF */ 12:
        flow.outputInterface = readUint(b, o, len);
        break;
      case /* K_ICMP4 */ 13:
        c.icmp4 = readUint(b, o, len) & 0xffff;
        break;
      case /* K_ICMP4_TYPE */ 14:
        c.icmp4 = (Math.max(c.icmp4, 0) & 0xff) | ((readUint(b, o, len) & 0xff) << 8);
        break;
      case /* K_ICMP4_CODE */ 15:
        c.icmp4 = (Math.max(c.icmp4, 0) & 0xff00) | (readUint(b, o, len) & 0xff);
        break;
      case /* K_ICMP6 */ 16:
        c.icmp6 = readUint(b, o, len) & 0xffff;
        break;
      case /* K_ICMP6_TYPE */ 17:
        c.icmp6 = (Math.max(c.icmp6, 0) & 0xff) | ((readUint(b, o, len) & 0xff) << 8);
        break;
      case /* K_ICMP6_CODE */ 18:
        c.icmp6 = (Math.max(c.icmp6, 0) & 0xff00) | (readUint(b, o, len) & 0xff);
        break;
      case /* K_FRAG_FLAGS */ 19:
        c.fragFlags = readUint(b, o, len);
        break;
      case /* K_FRAG_OFFSET */ 20:
        c.fragOffset = readUint(b, o, len);
        break;
      case /* K_SRC_MAC */ 21:
        flow.srcMac = ((b[o] << 8) | b[o + 1]) * TWO_32 + u32(b, o + 2);
        break;
      case /* K_DST_MAC */ 22:
        flow.dstMac = ((b[o] << 8) | b[o + 1]) * TWO_32 + u32(b, o + 2);
        break;
      case /* K_VLAN */ 23:
        flow.vlan = readUint(b, o, len) & 0x0fff;
        break;
      case /* K_SAMPLING */ 24: {
        const v = readUint(b, o, len);
        if (v === 0) c.zeroRate = true;
        else c.rate = v;
        break;
      }
      case /* K_SAMPLER_ID */ 25:
        c.samplerId = readUint(b, o, len);
        c.hasSamplerId = true;
        break;
      case /* K_TIME_MS */ 28:
        c.timeMs = readUint(b, o, len);
        break;
      case /* K_TIME_SEC */ 27:
        c.timeMs = readUint(b, o, len) * 1000;
        break;
      case /* K_TIME_NTP */ 29:
        c.timeMs = (u32(b, o) - NTP_UNIX_OFFSET) * 1000 + Math.floor((u32(b, o + 4) * 1000) / TWO_32);
        break;
      case /* K_TIME_DELTA_US */ 30:
        c.timeMs = c.exportMs - Math.floor(readUint(b, o, len) / 1000);
        break;
      case /* K_TIME_UPTIME */ 26:
        c.uptime = readUint(b, o, len);
        c.hasUptime = true;
        break;
      case /* K_SYSTEM_INIT_MS */ 31:
        c.systemInitMs = readUint(b, o, len);
        break;
      case /* K_START_MS */ 34:
        c.startMs = readUint(b, o, len);
        break;
      case /* K_START_SEC */ 33:
        c.startMs = readUint(b, o, len) * 1000;
        break;
      case /* K_START_NTP */ 35:
        c.startMs = (u32(b, o) - NTP_UNIX_OFFSET) * 1000 + Math.floor((u32(b, o + 4) * 1000) / TWO_32);
        break;
      case /* K_START_DELTA_US */ 36:
        c.startMs = c.exportMs - Math.floor(readUint(b, o, len) / 1000);
        break;
      case /* K_START_UPTIME */ 32:
        c.startUptime = readUint(b, o, len);
        c.hasStartUptime = true;
        break;
    }
  }
}

/** Milliseconds since the epoch of an uptime-relative stamp. */
function uptimeToMs(c: RecordContext, uptime: number): number {
  // v9: signed difference to the header's uptime copes with the 32-bit wrap and small skew.
  if (c.format === 9) return c.exportMs - ((c.sysUptime - uptime) | 0);
  const init = c.systemInitMs !== 0 ? c.systemInitMs : c.domainSystemInitMs;
  return init !== 0 ? init + uptime : c.exportMs;
}

/** Resolves what needs the whole record: address family, ICMP, fragments, time, sampling. */
export function finishRecord(flow: FlowRecord, c: RecordContext): void {
  if (c.hasSrc6 || c.hasDst6) {
    flow.ipVersion = 6;
  } else if (c.hasSrc4 || c.hasDst4) {
    flow.ipVersion = 4;
    put4(flow.srcAddr, flow.srcAddr4);
    put4(flow.dstAddr, flow.dstAddr4);
  }
  // Type/code fields win over the destination port, except an all-zero value: some
  // exporters send ICMP_TYPE 0 and put type << 8 | code in the port, as NetFlow v5 does.
  const protocol = flow.protocol;
  if (protocol === 1) {
    if (c.icmp4 > 0) flow.dstPort = c.icmp4;
  } else if (protocol === 58) {
    if (c.icmp6 > 0) flow.dstPort = c.icmp6;
  }
  // fragmentFlags bit 2 (0x20) is More Fragments; a non-zero offset is a later fragment.
  flow.fragment = (c.fragFlags & 0x20) !== 0 || (c.fragOffset & 0x1fff) !== 0;

  const end = c.hasUptime ? uptimeToMs(c, c.uptime) : c.timeMs;
  const start = c.hasStartUptime ? uptimeToMs(c, c.startUptime) : c.startMs;
  flow.timeMs = end !== 0 ? end : start !== 0 ? start : c.exportMs;
  // A start after the end (clock trouble) or none at all: the flow is an instant.
  flow.startMs = start !== 0 && start <= flow.timeMs ? start : flow.timeMs;

  let rate = c.rate;
  if (rate === 0 && c.hasSamplerId && c.samplerRates !== null) rate = c.samplerRates.get(c.samplerId) ?? 0;
  if (rate === 0) rate = c.domainRate;
  flow.samplingRate = rate;
  flow.packets = c.rawPackets * rate;
  flow.bytes = c.rawBytes * rate;
}

/** Turns a forward record into its RFC 5103 reverse before the reverse fields are applied. */
export function reverseDirection(flow: FlowRecord, c: RecordContext): void {
  const a4 = flow.srcAddr4;
  flow.srcAddr4 = flow.dstAddr4;
  flow.dstAddr4 = a4;
  const h4 = c.hasSrc4;
  c.hasSrc4 = c.hasDst4;
  c.hasDst4 = h4;
  const h6 = c.hasSrc6;
  c.hasSrc6 = c.hasDst6;
  c.hasDst6 = h6;
  const s = flow.srcAddr;
  const d = flow.dstAddr;
  for (let i = 0; i < 16; i++) {
    const x = s[i];
    s[i] = d[i];
    d[i] = x;
  }
  // ICMP has no ports: its type/code stays in the destination port.
  if (flow.protocol !== 1 && flow.protocol !== 58) {
    const p = flow.srcPort;
    flow.srcPort = flow.dstPort;
    flow.dstPort = p;
  }
  const m = flow.srcMac;
  flow.srcMac = flow.dstMac;
  flow.dstMac = m;
  const ifc = flow.inputInterface;
  flow.inputInterface = flow.outputInterface;
  flow.outputInterface = ifc;
  // Counters and TCP flags are per direction: unknown unless reverse fields carry them.
  flow.tcpFlags = 0;
  c.rawBytes = 0;
  c.rawPackets = 0;
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

/** Unsigned big-endian integer of 1 to 8 bytes (exact up to 2^53). */
export function readUint(b: Uint8Array, o: number, len: number): number {
  switch (len) {
    case 1:
      return b[o];
    case 2:
      return (b[o] << 8) | b[o + 1];
    case 4:
      return u32(b, o);
    case 8:
      return u32(b, o) * TWO_32 + u32(b, o + 4);
    default: {
      let v = 0;
      for (let i = 0; i < len; i++) v = v * 256 + b[o + i];
      return v;
    }
  }
}

/** Copies an IPv6 address; true when it is not all zeros. */
export function copy16(b: Uint8Array, o: number, to: Uint8Array): boolean {
  let any = 0;
  for (let i = 0; i < 16; i++) {
    const x = b[o + i];
    to[i] = x;
    any |= x;
  }
  return any !== 0;
}

function put4(to: Uint8Array, v: number): void {
  to[0] = v >>> 24;
  to[1] = (v >>> 16) & 0xff;
  to[2] = (v >>> 8) & 0xff;
  to[3] = v & 0xff;
}
