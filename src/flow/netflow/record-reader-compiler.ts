/**
 * Straight-line record readers for fixed-length templates: the same reads as applyOps
 * (record-reader.ts), generated once per template layout as a function with every offset
 * and length a constant. The interpreter pays, per field of every record, a loop step, two
 * array reads for offset and length, a jump on the field's kind and one on its length; the
 * generated reader pays none of it (measured in the receive threads: the template
 * interpreter was their largest cost under NetFlow v9 load).
 *
 * Safe with hostile templates: the source is built only from integers our template
 * compiler produced (kinds, offsets, lengths), never from text of a datagram. Bounded: at
 * most MAX_LAYOUTS distinct layouts get a reader per process (a template flood cannot
 * make more code); templates beyond that, variable-length ones and RFC 5103 reverse
 * fields stay interpreted.
 */
import type { FlowRecord } from '../flow-record.ts';
import {
  K_BYTES,
  K_DST_MAC,
  K_DST_PORT,
  K_DST4,
  K_DST6,
  K_FRAG_FLAGS,
  K_FRAG_OFFSET,
  K_ICMP4,
  K_ICMP4_CODE,
  K_ICMP4_TYPE,
  K_ICMP6,
  K_ICMP6_CODE,
  K_ICMP6_TYPE,
  K_IN_IF,
  K_OUT_IF,
  K_PACKETS,
  K_PROTOCOL,
  K_SAMPLER_ID,
  K_SAMPLING,
  K_SRC_MAC,
  K_SRC_PORT,
  K_SRC4,
  K_SRC6,
  K_START_DELTA_US,
  K_START_MS,
  K_START_NTP,
  K_START_SEC,
  K_START_UPTIME,
  K_SYSTEM_INIT_MS,
  K_TCP_FLAGS,
  K_TIME_DELTA_US,
  K_TIME_MS,
  K_TIME_NTP,
  K_TIME_SEC,
  K_TIME_UPTIME,
  K_VLAN,
} from './field-map.ts';
import { copy16, type RecordContext, readUint } from './record-reader.ts';

export type RecordReader = (b: Uint8Array, base: number, flow: FlowRecord, c: RecordContext) => void;

/** Distinct layouts compiled per process; a router has a handful of templates. */
export const MAX_LAYOUTS = 256;

const readers = new Map<string, RecordReader>();

/** Source of an unsigned big-endian read of `len` bytes at record offset `at`. */
function uintAt(at: number, len: number): string {
  const byte = (k: number): string => `b[base + ${at + k}]`;
  const u32 = (k: number): string => `((${byte(k)} << 24) | (${byte(k + 1)} << 16) | (${byte(k + 2)} << 8) | ${byte(k + 3)}) >>> 0`;
  switch (len) {
    case 1:
      return byte(0);
    case 2:
      return `((${byte(0)} << 8) | ${byte(1)})`;
    case 4:
      return `(${u32(0)})`;
    case 8:
      return `((${u32(0)}) * 4294967296 + (${u32(4)}))`;
    default:
      return `readUint(b, base + ${at}, ${len})`;
  }
}

/** Source of a time stamp in ms since the epoch (a flow's end or start), by its encoding. */
function stamp(encoding: 's' | 'ms' | 'ntp' | 'delta-us', at: number, len: number): string {
  const v = uintAt(at, len);
  switch (encoding) {
    case 's':
      return `${v} * 1000`;
    case 'ms':
      return v;
    case 'ntp':
      return `((${uintAt(at, 4)}) - 2208988800) * 1000 + Math.floor(((${uintAt(at + 4, 4)}) * 1000) / 4294967296)`;
    case 'delta-us':
      return `c.exportMs - Math.floor(${v} / 1000)`;
  }
}

/** The time-stamp kinds: which time they set (the flow's end or start) and in what encoding. */
const STAMPS = new Map<number, ['timeMs' | 'startMs', Parameters<typeof stamp>[0]]>([
  [K_TIME_SEC, ['timeMs', 's']],
  [K_TIME_MS, ['timeMs', 'ms']],
  [K_TIME_NTP, ['timeMs', 'ntp']],
  [K_TIME_DELTA_US, ['timeMs', 'delta-us']],
  [K_START_SEC, ['startMs', 's']],
  [K_START_MS, ['startMs', 'ms']],
  [K_START_NTP, ['startMs', 'ntp']],
  [K_START_DELTA_US, ['startMs', 'delta-us']],
]);

/** Source setting the type (high byte) or code (low byte) of an ICMP type-code word, as applyOps does. */
function icmpPart(target: 'icmp4' | 'icmp6', part: 'type' | 'code', v: string): string {
  return part === 'type'
    ? `c.${target} = (Math.max(c.${target}, 0) & 0xff) | ((${v} & 0xff) << 8);`
    : `c.${target} = (Math.max(c.${target}, 0) & 0xff00) | (${v} & 0xff);`;
}

