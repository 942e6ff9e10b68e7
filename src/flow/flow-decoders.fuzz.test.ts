/**
 * Fuzz test of the flow decoders (sFlow v5, NetFlow v5/v9, IPFIX) through FlowDecoders,
 * the way a receive thread uses them: one long-lived decoder state fed mutated copies of
 * the real captures in ../shared/captures, from a few "real" exporters and from 10,000
 * fake ones (documentation ranges), so the template caps, exporter caps and the error
 * log's key cap are all hit.
 *
 * Reproducible: a seeded PRNG drives everything, including the receive clock. A failure
 * message names the seed, iteration, strategy and datagram. Override with
 * FUZZ_SEED=<uint32 | random> and FUZZ_ITERATIONS=<n> (never below 100,000 unless set).
 *
 * Asserted: no exception escapes decode(); every emitted flow is sane (a decoder that
 * emits garbage is as broken as one that throws); decode() returns the flows it emitted;
 * decoder state stays within its caps; memory growth over the run (JS heap and
 * ArrayBuffers after a forced GC, decoders still alive) stays bounded.
 *
 * Mutations: bit flips; bytes set to 0x00/0xff/random; truncation; garbage appended;
 * splices of two datagrams; length and count fields (datagram, sample, set, record,
 * template, field, inner IP/UDP) set to 0, 1, all ones, just past the end...; sampling
 * rates set to 0; template fields and sFlow formats retyped; template floods with random
 * ids and domains from one exporter and from 10,000; templates with thousands of fields;
 * data before its template; datagrams sent to the other decoder; several at once.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { FlowDecoders, ERROR_KEYS_PER_EXPORTER } from './flow-decoders.ts';
import { type FlowProtocol, sniffFlowProtocol } from './flow-protocol.ts';
import type { FlowRecord } from './flow-record.ts';
import { readPcapUdpDatagrams } from './pcap/pcap-reader.ts';

const CAPTURES = resolve(import.meta.dirname, '../../../shared/captures');
const DEFAULT_SEED = 0x5eed_f10e;
const MIN_ITERATIONS = 100_000;
/** Hard wall-clock guard: the run fails (rather than hangs CI) if it takes longer. */
const DEADLINE_MS = 120_000;
const CAPS = { maxExporters: 100, maxTemplatesPerExporter: 32, templateExpirySeconds: 120 };
/** Decoders' pending-set defaults (not configurable through FlowDecoders). */
const MAX_PENDING_SETS = 32;
const MAX_PENDING_BYTES = 256 * 1024;
const MAX_ERROR_SAMPLES = 5;
/** JS heap plus ArrayBuffers, decoders alive: caps x a few KiB per template, with room to spare. */
const MEMORY_GROWTH_LIMIT = 64 * 1024 * 1024;
const FAKE_EXPORTERS = 10_000;
/** Exporters that send fat templates; they get template state before the fakes fill the table. */
const FAT_EXPORTERS = 24;
/** Receive clock step per iteration: 100k iterations span 300 s, 2.5 template lifetimes. */
const CLOCK_STEP_MS = 3;
const T0 = 1_700_000_000_000;

// --- PRNG --------------------------------------------------------------------------

/** mulberry32: tiny, fast, good enough to pick mutations; the whole run follows the seed. */
function createRandom(seed: number): { next(): number; int(n: number): number; pick<T>(items: readonly T[]): T } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return { next, int, pick: (items) => items[int(items.length)] };
}

function envSeed(): number {
  const raw = process.env.FUZZ_SEED;
  if (raw === undefined || raw === '') return DEFAULT_SEED;
  if (raw === 'random') return (Math.random() * 2 ** 32) >>> 0;
  const seed = Number(raw);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) throw new Error(`FUZZ_SEED must be a uint32 or "random", got ${raw}`);
  return seed;
}

function envIterations(): number {
  const raw = process.env.FUZZ_ITERATIONS;
  if (raw === undefined || raw === '') return MIN_ITERATIONS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`FUZZ_ITERATIONS must be a positive integer, got ${raw}`);
  return n;
}

// --- the corpus: real datagrams and where their interesting fields are ---------------

/** A field worth overwriting: offset and width in bytes (1 to 8). */
interface FieldRef {
  offset: number;
  width: number;
}

/** One template record in a template datagram, for template floods. */
interface TemplateSpan {
  setId: number;
  start: number;
  end: number;
}

interface Seed {
  name: string;
  protocol: FlowProtocol;
  exporter: string;
  bytes: Uint8Array;
  /** Length and count fields (datagram, sample, set, record, template, field, inner packet). */
  lengths: FieldRef[];
  /** Sampling rate / interval / probability fields. */
  sampling: FieldRef[];
  /** Per template record, the offsets of its field specifiers (2-byte id, then 2-byte length). */
  templateFields: number[][];
  /** sFlow sample formats, flow record formats and sampled-header protocols (4 bytes each). */
  formats: FieldRef[];
  /** Template records (NetFlow v9 / IPFIX only), with the header length and domain offset. */
  templates: TemplateSpan[];
  headerLength: number;
  domainOffset: number;
  hasTemplates: boolean;
}

