/**
 * The gateway's flow exporter: pmacct's pmacctd capturing on the server-facing bridge
 * and exporting to Netwarden in the NOC namespace as NetFlow v9, IPFIX or sFlow v5.
 *
 * Settings learned while making src/flow/testdata/pmacct (see its README):
 * - a pre-tag map tells directions (frames from the gateway's bridge MAC go out towards
 *   the servers, all others come in), set per plugin with `*_direction[name]: tag`;
 *   without it the exports carry interface 0 / "internal";
 * - nfprobe exports a flow only when it expires, so the timeouts are 1 s (maxlife 2 s);
 * - sfprobe sends a half-filled datagram only on a tick that needs more packets, so the
 *   core hands it every packet at once (`plugin_buffer_size: 1`).
 * pmacctd's core forks one process per plugin, and a plugin can outlive a killed core,
 * so pmacctd runs in a process group of its own and is stopped as a group.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NetnsLab } from '../test/helpers/netns.ts';
import { COLLECTOR_PORTS, LAB_ADDRESSES } from './lab-addresses.ts';
import { SERVER_BRIDGE } from './lab-topology.ts';

/** No scenario needs the exporter longer than this. */
const MAX_SECONDS = 300;

export const EXPORT_PROTOCOLS = ['netflow-v9', 'ipfix', 'sflow'] as const;
export type ExportProtocol = (typeof EXPORT_PROTOCOLS)[number];

export interface ExporterSettings {
  protocol: ExportProtocol;
  /** ifIndex of the capture interface in the gateway, put into the exported interface fields. */
  ifIndex: number;
  preTagMapFile: string;
  /** sFlow only: 1 samples every packet. */
  samplingRate?: number;
}

/** The pre-tag map: tag 2 (out) for frames the gateway sends to the servers, tag 1 (in) for the rest. */
export function preTagMap(gatewayMac: string): string {
  return `set_tag=2 filter='ether src ${gatewayMac}'\nset_tag=1 filter='not ether src ${gatewayMac}'\n`;
}

/** pmacctd's configuration for one export protocol. */
export function pmacctdConfig(s: ExporterSettings): string {
  const lines = ['daemonize: false', `pcap_interface: ${SERVER_BRIDGE.name}`, 'promisc: false', `pre_tag_map: ${s.preTagMapFile}`];
  if (s.protocol === 'sflow') {
    lines.push(
      'plugins: sfprobe[sf]',
      `sfprobe_receiver[sf]: ${LAB_ADDRESSES.noc}:${COLLECTOR_PORTS.sflow}`,
      `sfprobe_agentip[sf]: ${LAB_ADDRESSES.gateway.noc}`,
      'sfprobe_direction[sf]: tag',
      `sfprobe_ifindex[sf]: ${s.ifIndex}`,
      `sampling_rate[sf]: ${s.samplingRate ?? 1}`,
      'plugin_buffer_size[sf]: 1',
    );
  } else {
    const ipfix = s.protocol === 'ipfix';
    lines.push(
      'plugins: nfprobe[nf]',
      'aggregate[nf]: src_mac, dst_mac, vlan, src_host, dst_host, src_port, dst_port, proto, tos, tcpflags',
      `nfprobe_version[nf]: ${ipfix ? 10 : 9}`,
      `nfprobe_receiver[nf]: ${LAB_ADDRESSES.noc}:${ipfix ? COLLECTOR_PORTS.ipfix : COLLECTOR_PORTS.netflow}`,
      `nfprobe_engine[nf]: ${ipfix ? 10 : 9}`,
      'nfprobe_direction[nf]: tag',
      `nfprobe_ifindex[nf]: ${s.ifIndex}`,
      'nfprobe_timeouts: tcp=1:tcp.rst=1:tcp.fin=1:udp=1:icmp=1:general=1:maxlife=2:expint=1',
    );
  }
  return `${lines.join('\n')}\n`;
}

export interface RunningExporter {
  protocol: ExportProtocol;
  /** Everything pmacctd wrote so far. */
  log(): string;
  stop(): Promise<void>;
}

/** Starts pmacctd in the gateway and resolves once it captures (plus a moment for the plugins). */
export async function startExporter(lab: NetnsLab, protocol: ExportProtocol, options: { samplingRate?: number; timeoutMs?: number } = {}): Promise<RunningExporter> {
  const dir = mkdtempSync(join(tmpdir(), 'netwarden-lab-pmacct-'));
  const ifIndex = Number((await lab.run('gw', ['cat', `/sys/class/net/${SERVER_BRIDGE.name}/ifindex`])).trim());
  const preTagMapFile = join(dir, 'pretag.map');
  writeFileSync(preTagMapFile, preTagMap(SERVER_BRIDGE.mac));
  writeFileSync(join(dir, 'pmacctd.conf'), pmacctdConfig({ protocol, ifIndex, preTagMapFile, samplingRate: options.samplingRate }));
  // A group of its own (detached): the core and its plugin processes are stopped together.
  // `timeout` bounds it should this process die without stopping it (it signals the group).
  const child = spawn('ip', ['netns', 'exec', lab.ns('gw'), 'timeout', '-k', '5', String(MAX_SECONDS), 'pmacctd', '-f', join(dir, 'pmacctd.conf')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let text = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (text += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (text += d));
  const killGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // The group is gone.
    }
  };
  const onExit = () => killGroup('SIGKILL');
  process.on('exit', onExit);
  const stop = async () => {
    process.off('exit', onExit);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      killGroup('SIGTERM');
      const timer = setTimeout(() => killGroup('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
    }
    // Plugins still running after the core (seen with nfprobe after a flood) go too.
    killGroup('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  while (!text.includes('link type is')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`pmacctd did not start capturing on ${SERVER_BRIDGE.name}:\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  // The plugins start after the core opens the capture.
  await new Promise((r) => setTimeout(r, 1000));
  return { protocol, log: () => text, stop };
}
