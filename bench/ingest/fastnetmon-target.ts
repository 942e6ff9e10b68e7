/**
 * FastNetMon community edition (Debian package fastnetmon) as a bench target: one process
 * per protocol, listening on 127.0.0.1 only, from a temporary configuration with the
 * usage report disabled, no ban actions, no API, no exports; its own counters come from
 * its Prometheus endpoint (also on 127.0.0.1), the kernel's from /proc.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type IngestTarget, type StepCounts, sleep, waitFor } from './ingest-target.ts';
import { udpPortStats } from './proc-stats.ts';

export interface FastnetmonTargetOptions {
  protocol: 'sflow' | 'netflow';
  port: number;
  prometheusPort: number;
  /** The provider's networks (fastnetmon counts traffic per host of these). */
  networks: string[];
}

/**
 * Its counters for each protocol: datagrams, flow records (samples), and decode problems.
 * Version 1.2.4 exports no sFlow counters to Prometheus: each sFlow sample becomes one
 * "simple packet", so samples are counted there and datagrams are not known.
 */
const COUNTERS: Record<'sflow' | 'netflow', { datagrams: string[]; flows: string[]; errors: string[] }> = {
  netflow: {
    datagrams: ['fastnetmon_netflow_v9_total_packets'],
    flows: ['fastnetmon_netflow_v9_total_flows'],
    errors: ['fastnetmon_netflow_v9_broken_packets', 'fastnetmon_netflow_v9_packets_with_unknown_templates'],
  },
  sflow: {
    datagrams: [],
    flows: ['fastnetmon_total_simple_packets_processed'],
    errors: ['fastnetmon_total_unparsed_packets'],
  },
};

const START_TIMEOUT_MS = 10_000;
const SETTLE_TIMEOUT_MS = 15_000;
const STABLE_MS = 1500;

