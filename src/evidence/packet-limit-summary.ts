/**
 * The seed's "Summary on exceeded Packet Limits":
 *
 *   Direction OUT
 *   Internal 178.63.65.85
 *   Threshold Packets 100.000 packets/s
 *   Sum                     40.674.000 packets/300s (135.580 packets/s),  40.673 flows/300s (135 flows/s),  5,909 GByte/300s (161 MBit/s)
 *   External 77.96.88.114,  40.668.000 packets/300s (135.560 packets/s),  40.667 flows/300s (135 flows/s),  5,909 GByte/300s (161 MBit/s)
 *   External 196.37.186.67,  5.000 packets/300s (16 packets/s),                5 flows/300s (0 flows/s),    0,000 GByte/300s (0 MBit/s)
 *
 * Numbers, derived from the seed: '.' groups thousands, ',' is the decimal mark; every
 * rate is the window total divided by the window and truncated (5.000/300 prints 16);
 * GByte is 2^30 bytes with three decimals, also truncated; MBit/s is 2^20 bits per
 * second (5,909 GByte in 300 s is 161 MBit/s only with binary units on both).
 *
 * Alignment, derived from the seed (the rule that reproduces all of its lines):
 * - the label ("Sum", "External <address>,") is padded to the widest label in the table,
 *   then one space, then the packet count right-aligned in 6 characters (the seed's
 *   "  5.000" after the widest label; longer counts simply overflow to the right);
 * - the packets part is padded to the widest packets part, then two spaces;
 * - the flow count is right-aligned to the widest flow count, and the flows part padded
 *   to the widest flows part, then two spaces;
 * - the volume is right-aligned to the widest volume.
 * Widths come from the rows of the table itself, so long IPv6 externals or large
 * counts keep the columns aligned instead of shifting single rows.
 */
import { formatFixed, formatInteger, formatThreshold } from './number-format.ts';

export interface TrafficTotals {
  packets: number;
  flows: number;
  bytes: number;
}

export type ThresholdUnit = 'packets/s' | 'MBit/s' | 'flows/s';

export interface ExternalTotals extends TrafficTotals {
  address: string;
}

export interface PacketLimitEvidence {
  direction: 'IN' | 'OUT';
  /** The customer's address. */
  internal: string;
  threshold: { value: number; unit: ThresholdUnit };
  /** Length of the measurement window, 300 in the seed. */
  windowSeconds: number;
  /** Totals over the window for the internal address. */
  sum: TrafficTotals;
  /** Per remote address; printed with the largest packet count first. */
  externals: readonly ExternalTotals[];
}

export interface PacketLimitSummaryOptions {
  /** Print at most this many external lines, then one line saying how many were left out. */
  maxExternals?: number;
}

const THRESHOLD_NAMES: Record<ThresholdUnit, string> = {
  'packets/s': 'Packets',
  'flows/s': 'Flows',
  'MBit/s': 'Bandwidth',
};

const GIBIBYTE = 2 ** 30;
const MEBIBIT = 2 ** 20;
const PACKET_COUNT_WIDTH = 6;

interface Row {
  packetsPart: string;
  flowCount: string;
  flowsPart: string;
  volume: string;
  volumePart: string;
}

function buildRow(label: string, labelWidth: number, totals: TrafficTotals, window: number): Row {
  const packetRate = formatInteger(totals.packets / window);
  return {
    packetsPart: `${label.padEnd(labelWidth)} ${formatInteger(totals.packets).padStart(PACKET_COUNT_WIDTH)} packets/${window}s (${packetRate} packets/s),`,
    flowCount: formatInteger(totals.flows),
    flowsPart: `flows/${window}s (${formatInteger(totals.flows / window)} flows/s),`,
    // bytes * 1000 stays exact up to 9 TB per window, and dividing by 2^30 is exact in binary.
    volume: formatFixed(Math.floor((totals.bytes * 1000) / GIBIBYTE), 3),
    volumePart: `GByte/${window}s (${formatInteger((totals.bytes * 8) / window / MEBIBIT)} MBit/s)`,
  };
}

/** The summary's lines, without line terminators. */
export function renderPacketLimitSummary(evidence: PacketLimitEvidence, options: PacketLimitSummaryOptions = {}): string[] {
  const window = evidence.windowSeconds;
  if (!Number.isInteger(window) || window <= 0) throw new RangeError(`windowSeconds must be a positive integer, got ${window}`);
  const externals = [...evidence.externals].sort((a, b) => b.packets - a.packets);
  const shown = options.maxExternals === undefined ? externals.length : Math.max(0, Math.min(options.maxExternals, externals.length));
  const labelled: Array<[string, TrafficTotals]> = [
    ['Sum', evidence.sum],
    ...externals.slice(0, shown).map((e): [string, TrafficTotals] => [`External ${e.address},`, e]),
  ];
  const labelWidth = Math.max(...labelled.map(([label]) => label.length));
  const rows = labelled.map(([label, totals]) => buildRow(label, labelWidth, totals, window));
  const widest = (pick: (row: Row) => string): number => Math.max(...rows.map((row) => pick(row).length));
  const packetsWidth = widest((r) => r.packetsPart);
  const flowCountWidth = widest((r) => r.flowCount);
  const flowsWidth = widest((r) => r.flowsPart);
  const volumeWidth = widest((r) => r.volume);

  const { value, unit } = evidence.threshold;
  const lines = [`Direction ${evidence.direction}`, `Internal ${evidence.internal}`, `Threshold ${THRESHOLD_NAMES[unit]} ${formatThreshold(value)} ${unit}`];
  for (const row of rows) {
    lines.push(
      `${row.packetsPart.padEnd(packetsWidth)}  ${row.flowCount.padStart(flowCountWidth)} ${row.flowsPart.padEnd(flowsWidth)}  ${row.volume.padStart(volumeWidth)} ${row.volumePart}`,
    );
  }
  if (shown < externals.length) lines.push(`..... (${formatInteger(externals.length - shown)} more external addresses not shown)`);
  return lines;
}
