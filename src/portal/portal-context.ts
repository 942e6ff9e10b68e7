/**
 * What the portal's operations work with: the repositories, the portal configuration,
 * the static-access-IP limit and the hook that tells enforcement the static IPs changed.
 */
import type { PortalConfig } from '../auth/portal-config.ts';
import type { Repositories } from '../store/repositories.ts';

export interface PortalContext {
  repos: Pick<Repositories, 'inventory' | 'locks' | 'audit' | 'staticAccessIps' | 'consoleBookings' | 'supportRequests'>;
  config: PortalConfig;
  /** Static access IPs a customer may register per server. */
  maxStaticIps: number;
  /** Called after a customer added or removed a static access IP (the enforcement reconciler's trigger). */
  onStaticIpsChanged(): void;
  now(): number;
}
