/**
 * Sign-in over real HTTP: the cookie's flags, the CSRF token on every state change (header
 * or form field; bearer tokens exempt), no user enumeration, rate limiting with
 * Retry-After, sign-out, password change, and roles against the staff API.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sampleSnapshot } from '../../../test/helpers/factories.ts';
import { cookiePair, createPerson, signIn, TEST_PASSWORD } from '../../../test/helpers/session-client.ts';
import { startTestServer, type TestServer } from '../../../test/helpers/test-server.ts';

type ErrorResponse = { error: { code: string; fields: Array<{ field: string; message: string }> } };
const code = (body: unknown) => (body as ErrorResponse).error.code;

describe('sessions over HTTP', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ portal: { login: { maxFailuresPerAccount: 3, maxFailuresPerAddress: 8, windowMinutes: 15 } } });
    const admin = await server.token(['admin']);
    assert.equal((await server.request('POST', '/api/v1/inventory/import', { token: admin, body: sampleSnapshot() })).status, 200);
    await createPerson(server, 'alice@example.com', 'customer', 'K100');
    await createPerson(server, 'desk@example.net', 'staff');
    await createPerson(server, 'root@example.net', 'admin');
    await createPerson(server, 'carol@example.com', 'customer', 'K100');
  });
  after(() => server.close());

  it('sets an HttpOnly, Secure, SameSite=Lax session cookie and tells who is signed in', async () => {
    const response = await server.request('POST', '/api/v1/session', { body: { email: 'Alice@Example.com', password: TEST_PASSWORD } });
    assert.equal(response.status, 200, response.text);
    const setCookie = response.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /^nw_session=[A-Za-z0-9_-]{43};/);
    for (const flag of ['HttpOnly', 'Secure', 'SameSite=Lax', 'Path=/', 'Max-Age=43200']) assert.ok(setCookie.split('; ').includes(flag), `${flag} in ${setCookie}`);
    const info = response.body as { user: { email: string; role: string; customerId: string; language: string }; csrfToken: string; idleTimeoutSeconds: number };
    assert.deepEqual([info.user.email, info.user.role, info.user.customerId, info.user.language, info.idleTimeoutSeconds], ['alice@example.com', 'customer', 'K100', 'de', 3600]);
    const me = await server.request('GET', '/api/v1/session', { headers: { cookie: cookiePair(setCookie) } });
    assert.equal(me.status, 200);
    assert.equal((me.body as { csrfToken: string }).csrfToken, info.csrfToken);
    assert.equal((await server.request('GET', '/api/v1/session')).status, 401);
    const audit = await server.netwarden.repositories.audit.list({ subjectType: 'user', subjectId: 'alice@example.com' });
    assert.deepEqual(audit[0].actor, { type: 'customer', id: 'alice@example.com' });
    assert.equal(audit[0].action, 'session.created');
  });

  it('answers a wrong password and an unknown address identically', async () => {
    const wrong = await server.request('POST', '/api/v1/session', { body: { email: 'carol@example.com', password: 'not the password' } });
    const unknown = await server.request('POST', '/api/v1/session', { body: { email: 'nobody@example.com', password: 'not the password' } });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.text, unknown.text);
    assert.equal(code(wrong.body), 'INVALID_CREDENTIALS');
    assert.equal(wrong.headers.get('set-cookie'), null);
    const missing = await server.request('POST', '/api/v1/session', { body: { email: 'carol@example.com' } });
    assert.equal(missing.status, 400);
    assert.deepEqual(
      (missing.body as ErrorResponse).error.fields.map((f) => f.field),
      ['password'],
    );
  });

  it('refuses a sign-in posted from another site', async () => {
    const foreign = await server.request('POST', '/api/v1/session', { body: { email: 'alice@example.com', password: TEST_PASSWORD }, headers: { origin: 'https://evil.example' } });
    assert.equal(foreign.status, 403);
    assert.equal(code(foreign.body), 'FOREIGN_ORIGIN');
    const own = await server.request('POST', '/api/v1/session', { body: { email: 'alice@example.com', password: TEST_PASSWORD }, headers: { origin: server.baseUrl } });
    assert.equal(own.status, 200);
  });

  it('requires the CSRF token on state changes made with the cookie, in a header or a form field', async () => {
    const alice = await signIn(server, 'alice@example.com');
    const none = await alice.request('PATCH', '/api/v1/account', { body: { language: 'en' }, csrf: false });
    assert.equal(none.status, 403);
    assert.equal(code(none.body), 'CSRF_FAILED');
    const forged = await alice.request('PATCH', '/api/v1/account', { body: { language: 'en' }, csrf: false, headers: { 'x-csrf-token': 'A'.repeat(43) } });
    assert.equal(forged.status, 403);
    const viaHeader = await alice.request('PATCH', '/api/v1/account', { body: { language: 'en' } });
    assert.equal(viaHeader.status, 200, viaHeader.text);
    assert.equal((viaHeader.body as { language: string }).language, 'en');
    const form = new URLSearchParams({ _csrf: alice.csrfToken, subject: 'Remote console', message: 'Please call me about the console.' });
    const viaForm = await alice.request('POST', '/api/v1/portal/support-requests', { body: form.toString(), contentType: 'application/x-www-form-urlencoded', csrf: false });
    assert.equal(viaForm.status, 201, viaForm.text);
    assert.equal((viaForm.body as { subject: string }).subject, 'Remote console');
    const formWithout = await alice.request('POST', '/api/v1/portal/support-requests', { body: new URLSearchParams({ subject: 'x', message: 'y'.repeat(20) }).toString(), contentType: 'application/x-www-form-urlencoded', csrf: false });
    assert.equal(formWithout.status, 403);
    const otherSession = await signIn(server, 'carol@example.com');
    const crossed = await alice.request('PATCH', '/api/v1/account', { body: { language: 'de' }, csrf: false, headers: { 'x-csrf-token': otherSession.csrfToken } });
    assert.equal(crossed.status, 403, 'a token of another session does not count');
    assert.equal((await alice.request('GET', '/api/v1/portal/servers')).status, 200, 'reads need no token');
  });

  it('exempts bearer-token requests, which carry no ambient credential', async () => {
    const token = await server.token(['abuse']);
    const response = await server.request('POST', '/api/v1/locks', { token, body: { serverId: 'EX-2', reason: 'non_payment' } });
    assert.equal(response.status, 201, response.text);
  });

  it('gives people the scopes of their role', async () => {
    const alice = await signIn(server, 'alice@example.com');
    const desk = await signIn(server, 'desk@example.net');
    const root = await signIn(server, 'root@example.net');
    assert.equal((await alice.request('GET', '/api/v1/locks')).status, 403);
    assert.equal((await alice.request('GET', '/api/v1/console/audit')).status, 403);
    assert.equal((await desk.request('GET', '/api/v1/locks')).status, 200);
    assert.equal((await desk.request('GET', '/api/v1/console/audit')).status, 200);
    assert.equal((await desk.request('POST', '/api/v1/billing/locks', { body: { serverId: 'EX-1', reference: 'INV-1' } })).status, 403, 'staff are not billing');
    assert.equal((await desk.request('GET', '/api/v1/portal/servers')).status, 403, 'the portal is for customers');
    assert.equal((await root.request('POST', '/api/v1/billing/locks', { body: { serverId: 'EX-1', reference: 'INV-1' } })).status, 201);
  });

  it('signs out, and changes the password ending the other sessions', async () => {
    const first = await signIn(server, 'carol@example.com');
    const second = await signIn(server, 'carol@example.com');
    const wrong = await first.request('POST', '/api/v1/account/password', { body: { currentPassword: 'not my password', newPassword: 'a brand new passphrase' } });
    assert.equal(wrong.status, 400);
    assert.deepEqual(
      (wrong.body as ErrorResponse).error.fields.map((f) => f.field),
      ['currentPassword'],
    );
    const changed = await first.request('POST', '/api/v1/account/password', { body: { currentPassword: TEST_PASSWORD, newPassword: 'a brand new passphrase' } });
    assert.equal(changed.status, 204, changed.text);
    assert.equal((await second.request('GET', '/api/v1/session')).status, 401);
    assert.equal((await first.request('GET', '/api/v1/session')).status, 200);
    const out = await first.request('DELETE', '/api/v1/session');
    assert.equal(out.status, 204);
    assert.match(out.headers.get('set-cookie') ?? '', /^nw_session=;.*Expires=Thu, 01 Jan 1970/);
    assert.equal((await first.request('GET', '/api/v1/session')).status, 401, 'the old cookie is worthless');
    await signIn(server, 'carol@example.com', 'a brand new passphrase');
  });

  // Last: it exhausts the address's budget.
  it('limits failed sign-ins per account and per address with 429 and Retry-After', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await server.request('POST', '/api/v1/session', { body: { email: 'alice@example.com', password: `guess ${i} wrong` } })).status, 401);
    const limited = await server.request('POST', '/api/v1/session', { body: { email: 'alice@example.com', password: TEST_PASSWORD } });
    assert.equal(limited.status, 429, 'even the right password while the account is limited');
    assert.equal(code(limited.body), 'LOGIN_RATE_LIMITED');
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(retryAfter > 800 && retryAfter <= 900, `Retry-After ${retryAfter}`);
    const unknownLimited = [];
    for (let i = 0; i < 4; i++) unknownLimited.push((await server.request('POST', '/api/v1/session', { body: { email: 'ghost@example.com', password: 'x' } })).status);
    assert.deepEqual(unknownLimited, [401, 401, 401, 429], 'an unknown account is limited like a real one');
    // 2 earlier failures + 3 + 3 = 8 failures from 127.0.0.1: the address is now limited too.
    const other = await server.request('POST', '/api/v1/session', { body: { email: 'desk@example.net', password: TEST_PASSWORD } });
    assert.equal(other.status, 429);
    assert.ok(Number(other.headers.get('retry-after')) > 0);
  });
});
