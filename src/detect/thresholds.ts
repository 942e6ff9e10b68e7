/**
 * Thresholds of a server: the defaults, then its host group's, its customer's and its
 * own overrides, each replacing only the metrics it names.
 */
import type { Config } from '../config/config-schema.ts';
import type { ServerSlotInfo } from '../inventory/inventory-index.ts';
import { RATE_METRICS, type RateMetric } from './incident.ts';

export const METRIC_COUNT = RATE_METRICS.length;
export const OUT = 0;
export const IN = 1;

type DetectConfig = Config['detect'];
type Override = DetectConfig['overrides']['servers'][string];

/** 14 numbers: outbound metrics in RATE_METRICS order, then inbound. 0 = off. */
export type ThresholdSet = Float64Array;

export class ThresholdResolver {
  readonly #config: DetectConfig;
  readonly #defaults: ThresholdSet;

  constructor(config: DetectConfig) {
    this.#config = config;
    this.#defaults = new Float64Array(METRIC_COUNT * 2);
    RATE_METRICS.forEach((metric, m) => {
      this.#defaults[OUT * METRIC_COUNT + m] = config.outbound[metric];
      this.#defaults[IN * METRIC_COUNT + m] = config.inbound[metric];
    });
  }

  resolve(server: ServerSlotInfo | undefined): ThresholdSet {
    const set = new Float64Array(this.#defaults);
    if (server === undefined) return set;
    const o = this.#config.overrides;
    if (server.hostGroupId !== null) apply(set, o.hostGroups[server.hostGroupId]);
    apply(set, o.customers[server.customerId]);
    apply(set, o.servers[server.serverId]);
    return set;
  }
}

function apply(set: ThresholdSet, override: Override | undefined): void {
  if (override === undefined) return;
  for (const [direction, values] of [
    [OUT, override.outbound],
    [IN, override.inbound],
  ] as const) {
    if (values === undefined) continue;
    for (const [metric, value] of Object.entries(values)) {
      const m = RATE_METRICS.indexOf(metric as RateMetric);
      if (m >= 0) set[direction * METRIC_COUNT + m] = value;
    }
  }
}
