/**
 * Changing a password: by its owner (who must know the current one; their other sessions
 * end), or set by an operator (every session ends). Either is audited.
 */
import { type FieldProblem, invalidInput, notFound } from '../errors.ts';
import type { Actor, AuditRepository } from '../store/audit-repository.ts';
import type { SessionRepository } from '../store/session-repository.ts';
import type { UserRepository } from '../store/user-repository.ts';
import { hashPassword, passwordProblems, verifyPassword } from './passwords.ts';
import { actorOfUser } from './sessions.ts';
import { emailKey, type User } from './user.ts';

type Deps = { users: UserRepository; sessions: SessionRepository; audit: AuditRepository };

export async function changeOwnPassword(
  deps: Deps,
  user: User,
  input: { currentPassword?: unknown; newPassword?: unknown },
  currentSessionIdHash: string,
  now = Date.now(),
): Promise<void> {
  const problems: FieldProblem[] = passwordProblems(input.newPassword, user.email, 'newPassword');
  const stored = await deps.users.getWithHash(user.id);
  if (stored === undefined) throw notFound('user', user.email);
  if (typeof input.currentPassword !== 'string' || input.currentPassword === '') problems.unshift({ field: 'currentPassword', message: 'is required' });
  else if (!(await verifyPassword(stored.passwordHash, input.currentPassword))) problems.unshift({ field: 'currentPassword', message: 'is wrong' });
  if (problems.length > 0) throw invalidInput(problems, 'the password was not changed');
  await deps.users.setPasswordHash(user.id, await hashPassword(input.newPassword as string), now);
  const ended = await deps.sessions.deleteOfUser(user.id, currentSessionIdHash);
  await deps.audit.append({ actor: actorOfUser(user), action: 'user.password_changed', subjectType: 'user', subjectId: user.email, details: { endedSessions: ended }, at: now });
}

/** An operator sets a password (CLI); every session of the account ends. */
export async function setUserPassword(deps: Deps, email: string, password: unknown, actor: Actor, now = Date.now()): Promise<void> {
  const stored = await deps.users.findByEmailKey(emailKey(email));
  if (stored === undefined) throw notFound('user', email);
  const problems = passwordProblems(password, stored.email);
  if (problems.length > 0) throw invalidInput(problems, 'the password was not set');
  await deps.users.setPasswordHash(stored.id, await hashPassword(password as string), now);
  const ended = await deps.sessions.deleteOfUser(stored.id);
  await deps.audit.append({ actor, action: 'user.password_set', subjectType: 'user', subjectId: stored.email, details: { endedSessions: ended }, at: now });
}
