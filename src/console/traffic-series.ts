/**
 * The data of the console's traffic chart for one server: stored samples (at most
 * maxPoints, neighbours merged by their maximum so no peak disappears), the threshold
 * lines that apply to the server, and markers for its incidents.
 */
import type { Config } from '../config/config-schema.ts';
import { RATE_METRICS } from '../detect/incident.ts';
import { IN, METRIC_COUNT, OUT, ThresholdResolver } from '../detect/thresholds.ts';
import type { Server } from '../inventory/inventory-types.ts';
import type { TrafficSample } from '../store/traffic-sample-repository.ts';

export interface ThresholdLines {
  outbound: { packetsPerSecond: number; bitsPerSecond: number };
  inbound: { packetsPerSecond: number; bitsPerSecond: number };
}

/** Merges runs of neighbouring samples so at most maxPoints remain; each keeps the maximum of its run. */
export function downsample(samples: readonly TrafficSample[], maxPoints: number): TrafficSample[] {
  if (samples.length <= maxPoints) return [...samples];
  const run = Math.ceil(samples.length / maxPoints);
  const out: TrafficSample[] = [];
  for (let i = 0; i < samples.length; i += run) {
    const merged = { ...samples[i] };
    for (let j = i + 1; j < Math.min(i + run, samples.length); j++) {
      const s = samples[j];
      merged.packetsIn = Math.max(merged.packetsIn, s.packetsIn);
      merged.packetsOut = Math.max(merged.packetsOut, s.packetsOut);
      merged.bitsIn = Math.max(merged.bitsIn, s.bitsIn);
      merged.bitsOut = Math.max(merged.bitsOut, s.bitsOut);
    }
    out.push(merged);
  }
  return out;
}

/** The packet and bit thresholds detection applies to the server (0: that metric is off). */
export function thresholdLines(detect: Config['detect'], server: Server): ThresholdLines {
  const set = new ThresholdResolver(detect).resolve({ serverId: server.id, customerId: server.customerId, hostGroupId: server.hostGroupId, uplinkGateway: server.uplinkGateway });
  const pps = RATE_METRICS.indexOf('packetsPerSecond');
  const bps = RATE_METRICS.indexOf('bitsPerSecond');
  return {
    outbound: { packetsPerSecond: set[OUT * METRIC_COUNT + pps], bitsPerSecond: set[OUT * METRIC_COUNT + bps] },
    inbound: { packetsPerSecond: set[IN * METRIC_COUNT + pps], bitsPerSecond: set[IN * METRIC_COUNT + bps] },
  };
}
