/**
 * Booking a remote console (KVM/LARA) for one of the customer's servers: a slot that
 * starts on the slot grid, has not begun, lies within the booking horizon, and is not
 * held by another live booking of the server. The abuse desk confirms or declines it.
 */
import { DomainError, type FieldProblem, invalidInput, notFound } from '../errors.ts';
import type { Actor } from '../store/audit-repository.ts';
import type { ConsoleBooking } from './console-booking.ts';
import type { PortalContext } from './portal-context.ts';

const DAY_MS = 86_400_000;
export const MAX_NOTE_LENGTH = 2000;

export interface ConsoleSlots {
  slotMinutes: number;
  /** Bookable slot starts (ms), oldest first. */
  free: number[];
}

function slotMs(ctx: PortalContext): number {
  return ctx.config.consoleBookings.slotMinutes * 60_000;
}

/** The first slot start after now, and the end of the booking horizon. */
function horizon(ctx: PortalContext): { first: number; end: number } {
  const now = ctx.now();
  const step = slotMs(ctx);
  return { first: Math.floor(now / step) * step + step, end: now + ctx.config.consoleBookings.daysAhead * DAY_MS };
}

export async function freeConsoleSlots(ctx: PortalContext, serverId: string): Promise<ConsoleSlots> {
  const { first, end } = horizon(ctx);
  const step = slotMs(ctx);
  const taken = new Set(await ctx.repos.consoleBookings.takenStarts(serverId, first, end));
  const free: number[] = [];
  for (let t = first; t < end; t += step) if (!taken.has(t)) free.push(t);
  return { slotMinutes: ctx.config.consoleBookings.slotMinutes, free };
}

export async function bookConsole(
  ctx: PortalContext,
  server: { id: string; customerId: string },
  input: { start?: unknown; note?: unknown },
  actor: Actor,
): Promise<ConsoleBooking> {
  const problems: FieldProblem[] = [];
  const step = slotMs(ctx);
  const { first, end } = horizon(ctx);
  const startMs = typeof input.start === 'string' ? Date.parse(input.start) : Number.NaN;
  if (input.start === undefined || input.start === null || input.start === '') problems.push({ field: 'start', message: 'is required: pick a date and a time slot' });
  else if (Number.isNaN(startMs)) problems.push({ field: 'start', message: 'must be a date and time (ISO 8601, e.g. 2030-01-31T14:00:00Z)' });
  else if (startMs % step !== 0) problems.push({ field: 'start', message: `slots start every ${ctx.config.consoleBookings.slotMinutes} minutes (UTC)` });
  else if (startMs < first) problems.push({ field: 'start', message: 'must be a slot in the future' });
  else if (startMs >= end) problems.push({ field: 'start', message: `must be within the next ${ctx.config.consoleBookings.daysAhead} days` });
  const note = typeof input.note === 'string' ? input.note.trim() : '';
  if (input.note !== undefined && typeof input.note !== 'string') problems.push({ field: 'note', message: 'must be text' });
  else if (note.length > MAX_NOTE_LENGTH) problems.push({ field: 'note', message: `must be at most ${MAX_NOTE_LENGTH} characters` });
  if (problems.length > 0) throw invalidInput(problems, 'the booking has problems');
  const now = ctx.now();
  const booked = await ctx.repos.consoleBookings.book(
    { serverId: server.id, customerId: server.customerId, startsAt: startMs, endsAt: startMs + step, note, createdAt: now, createdBy: `${actor.type}/${actor.id}` },
    { maxLivePerServer: ctx.config.consoleBookings.maxPerServer, nowMs: now },
  );
  if (booked.result === 'no-server') throw notFound('server', server.id);
  if (booked.result === 'taken') throw new DomainError('SLOT_TAKEN', 409, 'this slot is booked already; pick another', { fields: [{ field: 'start', message: 'is booked already' }] });
  if (booked.result === 'limit') {
    throw new DomainError('BOOKING_LIMIT', 409, `a server may hold at most ${ctx.config.consoleBookings.maxPerServer} open bookings`, {
      fields: [{ field: 'start', message: 'cancel an open booking of this server first' }],
    });
  }
  await ctx.repos.audit.append({
    actor,
    action: 'console_booking.requested',
    subjectType: 'server',
    subjectId: server.id,
    details: { booking: booked.booking.id, startsAt: new Date(startMs).toISOString() },
    at: now,
  });
  return booked.booking;
}
