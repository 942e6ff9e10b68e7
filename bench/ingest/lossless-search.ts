/**
 * Finds the highest rate an implementation takes with under 0.1 % loss: doubles the rate
 * from a start until a step fails (halves first if the start already fails), then narrows
 * the gap between the last passing and the first failing rate by geometric bisection.
 * Bounded in steps and time; stops early when the sender cannot get any faster.
 */
import type { StepResult } from './run-step.ts';

/** A sender-limited step that got less than this factor above the best so far ends the search. */
const SENDER_PROGRESS = 1.05;

export interface SearchOptions {
  startRate: number;
  minRate: number;
  maxRate: number;
  /** Bisection steps after the bracket is found. */
  refineSteps: number;
  maxSteps: number;
  /** performance.now() after which no new step starts. */
  deadline: number;
  /** Bisection stops when the failing rate is within this factor of the passing one. */
  resolution: number;
}

export type SearchEnd = 'loss' | 'sender' | 'max-rate' | 'min-rate' | 'steps' | 'deadline';

export interface SearchResult {
  /** The passing step with the highest achieved rate. */
  best: StepResult | null;
  /** The failing step with the lowest target rate. */
  failed: StepResult | null;
  steps: StepResult[];
  end: SearchEnd;
}

export async function searchLosslessRate(step: (rate: number) => Promise<StepResult>, o: SearchOptions): Promise<SearchResult> {
  const result: SearchResult = { best: null, failed: null, steps: [], end: 'loss' };
  const finish = (end: SearchEnd): SearchResult => {
    result.end = end;
    return result;
  };
  const blocked = (): SearchEnd | null => {
    if (result.steps.length >= o.maxSteps) return 'steps';
    if (performance.now() >= o.deadline) return 'deadline';
    return null;
  };
  const run = async (rate: number): Promise<StepResult> => {
    const r = await step(Math.round(rate));
    result.steps.push(r);
    if (r.pass && (result.best === null || r.achievedRate > result.best.achievedRate)) result.best = r;
    if (!r.pass && (result.failed === null || r.targetRate < result.failed.targetRate)) result.failed = r;
    return r;
  };

  // Bracket: up by doubling while passing, down by halving while failing.
  let rate = o.startRate;
  for (;;) {
    const stop = blocked();
    if (stop !== null) return finish(stop);
    const before = result.best?.achievedRate ?? 0;
    const r = await run(rate);
    if (r.pass) {
      // A sender that fell short may still get further when asked for more; stop once it does not.
      if (r.senderLimited && r.achievedRate < before * SENDER_PROGRESS) return finish('sender');
      if (result.failed !== null) break;
      if (rate >= o.maxRate) return finish('max-rate');
      rate = Math.min(rate * 2, o.maxRate);
    } else {
      if (result.best !== null) break;
      rate /= 2;
      if (rate < o.minRate) return finish('min-rate');
    }
  }

  for (let i = 0; i < o.refineSteps; i++) {
    const lo = result.best?.targetRate;
    const hi = result.failed?.targetRate;
    if (lo === undefined || hi === undefined || hi / lo <= o.resolution) break;
    const stop = blocked();
    if (stop !== null) return finish(stop);
    await run(Math.sqrt(lo * hi));
  }
  return finish('loss');
}
