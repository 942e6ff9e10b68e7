/** The reconciler against in-memory enforcers: when it applies, retries, repairs and reports. */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { EnforceError } from './enforce-error.ts';
import type { EnforcedState, Enforcer } from './enforcer.ts';
import type { EnforcementEntry } from './enforcement-entry.ts';
import { expectedNftState } from './nftables/nft-ruleset.ts';
import { Reconciler, type ReconcilerOptions } from './reconciler.ts';

class MemoryEnforcer implements Enforcer {
  readonly kind = 'nftables' as const;
  readonly gateway: string;
  state: EnforcedState = { locked: [], allowed: [], problems: ['table inet netwarden is missing'] };
  applied: EnforcementEntry[][] = [];
  failures = 0;
  constructor(gateway: string) {
    this.gateway = gateway;
  }
  async apply(entries: readonly EnforcementEntry[]): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw new EnforceError('GATEWAY_UNREACHABLE', `cannot reach ${this.gateway}`);
    }
    this.applied.push([...entries]);
    this.state = this.expected(entries);
  }
  async current(): Promise<EnforcedState> {
    return structuredClone(this.state);
  }
  expected(entries: readonly EnforcementEntry[]): EnforcedState {
    return expectedNftState(entries);
  }
}

const entry = (blockingId: string, gateway: string, address: string, allow: string[] = []): EnforcementEntry => ({
  blockingId,
  serverId: `S-${blockingId}`,
  gateway,
  addresses: [address],
  allow,
});

