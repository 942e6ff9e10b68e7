/**
 * Who is calling: an API token (Authorization: Bearer nwt_...) for machines, else the
 * session cookie of a signed-in person (src/auth/sessions.ts). Routes declare the scope
 * they need; a person's scopes follow from their role (src/auth/policies.ts).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { verifyApiToken } from '../auth/api-tokens.ts';
import type { Actor } from '../store/audit-repository.ts';
import type { ApiTokenRepository } from '../store/api-token-repository.ts';
import type { User, UserRole } from '../auth/user.ts';
import { errorBody } from './api-errors.ts';

export interface Principal {
  actor: Actor;
  scopes: string[];
  /** People (session sign-in) only: their role, and the customer account of a customer. */
  role?: UserRole;
  customerId?: string | null;
  /** People only: the session the request came with (CSRF check, sign-out). */
  session?: { secret: string; user: User; csrfToken: string; expiresAt: number };
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export async function identify(
  request: FastifyRequest,
  tokens: ApiTokenRepository,
  sessionOf?: (request: FastifyRequest) => Promise<Principal | null>,
): Promise<Principal | null> {
  const header = request.headers.authorization;
  if (header === undefined || !header.startsWith('Bearer ')) return sessionOf === undefined ? null : sessionOf(request);
  const token = await verifyApiToken(tokens, header.slice('Bearer '.length).trim());
  if (token === undefined) return null;
  void tokens.touch(token.id, Date.now());
  return { actor: { type: 'token', id: `${token.name}/${token.id}` }, scopes: token.scopes };
}

/** A preHandler that requires one of the scopes (admin passes everything). */
export function requireScope(...scopes: string[]) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const principal = request.principal;
    if (principal === null) {
      await reply.status(401).send(errorBody('UNAUTHENTICATED', 'sign in or send Authorization: Bearer <api token>'));
      return reply;
    }
    if (!principal.scopes.includes('admin') && !scopes.some((s) => principal.scopes.includes(s))) {
      await reply.status(403).send(errorBody('FORBIDDEN', `this needs one of the scopes: ${scopes.join(', ')}`));
      return reply;
    }
  };
}

export function actorOf(request: FastifyRequest): Actor {
  return request.principal?.actor ?? { type: 'anonymous', id: request.ip };
}
