/** Incidents from detection, newest first. */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../errors.ts';
import type { IncidentQuery, IncidentRepository } from '../../store/incident-repository.ts';
import { AnyObject } from '../api-schemas.ts';
import { presentIncident } from '../presenters.ts';
import { requireScope } from '../request-auth.ts';

const errors = { 400: { $ref: 'Error#' }, 401: { $ref: 'Error#' }, 403: { $ref: 'Error#' }, 404: { $ref: 'Error#' } };

export function registerIncidentRoutes(app: FastifyInstance, deps: { incidents: IncidentRepository }): void {
  const read = { preHandler: requireScope('read', 'abuse') };
  const tags = ['incidents'];
  app.get(
    '/api/v1/incidents',
    {
      ...read,
      schema: {
        tags,
        querystring: Type.Object({
          serverId: Type.Optional(Type.String()),
          customerId: Type.Optional(Type.String()),
          status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('ended')])),
          kind: Type.Optional(Type.Union([Type.Literal('flood'), Type.Literal('netscan'), Type.Literal('wrong_source_address')])),
          before: Type.Optional(Type.String({ format: 'date-time' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
        }),
        response: { 200: Type.Array(AnyObject), ...errors },
      },
    },
    async (req) => {
      const q = req.query as IncidentQuery & { before?: string };
      const query: IncidentQuery = { ...q, ...(q.before !== undefined ? { beforeMs: Date.parse(q.before) } : {}) };
      return (await deps.incidents.list(query)).map(presentIncident);
    },
  );
  app.get('/api/v1/incidents/:id', { ...read, schema: { tags, params: Type.Object({ id: Type.String() }), response: { 200: AnyObject, ...errors } } }, async (req) => {
    const id = (req.params as { id: string }).id;
    const incident = await deps.incidents.get(id);
    if (incident === undefined) throw notFound('incident', id);
    return presentIncident(incident);
  });
}
