/** Every repository over one opened store. */
import { ApiTokenRepository } from './api-token-repository.ts';
import { AuditRepository } from './audit-repository.ts';
import { IncidentRepository } from './incident-repository.ts';
import { LockRepository } from './lock-repository.ts';
import { InventoryRepository } from './inventory-repository.ts';
import { OutboxRepository } from './outbox-repository.ts';
import { StaticAccessIpRepository } from './static-access-ip-repository.ts';
import { ConsoleBookingRepository } from './console-booking-repository.ts';
import { SessionRepository } from './session-repository.ts';
import { SupportRequestRepository } from './support-request-repository.ts';
import { TrafficSampleRepository } from './traffic-sample-repository.ts';
import { UserRepository } from './user-repository.ts';
import type { Store } from './store.ts';

export interface Repositories {
  staticAccessIps: StaticAccessIpRepository;
  inventory: InventoryRepository;
  audit: AuditRepository;
  apiTokens: ApiTokenRepository;
  incidents: IncidentRepository;
  outbox: OutboxRepository;
  locks: LockRepository;
  users: UserRepository;
  sessions: SessionRepository;
  consoleBookings: ConsoleBookingRepository;
  supportRequests: SupportRequestRepository;
  trafficSamples: TrafficSampleRepository;
}

export function createRepositories(store: Store): Repositories {
  return {
    staticAccessIps: new StaticAccessIpRepository(store.db),
    inventory: new InventoryRepository(store.db),
    audit: new AuditRepository(store.db),
    apiTokens: new ApiTokenRepository(store.db),
    incidents: new IncidentRepository(store.db),
    outbox: new OutboxRepository(store.db),
    locks: new LockRepository(store.db),
    users: new UserRepository(store.db),
    sessions: new SessionRepository(store.db),
    consoleBookings: new ConsoleBookingRepository(store.db),
    supportRequests: new SupportRequestRepository(store.db),
    trafficSamples: new TrafficSampleRepository(store.db),
  };
}
