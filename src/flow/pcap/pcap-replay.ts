/**
 * Feeds the export datagrams of a capture through a decoder set as if they had just
 * arrived, with the capture's own timestamps, calling back per flow. `netwarden replay`
 * and `netwarden decode` use it; so do tests that need a whole capture's flows.
 */
import { readFileSync } from 'node:fs';
import { FlowDecoders } from '../flow-decoders.ts';
import type { FlowRecord } from '../flow-record.ts';
import { sniffFlowProtocol } from '../flow-protocol.ts';
import { readPcapUdpDatagrams } from './pcap-reader.ts';

export interface ReplayProgress {
  datagrams: number;
  flows: number;
  /** Bytes of the file read so far, and its size, for a progress display. */
  bytesRead: number;
  bytesTotal: number;
  firstTimeMs: number;
  lastTimeMs: number;
}

export interface ReplayOptions {
  decoders?: FlowDecoders;
  onFlow(flow: FlowRecord): void;
  /** Called about every `progressEvery` datagrams and once at the end. */
  onProgress?(progress: ReplayProgress): void;
  progressEvery?: number;
}

export function replayPcapFile(path: string, options: ReplayOptions): ReplayProgress {
  const file = readFileSync(path);
  const decoders = options.decoders ?? new FlowDecoders({ maxExporters: 10_000, maxTemplatesPerExporter: 1024, templateExpirySeconds: 1_000_000 });
  const progress: ReplayProgress = { datagrams: 0, flows: 0, bytesRead: 0, bytesTotal: file.length, firstTimeMs: 0, lastTimeMs: 0 };
  const every = options.progressEvery ?? 10_000;
  for (const datagram of readPcapUdpDatagrams(file)) {
    if (progress.datagrams === 0) progress.firstTimeMs = datagram.timeMs;
    progress.lastTimeMs = datagram.timeMs;
    progress.datagrams++;
    progress.flows += decoders.decode(sniffFlowProtocol(datagram.payload), datagram.payload, datagram.srcAddress, datagram.timeMs, options.onFlow);
    progress.bytesRead = datagram.payload.byteOffset + datagram.payload.length - file.byteOffset;
    if (options.onProgress !== undefined && progress.datagrams % every === 0) options.onProgress(progress);
  }
  progress.bytesRead = file.length;
  options.onProgress?.(progress);
  return progress;
}
