/**
 * What every enforcement adapter (nftables, BGP blackhole, dry-run) offers for one
 * gateway: replace the whole enforced state with the desired one, and read back what the
 * gateway enforces now so the reconciler can see drift. Adapters compare states in one
 * canonical form, so "in sync" means the same thing for all of them.
 */
import type { EnforcementEntry } from './enforcement-entry.ts';

export type EnforcerKind = 'dry-run' | 'nftables' | 'bgp';

/** Enforced state in canonical form: sorted texts, comparable with `stateDifferences`. */
export interface EnforcedState {
  /** Locked prefixes (canonical CIDR). */
  locked: string[];
  /** Allowed pairs, `locked . allowed` (canonical CIDR each); empty when the adapter cannot let anything through. */
  allowed: string[];
  /**
   * Structural problems seen on the gateway: a missing or hand-edited rule, a table that
   * is not there. Always empty in an expected state.
   */
  problems: string[];
}

export interface Enforcer {
  readonly gateway: string;
  readonly kind: EnforcerKind;
  /**
   * Makes the gateway enforce exactly `entries` (all of this gateway's locks), replacing
   * whatever Netwarden enforced there before. Idempotent: applying the same entries
   * twice leaves the same state. Throws EnforceError when the gateway refuses.
   */
  apply(entries: readonly EnforcementEntry[]): Promise<void>;
  /** Reads back what the gateway enforces now. */
  current(): Promise<EnforcedState>;
  /** The state `current()` returns once `entries` are applied. */
  expected(entries: readonly EnforcementEntry[]): EnforcedState;
}

/** Human-readable differences, empty when `current` is what was `expected`. */
export function stateDifferences(expected: EnforcedState, current: EnforcedState, limit = 10): string[] {
  const out: string[] = [...current.problems];
  const diff = (what: string, want: string[], have: string[]) => {
    const haveSet = new Set(have);
    const wantSet = new Set(want);
    for (const item of want) if (!haveSet.has(item)) out.push(`missing ${what} ${item}`);
    for (const item of have) if (!wantSet.has(item)) out.push(`unexpected ${what} ${item}`);
  };
  diff('locked', expected.locked, current.locked);
  diff('allowed', expected.allowed, current.allowed);
  if (out.length > limit) return [...out.slice(0, limit), `and ${out.length - limit} more`];
  return out;
}
