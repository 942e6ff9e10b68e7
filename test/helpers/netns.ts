/**
 * Network-namespace labs for tests and benchmarks with real packets (needs root).
 *
 * Every namespace is named `nwt-<pid>-<n>-<role>`, so parallel test files never collide
 * and namespaces left by a killed run are recognisable (their pid is gone) and removed
 * by the next lab. A lab deletes its namespaces and stops the processes it started (by
 * pid) in `destroy()`, and also from a process exit handler when a test dies first.
 *
 * Only documentation ranges are used and no namespace has a link to the host's
 * namespace, so nothing a test sends can leave the lab.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number;
  /** Wall time of the command in milliseconds. */
  ms: number;
}

export interface ExecOptions {
  input?: string;
  /** Default 10 s; the command is killed after it. */
  timeoutMs?: number;
}

const PREFIX = 'nwt';
let labCounter = 0;

/** Runs a command on the host; resolves whatever the exit code. */
export function execCommand(file: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 10_000);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        code: code ?? (signal === null ? -1 : 128),
        ms: performance.now() - started,
      });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes lab namespaces whose creating process is gone (a run killed with -9). */
function removeStaleNamespaces(): void {
  const listing = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  for (const line of listing.split('\n')) {
    const name = line.split(' ')[0];
    const m = new RegExp(`^${PREFIX}-(\\d+)-`).exec(name);
    if (m !== null && !pidAlive(Number(m[1]))) {
      try {
        execFileSync('ip', ['netns', 'delete', name], { stdio: 'ignore' });
      } catch {
        // Deleted by another lab at the same moment.
      }
    }
  }
}

export interface NetnsLabOptions {
  /**
   * The id of a lab another process created (`npm run lab` builds the topology, its test
   * files attach to it): namespaces are neither created nor deleted here, only the
   * processes this instance starts are stopped.
   */
  attach?: string;
}

export class NetnsLab {
  readonly id: string;
  readonly #namespaces: string[] = [];
  readonly #processes = new Set<ChildProcess>();
  readonly #exitHandler: () => void;
  readonly #signalHandler: (signal: NodeJS.Signals) => void;
  #destroyed = false;

