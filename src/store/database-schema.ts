/**
 * Table types as Kysely sees them (camelCase; the CamelCasePlugin maps to snake_case).
 * Times are integer milliseconds since the epoch in both databases.
 */
import type { Generated } from 'kysely';

export interface CustomerTable {
  id: string;
  name: string;
  email: string;
  language: 'en' | 'de';
  createdAt: number;
  updatedAt: number;
}

export interface HostGroupTable {
  id: string;
  name: string;
  description: string;
}

export interface ServerTable {
  id: string;
  name: string;
  customerId: string;
  hostGroupId: string | null;
  uplinkGateway: string;
  createdAt: number;
  updatedAt: number;
}

export interface ServerAddressTable {
  /** Canonical CIDR text (`203.0.113.5/32`, `2001:db8:1::/64`); unique across all servers. */
  prefix: string;
  serverId: string;
  family: 4 | 6;
}

export interface ProtectedPrefixTable {
  prefix: string;
  description: string;
  createdAt: number;
}

export interface ProviderPrefixTable {
  prefix: string;
  description: string;
  createdAt: number;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  /** 'system' | 'staff' | 'customer' | 'token' | 'billing' ... */
  actorType: string;
  actorId: string;
  action: string;
  subjectType: string;
  subjectId: string;
  /** JSON text. */
  details: string;
}

export interface ApiTokenTable {
  /** Public half of the token, shown in listings. */
  id: string;
  name: string;
  /** SHA-256 hex of the secret half. */
  secretHash: string;
  /** JSON array of scopes. */
  scopes: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface IncidentTable {
  id: string;
  serverId: string;
  customerId: string;
  address: string;
  kind: string;
  direction: string;
  status: string;
  firstSeenMs: number;
  lastSeenMs: number;
  endedMs: number | null;
  /** JSON of Rates. */
  peak: string;
  /** JSON: exceeded, totals, summary, netscan, sourceAddress, samples (base64). */
  evidence: string;
  updatedAt: number;
}

export interface LockTable {
  blockingId: string;
  serverId: string;
  customerId: string;
  reason: string;
  scope: string;
  /** JSON array of CIDR text. */
  addresses: string;
  state: string;
  source: string;
  statement: string;
  requiresApproval: number;
  dryRun: number;
  /** The rendered evidence log, as e-mailed. */
  logFile: string;
  createdAtMs: number;
  createdBy: string;
  updatedAtMs: number;
  releasedAtMs: number | null;
}

export interface LockIncidentTable {
  blockingId: string;
  incidentId: string;
}

export interface LockEventTable {
  id: Generated<number>;
  blockingId: string;
  atMs: number;
  actorType: string;
  actorId: string;
  action: string;
  fromState: string | null;
  toState: string;
  message: string;
}

export interface UnblockRequestTable {
  id: Generated<number>;
  blockingId: string;
  createdAtMs: number;
  createdBy: string;
  cause: string;
  measures: string;
  confirmed: number;
  state: string;
  decidedBy: string | null;
  decidedAtMs: number | null;
  decisionMessage: string;
}

export type OutboxState = 'pending' | 'sending' | 'sent' | 'failed';

export interface OutboxTable {
  id: Generated<number>;
  createdAt: number;
  blockingId: string;
  /** locked | unblock_received | released | rejected */
  kind: string;
  recipient: string;
  subject: string;
  language: string;
  /** The full RFC 5322 message, built once, so a retry sends exactly the same bytes. */
  message: string;
  state: OutboxState;
  attempts: number;
  /** pending: when the next attempt is due; sending: when the claim expires and the message is retried. */
  nextAttemptAt: number;
  lastError: string | null;
  sentAt: number | null;
}

export interface StaticAccessIpTable {
  serverId: string;
  /** Canonical CIDR text. */
  prefix: string;
  createdAt: number;
  createdBy: string;
}

export interface UserTable {
  id: Generated<number>;
  email: string;
  /** Lowercased e-mail: the unique, case-insensitive key. */
  emailKey: string;
  /** argon2id PHC string. */
  passwordHash: string;
  role: string;
  customerId: string | null;
  language: string;
  createdAt: number;
  updatedAt: number;
  disabledAt: number | null;
}

export interface SessionTable {
  /** SHA-256 hex of the cookie's secret. */
  idHash: string;
  userId: number;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  clientAddress: string;
  userAgent: string;
}

export interface ConsoleBookingTable {
  id: Generated<number>;
  serverId: string;
  customerId: string;
  startsAt: number;
  endsAt: number;
  note: string;
  /** requested | confirmed | declined | cancelled */
  state: string;
  createdAt: number;
  createdBy: string;
  decidedAt: number | null;
  decidedBy: string | null;
  staffMessage: string;
}

export interface SupportRequestTable {
  id: Generated<number>;
  customerId: string;
  serverId: string | null;
  blockingId: string | null;
  subject: string;
  message: string;
  /** open | closed */
  state: string;
  createdAt: number;
  createdBy: string;
  closedAt: number | null;
  closedBy: string | null;
  staffMessage: string;
}

export interface TrafficSampleTable {
  serverId: string;
  /** Start of the time bucket (ms). */
  at: number;
  packetsIn: number;
  packetsOut: number;
  bitsIn: number;
  bitsOut: number;
}

export interface DatabaseSchema {
  users: UserTable;
  sessions: SessionTable;
  consoleBookings: ConsoleBookingTable;
  supportRequests: SupportRequestTable;
  trafficSamples: TrafficSampleTable;
  staticAccessIps: StaticAccessIpTable;
  outbox: OutboxTable;
  locks: LockTable;
  lockIncidents: LockIncidentTable;
  lockEvents: LockEventTable;
  unblockRequests: UnblockRequestTable;
  incidents: IncidentTable;
  customers: CustomerTable;
  hostGroups: HostGroupTable;
  servers: ServerTable;
  serverAddresses: ServerAddressTable;
  protectedPrefixes: ProtectedPrefixTable;
  providerPrefixes: ProviderPrefixTable;
  auditLog: AuditLogTable;
  apiTokens: ApiTokenTable;
}
