/**
 * One Prometheus registry per process; components register their own metrics on it,
 * named netwarden_<component>_<thing>_<unit|total>.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';

export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'netwarden_process_' });
  return registry;
}

export type { Registry };
