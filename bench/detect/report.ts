/** Formatting for the detection benchmark's printout: machine line, figures, verdict table. */
import { cpus, freemem, loadavg, totalmem } from 'node:os';

export interface Verdict {
  measure: string;
  measured: string;
  target: string;
  pass: boolean;
}

export function machineInfo(): string[] {
  const cores = cpus();
  const [l1, l5, l15] = loadavg();
  return [
    `machine: ${cores.length} cores (${cores[0]?.model.trim() ?? 'unknown'}), ${gib(totalmem())} GiB memory (${gib(freemem())} GiB free), ${process.platform} ${process.arch}`,
    `node ${process.version}; load average at start ${l1.toFixed(2)} / ${l5.toFixed(2)} / ${l15.toFixed(2)} (1/5/15 min; the machine is shared, figures vary)`,
  ];
}

function gib(bytes: number): string {
  return (bytes / 2 ** 30).toFixed(1);
}

export function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

export function millions(n: number): string {
  return `${(n / 1e6).toFixed(2)} M`;
}

/** Median with undetected runs (NaN) counted as slower than any detected one. */
export function median(values: number[]): number {
  const sorted = values.map((v) => (Number.isNaN(v) ? Number.POSITIVE_INFINITY : v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function ms(value: number): string {
  if (value === Number.POSITIVE_INFINITY || Number.isNaN(value)) return 'none';
  return `${Math.round(value)} ms`;
}

/** A plain-text table with left-aligned columns. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]): string => cells.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function verdictTable(verdicts: Verdict[]): string {
  return table(
    ['measure', 'measured', 'target', 'verdict'],
    verdicts.map((v) => [v.measure, v.measured, v.target, v.pass ? 'PASS' : 'FAIL']),
  );
}
