/**
 * API tokens: `nwt_<id>_<secret>`. The id is public (listings, audit), the secret is 256
 * random bits stored only as SHA-256 (a slow hash buys nothing for random secrets).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { invalidInput } from '../errors.ts';
import type { ApiToken, ApiTokenRepository } from '../store/api-token-repository.ts';

export const TOKEN_SCOPES = ['read', 'inventory', 'billing', 'abuse', 'admin'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export async function createApiToken(
  repo: ApiTokenRepository,
  name: string,
  scopes: string[],
  now = Date.now(),
): Promise<{ token: string; id: string }> {
  const bad = scopes.filter((s) => !(TOKEN_SCOPES as readonly string[]).includes(s));
  if (name.trim() === '') throw invalidInput([{ field: 'name', message: 'is required' }]);
  if (scopes.length === 0 || bad.length > 0) {
    throw invalidInput([{ field: 'scopes', message: `must be one or more of ${TOKEN_SCOPES.join(', ')}${bad.length ? ` (unknown: ${bad.join(', ')})` : ''}` }]);
  }
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  await repo.create({ id, name: name.trim(), secretHash: sha256(secret), scopes, createdAt: now });
  return { token: `nwt_${id}_${secret}`, id };
}

/** Returns the token's record if the presented token is valid and active. */
export async function verifyApiToken(repo: ApiTokenRepository, presented: string): Promise<ApiToken | undefined> {
  const match = /^nwt_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/.exec(presented);
  if (match === null) return undefined;
  const record = await repo.findActive(match[1]);
  if (record === undefined) return undefined;
  const expected = Buffer.from(record.secretHash, 'hex');
  const actual = Buffer.from(sha256(match[2]), 'hex');
  if (!timingSafeEqual(expected, actual)) return undefined;
  const { secretHash: _hash, ...token } = record;
  return token;
}
