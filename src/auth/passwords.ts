/**
 * Passwords: argon2id (OWASP's minimum profile: 19 MiB, 2 passes, 1 lane) through
 * @node-rs/argon2, whose native build for this platform ships in the npm package.
 * Hashing runs on libuv's thread pool, so a sign-in does not stall the event loop.
 */
import { randomBytes } from 'node:crypto';
import { type Algorithm, hash, verify } from '@node-rs/argon2';
import type { FieldProblem } from '../errors.ts';

// The package declares Algorithm as a const enum, which erasable TypeScript cannot read; 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const MIN_PASSWORD_LENGTH = 12;
/** Long enough for any passphrase, short enough that hashing cannot be abused with megabytes. */
export const MAX_PASSWORD_LENGTH = 256;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/** False for a wrong password and for a hash that cannot be read (never throws). */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the time of one verification when there is no account to check, so a response's
 * timing does not tell an unknown address from a wrong password.
 */
export async function verifyAgainstNothing(password: string): Promise<void> {
  dummyHash ??= hashPassword(randomBytes(16).toString('base64url'));
  await verifyPassword(await dummyHash, password);
}

/** What is wrong with a new password (the field is named `field`). */
export function passwordProblems(password: unknown, email: string, field = 'password'): FieldProblem[] {
  if (typeof password !== 'string' || password === '') return [{ field, message: 'is required' }];
  if ([...password].length < MIN_PASSWORD_LENGTH) return [{ field, message: `needs at least ${MIN_PASSWORD_LENGTH} characters` }];
  if (password.length > MAX_PASSWORD_LENGTH) return [{ field, message: `must be at most ${MAX_PASSWORD_LENGTH} characters` }];
  if (password.trim().toLowerCase() === email.trim().toLowerCase()) return [{ field, message: 'must not be the e-mail address' }];
  return [];
}
