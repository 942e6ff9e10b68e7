/** The bench's handle on the sender process (udp-sender.ts): start, build a pool, send steps, stop. */
import { type ChildProcess, fork } from 'node:child_process';
import type { TrafficKind } from './traffic-pool.ts';
import type { SendReport, SenderCommand, SenderReply } from './udp-sender.ts';

export interface PoolInfo {
  datagrams: number;
  flowsPerDatagram: number;
  bytesPerDatagram: number;
  exporters: number;
}

export class SenderProcess {
  readonly #child: ChildProcess;
  #exited = false;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.once('exit', () => {
      this.#exited = true;
    });
  }

  static start(): SenderProcess {
    const child = fork(new URL('./udp-sender.ts', import.meta.url), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new SenderProcess(child);
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  #request(command: SenderCommand, timeoutMs: number): Promise<SenderReply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`sender: no reply to ${command.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      const onMessage = (message: SenderReply) => {
        cleanup();
        if (message.type === 'failed') reject(new Error(`sender: ${message.message}`));
        else resolve(message);
      };
      const onExit = () => {
        cleanup();
        reject(new Error('sender exited'));
      };
      const cleanup = () => {
        clearTimeout(timer);
        this.#child.off('message', onMessage);
        this.#child.off('exit', onExit);
      };
      this.#child.on('message', onMessage);
      this.#child.once('exit', onExit);
      this.#child.send(command);
    });
  }

  async build(kind: TrafficKind, exporters: number, datagramsPerExporter: number, seed: number): Promise<PoolInfo> {
    const reply = await this.#request({ type: 'build', kind, exporters, datagramsPerExporter, seed }, 60_000);
    if (reply.type !== 'built') throw new Error(`sender: unexpected reply ${reply.type}`);
    return reply;
  }

  async send(port: number, rate: number, seconds: number): Promise<SendReport> {
    const reply = await this.#request({ type: 'send', port, rate, seconds }, seconds * 1000 + 30_000);
    if (reply.type !== 'sent') throw new Error(`sender: unexpected reply ${reply.type}`);
    return reply.report;
  }

  async stop(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.send({ type: 'exit' } satisfies SenderCommand);
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }

  /** Last resort when the bench itself is exiting: kill by PID, synchronously. */
  killNow(): void {
    if (!this.#exited) this.#child.kill('SIGKILL');
  }
}
