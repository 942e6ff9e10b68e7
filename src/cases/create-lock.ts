/**
 * Creates a lock record with its first history event and audit entry, in one
 * transaction; the caller then triggers enforcement and e-mail. Shared by every way a
 * lock comes to be (detection, staff, billing).
 */
import type { Transaction } from 'kysely';
import type { Incident } from '../detect/incident.ts';
import { conflict } from '../errors.ts';
import type { Actor } from '../store/audit-repository.ts';
import type { DatabaseSchema } from '../store/database-schema.ts';
import { newBlockingId } from './blocking-id.ts';
import type { CaseContext } from './case-context.ts';
import type { Lock, LockReason, LockSource, LockState } from './lock-types.ts';
import { renderLockLog } from './lock-log.ts';
import { notifyCustomer } from './lock-notices.ts';

export interface NewLock {
  serverId: string;
  reason: LockReason;
  scope: 'server' | 'addresses';
  addresses: string[];
  state: LockState;
  source: LockSource;
  statement: string;
  /** Loaded before the transaction (SQLite has one connection: no reads outside it meanwhile). */
  incidents: Incident[];
  /** Why the state is what it is (policy decision), for the history. */
  note: string;
}

/** Actor text stored on the lock row ("system/policy", "staff/alice", "billing/erp"). */
export function actorText(actor: Actor): string {
  return `${actor.type}/${actor.id}`;
}

export async function createLock(ctx: CaseContext, input: NewLock, actor: Actor, trx: Transaction<DatabaseSchema>): Promise<Lock> {
  const server = await ctx.inventory.getServer(input.serverId, trx);
  if (server === undefined) throw conflict(`server ${input.serverId} is not in the inventory`);
  const now = ctx.now();
  const since = now - ctx.config.repeatOffenderDays * 86_400_000;
  const previous = ctx.config.repeatOffenderDays > 0 ? await ctx.locks.countRecentLocks(input.serverId, since, trx) : 0;
  const lock: Lock = {
    blockingId: newBlockingId(ctx.config.blockingIdPrefix),
    serverId: server.id,
    customerId: server.customerId,
    reason: input.reason,
    scope: input.scope,
    addresses: input.scope === 'server' ? server.addresses : input.addresses,
    state: input.state,
    source: input.source,
    statement: input.statement,
    // Payment locks are released by payment, not judged as offences.
    requiresApproval: previous > 0 && input.reason !== 'non_payment',
    dryRun: ctx.config.dryRun,
    createdAtMs: now,
    createdBy: actorText(actor),
    updatedAtMs: now,
    releasedAtMs: null,
  };
  await ctx.locks.insert(lock, renderLockLog(lock, server.name, input.incidents, ctx.config.timeZone), trx);
  for (const incident of input.incidents) await ctx.locks.attachIncident(lock.blockingId, incident.id, trx);
  await ctx.locks.recordEvent(lock.blockingId, null, lock.state, { atMs: now, actor, action: 'created', message: input.note }, trx);
  await ctx.audit.append(
    {
      actor,
      action: `lock.${lock.state === 'active' ? 'created' : lock.state === 'review' ? 'queued_for_review' : 'notified'}`,
      subjectType: 'lock',
      subjectId: lock.blockingId,
      details: {
        serverId: lock.serverId,
        reason: lock.reason,
        scope: lock.scope,
        addresses: lock.addresses,
        incidents: input.incidents.map((i) => i.id),
        repeatOffender: lock.requiresApproval,
        dryRun: lock.dryRun,
        note: input.note,
      },
    },
    trx,
  );
  return lock;
}

/** After commit: enforce if the lock is enforced, tell the customer if it took effect. */
export async function afterLockCreated(ctx: CaseContext, lock: Lock): Promise<void> {
  if (!lock.dryRun && (lock.state === 'active' || lock.state === 'unblock_requested')) ctx.enforcement.trigger();
  if (lock.state === 'active') await notifyCustomer(ctx, 'locked', lock);
  // Notify-only policy: the customer is warned, with the log, and nothing is locked.
  else if (lock.state === 'notified') await notifyCustomer(ctx, 'warning', lock);
}
