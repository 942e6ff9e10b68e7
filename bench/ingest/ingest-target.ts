/**
 * One collector implementation under test, listening on 127.0.0.1:port for one protocol.
 * A step is: beginStep, the sender sends, settle (wait until everything sent has been
 * processed or lost; the process is still running, so the bench reads its CPU and memory
 * then), collect (the step's counts; may stop a per-step process).
 */
export interface StepCounts {
  /** Export datagrams the implementation says it received; null when it does not say. */
  datagrams: number | null;
  /** Flow records (or sFlow samples) it received and decoded. */
  flows: number;
  /** Receive-queue drops the kernel counted on its socket(s) during the step. */
  kernelDrops: number;
  /** Datagrams or records it failed to decode. */
  decodeErrors: number;
}

export interface IngestTarget {
  /** "netwarden", "nfcapd", "sfcapd", "fastnetmon". */
  readonly implementation: string;
  readonly port: number;
  /** How it was configured, one line, for the report. */
  readonly setup: string;
  start(): Promise<void>;
  beginStep(): Promise<void>;
  /** PID of the process doing the work now (for CPU and memory). */
  pid(): number;
  settle(expected: { datagrams: number; flows: number }): Promise<void>;
  collect(): Promise<StepCounts>;
  stop(): Promise<void>;
  /** Synchronous last resort when the bench is exiting: kill by PID. */
  killNow(): void;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `done` every `everyMs` until it is true or `timeoutMs` passes; returns whether it became true. */
export async function waitFor(done: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    if (await done()) return true;
    if (performance.now() >= end) return false;
    await sleep(everyMs);
  }
}
