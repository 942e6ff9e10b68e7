/**
 * The arithmetic of the traffic chart, kept free of React so it can be tested on its own:
 * round axis ticks, SI-prefixed numbers, time ticks on whole local units, and polyline
 * paths that break where samples are missing instead of drawing a line across the gap.
 */

const NICE = [1, 2, 2.5, 5, 10];

/** Ticks from 0 to at least `max` in round steps, about `count` of them. */
export function niceTicks(max: number, count = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = (NICE.find((n) => n * magnitude >= raw) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let v = 0; v < max + step * 0.999 && ticks.length < 50; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

const PREFIXES: Array<[number, string]> = [
  [1e12, 'T'],
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
];

/** 135580 -> "135.6 k" (en) or "135,6 k" (de): four significant digits at most; below 1000 plain. */
export function formatSi(value: number, locale: string): string {
  const abs = Math.abs(value);
  for (const [factor, prefix] of PREFIXES) {
    if (abs >= factor) {
      const scaled = value / factor;
      return `${new Intl.NumberFormat(locale, { maximumSignificantDigits: 4 }).format(scaled)} ${prefix}`;
    }
  }
  return new Intl.NumberFormat(locale, { maximumFractionDigits: abs >= 10 ? 0 : 1 }).format(value);
}

const MINUTE = 60_000;
const TIME_STEPS = [MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, 60 * MINUTE, 2 * 60 * MINUTE, 3 * 60 * MINUTE, 6 * 60 * MINUTE, 12 * 60 * MINUTE, 24 * 60 * MINUTE];

/**
 * Tick times between from and to on whole steps of local time (`offsetMinutes`: the
 * local time zone's offset, as Date#getTimezoneOffset gives it), at most about `count`.
 */
export function timeTicks(fromMs: number, toMs: number, count = 6, offsetMinutes = 0): number[] {
  const span = toMs - fromMs;
  if (!(span > 0)) return [];
  const step = TIME_STEPS.find((s) => span / s <= count) ?? Math.ceil(span / count / (24 * 60 * MINUTE)) * 24 * 60 * MINUTE;
  const shift = -offsetMinutes * MINUTE;
  const ticks: number[] = [];
  for (let t = Math.ceil((fromMs + shift) / step) * step - shift; t <= toMs && ticks.length < 100; t += step) ticks.push(t);
  return ticks;
}

/** The typical spacing of samples (their median gap); 0 for fewer than two samples. */
export function typicalGap(times: readonly number[]): number {
  if (times.length < 2) return 0;
  const gaps = [];
  for (let i = 1; i < times.length; i++) gaps.push(times[i] - times[i - 1]);
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)];
}

/**
 * An SVG path through the points; a gap longer than `maxGap` in time starts a new
 * segment, so missing data shows as missing. Coordinates are rounded to 0.1 px.
 */
export function linePath(points: ReadonlyArray<{ t: number; v: number }>, x: (t: number) => number, y: (v: number) => number, maxGap: number): string {
  let path = '';
  let previous: number | undefined;
  for (const p of points) {
    const command = previous === undefined || (maxGap > 0 && p.t - previous > maxGap) ? 'M' : 'L';
    path += `${command}${Math.round(x(p.t) * 10) / 10},${Math.round(y(p.v) * 10) / 10}`;
    previous = p.t;
  }
  return path;
}

/**
 * The top of the y axis: the data's peak, raised to a threshold when the threshold lies
 * within `reach` times the peak (so the line is worth seeing next to the data); thresholds
 * further up are reported as "above the chart" instead of flattening the traffic.
 */
export function yTop(dataMax: number, thresholds: readonly number[], reach = 5): { top: number; shown: number[]; above: number[] } {
  const active = thresholds.filter((v) => v > 0);
  const base = dataMax > 0 ? dataMax : active.length > 0 ? Math.min(...active) : 1;
  const shown = active.filter((v) => v <= base * reach);
  const above = active.filter((v) => v > base * reach);
  const top = Math.max(base, ...shown);
  return { top, shown, above };
}

/** A rate with its unit: "135.6 kpps", "161 Mbit/s", "500 pps". */
export function formatRate(value: number, unit: string, locale: string): string {
  const si = formatSi(value, locale);
  return /[kMGT]$/.test(si) ? `${si}${unit}` : `${si} ${unit}`;
}
