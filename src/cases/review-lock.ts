/** Staff confirm a lock that policy queued for review (it takes effect), or dismiss it. */
import { DomainError, invalidInput, notFound } from '../errors.ts';
import type { Actor } from '../store/audit-repository.ts';
import type { CaseContext } from './case-context.ts';
import { notifyCustomer } from './lock-notices.ts';
import type { Lock } from './lock-types.ts';

export async function reviewLock(ctx: CaseContext, blockingId: string, decision: unknown, message: string, actor: Actor): Promise<Lock> {
  if (decision !== 'confirm' && decision !== 'dismiss') throw invalidInput([{ field: 'decision', message: 'must be "confirm" or "dismiss"' }]);
  const lock = await ctx.locks.get(blockingId);
  if (lock === undefined) throw notFound('lock', blockingId);
  if (lock.state !== 'review') throw new DomainError('LOCK_NOT_IN_REVIEW', 409, `lock ${blockingId} is ${lock.state}, not waiting for review`);
  const now = ctx.now();
  const to = decision === 'confirm' ? 'active' : 'dismissed';
  const updated = await ctx.locks.transaction(async (trx) => {
    const next = await ctx.locks.transition(blockingId, ['review'], to, { atMs: now, actor, action: decision === 'confirm' ? 'confirmed' : 'dismissed', message }, trx, {
      ...(to === 'dismissed' ? { releasedAtMs: now } : {}),
    });
    if (next === undefined) throw new DomainError('CONFLICT', 409, `lock ${blockingId} changed meanwhile; reload and try again`);
    await ctx.audit.append({ actor, action: `lock.review_${decision}ed`.replace('confirmed', 'confirmed'), subjectType: 'lock', subjectId: blockingId, details: { message } }, trx);
    return next;
  });
  if (to === 'active') {
    ctx.enforcement.trigger();
    await notifyCustomer(ctx, 'locked', updated);
  }
  return updated;
}
