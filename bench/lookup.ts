/**
 * Benchmark of the inventory address index (src/inventory/address-index.ts).
 *
 * Run: node --expose-gc bench/lookup.ts   (npm run bench:lookup)
 *
 * Builds an index shaped like a hosting provider's inventory — 1,000,000 single addresses
 * and 100,000 subnets per family — and measures single-core lookups per second for hits,
 * misses and a mixed stream, plus build time, memory and update rate. Everything is
 * in memory: the addresses are numbers generated from a seeded PRNG (IPv4 in synthetic
 * provider /16 blocks, IPv6 in the documentation prefix 2001:db8::/32); nothing is sent.
 * Each timed case runs about a second; the whole run stays well under a minute.
 */
import { GCProfiler } from 'node:v8';
import { AddressIndex, type AddressIndexEntry } from '../src/inventory/address-index.ts';
import { type AddressPrefix, parseAddressPrefix } from '../src/inventory/address-prefix.ts';
import { prng } from '../test/helpers/traffic-scenarios.ts';

const SINGLE_ADDRESSES = 1_000_000;
const SUBNETS = 100_000;
/** Lookup addresses per sample array (a power of two, larger than the CPU caches). */
const SAMPLE = 1 << 20;
const CASE_MS = 1000;
const MAX_PASSES = 200;
const SPREAD_ADDRESSES = 100_000;

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error('run with --expose-gc: node --expose-gc bench/lookup.ts');
  process.exit(2);
}

const rand = prng(20240601);
const randInt = (n: number): number => Math.floor(rand() * n);

function ipv4Text(addr: number): string {
  return `${addr >>> 24}.${(addr >>> 16) & 255}.${(addr >>> 8) & 255}.${addr & 255}`;
}

function ipv6Text(w1: number, w2: number, w3: number, length: number): string {
  const h = (n: number) => (n & 0xffff).toString(16);
  return `2001:db8:${h(w1 >>> 16)}:${h(w1)}:${h(w2 >>> 16)}:${h(w2)}:${h(w3 >>> 16)}:${h(w3)}/${length}`;
}

async function memory(): Promise<{ rss: number; heap: number; arrayBuffers: number }> {
  // Twice with a turn of the event loop between: freed ArrayBuffers are released late.
  gc?.();
  await new Promise((resolve) => setImmediate(resolve));
  gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed, arrayBuffers: m.arrayBuffers };
}

