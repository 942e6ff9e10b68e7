/**
 * The abuse desk confirms a requested remote-console booking (optionally with details for
 * the customer), or declines a requested or confirmed one, telling the customer why.
 */
import { DomainError, type FieldProblem, invalidInput, notFound } from '../errors.ts';
import type { Actor } from '../store/audit-repository.ts';
import type { ConsoleBooking } from './console-booking.ts';
import type { PortalContext } from './portal-context.ts';

export async function decideConsoleBooking(
  ctx: Pick<PortalContext, 'repos' | 'now'>,
  id: number,
  decision: unknown,
  message: unknown,
  actor: Actor,
): Promise<ConsoleBooking> {
  const text = typeof message === 'string' ? message.trim() : '';
  const problems: FieldProblem[] = [];
  if (decision !== 'confirm' && decision !== 'decline') problems.push({ field: 'decision', message: 'must be "confirm" or "decline"' });
  if (decision === 'decline' && text.length < 10) problems.push({ field: 'message', message: 'tell the customer why (at least 10 characters)' });
  if (text.length > 5000) problems.push({ field: 'message', message: 'must be at most 5000 characters' });
  if (problems.length > 0) throw invalidInput(problems);
  const booking = await ctx.repos.consoleBookings.get(id);
  if (booking === undefined) throw notFound('console booking', String(id));
  const from = decision === 'confirm' ? (['requested'] as const) : (['requested', 'confirmed'] as const);
  if (!(from as readonly string[]).includes(booking.state)) throw new DomainError('BOOKING_CLOSED', 409, `booking ${id} is ${booking.state}`);
  const now = ctx.now();
  const to = decision === 'confirm' ? 'confirmed' : 'declined';
  const updated = await ctx.repos.consoleBookings.transition(id, from, to, { at: now, by: `${actor.type}/${actor.id}`, message: text });
  if (updated === undefined) throw new DomainError('CONFLICT', 409, `booking ${id} changed meanwhile; reload and try again`);
  await ctx.repos.audit.append({ actor, action: `console_booking.${to}`, subjectType: 'server', subjectId: booking.serverId, details: { booking: id, message: text }, at: now });
  return updated;
}
