/**
 * `netwarden lock ...` and `netwarden unblock ...`: the abuse desk's operations from a
 * shell, on the same store and through the same case operations as the API. Messages are
 * queued in the outbox (the running worker delivers them); the running reconciler applies
 * enforcement changes on its next pass.
 */
import { parseArgs } from 'node:util';
import type { Config } from '../config/config-schema.ts';
import { notFound } from '../errors.ts';
import { InventoryIndex } from '../inventory/inventory-index.ts';
import { InventoryService } from '../inventory/inventory-service.ts';
import { createLogger } from '../logger.ts';
import { createMetricsRegistry } from '../metrics.ts';
import { OutboxWorker } from '../notify/outbox-worker.ts';
import { createRepositories } from '../store/repositories.ts';
import { Store } from '../store/store.ts';
import type { CaseContext } from './case-context.ts';
import { createCaseContext } from './create-case-context.ts';
import type { Lock, LockState } from './lock-types.ts';
import { lockServer } from './lock-server.ts';
import { releaseLock } from './release-lock.ts';
import { reviewLock } from './review-lock.ts';
import { decideUnblockRequest } from './unblock-request.ts';

export const LOCK_USAGE = `  lock list [--server ID] [--state STATE]      locks, newest first
  lock show BLOCKING_ID                         a lock with its history and unblock requests
  lock log BLOCKING_ID                          the lock's log file, as e-mailed
  lock create --server ID --reason REASON [--statement TEXT] [--address A ...]
                                                lock a server (abuse, non_payment, ...)
  lock release BLOCKING_ID [--message TEXT]     release a lock
  lock review BLOCKING_ID confirm|dismiss [--message TEXT]
  unblock list [--state open|approved|rejected] unblock requests
  unblock decide REQUEST_ID approve|reject --message TEXT`;

function line(l: Lock): string {
  return [l.blockingId, l.state.padEnd(17), l.reason.padEnd(21), l.serverId.padEnd(12), new Date(l.createdAtMs).toISOString(), l.dryRun ? '(dry run)' : ''].join('  ').trimEnd();
}

async function withCases<T>(config: Config, work: (ctx: CaseContext) => Promise<T>): Promise<T> {
  const store = await Store.open({ url: config.database.url, poolSize: config.database.poolSize });
  try {
    const repos = createRepositories(store);
    const index = new InventoryIndex();
    await new InventoryService({ repository: repos.inventory, audit: repos.audit, index }).reloadIndex();
    const logger = createLogger('warn');
    const outbox = new OutboxWorker({ config: config.notify, outbox: repos.outbox, logger, metrics: createMetricsRegistry() });
    const ctx = createCaseContext({
      config,
      repositories: repos,
      index,
      logger,
      notifier: { enqueue: async (notice) => void (await outbox.enqueue(notice)) },
      onEnforcementChange: () => {},
    });
    return await work(ctx);
  } finally {
    await store.close();
  }
}

export async function lockCommand(config: Config, args: string[], out: (text: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      server: { type: 'string' },
      state: { type: 'string' },
      reason: { type: 'string' },
      statement: { type: 'string' },
      address: { type: 'string', multiple: true },
      message: { type: 'string' },
      config: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const operator = { type: 'staff', id: `cli:${process.env.USER ?? 'operator'}` };
  const [command, id, decision] = positionals;
  return withCases(config, async (ctx) => {
    switch (command) {
      case 'list': {
        const locks = await ctx.locks.list({ serverId: values.server, states: values.state === undefined ? undefined : [values.state as LockState], limit: 200 });
        for (const l of locks) out(line(l));
        if (locks.length === 0) out('no locks');
        return 0;
      }
      case 'show': {
        const lock = await ctx.locks.get(id ?? '');
        if (lock === undefined) throw notFound('lock', id ?? '');
        out(line(lock));
        out(`scope ${lock.scope}: ${lock.addresses.join(', ')}`);
        if (lock.statement !== '') out(`statement: ${lock.statement}`);
        for (const e of await ctx.locks.events(lock.blockingId)) {
          out(`  ${new Date(e.atMs).toISOString()}  ${(e.fromState ?? '-').padEnd(17)} -> ${e.toState.padEnd(17)} ${e.actor.type}/${e.actor.id}  ${e.action}${e.message ? `: ${e.message}` : ''}`);
        }
        for (const r of await ctx.locks.unblockRequests({ blockingId: lock.blockingId })) {
          out(`  unblock request ${r.id} (${r.state}) by ${r.createdBy}: cause: ${r.cause} / measures: ${r.measures}`);
        }
        return 0;
      }
      case 'log': {
        const log = await ctx.locks.logFile(id ?? '');
        if (log === undefined) throw notFound('lock', id ?? '');
        out(log.trimEnd());
        return 0;
      }
      case 'create': {
        const lock = await lockServer(ctx, { serverId: values.server, reason: values.reason, statement: values.statement, addresses: values.address }, operator, 'staff');
        out(`locked: ${line(lock)}`);
        return 0;
      }
      case 'release': {
        const lock = await releaseLock(ctx, id ?? '', operator, values.message ?? '', 'staff');
        out(`released: ${line(lock)}`);
        return 0;
      }
      case 'review': {
        const lock = await reviewLock(ctx, id ?? '', decision, values.message ?? '', operator);
        out(`${decision === 'confirm' ? 'confirmed' : 'dismissed'}: ${line(lock)}`);
        return 0;
      }
      default:
        throw new Error(`usage:\n${LOCK_USAGE}`);
    }
  });
}

export async function unblockCommand(config: Config, args: string[], out: (text: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { state: { type: 'string' }, message: { type: 'string' }, config: { type: 'string' } }, allowPositionals: true, strict: true });
  const operator = { type: 'staff', id: `cli:${process.env.USER ?? 'operator'}` };
  const [command, id, decision] = positionals;
  return withCases(config, async (ctx) => {
    if (command === 'list') {
      const requests = await ctx.locks.unblockRequests({ state: values.state as 'open' | undefined });
      for (const r of requests) out(`${String(r.id).padStart(6)}  ${r.blockingId}  ${r.state.padEnd(8)}  ${new Date(r.createdAtMs).toISOString()}  ${r.createdBy}`);
      if (requests.length === 0) out('no unblock requests');
      return 0;
    }
    if (command === 'decide') {
      const result = await decideUnblockRequest(ctx, Number(id), decision, values.message ?? '', operator);
      out(`${result.request.state}: ${line(result.lock)}`);
      return 0;
    }
    throw new Error(`usage:\n${LOCK_USAGE}`);
  });
}
