/**
 * A person in tests: an account created with createUser, signed in through the real
 * POST /api/v1/session, then requests that carry the session cookie and, for state
 * changes, the CSRF token (as a browser page of the portal would).
 */
import assert from 'node:assert/strict';
import { createUser } from '../../src/auth/create-user.ts';
import type { TestServer } from './test-server.ts';

export interface SessionClient {
  email: string;
  cookie: string;
  csrfToken: string;
  request(method: string, path: string, options?: { body?: unknown; contentType?: string; csrf?: boolean; headers?: Record<string, string> }): ReturnType<TestServer['request']>;
}

export const TEST_PASSWORD = 'correct horse battery staple';

export async function createPerson(server: TestServer, email: string, role: 'customer' | 'staff' | 'admin', customerId?: string): Promise<void> {
  await createUser(server.netwarden.repositories, { email, password: TEST_PASSWORD, role, customerId }, { type: 'cli', id: 'test' });
}

/** The cookie pair (`name=value`) of a Set-Cookie header. */
export function cookiePair(setCookie: string | null): string {
  assert.ok(setCookie, 'a Set-Cookie header');
  return setCookie.split(';')[0];
}

export async function signIn(server: TestServer, email: string, password = TEST_PASSWORD): Promise<SessionClient> {
  const response = await server.request('POST', '/api/v1/session', { body: { email, password } });
  assert.equal(response.status, 200, response.text);
  const cookie = cookiePair(response.headers.get('set-cookie'));
  const csrfToken = (response.body as { csrfToken: string }).csrfToken;
  return {
    email,
    cookie,
    csrfToken,
    request(method, path, options = {}) {
      const headers: Record<string, string> = { cookie, ...options.headers };
      if (options.csrf !== false && method !== 'GET' && method !== 'HEAD') headers['x-csrf-token'] = csrfToken;
      return server.request(method, path, { body: options.body, contentType: options.contentType, headers });
    },
  };
}
