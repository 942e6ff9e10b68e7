/**
 * What the browser story finds on the server besides the live netscan: six hours of
 * stored traffic for web01 with a flood that crossed the threshold (and its incident),
 * an open flood on db01 for the live incident list, and a lock of db01 waiting in the
 * review queue. Documentation addresses only.
 */
import { createLock } from '../../src/cases/create-lock.ts';
import type { Lock } from '../../src/cases/lock-types.ts';
import { emptyRates, type Incident } from '../../src/detect/incident.ts';
import type { RunningNetwarden } from '../../src/services/netwarden-service.ts';
import type { TrafficSample } from '../../src/store/traffic-sample-repository.ts';

const MINUTE = 60_000;

export function floodIncident(id: string, serverId: string, customerId: string, address: string, firstSeenMs: number, endedMs: number | null, peakPps: number, peakBps: number): Incident {
  return {
    id,
    serverId,
    customerId,
    address,
    kind: 'flood',
    direction: 'out',
    status: endedMs === null ? 'open' : 'ended',
    firstSeenMs,
    lastSeenMs: endedMs ?? firstSeenMs + 2 * MINUTE,
    endedMs,
    exceeded: [{ metric: 'packetsPerSecond', threshold: 100_000, peak: peakPps }],
    peak: { ...emptyRates(), packetsPerSecond: peakPps, bitsPerSecond: peakBps },
    totals: { packets: peakPps * 300, flows: 40_673, bytes: Math.round((peakBps / 8) * 300) },
    summary: null,
    netscan: null,
    sourceAddress: null,
    samples: [],
  };
}

/**
 * One sample a minute from `fromMs` to `toMs`: web traffic with a daily-looking swell,
 * and a UDP flood of 135,580 packets/s (161 Mbit/s) out during [floodFrom, floodTo).
 */
export function trafficHistory(serverId: string, fromMs: number, toMs: number, flood: { fromMs: number; toMs: number }): TrafficSample[] {
  const samples: TrafficSample[] = [];
  const start = Math.ceil(fromMs / MINUTE) * MINUTE;
  for (let at = start, i = 0; at < toMs && i < 10_000; at += MINUTE, i++) {
    const swell = 1 + 0.35 * Math.sin(i / 40) + 0.1 * Math.sin(i / 7);
    const flooding = at >= flood.fromMs && at < flood.toMs;
    samples.push({
      serverId,
      at,
      packetsIn: Math.round(2400 * swell),
      packetsOut: flooding ? 135_580 : Math.round(3100 * swell),
      bitsIn: Math.round(2.2e6 * swell),
      bitsOut: flooding ? 161e6 : Math.round(28e6 * swell),
    });
  }
  return samples;
}

export interface StoryData {
  floodIncidentId: string;
  openIncidentId: string;
  reviewLock: Lock;
}

export async function seedStoryData(netwarden: RunningNetwarden, nowMs: number): Promise<StoryData> {
  const repos = netwarden.repositories;
  const floodFrom = nowMs - 3 * 60 * MINUTE;
  const floodTo = floodFrom + 20 * MINUTE;
  // Ends well before now: the detector records the live minutes itself.
  await repos.trafficSamples.record(trafficHistory('EX-1', nowMs - 6 * 60 * MINUTE, nowMs - 10 * MINUTE, { fromMs: floodFrom, toMs: floodTo }));
  const flood = floodIncident('inc-web01-flood', 'EX-1', 'K100', '203.0.113.10', floodFrom, floodTo, 135_580, 161e6);
  await repos.incidents.save(flood);
  const open = floodIncident('inc-db01-flood', 'EX-2', 'K200', '203.0.113.20', nowMs - 4 * MINUTE, null, 212_400, 254e6);
  await repos.incidents.save(open);
  const cases = netwarden.cases;
  const reviewLock = await cases.locks.transaction((trx) =>
    createLock(
      cases,
      { serverId: 'EX-2', reason: 'attack_from_server', scope: 'server', addresses: [], state: 'review', source: 'detection', statement: '', incidents: [open], note: 'policy: review' },
      { type: 'system', id: 'policy' },
      trx,
    ),
  );
  return { floodIncidentId: flood.id, openIncidentId: open.id, reviewLock };
}