interface TemplateLayout {
  fields: { ie: number; length: number }[];
}

function u16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

const pad4 = (n: number): number => (n + 3) & ~3;

/** Walks a well-formed sFlow datagram and lists its length, count and sampling-rate fields. */
function locateSflow(d: Uint8Array, seed: Seed): void {
  if (d.length < 8) return;
  seed.lengths.push({ offset: 4, width: 4 }); // agent address type decides the header length
  const addressLength = u32(d, 4) === 1 ? 4 : 16;
  let off = 8 + addressLength;
  if (off + 16 > d.length) return;
  const samples = u32(d, off + 12);
  seed.lengths.push({ offset: off + 12, width: 4 });
  off += 16;
  for (let i = 0; i < samples && off + 8 <= d.length; i++) {
    const format = u32(d, off);
    const length = u32(d, off + 4);
    seed.lengths.push({ offset: off + 4, width: 4 });
    seed.formats.push({ offset: off, width: 4 });
    const body = off + 8;
    if (format === 1 || format === 3) {
      const fixed = format === 1 ? 32 : 44;
      seed.sampling.push({ offset: body + (format === 1 ? 8 : 12), width: 4 });
      seed.lengths.push({ offset: body + fixed - 4, width: 4 });
      const records = u32(d, body + fixed - 4);
      let p = body + fixed;
      for (let r = 0; r < records && p + 8 <= body + length; r++) {
        const recordFormat = u32(d, p);
        const recordLength = u32(d, p + 4);
        seed.lengths.push({ offset: p + 4, width: 4 });
        seed.formats.push({ offset: p, width: 4 });
        if (recordFormat === 1) {
          seed.formats.push({ offset: p + 8, width: 4 });
          seed.lengths.push({ offset: p + 12, width: 4 }, { offset: p + 20, width: 4 }); // frame length, header length
          if (u32(d, p + 8) === 1) locateEthernet(d, p + 24, p + 8 + recordLength, seed);
        }
        p += 8 + pad4(recordLength);
      }
    }
    off = body + pad4(length);
  }
}

/** Inner packet lengths of a sampled Ethernet header: IP total/payload length, IHL, UDP length. */
function locateEthernet(d: Uint8Array, off: number, end: number, seed: Seed): void {
  let p = off + 12;
  let etherType = p + 2 <= end ? u16(d, p) : 0;
  for (let i = 0; i < 2 && (etherType === 0x8100 || etherType === 0x88a8) && p + 6 <= end; i++) {
    p += 4;
    etherType = u16(d, p);
  }
  const ip = p + 2;
  if (etherType === 0x0800 && ip + 20 <= end) {
    seed.lengths.push({ offset: ip, width: 1 }, { offset: ip + 2, width: 2 });
    const ihl = (d[ip] & 0x0f) * 4;
    if (d[ip + 9] === 17 && ip + ihl + 8 <= end) seed.lengths.push({ offset: ip + ihl + 4, width: 2 });
  } else if (etherType === 0x86dd && ip + 40 <= end) {
    seed.lengths.push({ offset: ip + 4, width: 2 });
  }
}

const SAMPLING_IES = new Set([34, 50, 305, 309, 310, 311]);

/**
 * Walks a well-formed NetFlow/IPFIX datagram: header count/length, set lengths, template
 * field counts and field lengths, and the sampling fields of data records whose template
 * an earlier datagram of the same capture pair defined (`layouts`).
 */
