/**
 * Why a NetFlow/IPFIX datagram (or part of it) could not be decoded.
 *
 * The hot path never throws: each problem bumps a counter for its reason and, when the
 * caller asked for it, calls `onError` with a message that says where decoding stopped.
 * The caller decides how often to log (a hostile or broken exporter can trigger one per
 * datagram).
 */
export const NETFLOW_DECODE_ERROR_REASONS = [
  /** The datagram or a set ends before the bytes it announces. */
  'truncated',
  /** Version field is not 5, 9 or 10. */
  'bad_version',
  /** A data set arrived for a template we do not hold (yet); its records are buffered or dropped. */
  'template_not_found',
  /** A template or options template that cannot be valid (reserved id, no scope, bad lengths, over 1024 fields). */
  'bad_template',
  /** The exporter already holds the maximum number of templates; the new one is dropped. */
  'template_limit',
  /** The decoder already tracks the maximum number of exporters; the new one gets no state. */
  'exporter_limit',
  /** A template whose records would take zero bytes (every field has length 0). */
  'zero_length_field',
  /** A set, message or variable-length field whose length is impossible (below its header size, past the end). */
  'bad_length',
  /**
   * An exporter announced or carried a sampling interval of 0 (or announced a rate beyond
   * 2^32, e.g. a samplingProbability below 2^-32); the flow is counted unsampled.
   */
  'zero_sampling_rate',
  /** The per-domain sampler table is full; the new sampler's rate is not remembered. */
  'sampler_limit',
] as const;

export type NetflowDecodeErrorReason = (typeof NETFLOW_DECODE_ERROR_REASONS)[number];

/** Called once per counted problem, off the hot path. `exporter` is the datagram's source. */
export type NetflowErrorHook = (reason: NetflowDecodeErrorReason, detail: string, exporter: string) => void;

export type NetflowErrorCounts = Record<NetflowDecodeErrorReason, number>;

export function createErrorCounts(): NetflowErrorCounts {
  const counts = {} as NetflowErrorCounts;
  for (const reason of NETFLOW_DECODE_ERROR_REASONS) counts[reason] = 0;
  return counts;
}

/** Counts one problem and forwards it to the hook; shared by every NetFlow decoder. */
export interface ErrorReporter {
  readonly counts: NetflowErrorCounts;
  /** True when someone listens; lets callers skip building detail strings otherwise. */
  readonly verbose: boolean;
  report(reason: NetflowDecodeErrorReason, exporter: string, detail: string): void;
}

export function createErrorReporter(onError?: NetflowErrorHook): ErrorReporter {
  const counts = createErrorCounts();
  return {
    counts,
    verbose: onError !== undefined,
    report(reason, exporter, detail) {
      counts[reason]++;
      if (onError !== undefined) onError(reason, detail, exporter);
    },
  };
}
