/**
 * One measurement step: the sender sends at a target rate for a bounded time to one
 * implementation; loss, CPU and memory are read from the implementation's own counters,
 * the kernel's socket drops, and /proc.
 */
import { availableParallelism } from 'node:os';
import { type IngestTarget, type StepCounts, sleep } from './ingest-target.ts';
import { machineCpuJiffies, processCpuSeconds, processMemory, udpHostCounters } from './proc-stats.ts';
import type { SenderProcess } from './sender-process.ts';

/** The requirement: under 0.1 % loss. */
export const MAX_LOSS = 0.001;
/** Below this share of the target rate the sender, not the collector, set the pace. */
const SENDER_SHORTFALL = 0.97;
const IDLE_WINDOW_MS = 300;
const IDLE_TIMEOUT_MS = 10_000;
const QUIET_TIMEOUT_MS = 4000;
const cpuCount = availableParallelism();

export interface StepResult {
  targetRate: number;
  /** Data datagrams per second the sender really sent. */
  achievedRate: number;
  sendSeconds: number;
  sentDatagrams: number;
  sentFlows: number;
  received: StepCounts;
  /** Largest of: datagrams not counted, flow records not counted, kernel drops (each over what was sent). */
  loss: number;
  /** CPU of the implementation's process(es), percent of one core, over the sending time. */
  cpuPercent: number;
  senderCpuPercent: number;
  rssBytes: number;
  peakRssBytes: number;
  /** Host-wide UDP RcvbufErrors during the step (other processes' sockets count too). */
  hostRcvbufErrors: number;
  /**
   * CPU that processes other than the implementation, the sender and the bench used during
   * the step (kernel work charged to no process included), percent of one core: the
   * machine is shared, and this says how busy it was.
   */
  othersCpuPercent: number;
  pass: boolean;
  senderLimited: boolean;
}

export function stepLoss(sentDatagrams: number, sentFlows: number, r: StepCounts): number {
  const losses = [1 - r.flows / sentFlows, r.kernelDrops / sentDatagrams];
  if (r.datagrams !== null) losses.push(1 - r.datagrams / sentDatagrams);
  return Math.max(0, ...losses);
}

/**
 * Waits until the process uses under 10 % of a core: after a step it could not keep up
 * with, it may still be working off queued work, which would be charged to the next step.
 */
async function waitUntilIdle(pid: number, timeoutMs: number): Promise<void> {
  const end = performance.now() + timeoutMs;
  let before = processCpuSeconds(pid);
  while (Number.isFinite(before) && performance.now() < end) {
    await sleep(IDLE_WINDOW_MS);
    const now = processCpuSeconds(pid);
    if (now - before < (IDLE_WINDOW_MS / 1000) * 0.1) return;
    before = now;
  }
}

/**
 * Waits a little for other users' work to pass (the machine is shared): until under 30 %
 * of a core is busy while the target and the sender are idle, or the time is up.
 */
async function waitForQuietMachine(timeoutMs: number): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    const before = machineCpuJiffies();
    await sleep(IDLE_WINDOW_MS);
    const after = machineCpuJiffies();
    if (((after.busy - before.busy) / (after.total - before.total)) * cpuCount < 0.3) return;
  }
}

export async function runStep(target: IngestTarget, sender: SenderProcess, rate: number, seconds: number): Promise<StepResult> {
  await target.beginStep();
  const pid = target.pid();
  await waitUntilIdle(pid, IDLE_TIMEOUT_MS);
  await waitForQuietMachine(QUIET_TIMEOUT_MS);
  const cpu0 = processCpuSeconds(pid);
  const host0 = udpHostCounters();
  const machine0 = machineCpuJiffies();
  const self0 = process.cpuUsage();
  const wall0 = performance.now();
  const sent = await sender.send(target.port, rate, seconds);
  await target.settle({ datagrams: sent.datagrams, flows: sent.flows });
  const cpu1 = processCpuSeconds(pid);
  const machine1 = machineCpuJiffies();
  const self = process.cpuUsage(self0);
  const wall = (performance.now() - wall0) / 1000;
  const machineBusySeconds = ((machine1.busy - machine0.busy) / (machine1.total - machine0.total)) * cpuCount * wall;
  const othersSeconds = machineBusySeconds - (cpu1 - cpu0) - sent.cpuSeconds - (self.user + self.system) / 1e6;
  const memory = processMemory(pid);
  const host1 = udpHostCounters();
  const received = await target.collect();
  const loss = stepLoss(sent.datagrams, sent.flows, received);
  return {
    targetRate: rate,
    achievedRate: sent.achievedRate,
    sendSeconds: sent.seconds,
    sentDatagrams: sent.datagrams,
    sentFlows: sent.flows,
    received,
    loss,
    cpuPercent: ((cpu1 - cpu0) / sent.seconds) * 100,
    senderCpuPercent: (sent.cpuSeconds / sent.seconds) * 100,
    rssBytes: memory.rss,
    peakRssBytes: memory.peak,
    hostRcvbufErrors: host1.rcvbufErrors - host0.rcvbufErrors,
    othersCpuPercent: Math.max(0, (othersSeconds / wall) * 100),
    pass: loss < MAX_LOSS && received.decodeErrors === 0,
    senderLimited: sent.achievedRate < rate * SENDER_SHORTFALL,
  };
}
