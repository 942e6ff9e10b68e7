/**
 * A customer's support request: a subject and a message, optionally about one of their
 * servers and one of their Blocking IDs. Naming another customer's server or lock is
 * answered as if it did not exist.
 */
import { customerMaySeeLock } from '../auth/policies.ts';
import { type FieldProblem, invalidInput, notFound } from '../errors.ts';
import type { Actor } from '../store/audit-repository.ts';
import type { PortalContext } from './portal-context.ts';
import type { SupportRequest } from './support-request.ts';

export interface SupportRequestInput {
  subject?: unknown;
  message?: unknown;
  serverId?: unknown;
  blockingId?: unknown;
}

const optionalId = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null);

export async function submitSupportRequest(ctx: PortalContext, customerId: string, input: SupportRequestInput, actor: Actor): Promise<SupportRequest> {
  const problems: FieldProblem[] = [];
  const subject = typeof input.subject === 'string' ? input.subject.trim() : '';
  const message = typeof input.message === 'string' ? input.message.trim() : '';
  if (subject === '') problems.push({ field: 'subject', message: 'is required' });
  else if (subject.length > 200) problems.push({ field: 'subject', message: 'must be at most 200 characters' });
  if (message === '') problems.push({ field: 'message', message: 'is required' });
  else if (message.length < 10) problems.push({ field: 'message', message: 'needs at least 10 characters' });
  else if (message.length > 10_000) problems.push({ field: 'message', message: 'must be at most 10,000 characters' });
  for (const field of ['serverId', 'blockingId'] as const) {
    const value = input[field];
    if (value !== undefined && value !== null && typeof value !== 'string') problems.push({ field, message: 'must be text' });
  }
  if (problems.length > 0) throw invalidInput(problems, 'the support request is incomplete');
  const serverId = optionalId(input.serverId);
  const blockingId = optionalId(input.blockingId);
  if (serverId !== null) {
    const server = await ctx.repos.inventory.getServer(serverId);
    if (server === undefined || server.customerId !== customerId) throw notFound('server', serverId);
  }
  if (blockingId !== null) {
    const lock = await ctx.repos.locks.get(blockingId);
    if (lock === undefined || lock.customerId !== customerId || !customerMaySeeLock(lock)) throw notFound('lock', blockingId);
    if (serverId !== null && lock.serverId !== serverId) throw invalidInput([{ field: 'blockingId', message: `is a lock of server ${lock.serverId}, not ${serverId}` }]);
  }
  const now = ctx.now();
  const request = await ctx.repos.supportRequests.create({ customerId, serverId, blockingId, subject, message, createdAt: now, createdBy: `${actor.type}/${actor.id}` });
  await ctx.repos.audit.append({ actor, action: 'support_request.created', subjectType: 'support_request', subjectId: String(request.id), details: { serverId, blockingId, subject }, at: now });
  return request;
}
