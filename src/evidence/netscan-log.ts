/**
 * The seed's "Information on Port-/Netscans" log:
 *
 *   ###################################################################
 *   #          Netscan detected from host   x.x.x.x                   #
 *   ###################################################################
 *
 *   time                        src_ip<TAB><TAB>  dest_ip:dest_port
 *   -------------------------------------------------------------------
 *   Thu Nov 13 18:14:27 2013:   x.x.x.x =>         65.98.236.0:   22
 *
 * Layout rules, derived from the seed: the box is 67 characters wide; the host starts in
 * column 40 and the closing '#' sits in the last column. A host longer than 25 characters
 * (only IPv6 addresses get there) widens the box, the borders and the dashes line so the
 * host keeps one space before the closing '#'. The header line keeps the seed's two
 * literal TAB characters. Event lines: ctime-style time, ':', three spaces, the source
 * as given, ' => ', the destination right-aligned in 19 characters (wider ones overflow
 * to the right, as printf does), ':' and the port right-aligned in 5. IPv6 destinations
 * are bracketed ("[2001:db8::1]:   22") so the port separator stays unambiguous.
 *
 * The seed's sample reads "Thu Nov 13 ... 2013", but 13 November 2013 was a Wednesday;
 * we print the true weekday (netscan-log.test.ts pins this down).
 */
import { formatInteger } from './number-format.ts';
import { ctimeText, DEFAULT_TIME_ZONE } from './time-text.ts';

export interface NetscanEvent {
  /** Milliseconds since the epoch; printed to the second. */
  timeMs: number;
  srcAddr: string;
  dstAddr: string;
  dstPort: number;
  /** Accepted from the detection layer but not part of the seed's format. */
  protocol?: number;
  /** Accepted from the detection layer but not part of the seed's format. */
  srcPort?: number;
}

export interface NetscanEvidence {
  /** The scanning host as it appears in the title (the customer's address). */
  host: string;
  events: readonly NetscanEvent[];
}

export interface NetscanLogOptions {
  /** IANA time zone for the event times; default UTC. */
  timeZone?: string;
  /** Print at most this many events, then one line saying how many were left out. */
  maxEvents?: number;
}

const BOX_WIDTH = 67;
const TITLE_PREFIX = '#          Netscan detected from host   ';
const HEADER = 'time                        src_ip\t\t  dest_ip:dest_port';
const DESTINATION_WIDTH = 19;
const PORT_WIDTH = 5;

function destinationText(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

export function renderNetscanEventLine(event: NetscanEvent, timeZone: string = DEFAULT_TIME_ZONE): string {
  const destination = destinationText(event.dstAddr).padStart(DESTINATION_WIDTH);
  return `${ctimeText(event.timeMs, timeZone)}:   ${event.srcAddr} => ${destination}:${String(event.dstPort).padStart(PORT_WIDTH)}`;
}

/** The log's lines, without line terminators. */
export function renderNetscanLog(evidence: NetscanEvidence, options: NetscanLogOptions = {}): string[] {
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  const width = Math.max(BOX_WIDTH, TITLE_PREFIX.length + evidence.host.length + 2);
  const border = '#'.repeat(width);
  const lines = [border, `${(TITLE_PREFIX + evidence.host).padEnd(width - 1)}#`, border, '', HEADER, '-'.repeat(width)];
  // Stable sort: events with the same second keep the order the detector saw them in.
  const events = [...evidence.events].sort((a, b) => a.timeMs - b.timeMs);
  const shown = options.maxEvents === undefined ? events.length : Math.max(0, Math.min(options.maxEvents, events.length));
  for (let i = 0; i < shown; i++) lines.push(renderNetscanEventLine(events[i], timeZone));
  if (shown < events.length) lines.push(`..... (${formatInteger(events.length - shown)} more not shown)`);
  return lines;
}
