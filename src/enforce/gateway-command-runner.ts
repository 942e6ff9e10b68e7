/**
 * Runs a command (nft, gobgp) where a gateway's configuration says: on this host, in a
 * network namespace of this host (tests and the lab), or over SSH with a key. Only the
 * argument vector travels; nothing is put through a local shell.
 */
import { spawn } from 'node:child_process';
import { EnforceError } from './enforce-error.ts';

export interface SshAccess {
  host: string;
  user: string;
  keyFile: string;
  port: number;
  /** known_hosts file to check the gateway's host key against; ssh's default when absent. */
  knownHostsFile?: string;
}

/** How Netwarden reaches a gateway. */
export type GatewayAccess = 'local' | { netns: string } | { ssh: SshAccess };

export interface CommandLine {
  file: string;
  args: string[];
}

export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** What adapters need from a gateway: run one command, optionally feeding it stdin. */
export interface CommandRunner {
  /** A short description for logs (`netns nwt-gw`, `ssh netwarden@192.0.2.1`). */
  readonly target: string;
  /** Runs and returns the result whatever the exit code; throws only when it could not run. */
  exec(argv: readonly string[], input?: string): Promise<CommandResult>;
  /** Runs and returns stdout; a non-zero exit throws GATEWAY_COMMAND_FAILED. */
  run(argv: readonly string[], input?: string): Promise<string>;
}

const PLAIN_WORD = /^[A-Za-z0-9_.:/@%+=,-]+$/;

/** POSIX shell quoting: ssh hands the remote command to the login shell as one string. */
export function shellQuote(word: string): string {
  return PLAIN_WORD.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

export function describeAccess(access: GatewayAccess): string {
  if (access === 'local') return 'local';
  if ('netns' in access) return `netns ${access.netns}`;
  return `ssh ${access.ssh.user}@${access.ssh.host}:${access.ssh.port}`;
}

/** The process to start for `argv` on the gateway; pure, so the construction is unit-tested. */
export function commandLine(access: GatewayAccess, argv: readonly string[], options: { sudo?: boolean; connectTimeoutSeconds?: number } = {}): CommandLine {
  if (argv.length === 0) throw new Error('empty command');
  const command = options.sudo === true ? ['sudo', '-n', ...argv] : [...argv];
  if (access === 'local') return { file: command[0], args: command.slice(1) };
  if ('netns' in access) return { file: 'ip', args: ['netns', 'exec', access.netns, ...command] };
  const ssh = access.ssh;
  const args = [
    '-i',
    ssh.keyFile,
    // Never prompt for a password or an unknown host key: a daemon has no one to ask.
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `ConnectTimeout=${options.connectTimeoutSeconds ?? 10}`,
    '-p',
    String(ssh.port),
  ];
  if (ssh.knownHostsFile !== undefined) args.push('-o', `UserKnownHostsFile=${ssh.knownHostsFile}`);
  args.push(`${ssh.user}@${ssh.host}`, '--', command.map(shellQuote).join(' '));
  return { file: 'ssh', args };
}

export interface GatewayCommandRunnerOptions {
  access: GatewayAccess;
  sudo?: boolean;
  timeoutMs: number;
}

/** Largest output kept; a listing bigger than this is a problem in itself. */
const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

export class GatewayCommandRunner implements CommandRunner {
  readonly target: string;
  readonly #options: GatewayCommandRunnerOptions;

  constructor(options: GatewayCommandRunnerOptions) {
    this.#options = options;
    this.target = describeAccess(options.access);
  }

  async run(argv: readonly string[], input?: string): Promise<string> {
    const result = await this.exec(argv, input);
    if (result.exitCode === 0) return result.stdout;
    // ssh exits 255 for its own failures (connection refused, host key, auth).
    const isSsh = typeof this.#options.access === 'object' && 'ssh' in this.#options.access;
    throw new EnforceError(
      isSsh && result.exitCode === 255 ? 'GATEWAY_UNREACHABLE' : 'GATEWAY_COMMAND_FAILED',
      `${argv.join(' ')} on ${this.target} exited with ${result.exitCode}: ${firstLines(result.stderr || result.stdout)}`,
    );
  }

  exec(argv: readonly string[], input?: string): Promise<CommandResult> {
    const line = commandLine(this.#options.access, argv, {
      sudo: this.#options.sudo,
      connectTimeoutSeconds: Math.max(1, Math.floor(this.#options.timeoutMs / 2000)),
    });
    const shown = `${argv.join(' ')} on ${this.target}`;
    return new Promise((resolve, reject) => {
      const child = spawn(line.file, line.args, { stdio: ['pipe', 'pipe', 'pipe'] });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let size = 0;
      let settled = false;
      const finish = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        outcome();
      };
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        finish(() => reject(new EnforceError('GATEWAY_TIMEOUT', `${shown} did not finish within ${this.#options.timeoutMs} ms`)));
      }, this.#options.timeoutMs);
      const collect = (into: Buffer[]) => (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_OUTPUT_BYTES) {
          child.kill('SIGKILL');
          finish(() => reject(new EnforceError('GATEWAY_OUTPUT_INVALID', `${shown} wrote more than ${MAX_OUTPUT_BYTES} bytes`)));
          return;
        }
        into.push(chunk);
      };
      child.stdout.on('data', collect(stdout));
      child.stderr.on('data', collect(stderr));
      child.on('error', (cause) => finish(() => reject(new EnforceError('GATEWAY_UNREACHABLE', `cannot run ${shown}: ${cause.message}`, { cause }))));
      child.on('close', (code, signal) =>
        finish(() =>
          resolve({
            stdout: Buffer.concat(stdout).toString('utf8'),
            stderr: Buffer.concat(stderr).toString('utf8'),
            exitCode: code ?? (signal === null ? -1 : 128),
          }),
        ),
      );
      // A command that exits before reading its input closes the pipe: that is its answer, not ours.
      child.stdin.on('error', () => {});
      child.stdin.end(input ?? '');
    });
  }
}

function firstLines(text: string, max = 3): string {
  const lines = text.trim().split('\n').filter((l) => l.trim() !== '');
  return lines.length === 0 ? '(no output)' : lines.slice(0, max).join(' | ');
}
