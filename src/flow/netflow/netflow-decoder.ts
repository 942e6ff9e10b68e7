/**
 * Entry point for NetFlow/IPFIX datagrams: dispatches on the version field (5, 9, 10) to
 * the v5 decoder or the shared template decoder, owns the one reused FlowRecord and the
 * per-reason error counters.
 */
import { createFlowRecord, type FlowSink } from '../flow-record.ts';
import { createErrorReporter, type NetflowErrorCounts, type NetflowErrorHook } from './decode-errors.ts';
import { decodeNetflowV5 } from './netflow-v5-decoder.ts';
import { createTemplateFlowDecoder, type TemplateFlowDecoderOptions, type TemplateFlowDecoderStats } from './template-flow-decoder.ts';

export interface NetflowDecoderOptions extends TemplateFlowDecoderOptions {
  /** Called for every counted problem (after counting); the caller rate-limits its logging. */
  onError?: NetflowErrorHook;
}

export interface NetflowDecoderStats {
  datagrams: number;
  flows: number;
  /** Template state: exporters, domains, data and options templates cached, pending sets. */
  templates: TemplateFlowDecoderStats;
  errors: NetflowErrorCounts;
}

export interface NetflowDecoder {
  /**
   * Decodes one datagram from `exporter` (its source address, or address:port), received
   * at `receivedAtMs` (drives template expiry), calling `sink` once per flow with the
   * decoder's reused record. Returns the number of flows emitted. Never throws on bad input.
   */
  decode(datagram: Uint8Array, exporter: string, receivedAtMs: number, sink: FlowSink): number;
  /** Drops templates idle past the timeout now; returns how many. */
  expire(nowMs: number): number;
  stats(): NetflowDecoderStats;
  /** Live per-reason error counters (read-only by convention). */
  readonly errors: NetflowErrorCounts;
}

export function createNetflowDecoder(options: NetflowDecoderOptions = {}): NetflowDecoder {
  const errors = createErrorReporter(options.onError);
  const flow = createFlowRecord();
  const templated = createTemplateFlowDecoder(options, errors, flow);
  let datagrams = 0;
  let flows = 0;

  return {
    decode(datagram, exporter, receivedAtMs, sink) {
      datagrams++;
      if (datagram.length < 2) {
        errors.report('truncated', exporter, `netflow: truncated version field (need 2, got ${datagram.length})`);
        return 0;
      }
      const version = (datagram[0] << 8) | datagram[1];
      let n: number;
      if (version === 9) n = templated.decodeV9(datagram, exporter, receivedAtMs, sink);
      else if (version === 10) n = templated.decodeIpfix(datagram, exporter, receivedAtMs, sink);
      else if (version === 5) n = decodeNetflowV5(datagram, exporter, flow, sink, errors);
      else {
        errors.report('bad_version', exporter, `netflow: unsupported version ${version}`);
        return 0;
      }
      flows += n;
      return n;
    },
    expire(nowMs) {
      return templated.expire(nowMs);
    },
    stats() {
      return { datagrams, flows, templates: templated.stats(), errors: { ...errors.counts } };
    },
    errors: errors.counts,
  };
}