async function until(what: string, condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function metric(registry: Registry, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const found = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const value = (found?.values as Array<{ value: number; labels: Record<string, string | number> }> | undefined)?.find((v) =>
    Object.entries(labels).every(([k, l]) => v.labels[k] === l),
  );
  return value?.value;
}

describe('reconciler', () => {
  let reconciler: Reconciler | undefined;
  afterEach(async () => {
    await reconciler?.stop();
    reconciler = undefined;
  });

  function setup(overrides: Partial<ReconcilerOptions> = {}) {
    let desired: EnforcementEntry[] = [];
    let desiredCalls = 0;
    let desiredFailure: Error | null = null;
    const enforcers = new Map<string, MemoryEnforcer>();
    const registry = new Registry();
    reconciler = new Reconciler({
      desired: async () => {
        desiredCalls++;
        if (desiredFailure !== null) throw desiredFailure;
        return structuredClone(desired);
      },
      enforcerFor: (gateway) => {
        let enforcer = enforcers.get(gateway);
        if (enforcer === undefined) {
          enforcer = new MemoryEnforcer(gateway);
          enforcers.set(gateway, enforcer);
        }
        return enforcer;
      },
      gateways: ['gw-a'],
      reconcileSeconds: 3600,
      debounceMs: 30,
      retryInitialMs: 20,
      retryMaxMs: 80,
      registry,
      logger: pino({ level: 'silent' }),
      ...overrides,
    });
    const r = reconciler;
    const enforcer = (name: string) => {
      const found = enforcers.get(name);
      assert.ok(found, `no enforcer for ${name}`);
      return found;
    };
    return {
      r,
      registry,
      enforcer,
      setDesired: (entries: EnforcementEntry[]) => {
        desired = entries;
      },
      failDesired: (error: Error | null) => {
        desiredFailure = error;
      },
      desiredCalls: () => desiredCalls,
    };
  }

  it('applies at start, leaves an in-sync gateway alone, and clears a gateway whose last lock went', async () => {
    const t = setup();
    t.setDesired([entry('L-1', 'gw-a', '203.0.113.10/32', ['192.0.2.10/32']), entry('L-2', 'gw-b', '198.51.100.7/32')]);
    await t.r.start();
    assert.deepEqual(t.enforcer('gw-a').state.locked, ['203.0.113.10/32']);
    assert.deepEqual(t.enforcer('gw-a').state.allowed, ['203.0.113.10/32 . 192.0.2.10/32']);
    assert.deepEqual(t.enforcer('gw-b').state.locked, ['198.51.100.7/32']);

    await t.r.reconcileNow();
    assert.equal(t.enforcer('gw-a').applied.length, 1, 'no second apply when nothing changed');
    assert.equal(await metric(t.registry, 'netwarden_enforce_apply_total', { gateway: 'gw-a', result: 'unchanged' }), 1);

    t.setDesired([entry('L-1', 'gw-a', '203.0.113.10/32')]);
    await t.r.reconcileNow();
    assert.deepEqual(t.enforcer('gw-b').state.locked, [], 'gw-b is synced to empty although no entry names it now');
    assert.deepEqual(t.enforcer('gw-b').applied.at(-1), []);

    const status = t.r.status();
    assert.deepEqual(
      status.gateways.map((g) => [g.gateway, g.configured, g.entries, g.inSync, g.consecutiveFailures]),
      [
        ['gw-a', true, 1, true, 0],
        ['gw-b', false, 0, true, 0],
      ],
    );
    assert.equal(await metric(t.registry, 'netwarden_enforce_entries', { gateway: 'gw-a' }), 1);
    assert.ok(((await metric(t.registry, 'netwarden_enforce_last_success_timestamp_seconds', { gateway: 'gw-a' })) ?? 0) > Date.now() / 1000 - 60);
  });

  it('debounces a burst of triggers into one run', async () => {
    const t = setup();
    await t.r.start();
    const before = t.desiredCalls();
    t.setDesired([entry('L-1', 'gw-a', '203.0.113.10/32')]);
    for (let i = 0; i < 5; i++) t.r.trigger();
    await until('the triggered apply', () => t.enforcer('gw-a').state.locked.length === 1);
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(t.desiredCalls() - before, 1);
  });

  it('repairs drift on the periodic run and counts it', async () => {
    const t = setup({ reconcileSeconds: 1 });
    t.setDesired([entry('L-1', 'gw-a', '203.0.113.10/32')]);
    await t.r.start();
    // Someone deletes the element by hand.
    t.enforcer('gw-a').state = { locked: [], allowed: [], problems: [] };
    await until('the periodic repair', () => t.enforcer('gw-a').state.locked.length === 1, 3000);
    await until('the status update', () => t.r.status().gateways[0].drifts === 1);
    assert.equal(await metric(t.registry, 'netwarden_enforce_drift_total', { gateway: 'gw-a' }), 1);
    assert.equal(await metric(t.registry, 'netwarden_enforce_apply_total', { gateway: 'gw-a', result: 'repaired' }), 1);
  });

  it('retries a failing gateway with growing delays, shows the failure, and then applies the newest entries', async () => {
    const t = setup({ gateways: ['gw-a', 'gw-b'] });
    await t.r.start();
    t.enforcer('gw-a').failures = 3;
    t.setDesired([entry('L-1', 'gw-a', '203.0.113.10/32'), entry('L-2', 'gw-b', '198.51.100.7/32')]);
    const started = Date.now();
    await t.r.reconcileNow();
    assert.deepEqual(t.enforcer('gw-b').state.locked, ['198.51.100.7/32'], 'a failing gateway does not hold the others back');
    const failing = t.r.status().gateways.find((g) => g.gateway === 'gw-a');
    assert.equal(failing?.inSync, false);
    assert.equal(failing?.consecutiveFailures, 1);
    assert.deepEqual(failing?.lastError && { code: failing.lastError.code, message: failing.lastError.message }, { code: 'GATEWAY_UNREACHABLE', message: 'cannot reach gw-a' });
    assert.ok(failing?.nextRetryAt !== null && (failing?.nextRetryAt ?? 0) >= started + 20);

    // A change while the gateway waits for its retry is picked up by the retry.
    t.setDesired([entry('L-1', 'gw-a', '203.0.113.10/32'), entry('L-3', 'gw-a', '203.0.113.11/32')]);
    await t.r.reconcileNow();
    await until('the retries to succeed', () => t.enforcer('gw-a').state.locked.length === 2);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 20 + 40 + 80, `three backoffs (20, 40, 80 ms) took ${elapsed} ms`);
    assert.equal(await metric(t.registry, 'netwarden_enforce_apply_total', { gateway: 'gw-a', result: 'error' }), 3);
    const healed = t.r.status().gateways.find((g) => g.gateway === 'gw-a');
    assert.deepEqual([healed?.inSync, healed?.consecutiveFailures, healed?.lastError, healed?.nextRetryAt], [true, 0, null, null]);
  });

  it('refuses unusable entries visibly and still enforces the rest of the gateway', async () => {
    const t = setup();
    t.setDesired([
      entry('L-1', 'gw-a', '203.0.113.10/32'),
      entry('L-2', 'gw-a', '203.0.113.0/24x'),
      { ...entry('L-3', 'gw-a', '203.0.113.12'), allow: [] },
    ]);
    await t.r.start();
    assert.deepEqual(t.enforcer('gw-a').state.locked, ['203.0.113.10/32']);
    assert.deepEqual(
      t.r.status().gateways[0].rejected.map((r) => [r.blockingId, r.problems]),
      [
        ['L-2', ['addresses[0]: invalid prefix "203.0.113.0/24x": prefix length must be a decimal 0..32']],
        ['L-3', ['addresses[0]: "203.0.113.12" is not canonical (203.0.113.12/32)']],
      ],
    );
    assert.equal(await metric(t.registry, 'netwarden_enforce_invalid_entries', { gateway: 'gw-a' }), 2);
  });

  it('keeps trying when the database cannot be read, and reports it', async () => {
    const t = setup();
    t.failDesired(new Error('database is locked'));
    await t.r.start();
    assert.equal(t.r.status().desiredError?.message, 'database is locked');
    const calls = t.desiredCalls();
    t.setDesired([entry('L-1', 'gw-a', '203.0.113.10/32')]);
    t.failDesired(null);
    await until('the retry after the database came back', () => t.desiredCalls() > calls && t.r.status().desiredError === null);
    await until('the apply', () => t.enforcer('gw-a').state.locked.length === 1);
    assert.equal(await metric(t.registry, 'netwarden_enforce_desired_failures_total', {}), 1);
  });
});
