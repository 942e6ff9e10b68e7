/**
 * What every case operation works with: the repositories, the inventory view, the
 * configuration, and the two outside effects — enforcement and customer e-mail — behind
 * interfaces, so cases know neither nftables nor SMTP.
 */
import type { Config } from '../config/config-schema.ts';
import type { InventoryIndex } from '../inventory/inventory-index.ts';
import type { Logger } from '../logger.ts';
import type { LockNotice } from '../notify/notice.ts';
import type { AuditRepository } from '../store/audit-repository.ts';
import type { IncidentRepository } from '../store/incident-repository.ts';
import type { InventoryRepository } from '../store/inventory-repository.ts';
import type { LockRepository } from '../store/lock-repository.ts';

export interface CaseNotifier {
  /** Stores the message for delivery; never waits for the mail server. */
  enqueue(notice: LockNotice): Promise<void>;
}

export interface EnforcementTrigger {
  /** The set of enforced locks changed: bring the gateways in line soon. */
  trigger(): void;
}

export interface StaffAlert {
  alert(message: string, details: Record<string, unknown>): void;
}

export interface CaseContext {
  config: Config['locking'];
  portalUrl: string;
  locks: LockRepository;
  incidents: IncidentRepository;
  inventory: InventoryRepository;
  audit: AuditRepository;
  index: InventoryIndex;
  notifier: CaseNotifier;
  enforcement: EnforcementTrigger;
  alerts: StaffAlert;
  logger: Logger;
  now(): number;
}
