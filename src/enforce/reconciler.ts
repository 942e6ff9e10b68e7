/**
 * Keeps every gateway enforcing exactly what the database says. The database is the
 * truth: a run reads the desired entries, groups them by gateway and, per gateway, reads
 * back what is enforced, applies when it differs and reads back again to verify.
 *
 * Runs happen at start, after `trigger()` (debounced, so a burst of lock changes is one
 * apply), and every `reconcileSeconds` (which is what repairs drift: a rule deleted by
 * hand, a rebooted gateway). Each gateway has its own worker, so a slow or unreachable
 * gateway delays only itself; a failed sync is retried with exponential backoff using the
 * newest entries, counted in metrics and shown in `status()`.
 *
 * There is no local state to lose: after a crash the next start compares and applies the
 * whole desired state again, and every adapter's apply is a full-state replacement, so a
 * lock ends up enforced exactly once.
 */
import type { Registry } from 'prom-client';
import type { Logger } from '../logger.ts';
import type { Component } from '../services/component.ts';
import { EnforceError } from './enforce-error.ts';
import { type EnforcedState, type Enforcer, type EnforcerKind, stateDifferences } from './enforcer.ts';
import type { EnforcementEntry } from './enforcement-entry.ts';
import { entryProblems } from './entry-targets.ts';
import { type ApplyResult, ReconcilerMetrics } from './reconciler-metrics.ts';

export interface ReconcilerOptions {
  /** The desired entries of all gateways, from the database. */
  desired(): Promise<EnforcementEntry[]>;
  enforcerFor(gateway: string): Enforcer;
  /** Gateways synced even when no entry names them (the configured ones), so unlocking the last lock clears them. */
  gateways: readonly string[];
  reconcileSeconds: number;
  debounceMs: number;
  retryInitialMs: number;
  retryMaxMs: number;
  registry: Registry;
  logger: Logger;
  now?: () => number;
}

export interface RejectedEntry {
  blockingId: string;
  serverId: string;
  problems: string[];
}

export interface GatewayStatus {
  gateway: string;
  adapter: EnforcerKind;
  /** False for a gateway named by servers but missing from the configuration (it runs dry-run). */
  configured: boolean;
  /** Entries of the last sync attempt. */
  entries: number;
  /** True when the last sync succeeded and nothing failed since. */
  inSync: boolean;
  lastAttemptAt: number | null;
  lastSuccessAt: number | null;
  /** Last time an apply changed the gateway. */
  lastChangeAt: number | null;
  lastError: { at: number; code: string; message: string } | null;
  consecutiveFailures: number;
  nextRetryAt: number | null;
  drifts: number;
  /** Entries that could not be enforced at all; they need a fix in the database. */
  rejected: RejectedEntry[];
}

export interface ReconcilerStatus {
  lastRunAt: number | null;
  /** Set while the desired state cannot be read. */
  desiredError: { at: number; message: string } | null;
  gateways: GatewayStatus[];
}

interface GatewayWorker {
  status: GatewayStatus;
  /** Entries waiting to be synced (the newest wins). */
  pending: EnforcementEntry[] | null;
  busy: Promise<void> | null;
  retryTimer: NodeJS.Timeout | null;
  /** Canonical text of the state last applied successfully, to tell drift from change. */
  appliedState: string | null;
}

export class Reconciler implements Component {
  readonly name = 'enforce-reconciler';
  readonly #options: ReconcilerOptions;
  readonly #metrics: ReconcilerMetrics;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #workers = new Map<string, GatewayWorker>();
  readonly #configured: Set<string>;
  #cycle: Promise<void> | null = null;
  #again = false;
  #debounceTimer: NodeJS.Timeout | null = null;
  #periodicTimer: NodeJS.Timeout | null = null;
  #desiredRetryTimer: NodeJS.Timeout | null = null;
  #desiredFailures = 0;
  #desiredError: ReconcilerStatus['desiredError'] = null;
  #lastRunAt: number | null = null;
  #rejectedSignature = '';
  #stopped = true;

  constructor(options: ReconcilerOptions) {
    this.#options = options;
    this.#metrics = new ReconcilerMetrics(options.registry);
    this.#logger = options.logger.child({ component: 'enforce' });
    this.#now = options.now ?? Date.now;
    this.#configured = new Set(options.gateways);
  }

