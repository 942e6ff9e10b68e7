/**
 * The log file attached to a lock notification: a short header naming the lock, then
 * whichever of the seed's three sections the detection produced, each under the seed's
 * heading and byte for byte in the seed's format.
 */
import { type NetscanEvidence, renderNetscanLog } from './netscan-log.ts';
import { type PacketLimitEvidence, renderPacketLimitSummary } from './packet-limit-summary.ts';
import { renderTrafficDump, type TrafficDumpEvidence } from './traffic-dump.ts';
import { ctimeText, DEFAULT_TIME_ZONE } from './time-text.ts';

export interface EvidenceLogInput {
  blockingId: string;
  /** How the customer knows the server, e.g. "EX42 #123456 (203.0.113.10)". */
  server: string;
  /** Why it was locked, e.g. "Netscan" or "Packet limit exceeded". */
  reason: string;
  lockedAtMs: number;
  netscan?: NetscanEvidence;
  /** One summary per direction (or per internal address) that exceeded its limit. */
  packetLimits?: readonly PacketLimitEvidence[];
  trafficDump?: TrafficDumpEvidence;
}

export interface EvidenceLogOptions {
  /** IANA time zone for every time in the file; default UTC. */
  timeZone?: string;
  maxNetscanEvents?: number;
  maxExternals?: number;
  /** Traffic dump timestamps: 'time' as in the seed (default) or 'date-time'. */
  dumpTimestamps?: 'time' | 'date-time';
}

export const NETSCAN_HEADING = 'Information on Port-/Netscans';
export const PACKET_LIMIT_HEADING = 'Summary on exceeded Packet Limits';
export const TRAFFIC_DUMP_HEADING = 'Detailed Traffic Dump';

/** Header values come from the database; a newline there must not forge log lines. */
function oneLine(value: string): string {
  let text = '';
  for (const char of value) {
    const code = char.charCodeAt(0);
    text += code < 0x20 || code === 0x7f ? ' ' : char;
  }
  return text;
}

/** The whole file, '\n'-terminated lines. */
export function renderEvidenceLog(input: EvidenceLogInput, options: EvidenceLogOptions = {}): string {
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  const blocks: string[][] = [
    [
      `Blocking ID: ${oneLine(input.blockingId)}`,
      `Server: ${oneLine(input.server)}`,
      `Reason: ${oneLine(input.reason)}`,
      `Time: ${ctimeText(input.lockedAtMs, timeZone)} (${timeZone})`,
    ],
  ];
  let sections = 0;
  if (input.netscan !== undefined) {
    blocks.push([NETSCAN_HEADING], renderNetscanLog(input.netscan, { timeZone, maxEvents: options.maxNetscanEvents }));
    sections++;
  }
  const limits = input.packetLimits ?? [];
  if (limits.length > 0) {
    blocks.push([PACKET_LIMIT_HEADING]);
    for (const limit of limits) blocks.push(renderPacketLimitSummary(limit, { maxExternals: options.maxExternals }));
    sections++;
  }
  if (input.trafficDump !== undefined && input.trafficDump.packets.length > 0) {
    blocks.push([TRAFFIC_DUMP_HEADING], renderTrafficDump(input.trafficDump, { timeZone, timestamps: options.dumpTimestamps }));
    sections++;
  }
  if (sections === 0) blocks.push(['No log data was recorded for this lock.']);
  return `${blocks.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}