function locateNetflow(d: Uint8Array, seed: Seed, layouts: Map<string, TemplateLayout>): void {
  const version = u16(d, 0);
  seed.lengths.push({ offset: 2, width: 2 }); // v5/v9 record count, IPFIX message length
  if (version === 5) {
    seed.sampling.push({ offset: 22, width: 2 });
    return;
  }
  const ipfix = version === 10;
  seed.headerLength = ipfix ? 16 : 20;
  seed.domainOffset = ipfix ? 12 : 16;
  const domain = u32(d, seed.domainOffset);
  const end = ipfix ? Math.min(d.length, u16(d, 2)) : d.length;
  let off = seed.headerLength;
  while (off + 4 <= end) {
    const setId = u16(d, off);
    const setLength = u16(d, off + 2);
    if (setLength < 4 || off + setLength > end) return;
    seed.lengths.push({ offset: off + 2, width: 2 });
    const setEnd = off + setLength;
    let r = off + 4;
    if (setId === 0 || setId === 2 || setId === 3 || (setId === 1 && !ipfix)) {
      seed.hasTemplates = true;
      while (r + 4 <= setEnd) {
        const id = u16(d, r);
        let fieldCount: number;
        let p: number;
        if (setId === 1) {
          if (id === 0 || r + 6 > setEnd) break;
          seed.lengths.push({ offset: r + 2, width: 2 }, { offset: r + 4, width: 2 });
          fieldCount = (u16(d, r + 2) + u16(d, r + 4)) / 4;
          p = r + 6;
        } else {
          fieldCount = u16(d, r + 2);
          if (fieldCount === 0) break;
          seed.lengths.push({ offset: r + 2, width: 2 });
          if (setId === 3) seed.lengths.push({ offset: r + 4, width: 2 });
          p = r + (setId === 3 ? 6 : 4);
        }
        const fields: { ie: number; length: number }[] = [];
        const specifiers: number[] = [];
        seed.templateFields.push(specifiers);
        for (let f = 0; f < fieldCount && p + 4 <= setEnd; f++) {
          const ie = u16(d, p);
          seed.lengths.push({ offset: p + 2, width: 2 });
          specifiers.push(p);
          fields.push({ ie: ipfix ? ie & 0x7fff : ie, length: u16(d, p + 2) });
          p += ipfix && ie & 0x8000 ? 8 : 4;
        }
        seed.templates.push({ setId, start: r, end: p });
        layouts.set(`${version}/${domain}/${id}`, { fields });
        r = p;
      }
    } else if (setId >= 256) {
      const layout = layouts.get(`${version}/${domain}/${setId}`);
      if (layout?.fields.every((f) => f.length !== 0xffff)) {
        const recordLength = layout.fields.reduce((sum, f) => sum + f.length, 0);
        for (; recordLength > 0 && r + recordLength <= setEnd; r += recordLength) {
          let at = r;
          for (const f of layout.fields) {
            if (SAMPLING_IES.has(f.ie) && f.length >= 1 && f.length <= 8) seed.sampling.push({ offset: at, width: f.length });
            at += f.length;
          }
        }
      }
    }
    off = setEnd;
  }
}

function loadCorpus(): Seed[] {
  const files = readdirSync(CAPTURES)
    .filter((n) => n.endsWith('.pcap'))
    .sort();
  // Templates before the data that needs them: *-template(s).pcap sort after *-data.pcap.
  const ordered = [...files.filter((n) => /-templates?\.pcap$/.test(n)), ...files.filter((n) => !/-templates?\.pcap$/.test(n))];
  // One documentation-range exporter per real source address: the template, options and
  // data captures of one router share its template state, as they did on the wire.
  const exporters = new Map<string, string>();
  const layouts = new Map<string, Map<string, TemplateLayout>>();
  const seeds: Seed[] = [];
  for (const name of ordered) {
    for (const d of readPcapUdpDatagrams(readFileSync(join(CAPTURES, name)))) {
      let exporter = exporters.get(d.srcAddress);
      if (exporter === undefined) {
        exporter = `192.0.2.${200 + exporters.size}`;
        exporters.set(d.srcAddress, exporter);
        layouts.set(exporter, new Map());
      }
      const bytes = new Uint8Array(d.payload);
      const protocol = sniffFlowProtocol(bytes);
      assert.equal(protocol === 'sflow', d.dstPort === 6343, `${name}: protocol sniffing agrees with the port`);
      const seed: Seed = {
        name,
        protocol,
        exporter,
        bytes,
        lengths: [],
        sampling: [],
        templateFields: [],
        formats: [],
        templates: [],
        headerLength: 0,
        domainOffset: 0,
        hasTemplates: false,
      };
      if (protocol === 'sflow') locateSflow(bytes, seed);
      else locateNetflow(bytes, seed, layouts.get(exporter) ?? new Map());
      seeds.push(seed);
    }
  }
  return seeds;
}

/** 10,000 distinct exporter strings from the documentation ranges (IPv4, then IPv6). */
function fakeExporters(): string[] {
  const out: string[] = [];
  for (const prefix of ['192.0.2', '198.51.100', '203.0.113']) for (let i = 0; i < 256; i++) out.push(`${prefix}.${i}`);
  for (let i = 1; out.length < FAKE_EXPORTERS; i++) out.push(`2001:db8::${i.toString(16)}`);
  return out;
}

// --- mutations ---------------------------------------------------------------------

type Random = ReturnType<typeof createRandom>;

/** Big-endian write of the low `width` bytes of `value` (a number up to 2^53). */
function writeUint(d: Uint8Array, offset: number, width: number, value: number): void {
  let v = value;
  for (let i = width - 1; i >= 0; i--) {
    if (offset + i < d.length) d[offset + i] = v % 256;
    v = Math.floor(v / 256);
  }
}

