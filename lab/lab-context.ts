/**
 * What a scenario test file gets from `npm run lab` (lab/lab.ts): the namespaces it built
 * (the test process itself runs inside the NOC namespace) and a file to report measured
 * numbers to, which lab.ts prints as the summary.
 */
import { appendFileSync } from 'node:fs';
import { NetnsLab } from '../test/helpers/netns.ts';

export const LAB_ID_ENV = 'NETWARDEN_LAB_ID';
export const LAB_RESULTS_ENV = 'NETWARDEN_LAB_RESULTS';

/** One measured number of a scenario. */
export interface LabResult {
  scenario: string;
  /** The export protocol of the run, where it matters. */
  protocol?: string;
  name: string;
  value: number;
  unit: string;
}

/** The running lab's namespaces; only the processes started through it are stopped here. */
export function attachLab(): NetnsLab {
  const id = process.env[LAB_ID_ENV];
  if (id === undefined || id === '') {
    throw new Error(`${LAB_ID_ENV} is not set: run the lab with \`npm run lab\` (it builds the namespaces these tests use and runs them in the NOC namespace)`);
  }
  return new NetnsLab({ attach: id });
}

export function recordResult(result: LabResult): void {
  const file = process.env[LAB_RESULTS_ENV];
  if (file !== undefined && file !== '') appendFileSync(file, `${JSON.stringify(result)}\n`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` every `everyMs` until it returns a value, for at most `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
