/** The reconciler's Prometheus metrics, netwarden_enforce_*. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type ApplyResult = 'unchanged' | 'applied' | 'repaired' | 'error';

export class ReconcilerMetrics {
  readonly applyTotal: Counter<'gateway' | 'result'>;
  readonly applySeconds: Histogram<'gateway'>;
  readonly entries: Gauge<'gateway'>;
  readonly lastSuccess: Gauge<'gateway'>;
  readonly consecutiveFailures: Gauge<'gateway'>;
  readonly driftTotal: Counter<'gateway'>;
  readonly invalidEntries: Gauge<'gateway'>;
  readonly desiredFailures: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.applyTotal = new Counter({
      name: 'netwarden_enforce_apply_total',
      help: 'Gateway syncs by result: unchanged (already in sync), applied, repaired (drift undone), error',
      labelNames: ['gateway', 'result'],
      registers,
    });
    this.applySeconds = new Histogram({
      name: 'netwarden_enforce_apply_seconds',
      help: 'Duration of one gateway sync (read back, apply when needed, verify)',
      labelNames: ['gateway'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.entries = new Gauge({
      name: 'netwarden_enforce_entries',
      help: 'Lock entries enforced on the gateway after the last successful sync',
      labelNames: ['gateway'],
      registers,
    });
    this.lastSuccess = new Gauge({
      name: 'netwarden_enforce_last_success_timestamp_seconds',
      help: 'Unix time of the last successful sync of the gateway',
      labelNames: ['gateway'],
      registers,
    });
    this.consecutiveFailures = new Gauge({
      name: 'netwarden_enforce_consecutive_failures',
      help: 'Failed syncs of the gateway since its last success',
      labelNames: ['gateway'],
      registers,
    });
    this.driftTotal = new Counter({
      name: 'netwarden_enforce_drift_total',
      help: 'Times the gateway no longer enforced what had been applied (changed by hand, rebooted) and was repaired',
      labelNames: ['gateway'],
      registers,
    });
    this.invalidEntries = new Gauge({
      name: 'netwarden_enforce_invalid_entries',
      help: 'Desired entries refused as unusable (bad addresses) in the last run',
      labelNames: ['gateway'],
      registers,
    });
    this.desiredFailures = new Counter({
      name: 'netwarden_enforce_desired_failures_total',
      help: 'Runs that could not read the desired state (database unavailable)',
      registers,
    });
  }
}