function absurdValue(rnd: Random, d: Uint8Array, ref: FieldRef): number {
  const max = 2 ** (8 * Math.min(ref.width, 6)) - 1;
  const remaining = d.length - ref.offset;
  switch (rnd.int(9)) {
    case 0:
      return 0;
    case 1:
      return 1;
    case 2:
      return max; // 0xff.., 0xffff, 0xffffffff
    case 3:
      return 2 ** (8 * Math.min(ref.width, 6) - 1); // high bit alone
    case 4:
      return remaining + 1 + rnd.int(4); // just past the end
    case 5:
      return remaining - rnd.int(8);
    case 6:
      return d.length + rnd.int(3) - 1;
    case 7:
      return rnd.int(16);
    default:
      return rnd.int(max + 1);
  }
}

function bitFlips(rnd: Random, d: Uint8Array): Uint8Array {
  for (let n = 1 + rnd.int(8); n > 0 && d.length > 0; n--) d[rnd.int(d.length)] ^= 1 << rnd.int(8);
  return d;
}

function byteSets(rnd: Random, d: Uint8Array): Uint8Array {
  for (let n = 1 + rnd.int(4); n > 0 && d.length > 0; n--) {
    const kind = rnd.int(3);
    d[rnd.int(d.length)] = kind === 0 ? 0x00 : kind === 1 ? 0xff : rnd.int(256);
  }
  return d;
}

function truncate(rnd: Random, d: Uint8Array): Uint8Array {
  return d.subarray(0, rnd.int(d.length + 1));
}

function extend(rnd: Random, d: Uint8Array): Uint8Array {
  const out = new Uint8Array(d.length + 1 + rnd.int(rnd.int(4) === 0 ? 1500 : 64));
  out.set(d);
  for (let i = d.length; i < out.length; i++) out[i] = rnd.int(256);
  return out;
}

function splice(rnd: Random, a: Uint8Array, b: Uint8Array): Uint8Array {
  const head = rnd.int(a.length + 1);
  const tail = rnd.int(b.length + 1);
  const out = new Uint8Array(head + b.length - tail);
  out.set(a.subarray(0, head));
  out.set(b.subarray(tail), head);
  return out;
}

function overwriteLength(rnd: Random, seed: Seed, d: Uint8Array): Uint8Array {
  if (seed.lengths.length === 0) return byteSets(rnd, d);
  for (let n = 1 + (rnd.int(4) === 0 ? rnd.int(3) : 0); n > 0; n--) {
    const ref = rnd.pick(seed.lengths);
    writeUint(d, ref.offset, ref.width, absurdValue(rnd, d, ref));
  }
  return d;
}

function zeroSampling(rnd: Random, seed: Seed, d: Uint8Array): Uint8Array {
  if (seed.sampling.length === 0) return bitFlips(rnd, d);
  // Usually one record; sometimes every record of the datagram.
  const all = rnd.int(3) === 0;
  for (const ref of all ? seed.sampling : [rnd.pick(seed.sampling)]) writeUint(d, ref.offset, ref.width, 0);
  return d;
}

/**
 * Element ids the decoders interpret, with the length their rule wants (0: any of 1-8):
 * addresses, ports, counters, times, sampler options (incl. the float64 probability).
 */
const INTERPRETED_FIELDS: readonly (readonly [number, number])[] = [
  [8, 4], [12, 4], [27, 16], [28, 16], [7, 0], [11, 0], [4, 0], [6, 0], [1, 0], [2, 0], [85, 0], [86, 0],
  [10, 0], [14, 0], [32, 0], [139, 0], [176, 0], [177, 0], [197, 0], [88, 0], [56, 6], [80, 6], [58, 0], [243, 0],
  [34, 0], [50, 0], [48, 0], [302, 0], [305, 0], [306, 0], [309, 0], [310, 0], [311, 8], [160, 0],
  [153, 0], [155, 8], [151, 0], [21, 0], [22, 0], [159, 0],
];

/**
 * Retypes a template field to one the decoders interpret, so data is read as something
 * else. When the length changes, another field of the same template absorbs the
 * difference where it can, so the existing data records still fit the template.
 */
function retypeField(rnd: Random, seed: Seed, d: Uint8Array): Uint8Array {
  const templates = seed.templateFields.filter((t) => t.length > 0);
  if (templates.length === 0) return overwriteLength(rnd, seed, d);
  for (let n = 1 + rnd.int(2); n > 0; n--) {
    const specifiers = rnd.pick(templates);
    const at = rnd.pick(specifiers);
    const [ie, required] = rnd.pick(INTERPRETED_FIELDS);
    const oldLength = u16(d, at + 2);
    const newLength = required !== 0 ? required : oldLength >= 1 && oldLength <= 8 ? oldLength : 1 + rnd.int(8);
    // Keep the enterprise bit: the specifier keeps its size (and a reverse field stays reverse).
    writeUint(d, at, 2, (d[at] & 0x80) * 256 + ie);
    writeUint(d, at + 2, 2, newLength);
    const delta = oldLength - newLength;
    if (delta === 0 || oldLength === 0xffff || rnd.int(4) === 0) continue;
    const partners = specifiers.filter((p) => p !== at && u16(d, p + 2) !== 0xffff && u16(d, p + 2) + delta >= 0 && u16(d, p + 2) + delta < 0xffff);
    if (partners.length > 0) {
      const partner = rnd.pick(partners);
      writeUint(d, partner + 2, 2, u16(d, partner + 2) + delta);
    }
  }
  return d;
}