  async start(): Promise<void> {
    this.#stopped = false;
    await this.reconcileNow();
    this.#periodicTimer = setInterval(() => void this.#kick(), this.#options.reconcileSeconds * 1000);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of [this.#debounceTimer, this.#desiredRetryTimer]) if (timer !== null) clearTimeout(timer);
    if (this.#periodicTimer !== null) clearInterval(this.#periodicTimer);
    this.#debounceTimer = this.#desiredRetryTimer = this.#periodicTimer = null;
    for (const worker of this.#workers.values()) {
      if (worker.retryTimer !== null) clearTimeout(worker.retryTimer);
      worker.retryTimer = null;
      worker.pending = null;
    }
    await this.#cycle;
    await Promise.all([...this.#workers.values()].map((w) => w.busy));
  }

  /** A lock or static IP changed: sync soon (changes within the debounce window are applied together). */
  trigger(): void {
    if (this.#stopped || this.#debounceTimer !== null) return;
    this.#debounceTimer = setTimeout(() => {
      this.#debounceTimer = null;
      void this.#kick();
    }, this.#options.debounceMs);
  }

  /** Runs a full cycle now and resolves when every gateway not waiting for a retry is synced. */
  async reconcileNow(): Promise<void> {
    await this.#kick();
    await Promise.all([...this.#workers.values()].map((w) => w.busy));
  }

  status(): ReconcilerStatus {
    return {
      lastRunAt: this.#lastRunAt,
      desiredError: this.#desiredError === null ? null : { ...this.#desiredError },
      gateways: [...this.#workers.values()]
        .map((w) => structuredClone(w.status))
        .sort((a, b) => a.gateway.localeCompare(b.gateway)),
    };
  }

  /** Starts a cycle, or asks the running one to go again once it is done. */
  #kick(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#cycle !== null) {
      this.#again = true;
      return this.#cycle;
    }
    this.#cycle = (async () => {
      do {
        this.#again = false;
        await this.#runCycle();
      } while (this.#again && !this.#stopped);
    })().finally(() => {
      this.#cycle = null;
    });
    return this.#cycle;
  }

  async #runCycle(): Promise<void> {
    let entries: EnforcementEntry[];
    try {
      entries = await this.#options.desired();
    } catch (error) {
      this.#desiredFailed(error);
      return;
    }
    this.#desiredFailures = 0;
    this.#desiredError = null;
    this.#lastRunAt = this.#now();

    const byGateway = new Map<string, EnforcementEntry[]>();
    const rejected = new Map<string, RejectedEntry[]>();
    for (const entry of entries) {
      const problems = entryProblems(entry);
      const gateway = typeof entry.gateway === 'string' && entry.gateway !== '' ? entry.gateway : '(none)';
      const list = problems.length === 0 ? byGateway : null;
      if (list !== null) {
        const group = list.get(gateway);
        if (group === undefined) list.set(gateway, [entry]);
        else group.push(entry);
      } else {
        const group = rejected.get(gateway) ?? [];
        group.push({ blockingId: entry.blockingId, serverId: entry.serverId, problems });
        rejected.set(gateway, group);
      }
    }
    this.#reportRejected(rejected);

    const gateways = new Set([...this.#configured, ...byGateway.keys(), ...rejected.keys(), ...this.#workers.keys()]);
    for (const gateway of gateways) {
      const worker = this.#worker(gateway);
      worker.status.rejected = rejected.get(gateway) ?? [];
      this.#metrics.invalidEntries.set({ gateway }, worker.status.rejected.length);
      if (gateway === '(none)') continue;
      this.#submit(worker, byGateway.get(gateway) ?? []);
    }
  }

  #desiredFailed(error: unknown): void {
    this.#desiredFailures++;
    this.#metrics.desiredFailures.inc();
    const message = (error as Error).message ?? String(error);
    this.#desiredError = { at: this.#now(), message };
    const delay = this.#backoff(this.#desiredFailures);
    this.#logger.error({ err: error, retryInMs: delay }, 'cannot read the desired enforcement state');
    if (!this.#stopped && this.#desiredRetryTimer === null) {
      this.#desiredRetryTimer = setTimeout(() => {
        this.#desiredRetryTimer = null;
        void this.#kick();
      }, delay);
    }
  }

  #reportRejected(rejected: Map<string, RejectedEntry[]>): void {
    const all = [...rejected.values()].flat();
    const signature = JSON.stringify(all);
    // Every run sees the same bad rows until someone fixes them: log when the set changes.
    if (signature !== this.#rejectedSignature && all.length > 0) {
      this.#logger.error({ rejected: all }, 'desired entries refused; they are not enforced anywhere');
    }
    this.#rejectedSignature = signature;
  }

