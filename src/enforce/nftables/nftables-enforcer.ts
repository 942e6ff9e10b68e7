/**
 * Locks on a Linux gateway with nftables: Netwarden's own table `inet <table>`, replaced
 * in one transaction per apply, read back with `nft -j` for drift detection.
 */
import { EnforceError } from '../enforce-error.ts';
import type { EnforcedState, Enforcer } from '../enforcer.ts';
import type { EnforcementEntry } from '../enforcement-entry.ts';
import type { CommandRunner } from '../gateway-command-runner.ts';
import { expectedNftState, nftBatch } from './nft-ruleset.ts';
import { missingTableState, parseNftTable } from './nft-state.ts';

export interface NftablesEnforcerOptions {
  gateway: string;
  runner: CommandRunner;
  /** Table name in family inet; Netwarden owns it entirely. */
  table: string;
}

export class NftablesEnforcer implements Enforcer {
  readonly gateway: string;
  readonly kind = 'nftables' as const;
  readonly #runner: CommandRunner;
  readonly #table: string;

  constructor(options: NftablesEnforcerOptions) {
    this.gateway = options.gateway;
    this.#runner = options.runner;
    this.#table = options.table;
  }

  async apply(entries: readonly EnforcementEntry[]): Promise<void> {
    await this.#runner.run(['nft', '-f', '-'], nftBatch(this.#table, entries));
  }

  async current(): Promise<EnforcedState> {
    const argv = ['nft', '-j', 'list', 'table', 'inet', this.#table];
    const result = await this.#runner.exec(argv);
    if (result.exitCode === 0) return parseNftTable(this.#table, result.stdout);
    if (/No such file or directory/.test(result.stderr)) return missingTableState(this.#table);
    // Anything else (no permission, nft missing on the gateway) is a failure to read, not an empty table.
    throw new EnforceError('GATEWAY_COMMAND_FAILED', `${argv.join(' ')} on ${this.#runner.target} exited with ${result.exitCode}: ${result.stderr.trim().split('\n')[0] ?? ''}`);
  }

  expected(entries: readonly EnforcementEntry[]): EnforcedState {
    return expectedNftState(entries);
  }
}