  constructor(options: NetnsLabOptions = {}) {
    this.id = options.attach ?? `${PREFIX}-${process.pid}-${labCounter++}`;
    this.#exitHandler = () => this.#cleanupSync();
    this.#signalHandler = (signal) => {
      this.#cleanupSync();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    process.on('exit', this.#exitHandler);
    process.once('SIGINT', this.#signalHandler);
    process.once('SIGTERM', this.#signalHandler);
    if (options.attach === undefined) removeStaleNamespaces();
  }

  /** The full name of a role's namespace. */
  ns(role: string): string {
    return `${this.id}-${role}`;
  }

  async addNamespace(role: string): Promise<string> {
    const name = this.ns(role);
    await this.#host('ip', ['netns', 'add', name]);
    this.#namespaces.push(name);
    await this.#host('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    // Interfaces created later inherit this: no duplicate address detection, so link-local
    // addresses (used by neighbour discovery) are usable at once, not after a second or two.
    await this.#host('ip', ['netns', 'exec', name, 'sysctl', '-q', '-w', 'net.ipv6.conf.default.accept_dad=0', 'net.ipv6.conf.all.accept_dad=0']);
    return name;
  }

  /** A veth pair between two namespaces, created inside them (no name ever lives on the host). */
  async link(a: { role: string; dev: string; addresses: string[] }, b: { role: string; dev: string; addresses: string[] }): Promise<void> {
    await this.#host('ip', ['-n', this.ns(a.role), 'link', 'add', a.dev, 'type', 'veth', 'peer', 'name', b.dev, 'netns', this.ns(b.role)]);
    for (const end of [a, b]) {
      for (const address of end.addresses) {
        // nodad: IPv6 addresses are usable at once instead of after duplicate address detection.
        const extra = address.includes(':') ? ['nodad'] : [];
        await this.#host('ip', ['-n', this.ns(end.role), 'addr', 'add', address, 'dev', end.dev, ...extra]);
      }
      await this.#host('ip', ['-n', this.ns(end.role), 'link', 'set', end.dev, 'up']);
    }
  }

  async sysctl(role: string, settings: Record<string, string | number>): Promise<void> {
    const args = Object.entries(settings).map(([k, v]) => `${k}=${v}`);
    await this.run(role, ['sysctl', '-q', '-w', ...args]);
  }

  /** Runs a command inside a namespace; resolves whatever the exit code. */
  exec(role: string, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    return execCommand('ip', ['netns', 'exec', this.ns(role), ...argv], options);
  }

  /** Runs a command inside a namespace and returns stdout; a non-zero exit throws. */
  async run(role: string, argv: readonly string[], options: ExecOptions = {}): Promise<string> {
    const result = await this.exec(role, argv, options);
    if (result.code !== 0) throw new Error(`${argv.join(' ')} in ${role} exited ${result.code}: ${result.stderr.trim()}`);
    return result.stdout;
  }

  /** Starts a long-running process inside a namespace; destroy() stops it by pid. */
  spawn(role: string, argv: readonly string[], options: { detached?: boolean } = {}): ChildProcess {
    // `ip netns exec` execs the command, so the pid is the command's own.
    const child = spawn('ip', ['netns', 'exec', this.ns(role), ...argv], { stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached ?? false });
    this.#processes.add(child);
    child.on('exit', () => this.#processes.delete(child));
    return child;
  }

  /** Stops one process started here: SIGTERM, then SIGKILL after `graceMs`. */
  async stopProcess(child: ChildProcess, graceMs = 2000): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(child.pid, 'SIGTERM');
    const timer = setTimeout(() => {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
    }, graceMs);
    await exited;
    clearTimeout(timer);
  }

  async destroy(): Promise<void> {
    if (this.#destroyed) return;
    await Promise.all([...this.#processes].map((p) => this.stopProcess(p)));
    this.#cleanupSync();
  }

  #cleanupSync(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    for (const child of this.#processes) {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
    for (const name of this.#namespaces.splice(0)) {
      try {
        execFileSync('ip', ['netns', 'delete', name], { stdio: 'ignore' });
      } catch {
        // Not there any more.
      }
    }
    process.off('exit', this.#exitHandler);
    process.off('SIGINT', this.#signalHandler);
    process.off('SIGTERM', this.#signalHandler);
  }

  async #host(file: string, args: string[]): Promise<void> {
    const result = await execCommand(file, args);
    if (result.code !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
  }
}

/** Addresses of the enforcement lab: documentation ranges only. */
export const LAB = {
  internet: { v4: '198.51.100.2', v6: '2001:db8:100::2' },
  server: { v4: '203.0.113.10', v6: '2001:db8:10::10' },
  customer: { v4: '192.0.2.10', v6: '2001:db8:200::10' },
  noc: { v4: '192.0.2.130', v6: '2001:db8:300::2' },
  gateway: {
    internet: { v4: '198.51.100.1', v6: '2001:db8:100::1' },
    server: { v4: '203.0.113.1', v6: '2001:db8:10::1' },
    customer: { v4: '192.0.2.1', v6: '2001:db8:200::1' },
    noc: { v4: '192.0.2.129', v6: '2001:db8:300::1' },
  },
} as const;

export type LabRole = 'inet' | 'gw' | 'srv' | 'cust' | 'noc';

/**
 * The enforcement lab: an internet host, the uplink gateway, a customer server, the
 * customer's static-IP host and a NOC namespace (where Netwarden's BGP speaker runs),
 * each leaf wired to the gateway. The gateway forwards between them and has no route
 * anywhere else.
 */
export async function createEnforcementLab(): Promise<NetnsLab> {
  const lab = new NetnsLab();
  try {
    for (const role of ['gw', 'inet', 'srv', 'cust', 'noc'] as const) await lab.addNamespace(role);
    const leaves = [
      { role: 'inet', gwDev: 'to-inet', own: LAB.internet, gw: LAB.gateway.internet, v4len: 24 },
      { role: 'srv', gwDev: 'to-srv', own: LAB.server, gw: LAB.gateway.server, v4len: 24 },
      { role: 'cust', gwDev: 'to-cust', own: LAB.customer, gw: LAB.gateway.customer, v4len: 25 },
      { role: 'noc', gwDev: 'to-noc', own: LAB.noc, gw: LAB.gateway.noc, v4len: 25 },
    ] as const;
    for (const leaf of leaves) {
      await lab.link(
        { role: 'gw', dev: leaf.gwDev, addresses: [`${leaf.gw.v4}/${leaf.v4len}`, `${leaf.gw.v6}/64`] },
        { role: leaf.role, dev: 'eth0', addresses: [`${leaf.own.v4}/${leaf.v4len}`, `${leaf.own.v6}/64`] },
      );
      await lab.run(leaf.role, ['ip', 'route', 'add', 'default', 'via', leaf.gw.v4]);
      await lab.run(leaf.role, ['ip', '-6', 'route', 'add', 'default', 'via', leaf.gw.v6]);
    }
    // Forwarding, rp_filter and the ICMP rate limits are per namespace. Without the rate
    // limits at 0 the gateway answers only some traceroute probes and the tests flake.
    await lab.sysctl('gw', {
      'net.ipv4.ip_forward': 1,
      'net.ipv6.conf.all.forwarding': 1,
      'net.ipv4.conf.all.rp_filter': 0,
      'net.ipv4.conf.default.rp_filter': 0,
    });
    for (const role of ['gw', 'inet', 'srv', 'cust', 'noc']) {
      await lab.sysctl(role, { 'net.ipv4.icmp_ratelimit': 0, 'net.ipv6.icmp.ratelimit': 0 });
    }
    // Every leaf answers the gateway in both families before a test sends its first packet.
    for (const leaf of leaves) {
      for (const address of [leaf.own.v4, leaf.own.v6]) {
        let attempts = 0;
        while (!(await pingAnswers(lab, 'gw', address))) {
          if (++attempts >= 10) throw new Error(`${address} in ${leaf.role} does not answer the gateway`);
        }
      }
    }
    return lab;
  } catch (error) {
    await lab.destroy();
    throw error;
  }
}

/** Does a TCP connection from `role` to address:port succeed within `timeoutSeconds`? */
export async function tcpConnects(lab: NetnsLab, role: string, address: string, port: number, timeoutSeconds = 2): Promise<boolean> {
  const family = address.includes(':') ? '-6' : '-4';
  const result = await lab.exec(role, ['nc', family, '-n', '-z', '-w', String(timeoutSeconds), address, String(port)], { timeoutMs: (timeoutSeconds + 3) * 1000 });
  return result.code === 0;
}

/** Does one ping from `role` get an answer within a second? */
export async function pingAnswers(lab: NetnsLab, role: string, address: string): Promise<boolean> {
  const result = await lab.exec(role, ['ping', address.includes(':') ? '-6' : '-4', '-n', '-c', '1', '-W', '1', address], { timeoutMs: 5000 });
  return result.code === 0;
}

export interface TraceHop {
  hop: number;
  /** '*' when the hop did not answer. */
  address: string;
  /** Annotations such as `!X` (administratively prohibited). */
  flags: string[];
}

/** One probe per hop, one second per probe, at most `maxHops`: bounded in time. */
export async function traceroute(lab: NetnsLab, role: string, address: string, maxHops = 4): Promise<TraceHop[]> {
  const family = address.includes(':') ? '-6' : '-4';
  const result = await lab.exec(role, ['traceroute', family, '-n', '-q', '1', '-w', '1', '-m', String(maxHops), address], { timeoutMs: (maxHops + 4) * 1000 });
  if (result.code !== 0 && result.stdout === '') throw new Error(`traceroute failed: ${result.stderr.trim()}`);
  return parseTraceroute(result.stdout);
}

export function parseTraceroute(text: string): TraceHop[] {
  const hops: TraceHop[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(\S+)(.*)$/.exec(line);
    if (m === null) continue;
    hops.push({ hop: Number(m[1]), address: m[2], flags: m[3].match(/![A-Za-z0-9<>]*/g) ?? [] });
  }
  return hops;
}

/** Starts TCP listeners (nc -l -k) on the given addresses and waits until they accept. */
export async function listen(lab: NetnsLab, role: string, addresses: string[], port: number): Promise<ChildProcess[]> {
  const children = addresses.map((address) => lab.spawn(role, ['nc', address.includes(':') ? '-6' : '-4', '-d', '-n', '-l', '-k', address, String(port)]));
  for (const address of addresses) {
    const deadline = Date.now() + 5000;
    while (!(await listening(lab, role, address, port))) {
      if (Date.now() > deadline) throw new Error(`nc did not start listening on ${address}:${port} in ${role}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return children;
}

async function listening(lab: NetnsLab, role: string, address: string, port: number): Promise<boolean> {
  const out = await lab.run(role, ['ss', '-H', '-l', '-t', '-n']);
  const local = address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
  return out.split('\n').some((line) => line.includes(local));
}

// BGP pair for the lab: gobgpd (Netwarden's speaker) in the NOC namespace and BIRD 2 in
// the gateway namespace, as the uplink router that learns the blackhole routes and
// installs them in its kernel. BIRD turns the BLACKHOLE community into a blackhole route
// with a filter, as uplink routers do with their RTBH policy.

export const GOBGP_API = { host: '127.0.0.1', port: 50051 } as const;

export interface BgpLab {
  /** birdc in the gateway namespace. */
  birdc(args: string[]): Promise<string>;
  stop(): Promise<void>;
}

function gobgpdConfig(): string {
  const neighbor = (address: string, afi: string) => `
[[neighbors]]
  [neighbors.config]
    neighbor-address = "${address}"
    peer-as = 65001
  [neighbors.timers.config]
    connect-retry = 1
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "${afi}"
`;
  return `[global.config]
  as = 65000
  router-id = "${LAB.noc.v4}"
  local-address-list = ["${LAB.noc.v4}", "${LAB.noc.v6}"]
${neighbor(LAB.gateway.noc.v4, 'ipv4-unicast')}${neighbor(LAB.gateway.noc.v6, 'ipv6-unicast')}`;
}

function birdConfig(): string {
  return `router id ${LAB.gateway.noc.v4};
protocol device { }
protocol kernel k4 { ipv4 { import none; export all; }; }
protocol kernel k6 { ipv6 { import none; export all; }; }
filter rtbh {
  if (65535, 666) ~ bgp_community then { dest = RTD_BLACKHOLE; accept; }
  reject;
}
template bgp noc {
  local as 65001;
  connect delay time 1;
  connect retry time 1;
  error wait time 1, 2;
}
protocol bgp noc4 from noc { local ${LAB.gateway.noc.v4}; neighbor ${LAB.noc.v4} as 65000; ipv4 { import filter rtbh; export none; }; }
protocol bgp noc6 from noc { local ${LAB.gateway.noc.v6}; neighbor ${LAB.noc.v6} as 65000; ipv6 { import filter rtbh; export none; }; }
`;
}

/** Starts both daemons and resolves once both BGP sessions are established. */
export async function startBgpLab(lab: NetnsLab, timeoutMs = 30_000): Promise<BgpLab> {
  const dir = mkdtempSync(join(tmpdir(), 'netwarden-bgp-'));
  const socket = join(dir, 'bird.ctl');
  writeFileSync(join(dir, 'gobgpd.toml'), gobgpdConfig());
  writeFileSync(join(dir, 'bird.conf'), birdConfig());
  const processes: ChildProcess[] = [];
  const logs: string[] = [];
  const capture = (name: string, child: ChildProcess) => {
    child.stderr?.setEncoding('utf8').on('data', (d: string) => logs.push(`${name}: ${d}`));
    child.stdout?.setEncoding('utf8').on('data', (d: string) => logs.push(`${name}: ${d}`));
  };
  const birdc = (args: string[]) => lab.run('gw', ['birdc', '-s', socket, ...args]);
  const stop = async () => {
    for (const child of processes) await lab.stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const gobgpd = lab.spawn('noc', ['gobgpd', '-f', join(dir, 'gobgpd.toml'), '--api-hosts', `${GOBGP_API.host}:${GOBGP_API.port}`, '--pprof-disable', '-p', '-l', 'warn']);
    processes.push(gobgpd);
    capture('gobgpd', gobgpd);
    const bird = lab.spawn('gw', ['bird', '-f', '-c', join(dir, 'bird.conf'), '-s', socket]);
    processes.push(bird);
    capture('bird', bird);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const protocols = await lab.exec('gw', ['birdc', '-s', socket, 'show', 'protocols']);
      if ((protocols.stdout.match(/Established/g) ?? []).length === 2) break;
      if (Date.now() > deadline) throw new Error(`BGP sessions not established in ${timeoutMs} ms:\n${protocols.stdout}\n${logs.join('')}`);
      if (processes.some((p) => p.exitCode !== null)) throw new Error(`a BGP daemon exited:\n${logs.join('')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    return { birdc, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