export function fastnetmonVersion(): string {
  try {
    return execFileSync('fastnetmon', ['--version'], { encoding: 'utf8', timeout: 5000 }).trim().split('\n').pop() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export class FastnetmonTarget implements IngestTarget {
  readonly implementation = 'fastnetmon';
  readonly port: number;
  readonly setup: string;
  readonly #options: FastnetmonTargetOptions;
  #child: ChildProcess | undefined;
  #exited = true;
  #dir = '';
  #before: Record<string, number> = {};
  #after: Record<string, number> = {};
  #dropsBefore = 0;
  #dropsAfter = 0;

  constructor(options: FastnetmonTargetOptions) {
    this.#options = options;
    this.port = options.port;
    this.setup = `fastnetmon ${fastnetmonVersion()}, ${options.protocol} on 127.0.0.1, socket buffer its default (1.2.4 has no setting for it), ban off, connection tracking on (packaged default)`;
  }

  #config(): string {
    const o = this.#options;
    const d = this.#dir;
    const lines = {
      logging_level: 'info',
      logging_local_syslog_logging: 'off',
      logging_remote_syslog_logging: 'off',
      // Mandatory: otherwise it reports usage to its vendor.
      disable_usage_report: 'on',
      enable_ban: 'off',
      enable_ban_ipv6: 'off',
      process_incoming_traffic: 'on',
      process_outgoing_traffic: 'on',
      enable_connection_tracking: 'on',
      check_period: '1',
      average_calculation_time: '5',
      networks_list_path: join(d, 'networks_list'),
      white_list_path: join(d, 'networks_whitelist'),
      monitor_local_ip_addresses: 'off',
      mirror_afpacket: 'off',
      mirror_afxdp: 'off',
      mirror_netmap: 'off',
      pcap: 'off',
      netflow: o.protocol === 'netflow' ? 'on' : 'off',
      netflow_port: String(o.port),
      netflow_host: '127.0.0.1',
      sflow: o.protocol === 'sflow' ? 'on' : 'off',
      sflow_port: String(o.port),
      sflow_host: '127.0.0.1',
      exabgp: 'off',
      gobgp: 'off',
      influxdb: 'off',
      graphite: 'off',
      redis_enabled: 'off',
      mongodb_enabled: 'off',
      kafka_traffic_export: 'off',
      collect_attack_pcap_dumps: 'off',
      notify_script_path: join(d, 'notify-disabled.sh'),
      pid_path: join(d, 'fastnetmon.pid'),
      cli_stats_file_path: join(d, 'fastnetmon.dat'),
      cli_stats_ipv6_file_path: join(d, 'fastnetmon_ipv6.dat'),
      enable_api: 'off',
      prometheus: 'on',
      prometheus_host: '127.0.0.1',
      prometheus_port: String(o.prometheusPort),
    };
    return `${Object.entries(lines)
      .map(([k, v]) => `${k} = ${v}`)
      .join('\n')}\n`;
  }

  async #metrics(): Promise<Record<string, number>> {
    const response = await fetch(`http://127.0.0.1:${this.#options.prometheusPort}/metrics`, { signal: AbortSignal.timeout(2000) });
    const out: Record<string, number> = {};
    for (const line of (await response.text()).split('\n')) {
      const m = /^([a-z_0-9]+) ([0-9.e+-]+)$/.exec(line);
      if (m !== null) out[m[1]] = Number(m[2]);
    }
    return out;
  }

  #sum(values: Record<string, number>, names: string[]): number {
    return names.reduce((n, name) => n + (values[name] ?? 0), 0);
  }

  async start(): Promise<void> {
    this.#dir = mkdtempSync(join(tmpdir(), 'bench-fastnetmon-'));
    writeFileSync(join(this.#dir, 'networks_list'), `${this.#options.networks.join('\n')}\n`);
    writeFileSync(join(this.#dir, 'networks_whitelist'), '');
    const conf = join(this.#dir, 'fastnetmon.conf');
    writeFileSync(conf, this.#config());
    const args = ['--configuration_file', conf, '--log_file', join(this.#dir, 'fastnetmon.log'), '--disable_pid_logic'];
    const child = spawn('fastnetmon', args, { stdio: 'ignore', cwd: this.#dir });
    this.#child = child;
    this.#exited = false;
    child.once('exit', () => {
      this.#exited = true;
    });
    const ready = await waitFor(
      async () => {
        if (this.#exited) return true;
        if (udpPortStats(this.port).sockets === 0) return false;
        try {
          const m = await this.#metrics();
          return COUNTERS[this.#options.protocol].flows[0] in m;
        } catch {
          return false;
        }
      },
      START_TIMEOUT_MS,
      100,
    );
    if (!ready || this.#exited) {
      await this.stop();
      throw new Error('fastnetmon did not start (see its log)');
    }
  }

  pid(): number {
    return this.#child?.pid ?? -1;
  }

  async beginStep(): Promise<void> {
    this.#before = await this.#metrics();
    this.#dropsBefore = udpPortStats(this.port).drops;
  }

  async settle(expected: { datagrams: number; flows: number }): Promise<void> {
    const names = COUNTERS[this.#options.protocol];
    let last = -1;
    let lastChange = performance.now();
    await waitFor(
      async () => {
        const m = await this.#metrics();
        this.#after = m;
        // Datagrams where it counts them, else flow records (a dropped datagram takes its records with it).
        const byDatagrams = names.datagrams.length > 0;
        const list = byDatagrams ? names.datagrams : names.flows;
        const received = this.#sum(m, list) - this.#sum(this.#before, list);
        const drops = udpPortStats(this.port).drops - this.#dropsBefore;
        const accounted = byDatagrams ? received + drops : received;
        const wanted = byDatagrams ? expected.datagrams : expected.flows;
        if (accounted >= wanted && udpPortStats(this.port).queued === 0) return true;
        if (received !== last) {
          last = received;
          lastChange = performance.now();
        }
        return performance.now() - lastChange > STABLE_MS;
      },
      SETTLE_TIMEOUT_MS,
      200,
    );
    this.#dropsAfter = udpPortStats(this.port).drops;
  }

  async collect(): Promise<StepCounts> {
    const names = COUNTERS[this.#options.protocol];
    const delta = (list: string[]) => this.#sum(this.#after, list) - this.#sum(this.#before, list);
    return {
      datagrams: names.datagrams.length > 0 ? delta(names.datagrams) : null,
      flows: delta(names.flows),
      kernelDrops: this.#dropsAfter - this.#dropsBefore,
      decodeErrors: delta(names.errors),
    };
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (child !== undefined && !this.#exited) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await Promise.race([exited, sleep(7000)]);
      clearTimeout(timer);
    }
    if (this.#dir !== '') rmSync(this.#dir, { recursive: true, force: true });
  }

  killNow(): void {
    if (this.#child !== undefined && !this.#exited) this.#child.kill('SIGKILL');
    if (this.#dir !== '') rmSync(this.#dir, { recursive: true, force: true });
  }
}
