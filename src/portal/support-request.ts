/** A customer's support request, optionally about one of their servers and a Blocking ID. */

export const SUPPORT_STATES = ['open', 'closed'] as const;
export type SupportState = (typeof SUPPORT_STATES)[number];

export interface SupportRequest {
  id: number;
  customerId: string;
  serverId: string | null;
  blockingId: string | null;
  subject: string;
  message: string;
  state: SupportState;
  createdAt: number;
  createdBy: string;
  closedAt: number | null;
  closedBy: string | null;
  staffMessage: string;
}
