/**
 * The embedded default: logs what would be enforced and keeps it in memory, so a fresh
 * installation can run the whole lock workflow before it is allowed near a gateway.
 */
import type { Logger } from '../../logger.ts';
import { type EnforcedState, type Enforcer, stateDifferences } from '../enforcer.ts';
import type { EnforcementEntry } from '../enforcement-entry.ts';
import { expectedNftState } from '../nftables/nft-ruleset.ts';

export class DryRunEnforcer implements Enforcer {
  readonly gateway: string;
  readonly kind = 'dry-run' as const;
  readonly #logger: Logger;
  #state: EnforcedState = { locked: [], allowed: [], problems: [] };

  constructor(options: { gateway: string; logger: Logger }) {
    this.gateway = options.gateway;
    this.#logger = options.logger;
  }

  async apply(entries: readonly EnforcementEntry[]): Promise<void> {
    const next = this.expected(entries);
    this.#logger.info(
      {
        gateway: this.gateway,
        entries: entries.length,
        blockingIds: entries.map((e) => e.blockingId),
        locked: next.locked.length,
        allowed: next.allowed.length,
        changes: stateDifferences(this.#state, next, 20).map((d) => d.replace(/^missing /, 'remove ').replace(/^unexpected /, 'add ')),
      },
      'dry-run: would enforce',
    );
    this.#state = next;
  }

  async current(): Promise<EnforcedState> {
    return structuredClone(this.#state);
  }

  /** The same canonical form as nftables, so switching a gateway over changes nothing else. */
  expected(entries: readonly EnforcementEntry[]): EnforcedState {
    return expectedNftState(entries);
  }
}
