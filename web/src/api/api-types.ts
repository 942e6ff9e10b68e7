/** The shapes the app reads from the API (see /api/openapi.json); times are ISO 8601 strings. */

export type Role = 'customer' | 'staff' | 'admin';
export type Language = 'en' | 'de';

export const LOCK_REASONS = [
  'attack_from_server',
  'attack_on_server',
  'netscan',
  'network_configuration',
  'non_payment',
  'abuse_phishing',
  'abuse_malware',
  'abuse_copyright',
  'abuse_spam',
  'other',
] as const;
export type LockReason = (typeof LOCK_REASONS)[number];
export type LockState = 'review' | 'active' | 'unblock_requested' | 'released' | 'dismissed' | 'notified';

export interface User {
  id: number;
  email: string;
  role: Role;
  customerId: string | null;
  language: Language;
  createdAt: string;
}

export interface SessionInfo {
  user: User;
  csrfToken: string;
  expiresAt: string;
  idleTimeoutSeconds: number;
}

export interface LockStatus {
  serverId: string;
  status: 'locked' | 'partly_locked' | 'not_locked';
  locked: boolean;
  blockingIds: string[];
}

export interface PortalLock {
  blockingId: string;
  serverId: string;
  reason: LockReason;
  scope: 'server' | 'addresses';
  addresses: string[];
  state: LockState;
  enforced: boolean;
  statement: string;
  since: string;
  released: string | null;
  canRequestUnblock: boolean;
  requiresApproval: boolean;
}

export interface PortalServer {
  id: string;
  name: string;
  addresses: string[];
  lockStatus: LockStatus;
  locks: PortalLock[];
}

export interface PortalUnblockRequest {
  id: number;
  blockingId: string;
  created: string;
  cause: string;
  measures: string;
  confirmed: boolean;
  state: 'open' | 'approved' | 'rejected';
  decided: string | null;
  decisionMessage: string;
}

export interface PortalLockDetail extends PortalLock {
  history: Array<{ at: string; action: string; from: string | null; to: string; by: 'customer' | 'provider'; message: string }>;
  unblockRequests: PortalUnblockRequest[];
}

export interface StaticIp {
  prefix: string;
  created: string;
}

export interface ConsoleBooking {
  id: number;
  serverId: string;
  start: string;
  end: string;
  note: string;
  state: 'requested' | 'confirmed' | 'declined' | 'cancelled';
  created: string;
  decided: string | null;
  staffMessage: string;
  customerId?: string;
  createdBy?: string;
  decidedBy?: string | null;
}

export interface SupportRequest {
  id: number;
  serverId: string | null;
  blockingId: string | null;
  subject: string;
  message: string;
  state: 'open' | 'closed';
  created: string;
  closed: string | null;
  staffMessage: string;
  customerId?: string;
  createdBy?: string;
  closedBy?: string | null;
}

// The abuse desk's view

export interface Rates {
  packetsPerSecond: number;
  bitsPerSecond: number;
  flowsPerSecond?: number;
}

export interface Incident {
  id: string;
  serverId: string;
  customerId: string;
  address: string;
  kind: 'flood' | 'netscan' | 'wrong_source_address';
  direction: 'in' | 'out';
  status: 'open' | 'ended';
  firstSeen: string;
  lastSeen: string;
  ended: string | null;
  exceeded: Array<{ metric: string; threshold: number; peak: number }>;
  peak: Rates;
  netscan: { type: 'horizontal' | 'vertical'; port: number; target: string | null; protocol: number; distinctTargets: number } | null;
  sampledPackets: number;
}

export interface StaffLock {
  blockingId: string;
  serverId: string;
  customerId: string;
  reason: LockReason;
  scope: 'server' | 'addresses';
  addresses: string[];
  state: LockState;
  enforced: boolean;
  source: 'detection' | 'staff' | 'billing';
  statement: string;
  requiresApproval: boolean;
  dryRun: boolean;
  created: string;
  createdBy: string;
  updated: string;
  released: string | null;
}

export interface StaffUnblockRequest {
  id: number;
  blockingId: string;
  created: string;
  createdBy: string;
  cause: string;
  measures: string;
  confirmed: boolean;
  state: 'open' | 'approved' | 'rejected';
  decidedBy: string | null;
  decided: string | null;
  decisionMessage: string;
}

export interface StaffLockDetail extends StaffLock {
  incidents: string[];
  history: Array<{ at: string; actor: { type: string; id: string }; action: string; from: string | null; to: string; message: string }>;
  unblockRequests: StaffUnblockRequest[];
}

export interface IncidentMarker {
  id: string;
  kind: string;
  direction: string;
  status: string;
  start: string;
  end: string | null;
  lastSeen: string;
}

export interface ReviewItem extends StaffLock {
  incidents: Array<IncidentMarker & { peak: Rates; exceeded: Incident['exceeded'] }>;
}

export interface Server {
  id: string;
  name: string;
  customerId: string;
  hostGroupId: string | null;
  uplinkGateway: string;
  addresses: string[];
}

export interface Customer {
  id: string;
  name: string;
  email: string;
  language: Language;
}

export interface ConsoleServerPage {
  server: Server;
  customer: Customer | null;
  locks: StaffLock[];
  openIncidents: Incident[];
  staticIps: StaticIp[];
  consoleBookings: ConsoleBooking[];
}

export interface TrafficSample {
  at: string;
  packetsIn: number;
  packetsOut: number;
  bitsIn: number;
  bitsOut: number;
}

export interface TrafficSeries {
  serverId: string;
  from: string;
  to: string;
  samples: TrafficSample[];
  thresholds: { outbound: Rates; inbound: Rates };
  incidents: IncidentMarker[];
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: { type: string; id: string };
  action: string;
  subjectType: string;
  subjectId: string;
  details: Record<string, unknown>;
}

export interface SearchResult {
  query: string;
  kind: 'address' | 'blocking_id' | 'text';
  address: { ip: string; owner: { serverId: string; customerId: string; prefix?: string } | null; protected: boolean; providerSpace: boolean } | null;
  servers: Server[];
  customers: Customer[];
  locks: StaffLock[];
}
