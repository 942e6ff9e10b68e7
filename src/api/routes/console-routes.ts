/**
 * The abuse-desk console's additions (/api/v1/console): one search box, the audit log,
 * the review queue, a server's overview and traffic chart, remote-console appointments
 * and support requests. Reads need read or abuse, changes abuse (staff hold both).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { CaseContext } from '../../cases/case-context.ts';
import type { Config } from '../../config/config-schema.ts';
import { searchConsole } from '../../console/search.ts';
import { downsample, thresholdLines } from '../../console/traffic-series.ts';
import { invalidInput, notFound } from '../../errors.ts';
import type { InventoryService } from '../../inventory/inventory-service.ts';
import { BOOKING_STATES, type BookingState, LIVE_BOOKING_STATES } from '../../portal/console-booking.ts';
import { closeSupportRequest } from '../../portal/close-support-request.ts';
import { decideConsoleBooking } from '../../portal/decide-console-booking.ts';
import type { PortalContext } from '../../portal/portal-context.ts';
import type { SupportState } from '../../portal/support-request.ts';
import type { Repositories } from '../../store/repositories.ts';
import { AnyObject } from '../api-schemas.ts';
import { presentAuditEntry, presentIncidentMarker, presentSearchResult, presentTrafficSeries } from '../console-presenters.ts';
import { AuditPageSchema, TrafficSeriesSchema } from '../console-schemas.ts';
import { presentConsoleBooking, presentStaticIp, presentSupportRequest } from '../portal-presenters.ts';
import { ref } from '../portal-schemas.ts';
import { presentCustomer, presentIncident, presentLock, presentServer } from '../presenters.ts';
import { actorOf, requireScope } from '../request-auth.ts';

const errors = { 400: { $ref: 'Error#' }, 401: { $ref: 'Error#' }, 403: { $ref: 'Error#' }, 404: { $ref: 'Error#' }, 409: { $ref: 'Error#' } };
const ServerParams = Type.Object({ serverId: Type.String() });
const IdParams = Type.Object({ id: Type.Integer() });
const DAY_MS = 86_400_000;

export interface ConsoleRouteDeps {
  portal: PortalContext;
  repos: Repositories;
  inventory: InventoryService;
  cases: CaseContext;
  detect: Config['detect'];
}

export function registerConsoleRoutes(app: FastifyInstance, deps: ConsoleRouteDeps): void {
  const { repos } = deps;
  const read = { preHandler: requireScope('read', 'abuse') };
  const abuse = { preHandler: requireScope('abuse') };
  const tags = ['console'];

  async function serverOr404(serverId: string) {
    const server = await repos.inventory.getServer(serverId);
    if (server === undefined) throw notFound('server', serverId);
    return server;
  }

  app.get(
    '/api/v1/console/search',
    {
      ...read,
      schema: {
        tags,
        description: 'One search box: an IP address (the server it belongs to), a Blocking ID, or text matching server ids and names, customer ids, names and e-mail addresses.',
        querystring: Type.Object({ q: Type.String() }),
        response: { 200: AnyObject, ...errors },
      },
    },
    async (request) =>
      presentSearchResult(await searchConsole({ index: deps.inventory.index, inventory: repos.inventory, locks: repos.locks, users: repos.users }, (request.query as { q: string }).q)),
  );

  app.get(
    '/api/v1/console/audit',
    {
      ...read,
      schema: {
        tags,
        description: 'The audit log, newest first, in pages: every state change with its actor.',
        querystring: Type.Object({
          beforeId: Type.Optional(Type.Integer({ minimum: 1 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
          actorId: Type.Optional(Type.String()),
          subjectType: Type.Optional(Type.String()),
          subjectId: Type.Optional(Type.String()),
        }),
        response: { 200: AuditPageSchema, ...errors },
      },
    },
    async (request) => {
      const q = request.query as { beforeId?: number; limit?: number; actorId?: string; subjectType?: string; subjectId?: string };
      const limit = q.limit ?? 100;
      const entries = await repos.audit.list({ ...q, limit });
      return { entries: entries.map(presentAuditEntry), nextBeforeId: entries.length === limit ? entries[entries.length - 1].id : null };
    },
  );

  app.get(
    '/api/v1/console/review-queue',
    { ...read, schema: { tags, description: 'Locks waiting for staff confirmation, oldest first, with their incidents.', response: { 200: Type.Array(AnyObject), ...errors } } },
    async () => {
      const locks = (await repos.locks.list({ states: ['review'], limit: 1000 })).reverse();
      const out = [];
      for (const lock of locks) {
        const incidents = [];
        for (const id of await repos.locks.incidentIds(lock.blockingId)) {
          const incident = await repos.incidents.get(id);
          if (incident !== undefined) incidents.push({ ...presentIncidentMarker(incident), peak: incident.peak, exceeded: incident.exceeded });
        }
        out.push({ ...presentLock(lock), incidents });
      }
      return out;
    },
  );

  app.get(
    '/api/v1/console/servers/:serverId',
    {
      ...read,
      schema: { tags, description: 'A server\'s page: the server, its customer, its locks, open incidents, static access IPs and upcoming remote-console bookings.', params: ServerParams, response: { 200: AnyObject, ...errors } },
    },
    async (request) => {
      const server = await serverOr404((request.params as { serverId: string }).serverId);
      const customer = await repos.inventory.getCustomer(server.customerId);
      const now = deps.portal.now();
      return {
        server: presentServer(server),
        customer: customer === undefined ? null : presentCustomer(customer),
        locks: (await repos.locks.list({ serverId: server.id, limit: 50 })).map(presentLock),
        openIncidents: (await repos.incidents.list({ serverId: server.id, status: 'open', limit: 100 })).map(presentIncident),
        staticIps: (await repos.staticAccessIps.list(server.id)).map(presentStaticIp),
        consoleBookings: (await repos.consoleBookings.list({ serverId: server.id, states: LIVE_BOOKING_STATES, fromMs: now })).map((b) => presentConsoleBooking(b, 'staff')),
      };
    },
  );

  app.get(
    '/api/v1/console/servers/:serverId/traffic',
    {
      ...read,
      schema: {
        tags,
        description: 'The server\'s traffic chart: packets/s and bits/s in and out (the highest per stored bucket), its threshold lines and incident markers. Default: the last 24 hours.',
        params: ServerParams,
        querystring: Type.Object({
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
          maxPoints: Type.Optional(Type.Integer({ minimum: 10, maximum: 5000, default: 1000 })),
        }),
        response: { 200: TrafficSeriesSchema, ...errors },
      },
    },
    async (request) => {
      const server = await serverOr404((request.params as { serverId: string }).serverId);
      const q = request.query as { from?: string; to?: string; maxPoints?: number };
      const toMs = q.to === undefined ? deps.portal.now() : Date.parse(q.to);
      const fromMs = q.from === undefined ? toMs - DAY_MS : Date.parse(q.from);
      if (!(fromMs < toMs)) throw invalidInput([{ field: 'from', message: 'must be before to' }]);
      if (toMs - fromMs > 90 * DAY_MS) throw invalidInput([{ field: 'from', message: 'the range may span at most 90 days' }]);
      const samples = await repos.trafficSamples.series(server.id, fromMs, toMs);
      const incidents = (await repos.incidents.list({ serverId: server.id, beforeMs: toMs, limit: 1000 })).filter((i) => (i.endedMs ?? i.lastSeenMs) >= fromMs);
      return presentTrafficSeries({
        serverId: server.id,
        fromMs,
        toMs,
        samples: downsample(samples, q.maxPoints ?? 1000),
        thresholds: thresholdLines(deps.detect, server),
        incidents: incidents.reverse(),
      });
    },
  );

  app.get(
    '/api/v1/console/remote-console-bookings',
    {
      ...read,
      schema: {
        tags,
        description: 'Remote-console appointments by start time; default: requested and confirmed ones that have not ended.',
        querystring: Type.Object({
          state: Type.Optional(Type.Array(Type.Union(BOOKING_STATES.map((s) => Type.Literal(s))))),
          serverId: Type.Optional(Type.String()),
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })),
        }),
        response: { 200: Type.Array(ref('RemoteConsoleBooking')), ...errors },
      },
    },
    async (request) => {
      const q = request.query as { state?: BookingState[]; serverId?: string; from?: string; to?: string; limit?: number };
      const bookings = await repos.consoleBookings.list({
        states: q.state ?? LIVE_BOOKING_STATES,
        serverId: q.serverId,
        fromMs: q.from === undefined ? deps.portal.now() : Date.parse(q.from),
        ...(q.to !== undefined ? { toMs: Date.parse(q.to) } : {}),
        limit: q.limit ?? 200,
      });
      return bookings.map((b) => presentConsoleBooking(b, 'staff'));
    },
  );

  app.post(
    '/api/v1/console/remote-console-bookings/:id/decision',
    {
      ...abuse,
      schema: {
        tags,
        description: 'Confirms a requested booking, or declines one with a message to the customer.',
        params: IdParams,
        body: Type.Object({ decision: Type.String(), message: Type.Optional(Type.String({ maxLength: 5000 })) }),
        response: { 200: ref('RemoteConsoleBooking'), ...errors },
      },
    },
    async (request) => {
      const body = request.body as { decision: string; message?: string };
      return presentConsoleBooking(await decideConsoleBooking(deps.portal, (request.params as { id: number }).id, body.decision, body.message ?? '', actorOf(request)), 'staff');
    },
  );

  app.get(
    '/api/v1/console/support-requests',
    {
      ...read,
      schema: {
        tags,
        querystring: Type.Object({
          state: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('closed')])),
          customerId: Type.Optional(Type.String()),
          beforeId: Type.Optional(Type.Integer({ minimum: 1 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
        }),
        response: { 200: Type.Array(ref('SupportRequest')), ...errors },
      },
    },
    async (request) => {
      const q = request.query as { state?: SupportState; customerId?: string; beforeId?: number; limit?: number };
      return (await repos.supportRequests.list(q)).map((r) => presentSupportRequest(r, 'staff'));
    },
  );

  app.post(
    '/api/v1/console/support-requests/:id/close',
    { ...abuse, schema: { tags, params: IdParams, body: Type.Object({ message: Type.Optional(Type.String({ maxLength: 10_000 })) }), response: { 200: ref('SupportRequest'), ...errors } } },
    async (request) =>
      presentSupportRequest(await closeSupportRequest(deps.portal, (request.params as { id: number }).id, (request.body as { message?: string }).message ?? '', actorOf(request)), 'staff'),
  );
}
