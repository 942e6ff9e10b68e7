/**
 * What the kernel knows about a process and its UDP sockets, read from /proc: CPU time,
 * resident memory, per-port receive-queue bytes and drops, and the host-wide UDP counters.
 * The same numbers for every implementation, whatever counters it keeps itself.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type UdpSocketStats, udpSocketStats } from '../../src/flow/udp/kernel-udp-drops.ts';

let clockTicks = 0;

function ticksPerSecond(): number {
  if (clockTicks === 0) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** User + system CPU seconds of a process, all its threads; NaN when it is gone. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces; fields after it are space-separated.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
  } catch {
    return Number.NaN;
  }
}

/** Resident set now and its peak (VmRSS, VmHWM), bytes; NaN when the process is gone. */
export function processMemory(pid: number): { rss: number; peak: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return { rss: Number.NaN, peak: Number.NaN };
  }
}

/** Sums every IPv4/IPv6 UDP socket bound to `port` (all SO_REUSEPORT sockets of a collector). */
export function udpPortStats(port: number): UdpSocketStats {
  return udpSocketStats([port]);
}

export interface UdpHostCounters {
  inDatagrams: number;
  rcvbufErrors: number;
  inErrors: number;
}

/** Host-wide UDP counters (/proc/net/snmp, what `netstat -su` prints): other processes count too. */
export function udpHostCounters(): UdpHostCounters {
  const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
  const names = lines[0].split(/\s+/).slice(1);
  const values = lines[1].split(/\s+/).slice(1).map(Number);
  const get = (name: string): number => values[names.indexOf(name)] ?? Number.NaN;
  return { inDatagrams: get('InDatagrams'), rcvbufErrors: get('RcvbufErrors'), inErrors: get('InErrors') };
}

export function readSysctl(path: string): number {
  try {
    return Number(readFileSync(`/proc/sys/${path}`, 'utf8').trim());
  } catch {
    return Number.NaN;
  }
}

/** Busy and total CPU jiffies of the whole machine (/proc/stat), to tell how loaded it was. */
export function machineCpuJiffies(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  const idle = cpu[3] + (cpu[4] ?? 0);
  return { busy: total - idle, total };
}
