/**
 * Sign-in for people: POST /api/v1/session sets the session cookie (HttpOnly, Secure,
 * SameSite=Lax) and returns the CSRF token; GET tells who is signed in; DELETE signs out.
 * The account routes change the signed-in person's language and password.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { changeOwnPassword } from '../../auth/change-password.ts';
import { LoginRateLimitedError } from '../../auth/login-rate-limiter.ts';
import { setLanguage } from '../../auth/set-language.ts';
import { SESSION_COOKIE, sessionIdHash, signIn, signOut } from '../../auth/sessions.ts';
import { DomainError } from '../../errors.ts';
import { errorBody } from '../api-errors.ts';
import type { PeopleRuntime } from '../people-api.ts';
import { presentSessionInfo, presentUser } from '../portal-presenters.ts';
import { ref } from '../portal-schemas.ts';
import type { Principal } from '../request-auth.ts';

const errors = { 400: { $ref: 'Error#' }, 401: { $ref: 'Error#' }, 403: { $ref: 'Error#' }, 429: { $ref: 'Error#' } };
const tags = ['session'];

function signedIn(request: FastifyRequest): NonNullable<Principal['session']> {
  const session = request.principal?.session;
  if (session === undefined) throw new DomainError('UNAUTHENTICATED', 401, 'not signed in');
  return session;
}

/**
 * Sign-in has no session to tie a CSRF token to; a browser names the page that posts in
 * Origin, and a page of another site must not sign a visitor in to an account of its
 * choosing (login CSRF). Clients that send no Origin (scripts) are not browsers.
 */
function refuseForeignOrigin(request: FastifyRequest): void {
  const origin = request.headers.origin;
  if (origin === undefined) return;
  let host: string | undefined;
  try {
    host = new URL(origin).host;
  } catch {
    host = undefined;
  }
  if (host === undefined || host !== request.host) throw new DomainError('FOREIGN_ORIGIN', 403, 'sign-in is accepted only from pages of this site');
}

export function registerSessionRoutes(app: FastifyInstance, runtime: PeopleRuntime): void {
  const { sessions } = runtime;
  const cookieOptions = { path: '/', httpOnly: true, secure: true, sameSite: 'lax' as const };
  const clearCookie = (reply: FastifyReply) => reply.clearCookie(SESSION_COOKIE, cookieOptions);

  app.post(
    '/api/v1/session',
    {
      config: { csrfExempt: true },
      schema: {
        tags,
        security: [],
        description:
          'Signs a person in (JSON or an HTML form). Sets the session cookie and returns the CSRF token. A wrong password and an unknown address get the same 401; too many failures per account or client address get 429 with Retry-After.',
        body: Type.Object({ email: Type.String({ minLength: 1, maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 1024 }) }),
        response: { 200: ref('SessionInfo'), ...errors },
      },
    },
    async (request, reply) => {
      refuseForeignOrigin(request);
      // A cookie of an earlier session is ended, never carried over (session fixation).
      const previous = request.cookies[SESSION_COOKIE];
      if (previous !== undefined) await sessions.sessions.delete(sessionIdHash(previous));
      const body = request.body as { email: string; password: string };
      try {
        const live = await signIn(sessions, { email: body.email, password: body.password, clientAddress: request.ip, userAgent: request.headers['user-agent'] ?? '' });
        reply.setCookie(SESSION_COOKIE, live.secret, { ...cookieOptions, maxAge: Math.round(sessions.settings.lifetimeMs / 1000) });
        return presentSessionInfo(live);
      } catch (error) {
        if (error instanceof LoginRateLimitedError) {
          return reply.status(429).header('retry-after', String(error.retryAfterSeconds)).send(errorBody(error.code, error.message));
        }
        if (error instanceof DomainError && error.code === 'INVALID_CREDENTIALS') request.log.info({ address: request.ip }, 'sign-in failed');
        throw error;
      }
    },
  );

  app.get('/api/v1/session', { schema: { tags, description: 'Who is signed in, with the CSRF token of the session.', response: { 200: ref('SessionInfo'), ...errors } } }, async (request) => {
    const session = signedIn(request);
    return presentSessionInfo({ ...session, idleTimeoutMs: sessions.settings.idleMs });
  });

  app.delete('/api/v1/session', { schema: { tags, description: 'Signs out (needs the CSRF token).', response: { 204: Type.Null(), ...errors } } }, async (request, reply) => {
    const session = request.principal?.session;
    if (session !== undefined) await signOut(sessions, session.secret, session.user);
    clearCookie(reply);
    return reply.status(204).send();
  });

  app.patch(
    '/api/v1/account',
    { schema: { tags, description: 'Changes the signed-in person\'s language (en, de).', body: Type.Object({ language: Type.String() }), response: { 200: ref('User'), ...errors } } },
    async (request) => {
      const session = signedIn(request);
      return presentUser(await setLanguage(sessions, session.user, (request.body as { language: string }).language, sessions.now()));
    },
  );

  app.post(
    '/api/v1/account/password',
    {
      schema: {
        tags,
        description: 'Changes the signed-in person\'s password; their other sessions end.',
        body: Type.Object({ currentPassword: Type.String({ maxLength: 1024 }), newPassword: Type.String({ maxLength: 1024 }) }),
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      const session = signedIn(request);
      await changeOwnPassword(sessions, session.user, request.body as { currentPassword: string; newPassword: string }, sessionIdHash(session.secret), sessions.now());
      return reply.status(204).send();
    },
  );
}