/** sFlow sample formats, record formats and header protocols the decoder reads (and a few it does not). */
const SFLOW_FORMATS = [1, 2, 3, 4, 11, 12, 13, 1001, 1002, 0, 0xffffffff];

/** Gives an sFlow sample, record or sampled header another format, so its bytes are read as that. */
function retypeSflow(rnd: Random, seed: Seed, d: Uint8Array): Uint8Array {
  if (seed.formats.length === 0) return overwriteLength(rnd, seed, d);
  for (let n = 1 + rnd.int(2); n > 0; n--) writeUint(d, rnd.pick(seed.formats).offset, 4, rnd.pick(SFLOW_FORMATS));
  return d;
}

/**
 * A template set of 1 to 48 copies of the seed's template records under random ids
 * (1 in 20 reserved), optionally in a random observation domain: what a broken or
 * hostile exporter does to fill the template cache.
 */
function templateFlood(rnd: Random, seed: Seed): Uint8Array {
  const setId = rnd.pick(seed.templates).setId;
  const spans = seed.templates.filter((t) => t.setId === setId);
  const parts: Uint8Array[] = [];
  let size = seed.headerLength + 4;
  let count = 0;
  for (let n = 1 + rnd.int(48); n > 0; n--) {
    const span = rnd.pick(spans);
    if (size + span.end - span.start > 0xffff) break;
    const record = seed.bytes.slice(span.start, span.end);
    writeUint(record, 0, 2, rnd.int(20) === 0 ? rnd.int(256) : 256 + rnd.int(0xffff - 255));
    parts.push(record);
    size += record.length;
    count++;
  }
  const out = new Uint8Array(size);
  out.set(seed.bytes.subarray(0, seed.headerLength));
  const ipfix = u16(out, 0) === 10;
  writeUint(out, 2, 2, ipfix ? size : count);
  if (rnd.int(2) === 0) writeUint(out, seed.domainOffset, 4, rnd.int(2 ** 32));
  writeUint(out, seed.headerLength, 2, setId);
  writeUint(out, seed.headerLength + 2, 2, size - seed.headerLength);
  let at = seed.headerLength + 4;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Random 4-byte field specifiers (no enterprise bit) to build fat templates from. */
function fieldPool(rnd: Random): Uint8Array {
  const pool = new Uint8Array(0x10000);
  for (let p = 0; p < pool.length; p += 4) {
    writeUint(pool, p, 2, 1 + rnd.int(400));
    writeUint(pool, p + 2, 2, 1 + rnd.int(8));
  }
  return pool;
}

/**
 * One template with up to 16,000 fields (a quarter of them near 1,000): what a single
 * cached template can cost, times the template caps, is what bounds memory.
 */
function fatTemplate(rnd: Random, seed: Seed, pool: Uint8Array, nearLimit = rnd.int(4) === 0): Uint8Array {
  const ipfix = u16(seed.bytes, 0) === 10;
  const maxFields = Math.floor((0xffff - seed.headerLength - 8) / 4);
  const fields = nearLimit ? 900 + rnd.int(250) : Math.min(maxFields, 1024 + rnd.int(maxFields));
  const size = seed.headerLength + 8 + fields * 4;
  const out = new Uint8Array(size);
  out.set(seed.bytes.subarray(0, seed.headerLength));
  writeUint(out, 2, 2, ipfix ? size : 1);
  writeUint(out, seed.headerLength, 2, ipfix ? 2 : 0);
  writeUint(out, seed.headerLength + 2, 2, size - seed.headerLength);
  writeUint(out, seed.headerLength + 4, 2, 256 + rnd.int(0xffff - 255));
  writeUint(out, seed.headerLength + 6, 2, fields);
  const from = 4 * rnd.int((pool.length - fields * 4) / 4 + 1);
  out.set(pool.subarray(from, from + fields * 4), seed.headerLength + 8);
  return out;
}

// --- flow validation ---------------------------------------------------------------

function isUint(v: number, max: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= max;
}

/** Returns what is wrong with a flow, or '' when it is sane. */
function insane(flow: FlowRecord, exporter: string, protocol: FlowProtocol, receivedAtMs: number): string {
  if (flow.exporter !== exporter) return `exporter ${flow.exporter}, expected ${exporter}`;
  if (protocol === 'sflow') {
    // One sampled packet per flow sample, stamped with the receive time.
    if (flow.packets !== flow.samplingRate || flow.bytes !== flow.frameLength * flow.samplingRate) return 'sflow counters not scaled by the rate';
    if (flow.timeMs !== receivedAtMs) return `sflow timeMs ${flow.timeMs}, received at ${receivedAtMs}`;
  } else if (flow.header !== null) {
    return 'netflow flow with a packet header';
  }
  if (flow.ipVersion !== 0 && flow.ipVersion !== 4 && flow.ipVersion !== 6) return `ipVersion ${flow.ipVersion}`;
  if (!isUint(flow.srcPort, 0xffff) || !isUint(flow.dstPort, 0xffff)) return `ports ${flow.srcPort}/${flow.dstPort}`;
  if (!isUint(flow.protocol, 0xff)) return `protocol ${flow.protocol}`;
  if (!isUint(flow.tcpFlags, 0xff)) return `tcpFlags ${flow.tcpFlags}`;
  if (!Number.isFinite(flow.packets) || flow.packets < 0) return `packets ${flow.packets}`;
  if (!Number.isFinite(flow.bytes) || flow.bytes < 0) return `bytes ${flow.bytes}`;
  if (!Number.isFinite(flow.samplingRate) || flow.samplingRate < 1) return `samplingRate ${flow.samplingRate}`;
  if (!Number.isFinite(flow.timeMs)) return `timeMs ${flow.timeMs}`;
  if (!isUint(flow.vlan, 4095)) return `vlan ${flow.vlan}`;
  if (!isUint(flow.srcMac, 2 ** 48 - 1) || !isUint(flow.dstMac, 2 ** 48 - 1)) return `macs ${flow.srcMac}/${flow.dstMac}`;
  if (!isUint(flow.inputInterface, 2 ** 64) || !isUint(flow.outputInterface, 2 ** 64)) return `interfaces ${flow.inputInterface}/${flow.outputInterface}`;
  if (!isUint(flow.observationDomain, 2 ** 32 - 1)) return `observationDomain ${flow.observationDomain}`;
  if (!Number.isFinite(flow.frameLength) || flow.frameLength < 0) return `frameLength ${flow.frameLength}`;
  if (flow.srcAddr.length !== 16 || flow.dstAddr.length !== 16) return 'address buffers resized';
  if (flow.ipVersion === 4) {
    if (!isUint(flow.srcAddr4, 2 ** 32 - 1) || !isUint(flow.dstAddr4, 2 ** 32 - 1)) return `IPv4 ${flow.srcAddr4}/${flow.dstAddr4}`;
    if (u32(flow.srcAddr, 0) !== flow.srcAddr4 || u32(flow.dstAddr, 0) !== flow.dstAddr4) return 'IPv4 bytes disagree with srcAddr4/dstAddr4';
  }
  // Bytes an address does not use stay zero, so consumers may hash or compare all 16.
  const used = flow.ipVersion === 6 ? 16 : flow.ipVersion === 4 ? 4 : 0;
  for (let i = used; i < 16; i++) if (flow.srcAddr[i] !== 0 || flow.dstAddr[i] !== 0) return `IPv${flow.ipVersion} flow with address byte ${i} set`;
  if (flow.header !== null) {
    const { headerOffset: o, headerLength: n } = flow;
    if (!Number.isInteger(o) || !Number.isInteger(n) || o < 0 || n < 0 || o + n > flow.header.length) {
      return `header [${o}, +${n}) outside its ${flow.header.length}-byte buffer`;
    }
  }
  return '';
}

// --- the run -----------------------------------------------------------------------

function exposeGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing !== undefined) return existing;
  // `node --test` runs without --expose-gc; turning the flag on at run time works in V8.
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** JS heap plus ArrayBuffer backing stores (typed arrays live outside the heap). */
function memoryAfterGc(gc: () => void): number {
  gc();
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

const STRATEGIES = [
  ['bit-flip', 14],
  ['byte-set', 14],
  ['truncate', 10],
  ['extend', 6],
  ['splice', 8],
  ['length-field', 18],
  ['sampling-zero', 7],
  ['field-type', 8],
  ['sflow-format', 4],
  ['template-flood', 8],
  ['fat-template', 2],
  ['data-before-template', 4],
  ['stacked', 8],
  ['wrong-decoder', 2],
] as const;
type Strategy = (typeof STRATEGIES)[number][0];
const STRATEGY_WEIGHT = STRATEGIES.reduce((sum, [, w]) => sum + w, 0);

function pickStrategy(rnd: Random): Strategy {
  let x = rnd.int(STRATEGY_WEIGHT);
  for (const [name, weight] of STRATEGIES) {
    if (x < weight) return name;
    x -= weight;
  }
  return 'bit-flip';
}

function hex(d: Uint8Array): string {
  return Buffer.from(d.buffer, d.byteOffset, Math.min(d.length, 2048)).toString('hex');
}

it('flow decoders survive 100,000+ mutated real datagrams with bounded state and sane flows', (t) => {
  const seedValue = envSeed();
  const iterations = envIterations();
  const rnd = createRandom(seedValue);
  const corpus = loadCorpus();
  const templateSeeds = corpus.filter((s) => s.hasTemplates && s.templates.length > 0);
  const sflowSeeds = corpus.filter((s) => s.formats.length > 0);
  const fakes = fakeExporters();
  const fatExporters = Array.from({ length: FAT_EXPORTERS }, (_, i) => `2001:db8:fa7::${i + 1}`);
  const pool = fieldPool(rnd);
  assert.ok(corpus.length >= 15 && templateSeeds.length >= 5, `corpus of ${corpus.length} datagrams, ${templateSeeds.length} with templates`);
  assert.equal(new Set(fakes).size, FAKE_EXPORTERS);

  const gc = exposeGc();
  const memoryBefore = memoryAfterGc(gc);
  const decoders = new FlowDecoders(CAPS);
  const wrongDecoder: Record<FlowProtocol, FlowProtocol> = { sflow: 'netflow', netflow: 'sflow' };

  // Per-iteration context, for the sink and for failure messages.
  let exporter = '';
  let emitted = 0;
  let feeding: FlowProtocol = 'sflow';
  let badFlow = '';
  const sink = (flow: FlowRecord): void => {
    emitted++;
    if (badFlow === '') badFlow = insane(flow, exporter, feeding, nowMs);
  };

  let nowMs = T0;
  let nextFake = 0;
  let iteration = -1;
  let strategy: Strategy | 'clean' = 'clean';
  let datagram: Uint8Array = new Uint8Array(0);
  let seed = corpus[0];
  const started = performance.now();
  const strategyCounts = new Map<string, number>();
  let mutatedFlows = 0;
  let mostExporters = 0;
  let memoryMid = 0;

  const fail = (message: string): never => {
    throw new Error(
      `${message}\n  seed ${seedValue} (FUZZ_SEED=${seedValue} FUZZ_ITERATIONS=${iterations} to reproduce), iteration ${iteration}, ` +
        `strategy ${strategy}, source ${seed.name}, exporter ${exporter}\n  datagram (${datagram.length} bytes): ${hex(datagram)}`,
    );
  };

  const feed = (protocol: FlowProtocol): number => {
    feeding = protocol;
    emitted = 0;
    badFlow = '';
    let n = 0;
    try {
      n = decoders.decode(protocol, datagram, exporter, nowMs, sink);
    } catch (error) {
      fail(`decode threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
    if (badFlow !== '') fail(`insane flow: ${badFlow}`);
    if (n !== emitted) fail(`decode returned ${n} but emitted ${emitted} flows`);
    return n;
  };

  const checkBounds = (): void => {
    const stats = decoders.netflow.stats().templates;
    const cached = stats.templates + stats.optionsTemplates;
    if (stats.exporters > CAPS.maxExporters) fail(`template state for ${stats.exporters} exporters (cap ${CAPS.maxExporters})`);
    mostExporters = Math.max(mostExporters, stats.exporters);
    if (cached > stats.exporters * CAPS.maxTemplatesPerExporter) fail(`${cached} templates for ${stats.exporters} exporters`);
    if (stats.domains > cached) fail(`${stats.domains} domains hold only ${cached} templates`);
    if (stats.pendingSets > MAX_PENDING_SETS || stats.pendingBytes > MAX_PENDING_BYTES) fail(`pending ${stats.pendingSets} sets, ${stats.pendingBytes} bytes`);
    if (decoders.errors.counts.size > CAPS.maxExporters * ERROR_KEYS_PER_EXPORTER) fail(`error log holds ${decoders.errors.counts.size} keys`);
    if (decoders.errors.takeSamples().length > MAX_ERROR_SAMPLES) fail('error log kept more samples than its interval allows');
  };

  const feedOriginals = (templatesOnly: boolean): number => {
    let flows = 0;
    for (const s of corpus) {
      if (templatesOnly && !s.hasTemplates) continue;
      seed = s;
      exporter = s.exporter;
      datagram = s.bytes;
      flows += feed(s.protocol);
    }
    return flows;
  };

  // Clean pass first: the real captures decode, so templates exist for the mutated data.
  const cleanFlows = feedOriginals(false);
  assert.ok(cleanFlows > 50, `the unmutated captures yield flows (${cleanFlows})`);
  strategy = 'fat-template';
  for (const name of fatExporters) {
    seed = rnd.pick(templateSeeds);
    exporter = name;
    datagram = fatTemplate(rnd, seed, pool, true);
    feed('netflow');
  }

  for (iteration = 0; iteration < iterations; iteration++) {
    if (performance.now() - started > DEADLINE_MS) fail(`run exceeded ${DEADLINE_MS} ms`);
    nowMs += CLOCK_STEP_MS;
    // Receive clocks step back now and then (NTP); decoders must not care.
    if (rnd.int(5000) === 0) nowMs -= rnd.int(60_000);
    if (iteration % 500 === 0) {
      strategy = 'clean';
      feedOriginals(true); // exporters refresh their templates
    }
    if (iteration % 1000 === 0) checkBounds();
    if (iteration === iterations >> 1) memoryMid = memoryAfterGc(gc);

    strategy = pickStrategy(rnd);
    strategyCounts.set(strategy, (strategyCounts.get(strategy) ?? 0) + 1);
    seed =
      strategy === 'template-flood' || strategy === 'fat-template'
        ? rnd.pick(templateSeeds)
        : strategy === 'field-type'
          ? rnd.pick(templateSeeds)
          : strategy === 'sflow-format'
            ? rnd.pick(sflowSeeds)
            : rnd.pick(corpus);
    exporter = rnd.int(8) === 0 ? fakes[nextFake++ % FAKE_EXPORTERS] : seed.exporter;
    let protocol = seed.protocol;
    const d = seed.bytes.slice();
    switch (strategy) {
      case 'bit-flip':
        datagram = bitFlips(rnd, d);
        break;
      case 'byte-set':
        datagram = byteSets(rnd, d);
        break;
      case 'truncate':
        datagram = truncate(rnd, d);
        break;
      case 'extend':
        datagram = extend(rnd, d);
        break;
      case 'splice':
        datagram = splice(rnd, d, rnd.pick(corpus).bytes);
        break;
      case 'length-field':
        datagram = overwriteLength(rnd, seed, d);
        break;
      case 'sampling-zero':
        datagram = zeroSampling(rnd, seed, d);
        break;
      case 'field-type':
        datagram = retypeField(rnd, seed, d);
        break;
      case 'sflow-format':
        datagram = retypeSflow(rnd, seed, d);
        break;
      case 'template-flood':
        // Mostly one flooding exporter (per-exporter cap), else the many fakes (exporter cap).
        exporter = rnd.int(3) === 0 ? '198.51.100.66' : fakes[nextFake++ % FAKE_EXPORTERS];
        datagram = templateFlood(rnd, seed);
        break;
      case 'fat-template':
        exporter = rnd.pick(fatExporters);
        datagram = fatTemplate(rnd, seed, pool);
        break;
      case 'data-before-template':
        exporter = fakes[nextFake++ % FAKE_EXPORTERS];
        datagram = rnd.int(2) === 0 ? d : bitFlips(rnd, d);
        break;
      case 'stacked': {
        let m: Uint8Array = d;
        for (let n = 2 + rnd.int(3); n > 0; n--) {
          const k = rnd.int(5);
          m =
            k === 0
              ? bitFlips(rnd, m)
              : k === 1
                ? overwriteLength(rnd, seed, m)
                : k === 2
                  ? truncate(rnd, m)
                  : k === 3
                    ? zeroSampling(rnd, seed, m)
                    : byteSets(rnd, m);
        }
        datagram = m;
        break;
      }
      case 'wrong-decoder':
        protocol = wrongDecoder[protocol];
        datagram = rnd.int(2) === 0 ? d : byteSets(rnd, d);
        break;
    }
    mutatedFlows += feed(protocol);
  }
  strategy = 'clean';
  checkBounds();

  const elapsedMs = performance.now() - started;
  const growth = memoryAfterGc(gc) - memoryBefore;
  const netflow = decoders.netflow.stats();
  const sflow = decoders.sflow.stats;
  t.diagnostic(
    `seed ${seedValue}: ${iterations} iterations in ${Math.round(elapsedMs)} ms, ${mutatedFlows} flows from mutated datagrams, ` +
      `memory +${(growth / 2 ** 20).toFixed(1)} MiB (mid-run +${((memoryMid - memoryBefore) / 2 ** 20).toFixed(1)} MiB), ` +
      `templates ${netflow.templates.templates}+${netflow.templates.optionsTemplates} for ${netflow.templates.exporters} exporters, ` +
      `error keys ${decoders.errors.counts.size} (+${decoders.errors.overflow} overflowed)`,
  );
  t.diagnostic(`strategies: ${[...strategyCounts].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  t.diagnostic(`netflow errors: ${JSON.stringify(netflow.errors)}; sflow errors: ${JSON.stringify(sflow.errors)}`);

  assert.ok(growth < MEMORY_GROWTH_LIMIT, `memory grew by ${growth} bytes with the decoders alive (limit ${MEMORY_GROWTH_LIMIT})`);
  if (iterations >= MIN_ITERATIONS) {
    // The run reached the decoders' depths and their caps, not just their header checks.
    assert.ok(mutatedFlows > iterations / 2, `mutated datagrams still yield flows (${mutatedFlows})`);
    assert.equal(mostExporters, CAPS.maxExporters, 'the exporter cap was reached');
    assert.ok(decoders.errors.overflow > 0, 'the error log key cap was reached');
    for (const [reason, count] of Object.entries(netflow.errors)) {
      if (reason !== 'sampler_limit') assert.ok(count > 0, `netflow error ${reason} was provoked`);
    }
    for (const [reason, count] of Object.entries(sflow.errors)) assert.ok(count > 0, `sflow error ${reason} was provoked`);
  }
});
