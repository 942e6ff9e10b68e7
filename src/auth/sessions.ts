/**
 * Sign-in sessions for people. The cookie carries 256 random bits; the database keeps
 * only their SHA-256, with an absolute expiry and an idle timeout. Signing in always
 * makes a new session (no fixation); wrong password and unknown address get the same
 * answer after the same amount of work.
 */
import { createHash, randomBytes } from 'node:crypto';
import { DomainError } from '../errors.ts';
import type { Actor, AuditRepository } from '../store/audit-repository.ts';
import type { SessionRepository, StoredSession } from '../store/session-repository.ts';
import type { UserRepository } from '../store/user-repository.ts';
import { csrfTokenFor } from './csrf.ts';
import type { LoginRateLimiter } from './login-rate-limiter.ts';
import { verifyAgainstNothing, verifyPassword } from './passwords.ts';
import { emailKey, type User } from './user.ts';

export const SESSION_COOKIE = 'nw_session';
/** lastSeenAt is written at most this often per session (not on every request). */
const TOUCH_EVERY_MS = 60_000;
const SECRET = /^[A-Za-z0-9_-]{43}$/;

export interface SessionDeps {
  users: UserRepository;
  sessions: SessionRepository;
  audit: AuditRepository;
  limiter: LoginRateLimiter;
  settings: { lifetimeMs: number; idleMs: number };
  now(): number;
}

export interface LiveSession {
  /** The cookie value. */
  secret: string;
  user: User;
  csrfToken: string;
  expiresAt: number;
  idleTimeoutMs: number;
}

export function sessionIdHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** The actor that audit entries name for a person: their role and e-mail. */
export function actorOfUser(user: User): Actor {
  return { type: user.role, id: user.email };
}

export const invalidCredentials = (): DomainError => new DomainError('INVALID_CREDENTIALS', 401, 'the e-mail address or the password is wrong');

export async function signIn(
  deps: SessionDeps,
  input: { email: string; password: string; clientAddress: string; userAgent: string },
): Promise<LiveSession> {
  const now = deps.now();
  const key = emailKey(input.email);
  deps.limiter.check(key, input.clientAddress, now);
  const user = await deps.users.findByEmailKey(key);
  let ok = false;
  if (user === undefined) await verifyAgainstNothing(input.password);
  else ok = (await verifyPassword(user.passwordHash, input.password)) && user.disabledAt === null;
  if (user === undefined || !ok) {
    deps.limiter.fail(key, input.clientAddress, now);
    throw invalidCredentials();
  }
  deps.limiter.succeed(key);
  // Sign-ins are rare enough to sweep dead sessions on, so no timer is needed for it.
  await deps.sessions.prune(now, deps.settings.idleMs);
  const secret = randomBytes(32).toString('base64url');
  const expiresAt = now + deps.settings.lifetimeMs;
  await deps.sessions.create({
    idHash: sessionIdHash(secret),
    userId: user.id,
    createdAt: now,
    lastSeenAt: now,
    expiresAt,
    clientAddress: input.clientAddress,
    userAgent: input.userAgent.slice(0, 300),
  });
  const { passwordHash: _hash, ...plain } = user;
  await deps.audit.append({ actor: actorOfUser(plain), action: 'session.created', subjectType: 'user', subjectId: plain.email, details: { address: input.clientAddress }, at: now });
  return { secret, user: plain, csrfToken: csrfTokenFor(secret), expiresAt, idleTimeoutMs: deps.settings.idleMs };
}

/** The session a cookie names, if it is live; refreshes its idle timer. */
export async function resumeSession(deps: Pick<SessionDeps, 'sessions' | 'settings' | 'now'>, secret: string | undefined): Promise<(LiveSession & { session: StoredSession }) | undefined> {
  if (secret === undefined || !SECRET.test(secret)) return undefined;
  const now = deps.now();
  const found = await deps.sessions.findLive(sessionIdHash(secret), now, deps.settings.idleMs);
  if (found === undefined) return undefined;
  if (now - found.session.lastSeenAt >= TOUCH_EVERY_MS) await deps.sessions.touch(found.session.idHash, now);
  return { secret, user: found.user, session: found.session, csrfToken: csrfTokenFor(secret), expiresAt: found.session.expiresAt, idleTimeoutMs: deps.settings.idleMs };
}

export async function signOut(deps: Pick<SessionDeps, 'sessions' | 'audit' | 'now'>, secret: string, user: User): Promise<void> {
  if (await deps.sessions.delete(sessionIdHash(secret))) {
    await deps.audit.append({ actor: actorOfUser(user), action: 'session.ended', subjectType: 'user', subjectId: user.email, at: deps.now() });
  }
}
