/**
 * Timestamps in the seed's two styles, in any IANA time zone (default UTC), via Intl so
 * no time-zone library is needed: ctime-style for the netscan log ("Thu Nov 13 18:14:27
 * 2013") and tcpdump's clock with microseconds for the traffic dump.
 */
import { splitTimestamp } from './sampled-packet.ts';

export const DEFAULT_TIME_ZONE = 'UTC';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

interface ZonedTime {
  year: number;
  /** 1..12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

// Building a DateTimeFormat costs far more than using one; a log renders many lines in one zone.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        hourCycle: 'h23',
      });
    } catch (cause) {
      throw new RangeError(`unknown time zone: ${timeZone}`, { cause });
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Wall-clock fields of a whole second in `timeZone`. */
export function zonedTime(epochSeconds: number, timeZone: string): ZonedTime {
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(epochSeconds * 1000)) {
    if (part.type !== 'literal') fields[part.type] = Number.parseInt(part.value, 10);
  }
  return { year: fields.year, month: fields.month, day: fields.day, hour: fields.hour, minute: fields.minute, second: fields.second };
}

const two = (n: number): string => String(n).padStart(2, '0');

/** asctime(3) layout without the newline: day of month padded with a space, as ctime and Perl print it. */
export function ctimeText(timeMs: number, timeZone: string = DEFAULT_TIME_ZONE): string {
  const t = zonedTime(Math.floor(timeMs / 1000), timeZone);
  const weekday = WEEKDAYS[new Date(Date.UTC(t.year, t.month - 1, t.day)).getUTCDay()];
  return `${weekday} ${MONTHS[t.month - 1]} ${String(t.day).padStart(2, ' ')} ${two(t.hour)}:${two(t.minute)}:${two(t.second)} ${t.year}`;
}

/** tcpdump's default timestamp: "21:44:53.145756". */
export function clockText(timeMs: number, timeZone: string = DEFAULT_TIME_ZONE): string {
  const { seconds, micros } = splitTimestamp(timeMs);
  const t = zonedTime(seconds, timeZone);
  return `${two(t.hour)}:${two(t.minute)}:${two(t.second)}.${String(micros).padStart(6, '0')}`;
}

/** tcpdump -tttt's timestamp: "2013-11-13 21:44:53.145756". */
export function dateTimeText(timeMs: number, timeZone: string = DEFAULT_TIME_ZONE): string {
  const { seconds, micros } = splitTimestamp(timeMs);
  const t = zonedTime(seconds, timeZone);
  return `${t.year}-${two(t.month)}-${two(t.day)} ${two(t.hour)}:${two(t.minute)}:${two(t.second)}.${String(micros).padStart(6, '0')}`;
}
