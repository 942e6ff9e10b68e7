/**
 * The decoders of one receive thread, with their error accounting: one sFlow decoder and
 * one NetFlow/IPFIX decoder (template state is per thread; SO_REUSEPORT keeps an
 * exporter's datagrams on one socket, so its templates and data meet in the same thread).
 */
import type { FlowSink } from './flow-record.ts';
import type { FlowProtocol } from './flow-protocol.ts';
import { DecodeErrorLog } from './decode-error-log.ts';
import { createNetflowDecoder, type NetflowDecoder } from './netflow/netflow-decoder.ts';
import { createSflowDecoder, type SflowDecoder } from './sflow/sflow-decoder.ts';

/** Room for every reason (10 NetFlow, 5 sFlow, socket errors) of every tracked exporter. */
export const ERROR_KEYS_PER_EXPORTER = 16;

export interface FlowDecodersOptions {
  maxExporters: number;
  maxTemplatesPerExporter: number;
  templateExpirySeconds: number;
}

export interface FlowDecoderCounters {
  datagrams: Record<FlowProtocol, number>;
  flows: Record<FlowProtocol, number>;
  /** Datagrams that yielded no flow (templates, counters only, or errors). */
  emptyDatagrams: Record<FlowProtocol, number>;
}

export class FlowDecoders {
  readonly sflow: SflowDecoder;
  readonly netflow: NetflowDecoder;
  readonly errors: DecodeErrorLog;
  readonly counters: FlowDecoderCounters = {
    datagrams: { sflow: 0, netflow: 0 },
    flows: { sflow: 0, netflow: 0 },
    emptyDatagrams: { sflow: 0, netflow: 0 },
  };

  constructor(options: FlowDecodersOptions) {
    this.errors = new DecodeErrorLog({ maxKeys: options.maxExporters * ERROR_KEYS_PER_EXPORTER, maxSamplesPerInterval: 5 });
    const errors = this.errors;
    this.sflow = createSflowDecoder({ onError: (reason, detail, exporter) => errors.record('sflow', exporter, reason, detail) });
    this.netflow = createNetflowDecoder({
      maxExporters: options.maxExporters,
      maxTemplatesPerExporter: options.maxTemplatesPerExporter,
      templateTimeoutMs: options.templateExpirySeconds * 1000,
      onError: (reason, detail, exporter) => errors.record('netflow', exporter, reason, detail),
    });
  }

  decode(protocol: FlowProtocol, datagram: Uint8Array, exporter: string, receivedAtMs: number, sink: FlowSink): number {
    const n =
      protocol === 'sflow'
        ? this.sflow.decode(datagram, exporter, receivedAtMs, sink)
        : this.netflow.decode(datagram, exporter, receivedAtMs, sink);
    this.counters.datagrams[protocol]++;
    this.counters.flows[protocol] += n;
    if (n === 0) this.counters.emptyDatagrams[protocol]++;
    return n;
  }
}
