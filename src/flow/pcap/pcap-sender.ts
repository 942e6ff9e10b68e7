/**
 * Sends the export datagrams of a capture to a collector over UDP, paced by the capture's
 * timestamps (scaled by `speed`; 0 sends without pacing). For labs, demos and benchmarks.
 */
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import type { ReplayProgress } from './pcap-replay.ts';
import { readPcapUdpDatagrams } from './pcap-reader.ts';

export async function sendPcapOverUdp(
  path: string,
  target: { host: string; port: number },
  speed: number,
  onProgress?: (p: ReplayProgress) => void,
): Promise<ReplayProgress> {
  const file = readFileSync(path);
  const socket = createSocket(target.host.includes(':') ? 'udp6' : 'udp4');
  const progress: ReplayProgress = { datagrams: 0, flows: 0, bytesRead: 0, bytesTotal: file.length, firstTimeMs: 0, lastTimeMs: 0 };
  const started = performance.now();
  try {
    for (const datagram of readPcapUdpDatagrams(file)) {
      if (progress.datagrams === 0) progress.firstTimeMs = datagram.timeMs;
      progress.lastTimeMs = datagram.timeMs;
      if (speed > 0) {
        const due = (datagram.timeMs - progress.firstTimeMs) / speed;
        const wait = due - (performance.now() - started);
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      }
      await new Promise<void>((resolve, reject) => socket.send(datagram.payload, target.port, target.host, (e) => (e ? reject(e) : resolve())));
      progress.datagrams++;
      progress.bytesRead = datagram.payload.byteOffset + datagram.payload.length - file.byteOffset;
      if (progress.datagrams % 1000 === 0) onProgress?.(progress);
    }
  } finally {
    socket.close();
  }
  progress.bytesRead = file.length;
  onProgress?.(progress);
  return progress;
}