/** The statement that applies one [kind, field] operation, as applyOps does. */
function statement(kind: number, at: number, len: number): string {
  const time = STAMPS.get(kind);
  if (time !== undefined) return `c.${time[0]} = ${stamp(time[1], at, len)};`;
  const v = uintAt(at, len);
  const mac = `((b[base + ${at}] << 8) | b[base + ${at + 1}]) * 4294967296 + (${uintAt(at + 2, 4)})`;
  switch (kind) {
    case K_SRC4:
      return `flow.srcAddr4 = ${uintAt(at, 4)}; c.hasSrc4 = true;`;
    case K_DST4:
      return `flow.dstAddr4 = ${uintAt(at, 4)}; c.hasDst4 = true;`;
    case K_SRC6:
      return `if (copy16(b, base + ${at}, flow.srcAddr)) c.hasSrc6 = true;`;
    case K_DST6:
      return `if (copy16(b, base + ${at}, flow.dstAddr)) c.hasDst6 = true;`;
    case K_SRC_PORT:
      return `flow.srcPort = ${v} & 0xffff;`;
    case K_DST_PORT:
      return `flow.dstPort = ${v} & 0xffff;`;
    case K_PROTOCOL:
      return `flow.protocol = ${v} & 0xff;`;
    case K_TCP_FLAGS:
      return `flow.tcpFlags = ${v} & 0xff;`;
    case K_BYTES:
      return `c.rawBytes = ${v};`;
    case K_PACKETS:
      return `c.rawPackets = ${v};`;
    case K_IN_IF:
      return `flow.inputInterface = ${v};`;
    case K_OUT_IF:
      return `flow.outputInterface = ${v};`;
    case K_ICMP4:
      return `c.icmp4 = ${v} & 0xffff;`;
    case K_ICMP4_TYPE:
      return icmpPart('icmp4', 'type', v);
    case K_ICMP4_CODE:
      return icmpPart('icmp4', 'code', v);
    case K_ICMP6:
      return `c.icmp6 = ${v} & 0xffff;`;
    case K_ICMP6_TYPE:
      return icmpPart('icmp6', 'type', v);
    case K_ICMP6_CODE:
      return icmpPart('icmp6', 'code', v);
    case K_FRAG_FLAGS:
      return `c.fragFlags = ${v};`;
    case K_FRAG_OFFSET:
      return `c.fragOffset = ${v};`;
    case K_SRC_MAC:
      return `flow.srcMac = ${mac};`;
    case K_DST_MAC:
      return `flow.dstMac = ${mac};`;
    case K_VLAN:
      return `flow.vlan = ${v} & 0x0fff;`;
    case K_SAMPLING:
      return `{ const v = ${v}; if (v === 0) c.zeroRate = true; else c.rate = v; }`;
    case K_SAMPLER_ID:
      return `c.samplerId = ${v}; c.hasSamplerId = true;`;
    case K_TIME_UPTIME:
      return `c.uptime = ${v}; c.hasUptime = true;`;
    case K_SYSTEM_INIT_MS:
      return `c.systemInitMs = ${v};`;
    case K_START_UPTIME:
      return `c.startUptime = ${v}; c.hasStartUptime = true;`;
    default:
      // Kinds applyOps ignores (options-only kinds) are ignored here too.
      return '';
  }
}

/**
 * The reader for `ops` over a fixed layout (`offsets`, `lengths` per field), shared by
 * every template with the same layout; null when MAX_LAYOUTS are already compiled.
 */
export function recordReaderFor(ops: Int32Array, offsets: Int32Array, lengths: Int32Array): RecordReader | null {
  const parts: number[] = [];
  for (let i = 0; i < ops.length; i += 2) {
    const field = ops[i + 1];
    parts.push(ops[i], offsets[field], lengths[field]);
  }
  const layout = parts.join(',');
  const known = readers.get(layout);
  if (known !== undefined) return known;
  if (readers.size >= MAX_LAYOUTS) return null;
  const body: string[] = [];
  for (let k = 0; k < parts.length; k += 3) {
    const [kind, at, len] = [parts[k], parts[k + 1], parts[k + 2]];
    if (!Number.isInteger(kind) || !Number.isInteger(at) || !Number.isInteger(len) || at < 0 || len < 0) return null;
    body.push(statement(kind, at, len));
  }
  // Built from integers only (see above), so no datagram text can reach the code.
  const make = new Function('readUint', 'copy16', `return function readRecord(b, base, flow, c) {\n${body.join('\n')}\n};`) as (
    r: typeof readUint,
    c16: typeof copy16,
  ) => RecordReader;
  const reader = make(readUint, copy16);
  readers.set(layout, reader);
  return reader;
}

/** Layouts compiled so far (for tests and metrics). */
export function compiledLayouts(): number {
  return readers.size;
}
