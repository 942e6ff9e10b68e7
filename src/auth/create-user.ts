/**
 * Creating a person's account (the CLI's `netwarden user create`, tests): every field
 * checked and every problem named; a customer account needs an existing customer, staff
 * and admins belong to none. The e-mail is unique regardless of case.
 */
import { DomainError, type FieldProblem, invalidInput } from '../errors.ts';
import type { Actor, AuditRepository } from '../store/audit-repository.ts';
import type { InventoryRepository } from '../store/inventory-repository.ts';
import type { UserRepository } from '../store/user-repository.ts';
import { hashPassword, passwordProblems } from './passwords.ts';
import { emailKey, USER_LANGUAGES, USER_ROLES, type User, type UserLanguage, type UserRole } from './user.ts';

export interface CreateUserInput {
  email?: unknown;
  password?: unknown;
  role?: unknown;
  customerId?: unknown;
  language?: unknown;
}

/** Deliberately loose: one @, no spaces, a dot in the domain. Delivery is the real test. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function emailProblems(email: unknown, field = 'email'): FieldProblem[] {
  if (typeof email !== 'string' || email.trim() === '') return [{ field, message: 'is required' }];
  if (email.trim().length > 254 || !EMAIL.test(email.trim())) return [{ field, message: 'is not an e-mail address' }];
  return [];
}

export async function createUser(
  repos: { users: UserRepository; inventory: InventoryRepository; audit: AuditRepository },
  input: CreateUserInput,
  actor: Actor,
  now = Date.now(),
): Promise<User> {
  const problems: FieldProblem[] = [];
  problems.push(...emailProblems(input.email));
  const email = typeof input.email === 'string' ? input.email.trim() : '';
  problems.push(...passwordProblems(input.password, email));
  const role = input.role as UserRole;
  if (!USER_ROLES.includes(role)) problems.push({ field: 'role', message: `must be one of ${USER_ROLES.join(', ')}` });
  const customerId = typeof input.customerId === 'string' && input.customerId.trim() !== '' ? input.customerId.trim() : null;
  if (role === 'customer' && customerId === null) problems.push({ field: 'customerId', message: 'is required for a customer account' });
  if ((role === 'staff' || role === 'admin') && customerId !== null) problems.push({ field: 'customerId', message: `must be empty for ${role} accounts` });
  if (input.language !== undefined && !USER_LANGUAGES.includes(input.language as UserLanguage)) {
    problems.push({ field: 'language', message: `must be one of ${USER_LANGUAGES.join(', ')}` });
  }
  if (problems.length > 0) throw invalidInput(problems, 'the account has problems');
  let language = input.language as UserLanguage | undefined;
  if (customerId !== null) {
    const customer = await repos.inventory.getCustomer(customerId);
    if (customer === undefined) throw invalidInput([{ field: 'customerId', message: `customer ${JSON.stringify(customerId)} does not exist` }], 'the account has problems');
    language ??= customer.language;
  }
  const user = await repos.users.create({
    email,
    emailKey: emailKey(email),
    passwordHash: await hashPassword(input.password as string),
    role,
    customerId,
    language: language ?? 'en',
    createdAt: now,
  });
  if (user === undefined) {
    throw new DomainError('EMAIL_TAKEN', 409, `an account for ${email} exists already`, { fields: [{ field: 'email', message: 'is taken (addresses are compared regardless of case)' }] });
  }
  await repos.audit.append({ actor, action: 'user.created', subjectType: 'user', subjectId: email, details: { id: user.id, role, customerId }, at: now });
  return user;
}