const mib = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MiB`;

// ---------------------------------------------------------------------------------------
// Data: a provider inventory.
//
// IPv4: the provider owns /16 blocks. Each /24 is either a "hosts" /24 (180-254 servers
// with one /32 each, the rest unassigned) or a "subnets" /24 carved into /29-/25 customer
// subnets with some gaps; every 50th hosts /24 is also routed as a whole /24 to another
// server (a /32 inside a subnet: the /32 must win). 2% of the subnets are /23-/22.
// IPv6: 2001:db8::/32; subnets are /64 (80%), /56 (15%), /48 (5%); the single addresses are
// /128s, 64 per pool /64, as additional-address pools are.
// ---------------------------------------------------------------------------------------

interface Ipv4Layout {
  entries: AddressIndexEntry[];
  singles: Uint32Array;
  subnets: { address: number; length: number }[];
  blocks: Set<number>;
}

function ipv4Layout(): Ipv4Layout {
  const entries: AddressIndexEntry[] = [];
  const singles = new Uint32Array(SINGLE_ADDRESSES);
  const subnets: { address: number; length: number }[] = [];
  const blocks = new Set<number>();
  let slot = 0;
  let singleCount = 0;
  const bigSubnets = Math.floor(SUBNETS * 0.02);
  const addSubnet = (address: number, length: number) => {
    entries.push({ prefix: `${ipv4Text(address)}/${length}`, value: slot++ });
    subnets.push({ address, length });
  };
  const octets = Array.from({ length: 254 }, (_, i) => i + 1);
  while (singleCount < SINGLE_ADDRESSES || subnets.length < SUBNETS) {
    let block: number;
    do block = ((64 + randInt(160)) << 8) | randInt(256);
    while (blocks.has(block));
    blocks.add(block);
    for (let c = 0; c < 256; c++) {
      const net24 = ((block << 16) | (c << 8)) >>> 0;
      const wantHosts = singleCount < SINGLE_ADDRESSES;
      const wantSubnets = subnets.length < SUBNETS;
      if (!wantHosts && !wantSubnets) break;
      if (wantSubnets && subnets.length < bigSubnets && c % 4 === 0) {
        // A /22 or /23 for a large customer.
        if (rand() < 0.5) addSubnet(net24, 22);
        else addSubnet(net24, 23);
        c += 3;
        continue;
      }
      if (wantHosts && (!wantSubnets || rand() < 0.5)) {
        if (rand() < 0.02 && wantSubnets) addSubnet(net24, 24);
        const k = Math.min(180 + randInt(75), SINGLE_ADDRESSES - singleCount);
        for (let i = 0; i < k; i++) {
          const j = i + randInt(254 - i);
          const t = octets[i];
          octets[i] = octets[j];
          octets[j] = t;
          const addr = net24 + octets[i];
          singles[singleCount++] = addr;
          entries.push({ prefix: ipv4Text(addr), value: slot++ });
        }
        continue;
      }
      for (let offset = 0; offset < 256 && subnets.length < SUBNETS; ) {
        const r = rand();
        let length = r < 0.6 ? 29 : r < 0.8 ? 28 : r < 0.9 ? 27 : r < 0.96 ? 26 : 25;
        while (offset % 2 ** (32 - length) !== 0) length++;
        if (rand() >= 0.1) addSubnet(net24 + offset, length);
        offset += 2 ** (32 - length);
      }
    }
  }
  return { entries, singles, subnets, blocks };
}

interface Ipv6Layout {
  entries: AddressIndexEntry[];
  /** Single addresses as words 1..3 (word 0 is always 2001:0db8). */
  singles: Int32Array;
  subnets: { w1: number; length: number }[];
}

function ipv6Layout(): Ipv6Layout {
  const entries: AddressIndexEntry[] = [];
  const singles = new Int32Array(SINGLE_ADDRESSES * 3);
  const subnets: { w1: number; length: number }[] = [];
  let slot = 0;
  const addSubnet = (w1: number, length: number) => {
    entries.push({ prefix: ipv6Text(w1, 0, 0, length), value: slot++ });
    subnets.push({ w1, length });
  };
  // /48s at site index 0x1000.., /56s at 0x3000.., /64s at 0x5000.., pools at 0x8000.. (10% gaps).
  let site = 0x1000;
  while (subnets.length < SUBNETS * 0.05) if (rand() >= 0.1) addSubnet((site++ << 16) | 0, 48);
  for (site = 0x3000; subnets.length < SUBNETS * 0.2; site++) {
    for (let k = 0; k < 256 && subnets.length < SUBNETS * 0.2; k++) if (rand() >= 0.1) addSubnet((site << 16) | (k << 8), 56);
  }
  for (site = 0x5000; subnets.length < SUBNETS; site++) {
    for (let k = 0; k < 65536 && subnets.length < SUBNETS; k++) if (rand() >= 0.1) addSubnet((site << 16) | k, 64);
  }
  const used = new Set<number>();
  for (let n = 0, pool = 0; n < SINGLE_ADDRESSES; pool++) {
    const w1 = (0x8000 + (pool >>> 16)) << 16 | (pool & 0xffff);
    used.clear();
    for (let k = 0; k < 64 && n < SINGLE_ADDRESSES; k++) {
      let w3: number;
      do w3 = 1 + randInt(0xfffe);
      while (used.has(w3));
      used.add(w3);
      singles.set([w1, 0, w3], n * 3);
      entries.push({ prefix: ipv6Text(w1, 0, w3, 128), value: slot++ });
      n++;
    }
  }
  return { entries, singles, subnets };
}

// ---------------------------------------------------------------------------------------
// Lookup samples.
// ---------------------------------------------------------------------------------------

function ipv4Hits(layout: Ipv4Layout): Uint32Array {
  const out = new Uint32Array(SAMPLE);
  for (let i = 0; i < SAMPLE; i++) {
    if (rand() < 0.8) {
      out[i] = layout.singles[randInt(layout.singles.length)];
    } else {
      const s = layout.subnets[randInt(layout.subnets.length)];
      out[i] = s.address + randInt(2 ** (32 - s.length));
    }
  }
  return out;
}

/** Remote peers: uniform over the address space, outside the provider's /16 blocks. */
function ipv4Misses(layout: Ipv4Layout): Uint32Array {
  const out = new Uint32Array(SAMPLE);
  for (let i = 0; i < SAMPLE; ) {
    const addr = randInt(2 ** 32);
    if (!layout.blocks.has(addr >>> 16)) out[i++] = addr;
  }
  return out;
}

function mix<T extends Uint32Array | Uint8Array>(a: T, b: T, width: number, make: (n: number) => T): T {
  const out = make(SAMPLE * width);
  for (let i = 0; i < SAMPLE; i++) {
    const from = rand() < 0.5 ? a : b;
    const j = randInt(SAMPLE);
    out.set(from.subarray(j * width, j * width + width), i * width);
  }
  return out;
}

function ipv6Bytes(out: Uint8Array, i: number, w0: number, w1: number, w2: number, w3: number): void {
  const view = new DataView(out.buffer, out.byteOffset + i * 16, 16);
  view.setInt32(0, w0);
  view.setInt32(4, w1);
  view.setInt32(8, w2);
  view.setInt32(12, w3);
}

function ipv6Hits(layout: Ipv6Layout): Uint8Array {
  const out = new Uint8Array(SAMPLE * 16);
  for (let i = 0; i < SAMPLE; i++) {
    if (rand() < 0.8) {
      const j = randInt(SINGLE_ADDRESSES) * 3;
      ipv6Bytes(out, i, 0x20010db8, layout.singles[j], layout.singles[j + 1], layout.singles[j + 2]);
    } else {
      const s = layout.subnets[randInt(layout.subnets.length)];
      const hostW1 = s.length === 64 ? 0 : randInt(2 ** (64 - s.length));
      ipv6Bytes(out, i, 0x20010db8, s.w1 | hostW1, randInt(2 ** 32), randInt(2 ** 32));
    }
  }
  return out;
}

/** Remote peers: random addresses in 2000::/3 outside the provider's /32. */
function ipv6RemoteMisses(): Uint8Array {
  const out = new Uint8Array(SAMPLE * 16);
  for (let i = 0; i < SAMPLE; ) {
    const w0 = (0x20000000 | randInt(0x20000000)) | 0;
    if (w0 === 0x20010db8) continue;
    ipv6Bytes(out, i++, w0, randInt(2 ** 32), randInt(2 ** 32), randInt(2 ** 32));
  }
  return out;
}

/** Worst case: unassigned addresses inside the provider's /32 (every present length probed). */
function ipv6InsideMisses(): Uint8Array {
  const out = new Uint8Array(SAMPLE * 16);
  for (let i = 0; i < SAMPLE; i++) {
    ipv6Bytes(out, i, 0x20010db8, ((0xc000 + randInt(0x4000)) << 16) | randInt(65536), randInt(2 ** 32), randInt(2 ** 32));
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Timing.
// ---------------------------------------------------------------------------------------


interface Row {
  case: string;
  'lookups/s': string;
  'ns/lookup': string;
  'hit %': string;
  'GCs during run': number;
}
const rows: Row[] = [];

function pass4(index: AddressIndex, addrs: Uint32Array): number {
  let hits = 0;
  for (let i = 0; i < addrs.length; i++) if (index.lookup4(addrs[i]) >= 0) hits++;
  return hits;
}

function pass6(index: AddressIndex, bytes: Uint8Array): number {
  let hits = 0;
  for (let offset = 0; offset < bytes.length; offset += 16) if (index.lookup6(bytes, offset) >= 0) hits++;
  return hits;
}

async function measure(name: string, run: () => number): Promise<void> {
  run(); // warm up: let the JIT optimize the loop and the lookup it inlines
  run();
  gc?.();
  await new Promise((resolve) => setImmediate(resolve));
  // Counts every collection during the timed loop: 0 means the lookups did not allocate.
  const profiler = new GCProfiler();
  profiler.start();
  let passes = 0;
  let hits = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < CASE_MS && passes < MAX_PASSES) {
    hits += run();
    passes++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  }
  const collections = profiler.stop()?.statistics.length ?? -1;
  const lookups = passes * SAMPLE;
  rows.push({
    case: name,
    'lookups/s': `${(lookups / (elapsed / 1000) / 1e6).toFixed(1)} M`,
    'ns/lookup': ((elapsed * 1e6) / lookups).toFixed(1),
    'hit %': ((100 * hits) / lookups).toFixed(1),
    'GCs during run': collections,
  });
}

function time<T>(fn: () => T): [T, number] {
  const start = process.hrtime.bigint();
  const result = fn();
  return [result, Number(process.hrtime.bigint() - start) / 1e6];
}

// ---------------------------------------------------------------------------------------

const benchStart = Date.now();

const [v4, v4GenMs] = time(ipv4Layout);
const [v6, v6GenMs] = time(ipv6Layout);
let textEntries: AddressIndexEntry[] | null = [...v4.entries, ...v6.entries];
v4.entries.length = 0;
v6.entries.length = 0;
const [parsed, parseMs] = time(() =>
  (textEntries ?? []).map((e): { prefix: AddressPrefix; value: number } => ({
    prefix: parseAddressPrefix(e.prefix as string),
    value: e.value,
  })),
);
textEntries = null;
// Baseline with the empty index already made, so the difference is what build adds.
const index = new AddressIndex();
const before = await memory();
const [, buildMs] = time(() => index.build(parsed));
const after = await memory();
const entryCount = parsed.length;
parsed.length = 0;
const stats = index.stats();

const v4Hits = ipv4Hits(v4);
const v4Misses = ipv4Misses(v4);
const v4Mixed = mix(v4Hits, v4Misses, 1, (n) => new Uint32Array(n));
const v6Hits = ipv6Hits(v6);
const v6Remote = ipv6RemoteMisses();
const v6Inside = ipv6InsideMisses();
const v6Mixed = mix(v6Hits, v6Remote, 16, (n) => new Uint8Array(n));

await measure('ipv4 hits (80% /32, 20% in subnets)', () => pass4(index, v4Hits));
await measure('ipv4 misses (remote peers)', () => pass4(index, v4Misses));
await measure('ipv4 mixed (50% misses)', () => pass4(index, v4Mixed));
await measure('ipv6 hits (80% /128, 20% in subnets)', () => pass6(index, v6Hits));
await measure('ipv6 misses (remote peers)', () => pass6(index, v6Remote));
await measure('ipv6 misses inside provider /32', () => pass6(index, v6Inside));
await measure('ipv6 mixed (50% remote misses)', () => pass6(index, v6Mixed));

// Incremental updates: servers added and removed at runtime.
const updates = 50_000;
const [, updateMs] = time(() => {
  for (let i = 0; i < updates; i++) index.insert(`198.18.${i >> 8}.${i & 255}`, i);
  for (let i = 0; i < updates; i++) index.remove(`198.18.${i >> 8}.${i & 255}`);
  for (let i = 0; i < updates; i++) index.insert(`2001:db8:ffff:${(i >> 8).toString(16)}::${(i & 255).toString(16)}`, i);
  for (let i = 0; i < updates; i++) index.remove(`2001:db8:ffff:${(i >> 8).toString(16)}::${(i & 255).toString(16)}`);
});

// Worst-case spread: every /32 in its own /24, so every one costs a 256-slot chunk and hits
// land all over the tables. Scaled down to SPREAD_ADDRESSES to keep the run cheap.
const spread = new AddressIndex();
const spreadAddrs = new Uint32Array(SPREAD_ADDRESSES);
const seen24 = new Set<number>();
for (let i = 0; i < SPREAD_ADDRESSES; ) {
  const addr = (16777216 + randInt(223 * 16777216)) >>> 0;
  if (seen24.has(addr >>> 8)) continue;
  seen24.add(addr >>> 8);
  spreadAddrs[i++] = addr;
}
const [, spreadBuildMs] = time(() => spread.build(Array.from(spreadAddrs, (a, i) => ({ prefix: { family: 4 as const, address: a, length: 32 }, value: i }))));
const spreadHits = new Uint32Array(SAMPLE);
for (let i = 0; i < SAMPLE; i++) spreadHits[i] = spreadAddrs[randInt(SPREAD_ADDRESSES)];
const spreadMisses = new Uint32Array(SAMPLE);
for (let i = 0; i < SAMPLE; ) {
  const addr = randInt(2 ** 32);
  if (!seen24.has(addr >>> 8)) spreadMisses[i++] = addr;
}
await measure(`ipv4 spread hits (${SPREAD_ADDRESSES / 1000}k /32s, one per /24)`, () => pass4(spread, spreadHits));
await measure('ipv4 spread misses', () => pass4(spread, spreadMisses));
const spreadStats = spread.stats();

console.log(`address index benchmark (node ${process.version}, ${process.arch}, one core, shared machine: numbers vary)`);
console.log();
console.log('build');
console.table({
  'ipv4 prefixes': { value: stats.ipv4Prefixes.toLocaleString('en') },
  'ipv6 prefixes': { value: stats.ipv6Prefixes.toLocaleString('en') },
  'generate text (v4 + v6)': { value: `${(v4GenMs + v6GenMs).toFixed(0)} ms` },
  [`parse ${entryCount.toLocaleString('en')} prefixes`]: { value: `${parseMs.toFixed(0)} ms` },
  'build index': { value: `${buildMs.toFixed(0)} ms` },
  'ipv4 chunks (/24s split)': { value: stats.ipv4Chunks.toLocaleString('en') },
  'ipv6 hash slots': { value: stats.ipv6Slots.toLocaleString('en') },
  'stats() estimate': { value: `${mib(stats.memoryBytes)} (v4 ${mib(stats.ipv4Bytes)}, v6 ${mib(stats.ipv6Bytes)})` },
  'build: measured JS heap growth': { value: mib(after.heap - before.heap) },
  'build: measured ArrayBuffer growth (IPv4 80 MiB base came before)': { value: mib(after.arrayBuffers - before.arrayBuffers) },
  'build: measured RSS growth': { value: mib(after.rss - before.rss) },
  'process RSS after build': { value: mib(after.rss) },
  'updates (insert+remove, mixed families)': { value: `${((4 * updates) / (updateMs / 1000) / 1000).toFixed(0)} k ops/s` },
  'spread variant build': { value: `${spreadBuildMs.toFixed(0)} ms, ${spreadStats.ipv4Chunks.toLocaleString('en')} chunks, ${mib(spreadStats.ipv4Bytes)}` },
});
console.log('lookups');
console.table(rows);
console.log(`total run ${((Date.now() - benchStart) / 1000).toFixed(1)} s`);
