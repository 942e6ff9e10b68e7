/**
 * A receive thread: binds every configured listener with SO_REUSEPORT, checks the exporter,
 * decodes, and gives each flow to the consumer. Counters go to the main thread once a second.
 */
import type { Socket } from 'node:dgram';
import { parentPort, workerData } from 'node:worker_threads';
import { ExporterAllowlist } from '../exporter-allowlist.ts';
import type { CreateFlowConsumer, FlowConsumer, FlowConsumerSpec } from '../flow-consumer.ts';
import { FlowDecoders, type FlowDecodersOptions } from '../flow-decoders.ts';
import type { FlowProtocol } from '../flow-protocol.ts';
import { loadNativeReceive, type NativeReceiveLoop, startNativeReceive } from './native-receiver.ts';
import { openUdpListener } from './udp-listener.ts';

export interface CollectorWorkerData {
  worker: number;
  listeners: Array<{ protocol: FlowProtocol; host: string; port: number; address: string }>;
  exporters: string[];
  receiveBufferBytes: number;
  /** 'recvmmsg': the batched native path (must be built); 'node': Node's dgram; 'auto': the first when built. */
  receiver: 'auto' | 'node' | 'recvmmsg';
  decoders: FlowDecodersOptions;
  consumer: FlowConsumerSpec;
}

export interface CollectorWorkerStats {
  type: 'stats';
  worker: number;
  datagrams: Record<FlowProtocol, number>;
  flows: Record<FlowProtocol, number>;
  emptyDatagrams: Record<FlowProtocol, number>;
  unknownExporterDatagrams: number;
  /** [protocol, exporter, reason, count] since start. */
  errors: Array<[string, string, string, number]>;
  errorOverflow: number;
  samples: Array<{ exporter: string; protocol: string; reason: string; detail: string }>;
  templates: { exporters: number; templates: number };
}

export type CollectorWorkerMessage =
  | { type: 'ready'; worker: number; receiver: 'node' | 'recvmmsg' }
  | { type: 'failed'; worker: number; message: string }
  | CollectorWorkerStats
  | { type: 'consumer'; worker: number; message: unknown }
  | { type: 'stopped'; worker: number };

/**
 * How often the consumer flushes: a batch waits at most this long in a receive thread, which
 * is part of the time from an attack's first packet to its incident.
 */
const CONSUMER_TICK_MS = 25;

const data = workerData as CollectorWorkerData;
const port = parentPort!;
const post = (message: CollectorWorkerMessage, transfer?: ArrayBuffer[]): void => port.postMessage(message, transfer ?? []);

const allowlist = new ExporterAllowlist(data.exporters, data.decoders.maxExporters);
const decoders = new FlowDecoders(data.decoders);
let unknownExporterDatagrams = 0;
const sockets: Socket[] = [];
let consumer: FlowConsumer;
let tickTimer: NodeJS.Timeout | undefined;
let nativeLoop: NativeReceiveLoop | undefined;
let lastStats = 0;

function stats(): CollectorWorkerStats {
  const t = decoders.netflow.stats().templates;
  return {
    type: 'stats',
    worker: data.worker,
    datagrams: { ...decoders.counters.datagrams },
    flows: { ...decoders.counters.flows },
    emptyDatagrams: { ...decoders.counters.emptyDatagrams },
    unknownExporterDatagrams,
    errors: [...decoders.errors.counts].map(([key, count]) => {
      const [protocol, exporter, reason] = key.split('\t');
      return [protocol, exporter, reason, count];
    }),
    errorOverflow: decoders.errors.overflow,
    samples: decoders.errors.takeSamples(),
    templates: { exporters: t.exporters, templates: t.templates + t.optionsTemplates },
  };
}

async function start(): Promise<void> {
  const module = (await import(data.consumer.module)) as { createFlowConsumer: CreateFlowConsumer };
  consumer = await module.createFlowConsumer(data.consumer.options, {
    worker: data.worker,
    post: (message, transfer) => post({ type: 'consumer', worker: data.worker, message }, transfer),
  });
  const sink = consumer.consume;
  for (const listener of data.listeners) {
    const protocol = listener.protocol;
    sockets.push(
      await openUdpListener({
        host: listener.host,
        port: listener.port,
        receiveBufferBytes: data.receiveBufferBytes,
        onDatagram(datagram, remote) {
          if (!allowlist.allows(remote.address)) {
            unknownExporterDatagrams++;
            return;
          }
          decoders.decode(protocol, datagram, remote.address, Date.now(), sink);
        },
        onError(error) {
          decoders.errors.record(protocol, listener.address, 'socket_error', error.message);
        },
      }),
    );
  }
  const native = data.receiver === 'node' ? null : loadNativeReceive();
  if (data.receiver === 'recvmmsg' && native === null) {
    throw new Error('collector.receiver is recvmmsg but the native module is not built (npm run build:native)');
  }
  if (native !== null) {
    nativeLoop = startNativeReceive(native, sockets, {
      onDatagram(index, datagram, exporter, receivedAtMs) {
        if (!allowlist.allows(exporter)) {
          unknownExporterDatagrams++;
          return;
        }
        decoders.decode(data.listeners[index].protocol, datagram, exporter, receivedAtMs, sink);
      },
      onTruncated(index, exporter) {
        const listener = data.listeners[index];
        decoders.errors.record(listener.protocol, exporter, 'truncated', 'datagram longer than the receive slot');
      },
      onError(message) {
        decoders.errors.record(data.listeners[0].protocol, data.listeners[0].address, 'socket_error', message);
      },
    });
  }
  tickTimer = setInterval(() => {
    const now = Date.now();
    consumer.tick(now);
    if (now - lastStats >= 1000) {
      lastStats = now;
      decoders.netflow.expire(now);
      post(stats());
    }
  }, CONSUMER_TICK_MS);
  post({ type: 'ready', worker: data.worker, receiver: native !== null ? 'recvmmsg' : 'node' });
}

port.on('message', (message: { type: string }) => {
  if (message.type !== 'stop') return;
  clearInterval(tickTimer);
  nativeLoop?.stop();
  for (const socket of sockets) socket.close();
  consumer?.close();
  post(stats());
  post({ type: 'stopped', worker: data.worker });
  port.close();
});

start().catch((error: unknown) => {
  for (const socket of sockets) socket.close();
  post({ type: 'failed', worker: data.worker, message: (error as Error).message });
});
