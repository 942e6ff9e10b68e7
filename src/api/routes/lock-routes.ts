/**
 * Locks for the abuse desk and machines: list, show with history, the log file and the
 * pcap of sampled packets, manual locks, review, release, unblock requests and their
 * decisions, and the billing system's endpoints.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { CaseContext } from '../../cases/case-context.ts';
import { LOCK_REASONS, LOCK_STATES, type LockState } from '../../cases/lock-types.ts';
import { type ManualLockInput, lockServer } from '../../cases/lock-server.ts';
import { releaseLock } from '../../cases/release-lock.ts';
import { reviewLock } from '../../cases/review-lock.ts';
import { decideUnblockRequest, requestUnblock } from '../../cases/unblock-request.ts';
import { notFound } from '../../errors.ts';
import { writePcap } from '../../evidence/pcap-writer.ts';
import { AnyObject, LockSchema } from '../api-schemas.ts';
import { presentLock, presentLockEvent, presentUnblockRequest } from '../presenters.ts';
import { actorOf, requireScope } from '../request-auth.ts';

const errors = { 400: { $ref: 'Error#' }, 401: { $ref: 'Error#' }, 403: { $ref: 'Error#' }, 404: { $ref: 'Error#' }, 409: { $ref: 'Error#' } };
const IdParams = Type.Object({ blockingId: Type.String() });

export function registerLockRoutes(app: FastifyInstance, deps: { cases: CaseContext }): void {
  const { cases } = deps;
  const read = { preHandler: requireScope('read', 'abuse') };
  const abuse = { preHandler: requireScope('abuse') };
  const billing = { preHandler: requireScope('billing') };
  const tags = ['locks'];

  async function lockOr404(blockingId: string) {
    const lock = await cases.locks.get(blockingId);
    if (lock === undefined) throw notFound('lock', blockingId);
    return lock;
  }

  app.get(
    '/api/v1/locks',
    {
      ...read,
      schema: {
        tags,
        querystring: Type.Object({
          serverId: Type.Optional(Type.String()),
          customerId: Type.Optional(Type.String()),
          state: Type.Optional(Type.Array(Type.Union(LOCK_STATES.map((s) => Type.Literal(s))))),
          reason: Type.Optional(Type.Union(LOCK_REASONS.map((r) => Type.Literal(r)))),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
        }),
        response: { 200: Type.Array(LockSchema), ...errors },
      },
    },
    async (req) => {
      const q = req.query as { serverId?: string; customerId?: string; state?: LockState[]; reason?: (typeof LOCK_REASONS)[number]; limit?: number };
      return (await cases.locks.list({ serverId: q.serverId, customerId: q.customerId, states: q.state, reason: q.reason, limit: q.limit })).map(presentLock);
    },
  );

  app.get('/api/v1/locks/:blockingId', { ...read, schema: { tags, params: IdParams, response: { 200: AnyObject, ...errors } } }, async (req) => {
    const lock = await lockOr404((req.params as { blockingId: string }).blockingId);
    return {
      ...presentLock(lock),
      incidents: await cases.locks.incidentIds(lock.blockingId),
      history: (await cases.locks.events(lock.blockingId)).map(presentLockEvent),
      unblockRequests: (await cases.locks.unblockRequests({ blockingId: lock.blockingId })).map(presentUnblockRequest),
    };
  });

  app.get(
    '/api/v1/locks/:blockingId/log',
    { ...read, schema: { tags, params: IdParams, description: 'The log file as e-mailed (text/plain).' } },
    async (req, reply) => {
      const lock = await lockOr404((req.params as { blockingId: string }).blockingId);
      const text = (await cases.locks.logFile(lock.blockingId)) ?? '';
      return reply
        .header('content-type', 'text/plain; charset=utf-8')
        .header('content-disposition', `attachment; filename="${lock.blockingId}.log"`)
        .send(text);
    },
  );

  app.get(
    '/api/v1/locks/:blockingId/pcap',
    { ...read, schema: { tags, params: IdParams, description: 'The sampled packets of the lock\'s incidents as a pcap file.' } },
    async (req, reply) => {
      const lock = await lockOr404((req.params as { blockingId: string }).blockingId);
      const packets = [];
      for (const id of await cases.locks.incidentIds(lock.blockingId)) {
        const incident = await cases.incidents.get(id);
        if (incident !== undefined) packets.push(...incident.samples);
      }
      packets.sort((a, b) => a.timeMs - b.timeMs);
      return reply
        .header('content-type', 'application/vnd.tcpdump.pcap')
        .header('content-disposition', `attachment; filename="${lock.blockingId}.pcap"`)
        .send(writePcap(packets));
    },
  );

  app.post('/api/v1/locks', { ...abuse, schema: { tags, body: AnyObject, response: { 201: AnyObject, ...errors } } }, async (req, reply) => {
    const lock = await lockServer(cases, req.body as ManualLockInput, actorOf(req), 'staff');
    return reply.status(201).send(presentLock(lock));
  });

  app.post(
    '/api/v1/locks/:blockingId/release',
    { ...abuse, schema: { tags, params: IdParams, body: Type.Object({ message: Type.Optional(Type.String({ maxLength: 5000 })) }), response: { 200: AnyObject, ...errors } } },
    async (req) => {
      const { blockingId } = req.params as { blockingId: string };
      return presentLock(await releaseLock(cases, blockingId, actorOf(req), (req.body as { message?: string }).message ?? '', 'staff'));
    },
  );

  app.post(
    '/api/v1/locks/:blockingId/review',
    { ...abuse, schema: { tags, params: IdParams, body: Type.Object({ decision: Type.String(), message: Type.Optional(Type.String({ maxLength: 5000 })) }), response: { 200: AnyObject, ...errors } } },
    async (req) => {
      const { blockingId } = req.params as { blockingId: string };
      const body = req.body as { decision: string; message?: string };
      return presentLock(await reviewLock(cases, blockingId, body.decision, body.message ?? '', actorOf(req)));
    },
  );

  app.post(
    '/api/v1/locks/:blockingId/unblock-requests',
    { ...abuse, schema: { tags, params: IdParams, body: AnyObject, response: { 201: AnyObject, ...errors } } },
    async (req, reply) => {
      const { blockingId } = req.params as { blockingId: string };
      const result = await requestUnblock(cases, blockingId, req.body as Record<string, unknown>, actorOf(req));
      return reply.status(201).send({ lock: presentLock(result.lock), request: presentUnblockRequest(result.request) });
    },
  );

  app.get(
    '/api/v1/unblock-requests',
    { ...read, schema: { tags, querystring: Type.Object({ state: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('approved'), Type.Literal('rejected')])) }), response: { 200: Type.Array(AnyObject), ...errors } } },
    async (req) => (await cases.locks.unblockRequests({ state: (req.query as { state?: 'open' }).state })).map(presentUnblockRequest),
  );

  app.post(
    '/api/v1/unblock-requests/:id/decision',
    { ...abuse, schema: { tags, params: Type.Object({ id: Type.Integer() }), body: Type.Object({ decision: Type.String(), message: Type.Optional(Type.String({ maxLength: 5000 })) }), response: { 200: AnyObject, ...errors } } },
    async (req) => {
      const { id } = req.params as { id: number };
      const body = req.body as { decision: string; message?: string };
      const result = await decideUnblockRequest(cases, id, body.decision, body.message ?? '', actorOf(req));
      return { lock: presentLock(result.lock), request: presentUnblockRequest(result.request) };
    },
  );

  // The billing system: lock for non-payment, release on payment, only its own locks.
  app.post(
    '/api/v1/billing/locks',
    { ...billing, schema: { tags: ['billing'], body: Type.Object({ serverId: Type.String(), reference: Type.String({ minLength: 1, maxLength: 500 }) }), response: { 201: AnyObject, ...errors } } },
    async (req, reply) => {
      const body = req.body as { serverId: string; reference: string };
      const lock = await lockServer(cases, { serverId: body.serverId, reason: 'non_payment', statement: body.reference }, actorOf(req), 'billing');
      return reply.status(201).send(presentLock(lock));
    },
  );
  app.post(
    '/api/v1/billing/locks/:blockingId/release',
    { ...billing, schema: { tags: ['billing'], params: IdParams, body: Type.Object({ reference: Type.String({ minLength: 1, maxLength: 500 }) }), response: { 200: AnyObject, ...errors } } },
    async (req) => {
      const { blockingId } = req.params as { blockingId: string };
      return presentLock(await releaseLock(cases, blockingId, actorOf(req), (req.body as { reference: string }).reference, 'billing'));
    },
  );
}
