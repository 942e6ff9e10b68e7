/** The rate search and the loss rule, against simulated collectors and senders. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type SearchOptions, searchLosslessRate } from './lossless-search.ts';
import { MAX_LOSS, type StepResult, stepLoss } from './run-step.ts';

const OPTIONS: SearchOptions = { startRate: 4000, minRate: 250, maxRate: 400_000, refineSteps: 3, maxSteps: 14, deadline: Number.POSITIVE_INFINITY, resolution: 1.08 };

/** A collector that loses what exceeds `capacity` datagrams/s, fed by a sender that tops out at `senderMax`. */
function simulated(capacity: number, senderMax = Number.POSITIVE_INFINITY): { step: (rate: number) => Promise<StepResult>; targets: number[] } {
  const targets: number[] = [];
  const step = async (rate: number): Promise<StepResult> => {
    targets.push(rate);
    const achieved = Math.min(rate, senderMax);
    const sent = achieved * 4;
    const received = Math.min(achieved, capacity) * 4;
    const counts = { datagrams: received, flows: received * 30, kernelDrops: sent - received, decodeErrors: 0 };
    const loss = stepLoss(sent, sent * 30, counts);
    return {
      targetRate: rate,
      achievedRate: achieved,
      sendSeconds: 4,
      sentDatagrams: sent,
      sentFlows: sent * 30,
      received: counts,
      loss,
      cpuPercent: 50,
      senderCpuPercent: 50,
      rssBytes: 1,
      peakRssBytes: 1,
      hostRcvbufErrors: 0,
      othersCpuPercent: 0,
      pass: loss < MAX_LOSS,
      senderLimited: achieved < rate * 0.97,
    };
  };
  return { step, targets };
}

describe('lossless rate search', () => {
  it('doubles to the first loss, then bisects to within the resolution', async () => {
    const sim = simulated(50_000);
    const r = await searchLosslessRate(sim.step, OPTIONS);
    assert.equal(r.end, 'loss');
    assert.deepEqual(sim.targets.slice(0, 6), [4000, 8000, 16000, 32000, 64000, 45255]);
    assert.ok(r.best !== null && r.best.achievedRate <= 50_000 && r.best.achievedRate > 50_000 / 1.1, `best ${r.best?.achievedRate}`);
    assert.ok(r.failed !== null && r.failed.targetRate > 50_000 && r.failed.targetRate < 64_000 * 1.01);
  });

  it('halves when the start rate already loses', async () => {
    const sim = simulated(1500);
    const r = await searchLosslessRate(sim.step, OPTIONS);
    assert.deepEqual(sim.targets.slice(0, 3), [4000, 2000, 1000]);
    assert.ok(r.best !== null && r.best.achievedRate <= 1500 && r.best.achievedRate >= 1000);
  });

  it('stops when the sender cannot get faster, reporting what it reached without loss', async () => {
    const sim = simulated(1_000_000, 100_000);
    const r = await searchLosslessRate(sim.step, OPTIONS);
    assert.equal(r.end, 'sender');
    assert.equal(r.best?.achievedRate, 100_000);
    assert.deepEqual(sim.targets, [4000, 8000, 16000, 32000, 64000, 128000, 256000]);
  });

  it('respects the step limit', async () => {
    const sim = simulated(1e9);
    const r = await searchLosslessRate(sim.step, { ...OPTIONS, maxSteps: 3 });
    assert.equal(r.end, 'steps');
    assert.equal(sim.targets.length, 3);
  });
});

describe('step loss', () => {
  it('is the worst of missing datagrams, missing records and kernel drops', () => {
    const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} ≠ ${expected}`);
    close(stepLoss(1000, 30_000, { datagrams: 1000, flows: 30_000, kernelDrops: 0, decodeErrors: 0 }), 0);
    close(stepLoss(1000, 30_000, { datagrams: 990, flows: 30_000, kernelDrops: 0, decodeErrors: 0 }), 0.01);
    close(stepLoss(1000, 30_000, { datagrams: null, flows: 29_700, kernelDrops: 2, decodeErrors: 0 }), 0.01);
    close(stepLoss(1000, 30_000, { datagrams: 1000, flows: 30_000, kernelDrops: 5, decodeErrors: 0 }), 0.005);
  });
});
