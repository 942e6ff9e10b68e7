/**
 * nfdump's collectors as bench targets: nfcapd (NetFlow v5/v9/IPFIX) and sfcapd (sFlow,
 * Debian package nfdump-sflow), bound to 127.0.0.1 and writing flow files to a temporary
 * directory. A fresh process per step: on SIGTERM it flushes its file and prints its own
 * count of the flows it stored ("Ident: ... Flows: N"), which `nfdump -I` confirms.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type IngestTarget, type StepCounts, sleep, waitFor } from './ingest-target.ts';
import { udpPortStats } from './proc-stats.ts';

export interface NfdumpTargetOptions {
  binary: 'nfcapd' | 'sfcapd';
  port: number;
  /** -B: the socket receive buffer to ask for; undefined runs it with the system default. */
  receiveBufferBytes?: number;
}

const START_TIMEOUT_MS = 5000;
const SETTLE_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 30_000;

export function commandExists(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function nfdumpVersion(): string {
  try {
    return execFileSync('nfdump', ['-V'], { encoding: 'utf8' }).trim().replace(/^nfdump: /, '');
  } catch {
    return 'unknown';
  }
}

export class NfdumpTarget implements IngestTarget {
  readonly implementation: string;
  readonly port: number;
  readonly setup: string;
  readonly #options: NfdumpTargetOptions;
  #child: ChildProcess | undefined;
  #exited = true;
  #dir = '';
  #output = '';
  #dropsBefore = 0;
  #dropsAfter = 0;

  constructor(options: NfdumpTargetOptions) {
    this.#options = options;
    const buffer = options.receiveBufferBytes;
    this.implementation = buffer === undefined ? `${options.binary} (default SO_RCVBUF)` : options.binary;
    this.port = options.port;
    this.setup = `${options.binary} -b 127.0.0.1 ${buffer === undefined ? '(no -B: net.core.rmem_default)' : `-B ${buffer}`} (nfdump ${nfdumpVersion()}), flow files on disk, restarted per step`;
  }

  async start(): Promise<void> {}

  pid(): number {
    return this.#child?.pid ?? -1;
  }

  async beginStep(): Promise<void> {
    this.#dir = mkdtempSync(join(tmpdir(), `bench-${this.#options.binary}-`));
    this.#output = '';
    const args = ['-b', '127.0.0.1', '-p', String(this.port), '-w', this.#dir];
    if (this.#options.receiveBufferBytes !== undefined) args.push('-B', String(this.#options.receiveBufferBytes));
    const child = spawn(this.#options.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    this.#exited = false;
    // 'close', not 'exit': the summary it prints last must have been read.
    child.once('close', () => {
      this.#exited = true;
    });
    const keep = (chunk: Buffer) => {
      // Only the tail matters (the summary); keep memory bounded.
      this.#output = (this.#output + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const bound = await waitFor(() => this.#exited || udpPortStats(this.port).sockets > 0, START_TIMEOUT_MS, 20);
    if (!bound || this.#exited) {
      await this.#terminate();
      throw new Error(`${this.#options.binary} did not start: ${this.#output.trim().split('\n').slice(-3).join(' / ')}`);
    }
    this.#dropsBefore = udpPortStats(this.port).drops;
  }

  async settle(): Promise<void> {
    let emptyPolls = 0;
    await waitFor(
      () => {
        emptyPolls = udpPortStats(this.port).queued === 0 ? emptyPolls + 1 : 0;
        return emptyPolls >= 3;
      },
      SETTLE_TIMEOUT_MS,
      100,
    );
    // The socket closes with the process: read its drops now.
    this.#dropsAfter = udpPortStats(this.port).drops;
  }

  async collect(): Promise<StepCounts> {
    await this.#terminate();
    // One summary line per flow file: a file rotation during the step (every 5 minutes of
    // wall-clock time) adds one.
    const summaries = [...this.#output.matchAll(/Ident: '[^']*' Flows: (\d+)/g)];
    let flows = summaries.reduce((sum, m) => sum + Number(m[1]), 0);
    if (summaries.length === 0) {
      const stat = execFileSync('nfdump', ['-R', this.#dir, '-I'], { encoding: 'utf8' });
      flows = Number(/^Flows: (\d+)/m.exec(stat)?.[1] ?? 0);
    }
    const bad = [...this.#output.matchAll(/Bad Packets: (\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
    rmSync(this.#dir, { recursive: true, force: true });
    return { datagrams: null, flows, kernelDrops: this.#dropsAfter - this.#dropsBefore, decodeErrors: bad };
  }

  async #terminate(): Promise<void> {
    const child = this.#child;
    if (child === undefined || this.#exited) return;
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await Promise.race([exited, sleep(STOP_TIMEOUT_MS + 2000)]);
    clearTimeout(timer);
  }

  async stop(): Promise<void> {
    await this.#terminate();
    if (this.#dir !== '') rmSync(this.#dir, { recursive: true, force: true });
  }

  killNow(): void {
    if (this.#child !== undefined && !this.#exited) this.#child.kill('SIGKILL');
    if (this.#dir !== '') rmSync(this.#dir, { recursive: true, force: true });
  }
}
