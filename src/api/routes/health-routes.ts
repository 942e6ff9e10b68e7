import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export interface HealthCheck {
  name: string;
  check(): Promise<void>;
}

/** /healthz answers 200 when every check passes (the store answers a query), else 503. */
export function registerHealthRoutes(app: FastifyInstance, deps: { checks: HealthCheck[]; metrics: Registry }): void {
  app.get('/healthz', { schema: { hide: true } }, async (_request, reply) => {
    const results: Record<string, string> = {};
    let healthy = true;
    for (const c of deps.checks) {
      try {
        await c.check();
        results[c.name] = 'ok';
      } catch (error) {
        healthy = false;
        results[c.name] = (error as Error).message;
      }
    }
    return reply.status(healthy ? 200 : 503).send({ status: healthy ? 'ok' : 'unhealthy', checks: results });
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    return reply.header('content-type', deps.metrics.contentType).send(await deps.metrics.metrics());
  });
}
