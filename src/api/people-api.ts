/**
 * Everything the API needs for people (sessions, the customer portal, the abuse-desk
 * console), as one dependency of buildApiServer, and the two steps that plug it in:
 * session support before requests are identified, the route groups after.
 */
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { csrfTokenMatches, CSRF_FIELD, CSRF_HEADER, isStateChanging } from '../auth/csrf.ts';
import { LoginRateLimiter } from '../auth/login-rate-limiter.ts';
import { scopesOfRole } from '../auth/policies.ts';
import type { PortalConfig } from '../auth/portal-config.ts';
import { resumeSession, SESSION_COOKIE, type SessionDeps } from '../auth/sessions.ts';
import type { CaseContext } from '../cases/case-context.ts';
import type { Config } from '../config/config-schema.ts';
import type { InventoryService } from '../inventory/inventory-service.ts';
import type { PortalContext } from '../portal/portal-context.ts';
import type { Repositories } from '../store/repositories.ts';
import { errorBody } from './api-errors.ts';
import { PORTAL_SCHEMAS } from './portal-schemas.ts';
import type { Principal } from './request-auth.ts';
import { registerConsoleRoutes } from './routes/console-routes.ts';
import { registerPortalRoutes } from './routes/portal-routes.ts';
import { registerSessionRoutes } from './routes/session-routes.ts';

export interface PeopleApiDeps {
  repositories: Repositories;
  portal: PortalConfig;
  /** Thresholds for the console's traffic chart. */
  detect: Config['detect'];
  /** Static access IPs a customer may register per server. */
  maxStaticIps: number;
  /** Called after a customer changed static access IPs (the enforcement reconciler's trigger). */
  onStaticIpsChanged(): void;
  now?: () => number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route checks its own cross-site protection (sign-in: Origin). */
    csrfExempt?: boolean;
  }
}

/** Built once per server: session dependencies shared by the hook and the routes. */
export interface PeopleRuntime {
  deps: PeopleApiDeps;
  sessions: SessionDeps;
  portal: PortalContext;
  sessionOf(request: FastifyRequest): Promise<Principal | null>;
}

/**
 * Cookies, HTML-form bodies and the CSRF check. Call before the hook that identifies
 * requests (cookies must be parsed by then); pass the returned `sessionOf` to identify.
 */
export async function registerSessionSupport(app: FastifyInstance, deps: PeopleApiDeps): Promise<PeopleRuntime> {
  const now = deps.now ?? Date.now;
  const repos = deps.repositories;
  await app.register(cookie);
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  for (const schema of PORTAL_SCHEMAS) app.addSchema(schema);

  const sessions: SessionDeps = {
    users: repos.users,
    sessions: repos.sessions,
    audit: repos.audit,
    limiter: new LoginRateLimiter(deps.portal.login),
    settings: { lifetimeMs: deps.portal.sessionHours * 3_600_000, idleMs: deps.portal.idleMinutes * 60_000 },
    now,
  };
  const portal: PortalContext = {
    repos,
    config: deps.portal,
    maxStaticIps: deps.maxStaticIps,
    onStaticIpsChanged: deps.onStaticIpsChanged,
    now,
  };

  async function sessionOf(request: FastifyRequest): Promise<Principal | null> {
    const live = await resumeSession(sessions, request.cookies?.[SESSION_COOKIE]);
    if (live === undefined) return null;
    const { user } = live;
    return {
      actor: { type: user.role, id: user.email },
      scopes: scopesOfRole(user.role),
      role: user.role,
      customerId: user.customerId,
      session: { secret: live.secret, user, csrfToken: live.csrfToken, expiresAt: live.expiresAt },
    };
  }

  // Runs after the body is parsed and before it is validated, so `_csrf` never meets a schema.
  app.addHook('preValidation', async (request, reply) => {
    const session = request.principal?.session;
    if (session === undefined || !isStateChanging(request.method) || request.routeOptions.config?.csrfExempt === true) return;
    const body = request.body;
    const fromForm = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[CSRF_FIELD] : undefined;
    if (!csrfTokenMatches(session.secret, request.headers[CSRF_HEADER] ?? fromForm)) {
      await reply.status(403).send(errorBody('CSRF_FAILED', `a request signed in by cookie must carry the session's CSRF token (header X-CSRF-Token or form field ${CSRF_FIELD})`));
      return reply;
    }
    if (fromForm !== undefined) delete (body as Record<string, unknown>)[CSRF_FIELD];
  });

  return { deps, sessions, portal, sessionOf };
}

export function registerPeopleRoutes(app: FastifyInstance, runtime: PeopleRuntime, shared: { inventory: InventoryService; cases: CaseContext }): void {
  registerSessionRoutes(app, runtime);
  registerPortalRoutes(app, { portal: runtime.portal, cases: shared.cases });
  registerConsoleRoutes(app, { portal: runtime.portal, repos: runtime.deps.repositories, inventory: shared.inventory, cases: shared.cases, detect: runtime.deps.detect });
}
