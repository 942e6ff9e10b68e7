/** The customer cancels a remote-console booking that has not begun. */
import { DomainError } from '../errors.ts';
import type { Actor } from '../store/audit-repository.ts';
import { type ConsoleBooking, LIVE_BOOKING_STATES } from './console-booking.ts';
import type { PortalContext } from './portal-context.ts';

export async function cancelConsoleBooking(ctx: PortalContext, booking: ConsoleBooking, actor: Actor): Promise<ConsoleBooking> {
  const now = ctx.now();
  if (!LIVE_BOOKING_STATES.includes(booking.state)) throw new DomainError('BOOKING_CLOSED', 409, `booking ${booking.id} is ${booking.state}`);
  if (booking.startsAt <= now) throw new DomainError('BOOKING_STARTED', 409, `booking ${booking.id} has begun; ask the abuse desk`);
  const cancelled = await ctx.repos.consoleBookings.transition(booking.id, LIVE_BOOKING_STATES, 'cancelled', { at: now, by: `${actor.type}/${actor.id}`, message: booking.staffMessage });
  if (cancelled === undefined) throw new DomainError('CONFLICT', 409, `booking ${booking.id} changed meanwhile; reload and try again`);
  await ctx.repos.audit.append({ actor, action: 'console_booking.cancelled', subjectType: 'server', subjectId: booking.serverId, details: { booking: booking.id }, at: now });
  return cancelled;
}