  #worker(gateway: string): GatewayWorker {
    let worker = this.#workers.get(gateway);
    if (worker === undefined) {
      const configured = this.#configured.has(gateway);
      const adapter: EnforcerKind = gateway === '(none)' ? 'dry-run' : this.#options.enforcerFor(gateway).kind;
      if (!configured && gateway !== '(none)') {
        this.#logger.warn({ gateway, adapter }, 'locks name a gateway missing from the configuration');
      }
      worker = {
        status: {
          gateway,
          adapter,
          configured,
          entries: 0,
          inSync: false,
          lastAttemptAt: null,
          lastSuccessAt: null,
          lastChangeAt: null,
          lastError: null,
          consecutiveFailures: 0,
          nextRetryAt: null,
          drifts: 0,
          rejected: [],
        },
        pending: null,
        busy: null,
        retryTimer: null,
        appliedState: null,
      };
      this.#workers.set(gateway, worker);
    }
    return worker;
  }

  #submit(worker: GatewayWorker, entries: EnforcementEntry[]): void {
    worker.pending = entries;
    // While a retry is scheduled the worker waits for it; it will take these newest entries.
    if (worker.retryTimer !== null || worker.busy !== null) return;
    worker.busy = this.#drain(worker).finally(() => {
      worker.busy = null;
    });
  }

  async #drain(worker: GatewayWorker): Promise<void> {
    while (worker.pending !== null && !this.#stopped) {
      const entries = worker.pending;
      worker.pending = null;
      const ok = await this.#sync(worker, entries);
      if (!ok) {
        // Keep the entries for the retry unless newer ones arrived meanwhile.
        worker.pending ??= entries;
        this.#scheduleRetry(worker);
        return;
      }
    }
  }

  #scheduleRetry(worker: GatewayWorker): void {
    if (this.#stopped) return;
    const delay = this.#backoff(worker.status.consecutiveFailures);
    worker.status.nextRetryAt = this.#now() + delay;
    worker.retryTimer = setTimeout(() => {
      worker.retryTimer = null;
      worker.status.nextRetryAt = null;
      if (worker.pending !== null) this.#submit(worker, worker.pending);
    }, delay);
  }

  #backoff(failures: number): number {
    return Math.min(this.#options.retryMaxMs, this.#options.retryInitialMs * 2 ** Math.max(0, failures - 1));
  }

  /** One gateway: compare, apply when different, verify. Returns false on failure. */
  async #sync(worker: GatewayWorker, entries: EnforcementEntry[]): Promise<boolean> {
    const { gateway } = worker.status;
    const enforcer = this.#options.enforcerFor(gateway);
    const stopTimer = this.#metrics.applySeconds.startTimer({ gateway });
    const status = worker.status;
    status.lastAttemptAt = this.#now();
    status.entries = entries.length;
    let result: ApplyResult = 'error';
    try {
      const expected = enforcer.expected(entries);
      const wanted = canonicalText(expected);
      const before = await enforcer.current();
      const differences = stateDifferences(expected, before);
      if (differences.length === 0) {
        result = 'unchanged';
      } else {
        const drifted = worker.appliedState === wanted;
        if (drifted) {
          status.drifts++;
          this.#metrics.driftTotal.inc({ gateway });
          this.#logger.warn({ gateway, differences }, 'gateway drifted from the applied state; re-applying');
        }
        await enforcer.apply(entries);
        const after = await enforcer.current();
        const remaining = stateDifferences(expected, after);
        if (remaining.length > 0) {
          throw new EnforceError('GATEWAY_STATE_MISMATCH', `after apply the gateway still differs: ${remaining.join('; ')}`);
        }
        result = drifted ? 'repaired' : 'applied';
        status.lastChangeAt = this.#now();
        this.#logger.info({ gateway, adapter: enforcer.kind, entries: entries.length, locked: expected.locked.length, differences }, 'gateway synced');
      }
      worker.appliedState = wanted;
      status.inSync = true;
      status.lastSuccessAt = this.#now();
      status.consecutiveFailures = 0;
      status.lastError = null;
      this.#metrics.entries.set({ gateway }, entries.length);
      this.#metrics.lastSuccess.set({ gateway }, status.lastSuccessAt / 1000);
      this.#metrics.consecutiveFailures.set({ gateway }, 0);
      return true;
    } catch (error) {
      status.inSync = false;
      status.consecutiveFailures++;
      const code = error instanceof EnforceError ? error.code : 'INTERNAL';
      status.lastError = { at: this.#now(), code, message: (error as Error).message };
      this.#metrics.consecutiveFailures.set({ gateway }, status.consecutiveFailures);
      this.#logger.error(
        { gateway, adapter: enforcer.kind, code, err: error, failures: status.consecutiveFailures, retryInMs: this.#backoff(status.consecutiveFailures) },
        'gateway sync failed',
      );
      return false;
    } finally {
      this.#metrics.applyTotal.inc({ gateway, result });
      stopTimer();
    }
  }
}

function canonicalText(state: EnforcedState): string {
  return JSON.stringify([state.locked, state.allowed]);
}
