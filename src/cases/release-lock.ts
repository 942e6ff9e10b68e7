/**
 * Releasing a lock: the abuse desk releases any open lock; the billing system only its
 * own kind (non-payment), on payment. A repeat offender's lock needs staff.
 */
import { DomainError, notFound } from '../errors.ts';
import type { Actor } from '../store/audit-repository.ts';
import type { CaseContext } from './case-context.ts';
import { notifyCustomer } from './lock-notices.ts';
import { BILLING_REASONS, type Lock, OPEN_STATES } from './lock-types.ts';

export async function releaseLock(ctx: CaseContext, blockingId: string, actor: Actor, message: string, as: 'staff' | 'billing'): Promise<Lock> {
  const lock = await ctx.locks.get(blockingId);
  if (lock === undefined) throw notFound('lock', blockingId);
  if (as === 'billing' && !BILLING_REASONS.includes(lock.reason)) {
    throw new DomainError('FORBIDDEN', 403, `billing may release only ${BILLING_REASONS.join(', ')} locks; ${blockingId} is ${lock.reason}`);
  }
  if (!OPEN_STATES.includes(lock.state)) throw new DomainError('LOCK_NOT_OPEN', 409, `lock ${blockingId} is ${lock.state}`);
  const now = ctx.now();
  const released = await ctx.locks.transaction(async (trx) => {
    const next = lock.state === 'review' ? 'dismissed' : 'released';
    const updated = await ctx.locks.transition(blockingId, OPEN_STATES, next, { atMs: now, actor, action: as === 'billing' ? 'released_on_payment' : 'released', message }, trx, {
      releasedAtMs: now,
    });
    if (updated === undefined) throw new DomainError('CONFLICT', 409, `lock ${blockingId} changed meanwhile; reload and try again`);
    for (const request of await ctx.locks.unblockRequests({ blockingId, state: 'open' }, trx)) {
      await ctx.locks.decideUnblockRequest(request.id, 'approved', `${actor.type}/${actor.id}`, now, message, trx);
    }
    await ctx.audit.append({ actor, action: `lock.${next}`, subjectType: 'lock', subjectId: blockingId, details: { message, previousState: lock.state } }, trx);
    return updated;
  });
  ctx.enforcement.trigger();
  if (released.state === 'released') await notifyCustomer(ctx, 'released', released, message);
  return released;
}
