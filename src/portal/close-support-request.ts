/** The abuse desk closes a support request, with a message to the customer. */
import { DomainError, invalidInput, notFound } from '../errors.ts';
import type { Actor } from '../store/audit-repository.ts';
import type { PortalContext } from './portal-context.ts';
import type { SupportRequest } from './support-request.ts';

export async function closeSupportRequest(ctx: Pick<PortalContext, 'repos' | 'now'>, id: number, message: unknown, actor: Actor): Promise<SupportRequest> {
  const text = typeof message === 'string' ? message.trim() : '';
  if (text.length > 10_000) throw invalidInput([{ field: 'message', message: 'must be at most 10,000 characters' }]);
  const request = await ctx.repos.supportRequests.get(id);
  if (request === undefined) throw notFound('support request', String(id));
  if (request.state !== 'open') throw new DomainError('REQUEST_CLOSED', 409, `support request ${id} is closed already`);
  const now = ctx.now();
  const closed = await ctx.repos.supportRequests.close(id, { at: now, by: `${actor.type}/${actor.id}`, message: text });
  if (closed === undefined) throw new DomainError('REQUEST_CLOSED', 409, `support request ${id} was closed meanwhile`);
  await ctx.repos.audit.append({ actor, action: 'support_request.closed', subjectType: 'support_request', subjectId: String(id), details: { message: text }, at: now });
  return closed;
}
