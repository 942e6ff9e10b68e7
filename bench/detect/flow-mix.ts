/**
 * Pre-built flow batches with a hosting provider's traffic mix, for the in-process
 * throughput and memory parts. Per flow (seeded, so every run measures the same data):
 * - direction: 47 % outbound (a server's address as source, a random remote peer as
 *   destination), 45 % inbound, 5 % transit (neither side ours), 3 % server to server;
 *   servers are drawn uniformly (no hot set: the cache-unfriendly case);
 * - ~15 % IPv6 (half of the flows of the 30 % of servers with a /64);
 * - 70 % TCP, 25 % UDP, 5 % ICMP; connection attempts (outbound SYN without ACK, UDP from
 *   an ephemeral port, echo requests) are ~4 % of all flows and feed netscan counting;
 * - 30 % sFlow-style samples (1:1000, a 128-byte header, the server's MAC), 70 %
 *   NetFlow-style records (unsampled, ~20 packets, half with a source MAC).
 * The offsets of each flow's remote address are kept so the runner can change the remote
 * peers between passes (new peers every pass, as live traffic has).
 */
import { F64_PER_FLOW, type FlowBatch, FlowBatchReader, FlowBatchWriter } from '../../src/detect/flow-batch.ts';
import { createFlowRecord } from '../../src/flow/flow-record.ts';
import { prng } from '../../test/helpers/traffic-scenarios.ts';
import { type ProviderInventory, remote4, serverMac } from './provider-inventory.ts';

export interface FlowMixOptions {
  flows: number;
  capacity: number;
  startMs: number;
  /** Event time the flows span. */
  spanMs: number;
  seed: number;
  /** Include connection attempts (false: the same mix with established traffic only). */
  attempts: boolean;
}

export interface FlowMixComposition {
  flows: number;
  outbound: number;
  inbound: number;
  transit: number;
  serverToServer: number;
  ipv6: number;
  attempts: number;
  sflow: number;
}

export interface FlowMix {
  batches: FlowBatch[];
  /** Per batch: byte offsets of the last two varying bytes of each remote address. */
  remoteBytes: Uint32Array[];
  composition: FlowMixComposition;
}

const TCP = 6;
const UDP = 17;
const ICMP = 1;
const GATEWAY_MAC = 0x0200000000fe;
const SFLOW_AGENTS = ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4'];
const NETFLOW_EXPORTERS = ['192.0.2.11', '192.0.2.12', '192.0.2.13', '192.0.2.14'];
const SERVICE_PORTS = [443, 80, 22, 25, 3306, 8080];
const UDP_PORTS = [53, 123, 443];

