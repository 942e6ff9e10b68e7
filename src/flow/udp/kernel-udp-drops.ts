/**
 * The kernel's receive-queue drops of our sockets (the `drops` column of /proc/net/udp and
 * udp6): datagrams lost before any thread of ours saw them.
 */
import { readFileSync } from 'node:fs';

export function kernelUdpDrops(ports: number[]): number {
  const wanted = new Set(ports);
  let drops = 0;
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 13) continue;
      const port = Number.parseInt(cols[1].split(':')[1], 16);
      if (wanted.has(port)) drops += Number(cols[cols.length - 1]);
    }
  }
  return drops;
}
