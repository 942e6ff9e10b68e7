/**
 * CSRF protection for requests authenticated by the session cookie: a synchronizer token
 * derived from the session's secret (HMAC), so it is tied to the session, changes with
 * every sign-in, needs no storage, and cannot be computed by a page that cannot read the
 * HttpOnly cookie. Fetch sends it as X-CSRF-Token; a plain HTML form as the field _csrf.
 * Requests with a bearer token carry no ambient credential and are exempt.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_FIELD = '_csrf';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isStateChanging(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

export function csrfTokenFor(sessionSecret: string): string {
  return createHmac('sha256', sessionSecret).update('netwarden csrf v1').digest('base64url');
}

export function csrfTokenMatches(sessionSecret: string, presented: unknown): boolean {
  if (typeof presented !== 'string' || presented.length === 0 || presented.length > 200) return false;
  const expected = Buffer.from(csrfTokenFor(sessionSecret));
  const actual = Buffer.from(presented);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
