/**
 * Response shapes of the session and portal routes, for the OpenAPI document and for
 * serialisation: a property not listed here never leaves the server, whatever a
 * presenter returns (a second fence around what customers see).
 */
import { type TSchema, Type } from '@sinclair/typebox';
import { LOCK_REASONS, LOCK_STATES } from '../cases/lock-types.ts';

const DateTime = Type.String({ format: 'date-time' });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
/** A reference to a schema registered with app.addSchema (listed once under components in the OpenAPI document). */
export const ref = (id: string) => Type.Unsafe<unknown>({ $ref: `${id}#` });

export const UserSchema = Type.Object(
  {
    id: Type.Integer(),
    email: Type.String(),
    role: Type.Union([Type.Literal('customer'), Type.Literal('staff'), Type.Literal('admin')]),
    customerId: Nullable(Type.String()),
    language: Type.Union([Type.Literal('en'), Type.Literal('de')]),
    createdAt: DateTime,
  },
  { $id: 'User' },
);

export const SessionInfoSchema = Type.Object(
  {
    user: ref('User'),
    csrfToken: Type.String({ description: 'send as X-CSRF-Token (or form field _csrf) with every state-changing request' }),
    expiresAt: DateTime,
    idleTimeoutSeconds: Type.Integer(),
  },
  { $id: 'SessionInfo' },
);

export const PortalLockSchema = Type.Object(
  {
    blockingId: Type.String(),
    serverId: Type.String(),
    reason: Type.Union(LOCK_REASONS.map((r) => Type.Literal(r))),
    scope: Type.Union([Type.Literal('server'), Type.Literal('addresses')]),
    addresses: Type.Array(Type.String()),
    state: Type.Union(LOCK_STATES.map((s) => Type.Literal(s))),
    enforced: Type.Boolean({ description: 'the uplink gateway blocks the server (or the listed addresses) now' }),
    statement: Type.String({ description: 'the abuse desk\'s statement (abuse complaints), or the billing reference' }),
    since: DateTime,
    released: Nullable(DateTime),
    canRequestUnblock: Type.Boolean(),
    requiresApproval: Type.Boolean({ description: 'a repeat lock: an unblock needs the abuse desk\'s approval' }),
  },
  { $id: 'PortalLock' },
);

export const PortalLockEventSchema = Type.Object({
  at: DateTime,
  action: Type.String(),
  from: Nullable(Type.String()),
  to: Type.String(),
  by: Type.Union([Type.Literal('customer'), Type.Literal('provider')]),
  message: Type.String(),
});

export const PortalUnblockRequestSchema = Type.Object(
  {
    id: Type.Integer(),
    blockingId: Type.String(),
    created: DateTime,
    cause: Type.String(),
    measures: Type.String(),
    confirmed: Type.Boolean(),
    state: Type.Union([Type.Literal('open'), Type.Literal('approved'), Type.Literal('rejected')]),
    decided: Nullable(DateTime),
    decisionMessage: Type.String(),
  },
  { $id: 'PortalUnblockRequest' },
);

export const PortalLockDetailSchema = Type.Object({
  ...PortalLockSchema.properties,
  history: Type.Array(PortalLockEventSchema),
  unblockRequests: Type.Array(ref('PortalUnblockRequest')),
});

export const LockStatusSchema = Type.Object(
  {
    serverId: Type.String(),
    status: Type.Union([Type.Literal('locked'), Type.Literal('partly_locked'), Type.Literal('not_locked')], {
      description: 'locked: the whole server; partly_locked: some of its addresses; not_locked',
    }),
    locked: Type.Boolean(),
    blockingIds: Type.Array(Type.String()),
  },
  { $id: 'LockStatus' },
);

export const PortalServerSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    addresses: Type.Array(Type.String()),
    lockStatus: ref('LockStatus'),
    locks: Type.Array(ref('PortalLock'), { description: 'the locks in force now' }),
  },
  { $id: 'PortalServer' },
);

export const StaticIpSchema = Type.Object({ prefix: Type.String(), created: DateTime }, { $id: 'StaticIp' });

export const StaticIpListSchema = Type.Object({ max: Type.Integer(), items: Type.Array(ref('StaticIp')) });

export const ConsoleBookingSchema = Type.Object(
  {
    id: Type.Integer(),
    serverId: Type.String(),
    start: DateTime,
    end: DateTime,
    note: Type.String(),
    state: Type.Union([Type.Literal('requested'), Type.Literal('confirmed'), Type.Literal('declined'), Type.Literal('cancelled')]),
    created: DateTime,
    decided: Nullable(DateTime),
    staffMessage: Type.String(),
    // Staff only (absent in the portal).
    customerId: Type.Optional(Type.String()),
    createdBy: Type.Optional(Type.String()),
    decidedBy: Type.Optional(Nullable(Type.String())),
  },
  { $id: 'RemoteConsoleBooking' },
);

export const ConsoleSlotsSchema = Type.Object({ slotMinutes: Type.Integer(), free: Type.Array(DateTime, { description: 'bookable slot starts (UTC)' }) });

export const SupportRequestSchema = Type.Object(
  {
    id: Type.Integer(),
    serverId: Nullable(Type.String()),
    blockingId: Nullable(Type.String()),
    subject: Type.String(),
    message: Type.String(),
    state: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
    created: DateTime,
    closed: Nullable(DateTime),
    staffMessage: Type.String(),
    // Staff only (absent in the portal).
    customerId: Type.Optional(Type.String()),
    createdBy: Type.Optional(Type.String()),
    closedBy: Type.Optional(Nullable(Type.String())),
  },
  { $id: 'SupportRequest' },
);

/** Every schema with an $id, for app.addSchema. */
export const PORTAL_SCHEMAS = [UserSchema, SessionInfoSchema, PortalLockSchema, PortalUnblockRequestSchema, LockStatusSchema, PortalServerSchema, StaticIpSchema, ConsoleBookingSchema, SupportRequestSchema];
