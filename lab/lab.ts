/**
 * `npm run lab [-- netscan flood benign]`: the end-to-end lab (Linux, root).
 *
 * Builds the namespaces of lab-topology.ts, runs the scenario test files (`*.lab.ts`)
 * with node:test inside the NOC namespace, where Netwarden runs in the test process,
 * prints what they measured and deletes everything again: every process left in a lab
 * namespace is stopped by its pid, then the namespaces are deleted, also on failure,
 * Ctrl-C or SIGTERM. The whole run is bounded (--timeout, default 600 s).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import type { NetnsLab } from '../test/helpers/netns.ts';
import { LAB_ID_ENV, LAB_RESULTS_ENV, type LabResult } from './lab-context.ts';
import { createLabTopology, LAB_ROLES } from './lab-topology.ts';

const SCENARIOS = ['netscan', 'flood', 'benign'] as const;
const TOOLS = ['ip', 'nft', 'pmacctd', 'nmap', 'hping3', 'traceroute', 'nc', 'tcpdump', 'timeout'];
const ROOT = join(import.meta.dirname, '..');

function fail(message: string): never {
  process.stderr.write(`lab: ${message}\n`);
  process.exit(2);
}

function missingTools(): string[] {
  return TOOLS.filter((tool) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
}

/** The versions of the tools the numbers were measured with, for the record. */
function toolVersions(): string {
  const first = (file: string, args: string[], pattern: RegExp) => {
    try {
      const out = execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 5000 });
      return pattern.exec(out)?.[0] ?? '?';
    } catch (error) {
      // hping3 -v exits non-zero after printing its version.
      const out = `${(error as { stdout?: string }).stdout ?? ''}`;
      return pattern.exec(out)?.[0] ?? '?';
    }
  };
  return [
    first('pmacctd', ['-V'], /pmacctd \S+ \S+/),
    first('nmap', ['--version'], /Nmap version \S+/),
    first('hping3', ['-v'], /hping3? version \S+/),
    first('nft', ['--version'], /nftables v\S+/),
    `kernel ${execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim()}`,
  ].join(', ');
}

function pidsIn(namespace: string): number[] {
  try {
    return execFileSync('ip', ['netns', 'pids', namespace], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map(Number);
  } catch {
    return [];
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Gone already.
  }
}

/**
 * Stops whatever still runs in the lab's namespaces, by pid: only this run starts
 * processes there. SIGTERM first, SIGKILL after a second.
 */
async function stopLeftovers(lab: NetnsLab): Promise<number> {
  const namespaces = LAB_ROLES.map((role) => lab.ns(role));
  const first = namespaces.flatMap(pidsIn);
  for (const pid of first) signal(pid, 'SIGTERM');
  for (let i = 0; i < 10 && namespaces.flatMap(pidsIn).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
  for (const pid of namespaces.flatMap(pidsIn)) signal(pid, 'SIGKILL');
  return first.length;
}

function printSummary(results: LabResult[], exitCode: number, seconds: number): void {
  const lines = ['', '== lab summary (measured in this run)'];
  for (const r of results) {
    const what = r.protocol === undefined ? r.scenario : `${r.scenario} (${r.protocol})`;
    lines.push(`  ${what.padEnd(24)} ${r.name.padEnd(44)} ${String(r.value).padStart(9)} ${r.unit}`);
  }
  if (results.length === 0) lines.push('  (no measurements reported)');
  lines.push(`  ${exitCode === 0 ? 'all scenarios passed' : `FAILED (test runner exit code ${exitCode})`} in ${seconds.toFixed(0)} s`, '');
  process.stdout.write(lines.join('\n'));
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { timeout: { type: 'string', default: '600' } } });
  const chosen = positionals.length === 0 ? [...SCENARIOS] : positionals;
  const unknown = chosen.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (unknown.length > 0) fail(`unknown scenario(s) ${unknown.join(', ')}; choose from ${SCENARIOS.join(', ')}`);
  if (process.platform !== 'linux' || process.getuid?.() !== 0) fail('the lab needs Linux and root (network namespaces, nftables, packet capture)');
  const missing = missingTools();
  if (missing.length > 0) fail(`missing tools: ${missing.join(', ')} (Debian: iproute2 nftables pmacct nmap hping3 traceroute netcat-openbsd tcpdump)`);

  const started = performance.now();
  const workDir = mkdtempSync(join(tmpdir(), 'netwarden-lab-'));
  const resultsFile = join(workDir, 'results.jsonl');
  // The scenarios' temporary files (stores, pmacctd configuration) go here too (TMPDIR),
  // so one removal takes them all, even after a test process was killed.
  const scenarioTmp = join(workDir, 'tmp');
  mkdirSync(scenarioTmp);
  let runner: ChildProcess | undefined;
  let built: NetnsLab | undefined;
  // The runner has a process group of its own (detached), which takes every test process
  // with it. On Ctrl-C, SIGTERM or an exit these handlers, registered before NetnsLab's,
  // stop it and whatever else runs in the namespaces while those still exist; NetnsLab's
  // own handlers then delete the namespaces.
  const killRunner = () => {
    if (runner?.pid !== undefined && runner.exitCode === null) signal(-runner.pid, 'SIGKILL');
  };
  const killAll = () => {
    killRunner();
    if (built !== undefined) for (const pid of LAB_ROLES.flatMap((role) => pidsIn(built!.ns(role)))) signal(pid, 'SIGKILL');
    rmSync(workDir, { recursive: true, force: true });
  };
  const onSignal = (sig: NodeJS.Signals) => {
    killAll();
    if (process.listenerCount(sig) === 0) process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.on('exit', killAll);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const lab = await createLabTopology();
  built = lab;
  let exitCode: number;
  try {
    process.stdout.write(`lab ${lab.id}: namespaces ${LAB_ROLES.map((r) => lab.ns(r)).join(', ')}\n${toolVersions()}\n`);
    const files = chosen.map((s) => relative(ROOT, join(import.meta.dirname, `${s}.lab.ts`)));
    runner = spawn(
      'ip',
      ['netns', 'exec', lab.ns('noc'), process.execPath, '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
      { cwd: ROOT, stdio: 'inherit', detached: true, env: { ...process.env, TMPDIR: scenarioTmp, [LAB_ID_ENV]: lab.id, [LAB_RESULTS_ENV]: resultsFile } },
    );
    const child = runner;
    const timeoutMs = Number(values.timeout) * 1000;
    const timer = setTimeout(() => {
      process.stderr.write(`lab: the scenarios did not finish within ${values.timeout} s; stopping them\n`);
      if (child.pid !== undefined) signal(-child.pid, 'SIGTERM');
      setTimeout(killRunner, 5000).unref();
    }, timeoutMs);
    exitCode = await new Promise<number>((resolve) => child.on('exit', (code, sig) => resolve(code ?? (sig === null ? 1 : 128))));
    clearTimeout(timer);
  } finally {
    killRunner();
    const left = await stopLeftovers(lab);
    if (left > 0) process.stderr.write(`lab: stopped ${left} process(es) still running in the lab\n`);
    await lab.destroy();
    built = undefined;
    process.off('exit', killAll);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const results = existsSync(resultsFile)
    ? readFileSync(resultsFile, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as LabResult)
    : [];
  rmSync(workDir, { recursive: true, force: true });
  printSummary(results, exitCode, (performance.now() - started) / 1000);
  return exitCode;
}

process.exitCode = await main();
