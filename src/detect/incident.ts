/**
 * What detection hands on: an incident on one server, with the evidence the lock log
 * is rendered from. Plain data (JSON-safe except the sampled packet bytes).
 */

export type IncidentKind = 'flood' | 'netscan' | 'wrong_source_address';
export type Direction = 'in' | 'out';

export const RATE_METRICS = [
  'packetsPerSecond',
  'bitsPerSecond',
  'flowsPerSecond',
  'synPerSecond',
  'udpPerSecond',
  'icmpPerSecond',
  'fragmentsPerSecond',
] as const;
export type RateMetric = (typeof RATE_METRICS)[number];
export type Rates = Record<RateMetric, number>;

export interface ExceededThreshold {
  metric: RateMetric;
  threshold: number;
  peak: number;
}

export interface TrafficTotals {
  packets: number;
  flows: number;
  bytes: number;
}

export interface RemoteTraffic extends TrafficTotals {
  address: string;
}

export interface TrafficSummary {
  /** Length of the window the sums cover (300 s, or less if the server was seen for less). */
  windowSeconds: number;
  sum: TrafficTotals;
  /** One entry per remote address, largest first. */
  externals: RemoteTraffic[];
  /** Traffic of the remote addresses beyond the listed ones; `addresses` is their number, estimated (peer-table.ts). */
  otherExternals: TrafficTotals & { addresses: number };
}

export interface ScanAttempt {
  timeMs: number;
  srcAddr: string;
  srcPort: number;
  dstAddr: string;
  dstPort: number;
  protocol: number;
}

export interface NetscanEvidence {
  type: 'horizontal' | 'vertical';
  /** Horizontal: the one destination port (0 for ICMP); vertical: -1. */
  port: number;
  /** Vertical: the one destination address. */
  target: string | null;
  protocol: number;
  /** Distinct targets estimated (sampled count x sampling rate). */
  distinctTargets: number;
  /** Distinct targets really seen. */
  sampledTargets: number;
  samplingRate: number;
  /** Targets in 10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7 (P2P software is a common cause). */
  privateTargets: number;
  attempts: ScanAttempt[];
}

export interface SourceAddressEvidence {
  /** The addresses the server sent from that are not its own. */
  addresses: Array<{ address: string; packets: number; assignedTo: string | null }>;
  /** How the sending server was recognised. */
  identifiedBy: 'mac' | 'interface';
  mac: string | null;
}

export interface SampledPacket {
  timeMs: number;
  /** Raw header bytes starting at Ethernet. */
  data: Uint8Array;
  originalLength: number;
}

export interface Incident {
  id: string;
  serverId: string;
  customerId: string;
  /** The server's address involved (the busiest one for floods, the scanner for scans). */
  address: string;
  kind: IncidentKind;
  direction: Direction;
  status: 'open' | 'ended';
  firstSeenMs: number;
  lastSeenMs: number;
  endedMs: number | null;
  exceeded: ExceededThreshold[];
  peak: Rates;
  totals: TrafficTotals;
  summary: TrafficSummary | null;
  netscan: NetscanEvidence | null;
  sourceAddress: SourceAddressEvidence | null;
  samples: SampledPacket[];
}

/** Where incidents go: the store, the lock layer, tests. */
export interface IncidentSink {
  opened(incident: Incident): void;
  updated(incident: Incident): void;
  ended(incident: Incident): void;
}

export function emptyRates(): Rates {
  return { packetsPerSecond: 0, bitsPerSecond: 0, flowsPerSecond: 0, synPerSecond: 0, udpPerSecond: 0, icmpPerSecond: 0, fragmentsPerSecond: 0 };
}
