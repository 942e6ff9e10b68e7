/** Every repository over one opened store. */
import { ApiTokenRepository } from './api-token-repository.ts';
import { AuditRepository } from './audit-repository.ts';
import { IncidentRepository } from './incident-repository.ts';
import { InventoryRepository } from './inventory-repository.ts';
import { OutboxRepository } from './outbox-repository.ts';
import type { Store } from './store.ts';

export interface Repositories {
  inventory: InventoryRepository;
  audit: AuditRepository;
  apiTokens: ApiTokenRepository;
  incidents: IncidentRepository;
  outbox: OutboxRepository;
}

export function createRepositories(store: Store): Repositories {
  return {
    inventory: new InventoryRepository(store.db),
    audit: new AuditRepository(store.db),
    apiTokens: new ApiTokenRepository(store.db),
    incidents: new IncidentRepository(store.db),
    outbox: new OutboxRepository(store.db),
  };
}
