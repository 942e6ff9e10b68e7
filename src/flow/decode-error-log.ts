/**
 * Hot-path errors are counted per exporter, protocol and reason; their messages are kept
 * as samples at most a few per interval, so a hostile sender cannot flood the log.
 */
export interface DecodeErrorSample {
  exporter: string;
  protocol: string;
  reason: string;
  detail: string;
}

export class DecodeErrorLog {
  /** `${protocol}\t${exporter}\t${reason}` -> count since start. */
  readonly counts = new Map<string, number>();
  readonly #maxKeys: number;
  readonly #maxSamples: number;
  #samples: DecodeErrorSample[] = [];
  /** Errors whose key did not fit (too many distinct exporters). */
  overflow = 0;

  constructor(options: { maxKeys: number; maxSamplesPerInterval: number }) {
    this.#maxKeys = options.maxKeys;
    this.#maxSamples = options.maxSamplesPerInterval;
  }

  record(protocol: string, exporter: string, reason: string, detail: string): void {
    const key = `${protocol}\t${exporter}\t${reason}`;
    const count = this.counts.get(key);
    if (count !== undefined) this.counts.set(key, count + 1);
    else if (this.counts.size < this.#maxKeys) this.counts.set(key, 1);
    else this.overflow++;
    if (this.#samples.length < this.#maxSamples) this.#samples.push({ exporter, protocol, reason, detail });
  }

  /** The samples of this interval; starts the next one. */
  takeSamples(): DecodeErrorSample[] {
    const samples = this.#samples;
    this.#samples = [];
    return samples;
  }
}
