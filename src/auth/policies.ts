/**
 * Who may do what, in one place. Machines hold API-token scopes; people hold a role, and
 * their scopes follow from it: staff work the abuse desk (read, abuse, inventory), admins
 * may do everything, customers hold no staff scope at all and reach only the portal,
 * where everything is limited to their own customer account.
 */
import type { Lock } from '../cases/lock-types.ts';
import { DomainError, notFound } from '../errors.ts';
import type { UserRole } from './user.ts';

export function scopesOfRole(role: UserRole): string[] {
  if (role === 'admin') return ['admin', 'read', 'inventory', 'billing', 'abuse'];
  if (role === 'staff') return ['read', 'abuse', 'inventory'];
  return [];
}

/** The caller as the portal sees it (a structural subset of the API's principal). */
export interface PortalCaller {
  role?: UserRole;
  customerId?: string | null;
}

/** The customer account the caller acts for; a 403 for anyone but a signed-in customer. */
export function portalCustomerId(caller: PortalCaller | null): string {
  if (caller === null) throw new DomainError('UNAUTHENTICATED', 401, 'sign in first');
  if (caller.role !== 'customer' || typeof caller.customerId !== 'string') {
    throw new DomainError('FORBIDDEN', 403, 'the portal is for customer accounts; staff use the console');
  }
  return caller.customerId;
}

/**
 * Another customer's thing answers exactly like a thing that does not exist (404), so
 * ids cannot be probed across accounts.
 */
export function ownedBy<T extends { customerId: string }>(thing: T | undefined, customerId: string, what: string, id: string): T {
  if (thing === undefined || thing.customerId !== customerId) throw notFound(what, id);
  return thing;
}

/**
 * Locks a customer sees: those that took effect or warned them. A lock waiting for review
 * or dismissed by staff never reached the customer, and a dry-run lock was never real.
 */
export function customerMaySeeLock(lock: Lock): boolean {
  return !lock.dryRun && (lock.state === 'active' || lock.state === 'unblock_requested' || lock.state === 'released' || lock.state === 'notified');
}
