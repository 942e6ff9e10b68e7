/**
 * The seed's "Detailed Traffic Dump": one tcpdump -n line per sampled packet,
 * "21:44:53.145756 IP x.x.x.x.55008 > 76.9.23.182.29615: UDP, length 9216".
 *
 * The seed shows one line as "76.9.23.182.1826:  UDP" with two spaces; tcpdump prints one
 * space there for every port length, so that is an artefact of the seed's page and we
 * print what tcpdump prints (see traffic-dump.test.ts, which checks both).
 */
import type { SampledPacket } from './sampled-packet.ts';
import { describeFrame } from './tcpdump/describe-frame.ts';
import { clockText, DEFAULT_TIME_ZONE, dateTimeText } from './time-text.ts';

export interface TrafficDumpEvidence {
  /** In capture order; printed as given. */
  packets: readonly SampledPacket[];
}

export interface TrafficDumpOptions {
  /** IANA time zone for the timestamps; default UTC. */
  timeZone?: string;
  /** 'time' (tcpdump's default, as in the seed) or 'date-time' (tcpdump -tttt). */
  timestamps?: 'time' | 'date-time';
}

export function renderTrafficDumpLine(packet: SampledPacket, options: TrafficDumpOptions = {}): string {
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  const stamp = options.timestamps === 'date-time' ? dateTimeText(packet.timeMs, timeZone) : clockText(packet.timeMs, timeZone);
  return `${stamp} ${describeFrame(packet)}`;
}

/** The dump's lines, without line terminators. */
export function renderTrafficDump(evidence: TrafficDumpEvidence, options: TrafficDumpOptions = {}): string[] {
  return evidence.packets.map((packet) => renderTrafficDumpLine(packet, options));
}
