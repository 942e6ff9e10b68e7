/** How the gateways are doing: what the reconciler last applied, failures, drift (staff). */
import type { FastifyInstance } from 'fastify';
import type { ReconcilerStatus } from '../../enforce/reconciler.ts';
import { AnyObject } from '../api-schemas.ts';
import { requireScope } from '../request-auth.ts';

export function registerEnforcementRoutes(app: FastifyInstance, deps: { status(): ReconcilerStatus | null }): void {
  app.get(
    '/api/v1/enforcement/status',
    {
      preHandler: requireScope('read', 'abuse'),
      schema: {
        tags: ['enforcement'],
        description: 'Per uplink gateway: adapter, entries, last success and error, retries, drift repaired, entries refused. Null where no worker runs in this process.',
        response: { 200: { anyOf: [AnyObject, { type: 'null' }] } },
      },
    },
    async () => {
      const status = deps.status();
      if (status === null) return null;
      const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
      return {
        lastRun: iso(status.lastRunAt),
        desiredError: status.desiredError,
        gateways: status.gateways.map((g) => ({ ...g, lastAttemptAt: iso(g.lastAttemptAt), lastSuccessAt: iso(g.lastSuccessAt), lastChangeAt: iso(g.lastChangeAt), nextRetryAt: iso(g.nextRetryAt) })),
      };
    },
  );
}
