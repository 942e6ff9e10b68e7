/** JSON schemas of the API's shapes, for validation and the OpenAPI document. */
import { Type } from '@sinclair/typebox';

export const ErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'stable error code, e.g. VALIDATION_FAILED, NOT_FOUND, CONFLICT' }),
      message: Type.String(),
      fields: Type.Array(Type.Object({ field: Type.String(), message: Type.String() })),
    }),
  },
  { $id: 'Error' },
);

export const CustomerSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    email: Type.String(),
    language: Type.Union([Type.Literal('en'), Type.Literal('de')]),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Customer' },
);

export const ServerSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    customerId: Type.String(),
    hostGroupId: Type.Union([Type.String(), Type.Null()]),
    uplinkGateway: Type.String(),
    addresses: Type.Array(Type.String(), { description: 'assigned addresses and subnets (CIDR)' }),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Server' },
);

export const HostGroupSchema = Type.Object({ id: Type.String(), name: Type.String(), description: Type.String() }, { $id: 'HostGroup' });

export const PrefixNoteSchema = Type.Object(
  { prefix: Type.String(), description: Type.String(), createdAt: Type.String({ format: 'date-time' }) },
  { $id: 'PrefixNote' },
);

/** Request bodies are checked field by field by the domain layer, which names every problem. */
export const AnyObject = Type.Object({}, { additionalProperties: true });

export const ListQuerySchema = Type.Object({
  search: Type.Optional(Type.String()),
  customerId: Type.Optional(Type.String()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
});

const Iso = Type.String({ format: 'date-time' });
const NullableIso = Type.Union([Iso, Type.Null()]);

/** A lock as staff and machines see it (presentLock). */
export const LockSchema = Type.Object(
  {
    blockingId: Type.String(),
    serverId: Type.String(),
    customerId: Type.String(),
    reason: Type.String(),
    scope: Type.String(),
    addresses: Type.Array(Type.String()),
    state: Type.String(),
    enforced: Type.Boolean(),
    source: Type.String(),
    statement: Type.String(),
    requiresApproval: Type.Boolean(),
    dryRun: Type.Boolean(),
    created: Iso,
    createdBy: Type.String(),
    updated: Iso,
    released: NullableIso,
  },
  { $id: 'Lock' },
);