export function buildFlowMix(inventory: ProviderInventory, options: FlowMixOptions): FlowMix {
  const random = prng(options.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const ephemeral = (): number => 32768 + Math.floor(random() * 28000);
  const header = Uint8Array.from({ length: 128 }, (_, i) => (i * 37) & 255);
  const flow = createFlowRecord();
  const writer = new FlowBatchWriter(options.capacity);
  const reader = new FlowBatchReader();
  const batches: FlowBatch[] = [];
  const remoteBytes: Uint32Array[] = [];
  const composition: FlowMixComposition = { flows: 0, outbound: 0, inbound: 0, transit: 0, serverToServer: 0, ipv6: 0, attempts: 0, sflow: 0 };
  /** Per flow in the current batch: 0 none, 1 remote is the source, 2 the destination. */
  const remoteSide = new Uint8Array(options.capacity);

  const setServerAddress = (bytes: Uint8Array, server: number, v6: boolean): void => {
    bytes.fill(0);
    if (v6) {
      writeU32(bytes, 0, 0x20010db8);
      writeU32(bytes, 4, inventory.net6[server]);
      writeU32(bytes, 8, Math.floor(random() * 0x100000000));
      writeU32(bytes, 12, Math.floor(random() * 0x100000000));
    } else {
      const subnet = inventory.subnet4[server];
      writeU32(bytes, 0, subnet !== 0 && random() < 0.5 ? subnet + 1 + Math.floor(random() * 6) : inventory.address4[server]);
    }
  };
  const setRemoteAddress = (bytes: Uint8Array, v6: boolean): void => {
    bytes.fill(0);
    if (v6) {
      let w0: number;
      do w0 = (0x20000000 | Math.floor(random() * 0x20000000)) >>> 0;
      while (w0 === 0x20010db8);
      writeU32(bytes, 0, w0);
      for (let k = 4; k < 16; k += 4) writeU32(bytes, k, Math.floor(random() * 0x100000000));
    } else {
      writeU32(bytes, 0, remote4(inventory, random));
    }
  };

  const flush = (): void => {
    const count = writer.count;
    if (count === 0) return;
    const batch = writer.take();
    reader.load(batch);
    const offsets = new Uint32Array(count);
    for (let i = 0; i < count; i++) {
      const side = remoteSide[i];
      if (side === 0) offsets[i] = 0xffffffff;
      else offsets[i] = (side === 1 ? reader.srcOffset(i) : reader.dstOffset(i)) + (reader.ipVersion(i) === 6 ? 14 : 2);
    }
    batches.push(batch);
    remoteBytes.push(offsets);
  };

  for (let n = 0; n < options.flows; n++) {
    const server = Math.floor(random() * inventory.servers);
    const d = random();
    const kind = d < 0.47 ? 'out' : d < 0.92 ? 'in' : d < 0.97 ? 'transit' : 's2s';
    const v6 = inventory.net6[server] !== 0 && random() < 0.5;
    const p = random();
    const protocol = p < 0.7 ? TCP : p < 0.95 ? UDP : ICMP;
    const sflow = random() < 0.3;
    const attempt = options.attempts && kind === 'out' && random() < (protocol === TCP ? 0.04 : protocol === UDP ? 0.3 : 0.3);

    flow.timeMs = options.startMs + Math.floor((n * options.spanMs) / options.flows);
    flow.ipVersion = v6 ? 6 : 4;
    flow.protocol = protocol;
    flow.fragment = false;
    // Addresses.
    const i = writer.count;
    if (kind === 'out') {
      setServerAddress(flow.srcAddr, server, v6);
      setRemoteAddress(flow.dstAddr, v6);
      remoteSide[i] = 2;
      composition.outbound++;
    } else if (kind === 'in') {
      setRemoteAddress(flow.srcAddr, v6);
      setServerAddress(flow.dstAddr, server, v6);
      remoteSide[i] = 1;
      composition.inbound++;
    } else if (kind === 'transit') {
      setRemoteAddress(flow.srcAddr, v6);
      setRemoteAddress(flow.dstAddr, v6);
      remoteSide[i] = 2;
      composition.transit++;
    } else {
      setServerAddress(flow.srcAddr, server, v6);
      let other = Math.floor(random() * inventory.servers);
      if (v6 && inventory.net6[other] === 0) other = server;
      setServerAddress(flow.dstAddr, other, v6);
      remoteSide[i] = 0;
      composition.serverToServer++;
    }
    flow.srcAddr4 = v6 ? 0 : readU32(flow.srcAddr, 0);
    flow.dstAddr4 = v6 ? 0 : readU32(flow.dstAddr, 0);
    // Ports and flags: outbound attempts, otherwise the server answering or a client of it.
    const serverSends = kind === 'out' || kind === 's2s';
    if (protocol === TCP) {
      if (attempt) {
        flow.srcPort = ephemeral();
        flow.dstPort = pick(SERVICE_PORTS);
        flow.tcpFlags = 0x02;
      } else {
        const service = pick(SERVICE_PORTS);
        flow.srcPort = serverSends ? service : ephemeral();
        flow.dstPort = serverSends ? ephemeral() : service;
        // Inbound SYNs (a server being connected to) are common and no scan.
        flow.tcpFlags = !serverSends && random() < 0.04 ? 0x02 : sflow ? 0x18 : 0x1b;
      }
    } else if (protocol === UDP) {
      const service = pick(UDP_PORTS);
      flow.srcPort = attempt || !serverSends ? ephemeral() : service;
      flow.dstPort = attempt || !serverSends ? service : ephemeral();
      flow.tcpFlags = 0;
      flow.fragment = random() < 0.002;
    } else {
      flow.srcPort = 0;
      flow.dstPort = attempt || !serverSends ? 8 << 8 : 0;
      flow.tcpFlags = 0;
    }
    if (attempt) composition.attempts++;
    if (v6) composition.ipv6++;
    // Exporter style.
    const frame = 64 + Math.floor(random() * 1451);
    flow.inputInterface = 10 + (server % 48);
    flow.outputInterface = 1;
    flow.vlan = 0;
    const ownMac = serverSends ? serverMac(server) : GATEWAY_MAC;
    if (sflow) {
      flow.exporter = pick(SFLOW_AGENTS);
      flow.samplingRate = 1000;
      flow.packets = 1000;
      flow.bytes = 1000 * frame;
      flow.srcMac = ownMac;
      flow.header = header;
      flow.headerOffset = 0;
      flow.headerLength = header.length;
      flow.frameLength = frame;
      composition.sflow++;
    } else {
      flow.exporter = pick(NETFLOW_EXPORTERS);
      flow.samplingRate = 1;
      flow.packets = attempt ? 1 : 1 + Math.floor(-Math.log(1 - random()) * 20);
      flow.bytes = flow.packets * frame;
      flow.srcMac = random() < 0.5 ? ownMac : 0;
      flow.header = null;
      flow.headerOffset = 0;
      flow.headerLength = 0;
      flow.frameLength = 0;
    }
    composition.flows++;
    writer.add(flow);
    if (writer.full) flush();
  }
  flush();
  return { batches, remoteBytes, composition };
}

/**
 * Prepares pass `pass` (untimed): moves every flow's time on by `shiftMs` and gives every
 * remote peer new low 16 bits (XOR with the pass number, which keeps it in its /16 and so
 * outside the provider's blocks).
 */
export function preparePass(mix: FlowMix, pass: number, shiftMs: number): void {
  const change = (pass ^ (pass - 1)) & 0xffff;
  for (let b = 0; b < mix.batches.length; b++) {
    const batch = mix.batches[b];
    const f64 = new Float64Array(batch.buffer, 0, batch.count * F64_PER_FLOW);
    const u8 = new Uint8Array(batch.buffer);
    const offsets = mix.remoteBytes[b];
    for (let i = 0; i < batch.count; i++) {
      f64[i * F64_PER_FLOW] += shiftMs; // word 0: the flow's time
      const o = offsets[i];
      if (o === 0xffffffff) continue;
      u8[o] ^= change >>> 8;
      u8[o + 1] ^= change & 255;
    }
  }
}

function writeU32(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value >>> 24;
  bytes[offset + 1] = (value >>> 16) & 255;
  bytes[offset + 2] = (value >>> 8) & 255;
  bytes[offset + 3] = value & 255;
}

function readU32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3]) >>> 0;
}
