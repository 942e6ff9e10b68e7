/** Disabling an account ends its sessions at once; enabling lets it sign in again. */
import { notFound } from '../errors.ts';
import type { Actor, AuditRepository } from '../store/audit-repository.ts';
import type { SessionRepository } from '../store/session-repository.ts';
import type { UserRepository } from '../store/user-repository.ts';
import { emailKey, type User } from './user.ts';

export async function setUserDisabled(
  deps: { users: UserRepository; sessions: SessionRepository; audit: AuditRepository },
  email: string,
  disabled: boolean,
  actor: Actor,
  now = Date.now(),
): Promise<User> {
  const stored = await deps.users.findByEmailKey(emailKey(email));
  if (stored === undefined) throw notFound('user', email);
  await deps.users.setDisabled(stored.id, disabled ? now : null, now);
  const ended = disabled ? await deps.sessions.deleteOfUser(stored.id) : 0;
  await deps.audit.append({ actor, action: disabled ? 'user.disabled' : 'user.enabled', subjectType: 'user', subjectId: stored.email, details: { endedSessions: ended }, at: now });
  const { passwordHash: _hash, ...user } = stored;
  return { ...user, disabledAt: disabled ? now : null, updatedAt: now };
}
