/**
 * The customer's unblock request for a Blocking ID: the form must be filled in completely
 * (what caused it, what was done, confirmation that the problem is solved); every missing
 * field is named. Staff approve (the lock is released everywhere) or reject with a message
 * (the lock stays). With self-service enabled, a first-time lock is released at once.
 */
import { DomainError, type FieldProblem, invalidInput, notFound } from '../errors.ts';
import type { Actor } from '../store/audit-repository.ts';
import type { CaseContext } from './case-context.ts';
import { notifyCustomer } from './lock-notices.ts';
import type { Lock, UnblockRequest } from './lock-types.ts';
import { releaseLock } from './release-lock.ts';

const MIN_TEXT = 20;
const MAX_TEXT = 10_000;

export interface UnblockRequestInput {
  cause?: unknown;
  measures?: unknown;
  confirmed?: unknown;
}

export function validateUnblockRequest(input: UnblockRequestInput): { cause: string; measures: string; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const text = (value: unknown, field: string, what: string): string => {
    const t = typeof value === 'string' ? value.trim() : '';
    if (t === '') problems.push({ field, message: `is required: ${what}` });
    else if (t.length < MIN_TEXT) problems.push({ field, message: `needs at least ${MIN_TEXT} characters: ${what}` });
    else if (t.length > MAX_TEXT) problems.push({ field, message: `must be at most ${MAX_TEXT} characters` });
    return t;
  };
  const cause = text(input.cause, 'cause', 'describe the cause you found');
  const measures = text(input.measures, 'measures', 'describe what you did to solve the problem');
  if (input.confirmed !== true && input.confirmed !== 'true' && input.confirmed !== 'on') {
    problems.push({ field: 'confirmed', message: 'is required: confirm that the problem is solved' });
  }
  return { cause, measures, problems };
}

export async function requestUnblock(ctx: CaseContext, blockingId: string, input: UnblockRequestInput, actor: Actor): Promise<{ lock: Lock; request: UnblockRequest }> {
  const { cause, measures, problems } = validateUnblockRequest(input);
  if (problems.length > 0) throw invalidInput(problems, 'the unblock request is incomplete');
  const lock = await ctx.locks.get(blockingId);
  if (lock === undefined) throw notFound('lock', blockingId);
  if (lock.state === 'unblock_requested') throw new DomainError('UNBLOCK_ALREADY_REQUESTED', 409, `an unblock request for ${blockingId} is already waiting for the abuse desk`);
  if (lock.state !== 'active') throw new DomainError('LOCK_NOT_ACTIVE', 409, `lock ${blockingId} is ${lock.state}; only an active lock can be unblocked`);
  const now = ctx.now();
  const result = await ctx.locks.transaction(async (trx) => {
    const updated = await ctx.locks.transition(blockingId, ['active'], 'unblock_requested', { atMs: now, actor, action: 'unblock_requested' }, trx);
    if (updated === undefined) throw new DomainError('CONFLICT', 409, `lock ${blockingId} changed meanwhile; reload and try again`);
    const request = await ctx.locks.insertUnblockRequest(
      { blockingId, createdAtMs: now, createdBy: `${actor.type}/${actor.id}`, cause, measures, confirmed: true, state: 'open', decidedBy: null, decidedAtMs: null, decisionMessage: '' },
      trx,
    );
    await ctx.audit.append({ actor, action: 'unblock_request.created', subjectType: 'lock', subjectId: blockingId, details: { request: request.id } }, trx);
    return { lock: updated, request };
  });
  await notifyCustomer(ctx, 'unblock_received', result.lock);
  const selfService =
    ctx.config.selfServiceUnblock && !lock.requiresApproval && lock.source === 'detection' && !lock.reason.startsWith('abuse_') && lock.reason !== 'non_payment';
  if (selfService) {
    const released = await releaseLock(ctx, blockingId, { type: 'system', id: 'self-service' }, 'first lock of this server: released on a complete unblock request', 'staff');
    return { lock: released, request: { ...result.request, state: 'approved' } };
  }
  return result;
}

export async function decideUnblockRequest(
  ctx: CaseContext,
  requestId: number,
  decision: unknown,
  message: unknown,
  actor: Actor,
): Promise<{ lock: Lock; request: UnblockRequest }> {
  const text = typeof message === 'string' ? message.trim() : '';
  const problems: FieldProblem[] = [];
  if (decision !== 'approve' && decision !== 'reject') problems.push({ field: 'decision', message: 'must be "approve" or "reject"' });
  if (decision === 'reject' && text.length < 10) problems.push({ field: 'message', message: 'tell the customer why (at least 10 characters)' });
  if (problems.length > 0) throw invalidInput(problems);
  const request = await ctx.locks.unblockRequest(requestId);
  if (request === undefined) throw notFound('unblock request', String(requestId));
  if (request.state !== 'open') throw new DomainError('REQUEST_DECIDED', 409, `unblock request ${requestId} was already ${request.state}`);
  if (decision === 'approve') {
    const lock = await releaseLock(ctx, request.blockingId, actor, text, 'staff');
    return { lock, request: { ...request, state: 'approved', decidedBy: `${actor.type}/${actor.id}`, decisionMessage: text } };
  }
  const now = ctx.now();
  const lock = await ctx.locks.transaction(async (trx) => {
    if (!(await ctx.locks.decideUnblockRequest(requestId, 'rejected', `${actor.type}/${actor.id}`, now, text, trx))) {
      throw new DomainError('REQUEST_DECIDED', 409, `unblock request ${requestId} was decided meanwhile`);
    }
    const updated = await ctx.locks.transition(request.blockingId, ['unblock_requested'], 'active', { atMs: now, actor, action: 'unblock_rejected', message: text }, trx);
    if (updated === undefined) throw new DomainError('CONFLICT', 409, `lock ${request.blockingId} changed meanwhile; reload and try again`);
    await ctx.audit.append({ actor, action: 'unblock_request.rejected', subjectType: 'lock', subjectId: request.blockingId, details: { request: requestId, message: text } }, trx);
    return updated;
  });
  await notifyCustomer(ctx, 'rejected', lock, text);
  return { lock, request: { ...request, state: 'rejected', decidedBy: `${actor.type}/${actor.id}`, decisionMessage: text } };
}
