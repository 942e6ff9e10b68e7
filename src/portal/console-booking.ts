/** Remote-console (KVM/LARA) appointments a customer books for a server. */

export const BOOKING_STATES = ['requested', 'confirmed', 'declined', 'cancelled'] as const;
export type BookingState = (typeof BOOKING_STATES)[number];
/** States that hold the slot. */
export const LIVE_BOOKING_STATES: readonly BookingState[] = ['requested', 'confirmed'];

export interface ConsoleBooking {
  id: number;
  serverId: string;
  customerId: string;
  startsAt: number;
  endsAt: number;
  /** What the customer wants to do with it (optional). */
  note: string;
  state: BookingState;
  createdAt: number;
  createdBy: string;
  decidedAt: number | null;
  decidedBy: string | null;
  /** The abuse desk's message to the customer (confirmation details, reason of a decline). */
  staffMessage: string;
}
