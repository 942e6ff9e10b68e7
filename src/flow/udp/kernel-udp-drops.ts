/**
 * The kernel's view of our UDP sockets (/proc/net/udp and udp6): per bound port, how many
 * sockets, datagrams queued, and receive-queue drops (the `drops` column: datagrams lost
 * before any thread of ours saw them).
 */
import { readFileSync } from 'node:fs';

export interface UdpSocketStats {
  sockets: number;
  /** Bytes waiting in the receive queues. */
  queued: number;
  /** Datagrams the kernel dropped because a receive queue was full. */
  drops: number;
}

/** Sums every IPv4/IPv6 UDP socket bound to one of `ports` (all SO_REUSEPORT sockets of a collector). */
export function udpSocketStats(ports: number[]): UdpSocketStats {
  const wanted = new Set(ports);
  const stats: UdpSocketStats = { sockets: 0, queued: 0, drops: 0 };
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 13 || !wanted.has(Number.parseInt(cols[1].split(':')[1], 16))) continue;
      stats.sockets++;
      stats.queued += Number.parseInt(cols[4].split(':')[1], 16);
      stats.drops += Number(cols[cols.length - 1]);
    }
  }
  return stats;
}

export function kernelUdpDrops(ports: number[]): number {
  return udpSocketStats(ports).drops;
}
