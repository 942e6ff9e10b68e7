/**
 * The customer portal (/api/v1/portal): a signed-in customer's servers with their lock
 * state, their locks with the log file, unblock requests, static access IPs, remote-console
 * bookings and support requests. Every id is looked up within the caller's own customer
 * account: another customer's server, lock, booking or request answers 404, exactly like
 * one that does not exist.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { customerMaySeeLock, ownedBy, portalCustomerId } from '../../auth/policies.ts';
import type { CaseContext } from '../../cases/case-context.ts';
import { ENFORCED_STATES, type Lock } from '../../cases/lock-types.ts';
import { requestUnblock } from '../../cases/unblock-request.ts';
import { notFound } from '../../errors.ts';
import { bookConsole, freeConsoleSlots } from '../../portal/book-console.ts';
import { cancelConsoleBooking } from '../../portal/cancel-console-booking.ts';
import type { PortalContext } from '../../portal/portal-context.ts';
import { lockedSince, serverLockStatus } from '../../portal/server-lock-status.ts';
import { addStaticIp, removeStaticIp } from '../../portal/static-ips.ts';
import { submitSupportRequest } from '../../portal/submit-support-request.ts';
import type { Server } from '../../inventory/inventory-types.ts';
import {
  presentConsoleBooking,
  presentLockStatus,
  presentPortalLock,
  presentPortalLockEvent,
  presentPortalServer,
  presentPortalUnblockRequest,
  presentStaticIp,
  presentSupportRequest,
} from '../portal-presenters.ts';
import { ConsoleSlotsSchema, PortalLockDetailSchema, ref, StaticIpListSchema } from '../portal-schemas.ts';
import { actorOf } from '../request-auth.ts';

const errors = { 400: { $ref: 'Error#' }, 401: { $ref: 'Error#' }, 403: { $ref: 'Error#' }, 404: { $ref: 'Error#' }, 409: { $ref: 'Error#' } };
const ServerParams = Type.Object({ serverId: Type.String() });
const LockParams = Type.Object({ blockingId: Type.String() });
const IdParams = Type.Object({ id: Type.Integer() });
const Paging = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
};

export function registerPortalRoutes(app: FastifyInstance, deps: { portal: PortalContext; cases: CaseContext }): void {
  const { portal } = deps;
  const repos = portal.repos;
  const tags = ['portal'];
  const me = (request: FastifyRequest): string => portalCustomerId(request.principal);

  async function myServer(customerId: string, serverId: string): Promise<Server> {
    return ownedBy(await repos.inventory.getServer(serverId), customerId, 'server', serverId);
  }

  async function myLock(customerId: string, blockingId: string): Promise<Lock> {
    const lock = await repos.locks.get(blockingId);
    if (lock === undefined || lock.customerId !== customerId || !customerMaySeeLock(lock)) throw notFound('lock', blockingId);
    return lock;
  }

  async function sinceOf(locks: readonly Lock[]): Promise<Map<string, number>> {
    const since = new Map<string, number>();
    for (const lock of locks) since.set(lock.blockingId, lockedSince(lock, await repos.locks.events(lock.blockingId)));
    return since;
  }

  async function enforcedLocksOf(customerId: string, serverId?: string): Promise<Lock[]> {
    return (await repos.locks.list({ customerId, serverId, states: ENFORCED_STATES, limit: 10_000 })).filter(customerMaySeeLock);
  }

  async function presentServers(customerId: string, servers: Server[]) {
    const locks = await enforcedLocksOf(customerId, servers.length === 1 ? servers[0].id : undefined);
    const since = await sinceOf(locks);
    return servers.map((server) =>
      presentPortalServer(
        server,
        serverLockStatus(locks.filter((l) => l.serverId === server.id)),
        (l) => since.get(l.blockingId) ?? l.createdAtMs,
      ),
    );
  }

  // Servers and their lock state

  app.get(
    '/api/v1/portal/servers',
    { schema: { tags, description: 'My servers, each with its lock state.', querystring: Type.Object(Paging), response: { 200: Type.Array(ref('PortalServer')), ...errors } } },
    async (request) => {
      const customerId = me(request);
      const q = request.query as { limit?: number; offset?: number };
      return presentServers(customerId, await repos.inventory.listServers({ customerId, limit: q.limit, offset: q.offset }));
    },
  );

  app.get('/api/v1/portal/servers/:serverId', { schema: { tags, params: ServerParams, response: { 200: ref('PortalServer'), ...errors } } }, async (request) => {
    const customerId = me(request);
    const server = await myServer(customerId, (request.params as { serverId: string }).serverId);
    return (await presentServers(customerId, [server]))[0];
  });

  app.get(
    '/api/v1/portal/servers/:serverId/lock-status',
    { schema: { tags, description: 'The plain answer to "is my server locked?".', params: ServerParams, response: { 200: ref('LockStatus'), ...errors } } },
    async (request) => {
      const customerId = me(request);
      const server = await myServer(customerId, (request.params as { serverId: string }).serverId);
      return presentLockStatus(server.id, serverLockStatus(await enforcedLocksOf(customerId, server.id)));
    },
  );

  // Locks

  app.get(
    '/api/v1/portal/locks',
    {
      schema: {
        tags,
        description: 'Locks of my servers, newest first (in force and past).',
        querystring: Type.Object({ serverId: Type.Optional(Type.String()), limit: Paging.limit }),
        response: { 200: Type.Array(ref('PortalLock')), ...errors },
      },
    },
    async (request) => {
      const customerId = me(request);
      const q = request.query as { serverId?: string; limit?: number };
      if (q.serverId !== undefined) await myServer(customerId, q.serverId);
      const locks = (await repos.locks.list({ customerId, serverId: q.serverId, limit: q.limit ?? 100 })).filter(customerMaySeeLock);
      const since = await sinceOf(locks);
      return locks.map((l) => presentPortalLock(l, since.get(l.blockingId) ?? l.createdAtMs));
    },
  );

  app.get('/api/v1/portal/locks/:blockingId', { schema: { tags, params: LockParams, response: { 200: PortalLockDetailSchema, ...errors } } }, async (request) => {
    const lock = await myLock(me(request), (request.params as { blockingId: string }).blockingId);
    const events = await repos.locks.events(lock.blockingId);
    return {
      ...presentPortalLock(lock, lockedSince(lock, events)),
      history: events.map(presentPortalLockEvent),
      unblockRequests: (await repos.locks.unblockRequests({ blockingId: lock.blockingId })).map(presentPortalUnblockRequest),
    };
  });

  app.get(
    '/api/v1/portal/locks/:blockingId/log',
    {
      schema: {
        tags,
        description: 'The lock\'s log file as e-mailed (text/plain); with download=true as an attachment named <Blocking ID>.log.',
        params: LockParams,
        querystring: Type.Object({ download: Type.Optional(Type.Boolean({ default: false })) }),
      },
    },
    async (request, reply) => {
      const lock = await myLock(me(request), (request.params as { blockingId: string }).blockingId);
      const download = (request.query as { download?: boolean }).download === true;
      return reply
        .header('content-type', 'text/plain; charset=utf-8')
        .header('content-disposition', `${download ? 'attachment' : 'inline'}; filename="${lock.blockingId}.log"`)
        .header('x-content-type-options', 'nosniff')
        .send((await repos.locks.logFile(lock.blockingId)) ?? '');
    },
  );

  app.post(
    '/api/v1/portal/locks/:blockingId/unblock-requests',
    {
      schema: {
        tags,
        description: 'The unblock request for an active lock: cause found, measures taken, confirmation that the problem is solved. An incomplete form is refused (400) with each missing field named.',
        params: LockParams,
        body: Type.Object({ cause: Type.Optional(Type.String()), measures: Type.Optional(Type.String()), confirmed: Type.Optional(Type.Union([Type.Boolean(), Type.String()])) }),
        response: { 201: Type.Object({ lock: ref('PortalLock'), request: ref('PortalUnblockRequest') }), ...errors },
      },
    },
    async (request, reply) => {
      const lock = await myLock(me(request), (request.params as { blockingId: string }).blockingId);
      const result = await requestUnblock(deps.cases, lock.blockingId, request.body as Record<string, unknown>, actorOf(request));
      const since = lockedSince(result.lock, await repos.locks.events(lock.blockingId));
      return reply.status(201).send({ lock: presentPortalLock(result.lock, since), request: presentPortalUnblockRequest(result.request) });
    },
  );

  // Static access IPs ("Server locking" page)

  app.get(
    '/api/v1/portal/servers/:serverId/static-ips',
    { schema: { tags, description: 'Static access IPs: addresses that still reach the server while it is locked.', params: ServerParams, response: { 200: StaticIpListSchema, ...errors } } },
    async (request) => {
      const server = await myServer(me(request), (request.params as { serverId: string }).serverId);
      return { max: portal.maxStaticIps, items: (await repos.staticAccessIps.list(server.id)).map(presentStaticIp) };
    },
  );

  app.post(
    '/api/v1/portal/servers/:serverId/static-ips',
    {
      schema: {
        tags,
        description: 'Adds a static access IP: a public address, or a prefix of at most 8 addresses (/29, /125).',
        params: ServerParams,
        body: Type.Object({ prefix: Type.String({ maxLength: 100 }) }),
        response: { 201: ref('StaticIp'), ...errors },
      },
    },
    async (request, reply) => {
      const server = await myServer(me(request), (request.params as { serverId: string }).serverId);
      return reply.status(201).send(presentStaticIp(await addStaticIp(portal, server.id, (request.body as { prefix: string }).prefix, actorOf(request))));
    },
  );

  app.delete(
    '/api/v1/portal/servers/:serverId/static-ips/:prefix',
    {
      schema: {
        tags,
        description: 'Removes a static access IP (the prefix URL-encoded: 198.51.100.7%2F32; a bare address means its /32 or /128).',
        params: Type.Object({ serverId: Type.String(), prefix: Type.String() }),
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      const params = request.params as { serverId: string; prefix: string };
      const server = await myServer(me(request), params.serverId);
      await removeStaticIp(portal, server.id, params.prefix, actorOf(request));
      return reply.status(204).send();
    },
  );

  // Remote console (KVM/LARA)

  app.get(
    '/api/v1/portal/servers/:serverId/remote-console-slots',
    { schema: { tags, description: 'Free remote-console slots of the server within the booking horizon.', params: ServerParams, response: { 200: ConsoleSlotsSchema, ...errors } } },
    async (request) => {
      const server = await myServer(me(request), (request.params as { serverId: string }).serverId);
      const slots = await freeConsoleSlots(portal, server.id);
      return { slotMinutes: slots.slotMinutes, free: slots.free.map((t) => new Date(t).toISOString()) };
    },
  );

  app.post(
    '/api/v1/portal/servers/:serverId/remote-console-bookings',
    {
      schema: {
        tags,
        description: 'Books a remote console for a slot (start: ISO 8601 date-time of a free slot).',
        params: ServerParams,
        body: Type.Object({ start: Type.Optional(Type.String()), note: Type.Optional(Type.String()) }),
        response: { 201: ref('RemoteConsoleBooking'), ...errors },
      },
    },
    async (request, reply) => {
      const server = await myServer(me(request), (request.params as { serverId: string }).serverId);
      const booking = await bookConsole(portal, server, request.body as { start?: string; note?: string }, actorOf(request));
      return reply.status(201).send(presentConsoleBooking(booking, 'customer'));
    },
  );

  app.get(
    '/api/v1/portal/remote-console-bookings',
    {
      schema: {
        tags,
        description: 'My remote-console bookings, by start time.',
        querystring: Type.Object({ serverId: Type.Optional(Type.String()), limit: Paging.limit }),
        response: { 200: Type.Array(ref('RemoteConsoleBooking')), ...errors },
      },
    },
    async (request) => {
      const customerId = me(request);
      const q = request.query as { serverId?: string; limit?: number };
      if (q.serverId !== undefined) await myServer(customerId, q.serverId);
      return (await repos.consoleBookings.list({ customerId, serverId: q.serverId, limit: q.limit })).map((b) => presentConsoleBooking(b, 'customer'));
    },
  );

  app.post(
    '/api/v1/portal/remote-console-bookings/:id/cancel',
    { schema: { tags, params: IdParams, response: { 200: ref('RemoteConsoleBooking'), ...errors } } },
    async (request) => {
      const id = (request.params as { id: number }).id;
      const booking = ownedBy(await repos.consoleBookings.get(id), me(request), 'console booking', String(id));
      return presentConsoleBooking(await cancelConsoleBooking(portal, booking, actorOf(request)), 'customer');
    },
  );

  // Support requests

  app.get(
    '/api/v1/portal/support-requests',
    { schema: { tags, querystring: Type.Object({ limit: Paging.limit }), response: { 200: Type.Array(ref('SupportRequest')), ...errors } } },
    async (request) =>
      (await repos.supportRequests.list({ customerId: me(request), limit: (request.query as { limit?: number }).limit })).map((r) => presentSupportRequest(r, 'customer')),
  );

  app.get('/api/v1/portal/support-requests/:id', { schema: { tags, params: IdParams, response: { 200: ref('SupportRequest'), ...errors } } }, async (request) => {
    const id = (request.params as { id: number }).id;
    return presentSupportRequest(ownedBy(await repos.supportRequests.get(id), me(request), 'support request', String(id)), 'customer');
  });

  app.post(
    '/api/v1/portal/support-requests',
    {
      schema: {
        tags,
        description: 'A support request: subject and message, optionally about one of my servers and a Blocking ID.',
        body: Type.Object({
          subject: Type.Optional(Type.String()),
          message: Type.Optional(Type.String()),
          serverId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
          blockingId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
        }),
        response: { 201: ref('SupportRequest'), ...errors },
      },
    },
    async (request, reply) => {
      const created = await submitSupportRequest(portal, me(request), request.body as Record<string, unknown>, actorOf(request));
      return reply.status(201).send(presentSupportRequest(created, 'customer'));
    },
  );
}
