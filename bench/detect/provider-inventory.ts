/**
 * A generated hosting-provider inventory for the in-process parts of the detection
 * benchmark (nothing is sent): servers with one IPv4 address each, packed 200 to a /24 in
 * synthetic provider /16 blocks; every tenth server also has a routed /29; 30 % have an
 * IPv6 /64 in 2001:db8::/32. Remote peers are drawn from outside the provider's blocks.
 */
import { InventoryIndex } from '../../src/inventory/inventory-index.ts';
import { prng } from '../../test/helpers/traffic-scenarios.ts';

export interface ProviderInventory {
  servers: number;
  /** Per server: its IPv4 address (uint32). */
  address4: Uint32Array;
  /** Per server: network of its routed /29, 0 for none. */
  subnet4: Uint32Array;
  /** Per server: word 1 of its 2001:db8:w1::/64 (w1 as uint32), 0 for none. */
  net6: Uint32Array;
  /** Provider /16 blocks (address >>> 16). */
  blocks: Set<number>;
}

const HOSTS_PER_24 = 200;
const SUBNETS_PER_24 = 32;

export function generateInventory(servers: number, seed: number): ProviderInventory {
  const random = prng(seed);
  const address4 = new Uint32Array(servers);
  const subnet4 = new Uint32Array(servers);
  const net6 = new Uint32Array(servers);
  const subnetServers = Math.ceil(servers / 10);
  const slash24s = Math.ceil(servers / HOSTS_PER_24) + Math.ceil(subnetServers / SUBNETS_PER_24);
  const blocks = new Set<number>();
  const blockList: number[] = [];
  while (blockList.length * 256 < slash24s) {
    // First octets 64..223 without 100 (shared space) and 127 (loopback).
    const first = 64 + Math.floor(random() * 160);
    if (first === 100 || first === 127) continue;
    const block = (first << 8) | Math.floor(random() * 256);
    if (blocks.has(block)) continue;
    blocks.add(block);
    blockList.push(block);
  }
  let next24 = 0;
  const take24 = (): number => {
    const n = next24++;
    return ((blockList[n >> 8] << 16) | ((n & 255) << 8)) >>> 0;
  };
  let net = 0;
  for (let i = 0; i < servers; i++) {
    if (i % HOSTS_PER_24 === 0) net = take24();
    address4[i] = net + 1 + (i % HOSTS_PER_24);
  }
  for (let k = 0; k < subnetServers; k++) {
    if (k % SUBNETS_PER_24 === 0) net = take24();
    subnet4[k * 10] = net + (k % SUBNETS_PER_24) * 8;
  }
  for (let i = 0; i < servers; i++) {
    if (random() < 0.3) net6[i] = (((0x1000 + (i >>> 16)) << 16) | (i & 0xffff)) >>> 0;
  }
  return { servers, address4, subnet4, net6, blocks };
}

export function ipv4Text(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

export function serverId(i: number): string {
  return `S${i}`;
}

/** Source MAC of server i's link (locally administered, unique per server). */
export function serverMac(i: number): number {
  return 0x020000000000 + i + 1;
}

/** Loads the inventory into a fresh index the way the inventory service does (one setServer per server). */
export function loadIndex(inventory: ProviderInventory): InventoryIndex {
  const index = new InventoryIndex();
  for (let i = 0; i < inventory.servers; i++) {
    const prefixes = [ipv4Text(inventory.address4[i])];
    if (inventory.subnet4[i] !== 0) prefixes.push(`${ipv4Text(inventory.subnet4[i])}/29`);
    const w1 = inventory.net6[i];
    if (w1 !== 0) prefixes.push(`2001:db8:${(w1 >>> 16).toString(16)}:${(w1 & 0xffff).toString(16)}::/64`);
    index.setServer({ serverId: serverId(i), customerId: `K${i >>> 2}`, hostGroupId: null, uplinkGateway: 'bench-uplink-gw' }, prefixes);
  }
  index.setProvider([...[...inventory.blocks].map((b) => `${b >>> 8}.${b & 255}.0.0/16`), '2001:db8::/32']);
  return index;
}

/** A random IPv4 remote peer outside the provider's blocks (and outside 0/8, 10/8, 127/8, 224/3). */
export function remote4(inventory: ProviderInventory, random: () => number): number {
  for (;;) {
    const a = Math.floor(random() * 0x100000000) >>> 0;
    const first = a >>> 24;
    if (first === 0 || first === 10 || first === 127 || first >= 224) continue;
    if (inventory.blocks.has(a >>> 16)) continue;
    return a;
  }
}
