/** A person's language for the portal and the console (en, de). */
import { invalidInput } from '../errors.ts';
import type { AuditRepository } from '../store/audit-repository.ts';
import type { UserRepository } from '../store/user-repository.ts';
import { actorOfUser } from './sessions.ts';
import { USER_LANGUAGES, type User, type UserLanguage } from './user.ts';

export async function setLanguage(deps: { users: UserRepository; audit: AuditRepository }, user: User, language: unknown, now = Date.now()): Promise<User> {
  if (!USER_LANGUAGES.includes(language as UserLanguage)) throw invalidInput([{ field: 'language', message: `must be one of ${USER_LANGUAGES.join(', ')}` }]);
  await deps.users.setLanguage(user.id, language as UserLanguage, now);
  await deps.audit.append({ actor: actorOfUser(user), action: 'user.language_changed', subjectType: 'user', subjectId: user.email, details: { language }, at: now });
  return { ...user, language: language as UserLanguage, updatedAt: now };
}
