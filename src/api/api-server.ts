/**
 * The HTTP server: Fastify with the OpenAPI document at /api/docs, the error mapping,
 * request identification, and the route groups. Only src/api imports Fastify.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { CaseContext } from '../cases/case-context.ts';
import type { ReconcilerStatus } from '../enforce/reconciler.ts';
import type { InventoryService } from '../inventory/inventory-service.ts';
import type { Logger } from '../logger.ts';
import type { ApiTokenRepository } from '../store/api-token-repository.ts';
import type { IncidentRepository } from '../store/incident-repository.ts';
import { CustomerSchema, ErrorSchema, HostGroupSchema, LockSchema, PrefixNoteSchema, ServerSchema } from './api-schemas.ts';
import { handleApiError } from './api-errors.ts';
import { identify } from './request-auth.ts';
import { type HealthCheck, registerHealthRoutes } from './routes/health-routes.ts';
import { registerEnforcementRoutes } from './routes/enforcement-routes.ts';
import { registerIncidentRoutes } from './routes/incident-routes.ts';
import { registerInventoryRoutes } from './routes/inventory-routes.ts';
import { registerLockRoutes } from './routes/lock-routes.ts';
import { registerWebAppRoutes } from './routes/web-app-routes.ts';
import { type PeopleApiDeps, registerPeopleRoutes, registerSessionSupport } from './people-api.ts';

export interface ApiServerDeps {
  logger: Logger;
  metrics: Registry;
  inventory: InventoryService;
  apiTokens: ApiTokenRepository;
  incidents: IncidentRepository;
  cases: CaseContext;
  enforcementStatus?: () => ReconcilerStatus | null;
  healthChecks: HealthCheck[];
  /** Sessions for people, the customer portal and the abuse-desk console. */
  people: PeopleApiDeps;
  trustProxy?: boolean;
  bodyLimitBytes?: number;
}

export async function buildApiServer(deps: ApiServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'api' }) as FastifyBaseLogger,
    disableRequestLogging: true,
    trustProxy: deps.trustProxy ?? false,
    bodyLimit: deps.bodyLimitBytes ?? 10 * 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
  });
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.setErrorHandler(handleApiError);
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}`, fields: [] } });
  });
  for (const schema of [ErrorSchema, CustomerSchema, ServerSchema, HostGroupSchema, PrefixNoteSchema, LockSchema]) app.addSchema(schema);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Netwarden API', version: '1', description: 'Network-abuse detection and server locking.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'API token (nwt_...)' },
          session: { type: 'apiKey', in: 'cookie', name: 'nw_session', description: 'session cookie from POST /api/v1/session; state-changing requests also need X-CSRF-Token' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  const people = await registerSessionSupport(app, deps.people);
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') request.log.debug({ method: request.method, url: request.url }, 'request received');
    request.principal = await identify(request, deps.apiTokens, people.sessionOf);
  });

  registerHealthRoutes(app, { checks: deps.healthChecks, metrics: deps.metrics });
  registerInventoryRoutes(app, { inventory: deps.inventory });
  registerIncidentRoutes(app, { incidents: deps.incidents });
  registerLockRoutes(app, { cases: deps.cases });
  registerPeopleRoutes(app, people, { inventory: deps.inventory, cases: deps.cases });
  registerEnforcementRoutes(app, { status: deps.enforcementStatus ?? (() => null) });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  // Last: the portal and console pages answer every GET no API route claims.
  await registerWebAppRoutes(app);
  return app;
}
