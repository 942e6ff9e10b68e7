/**
 * Account commands against every database: createUser's validation, sign-in with the same
 * answer for every failure, session resume and sign-out, password change and disabling
 * (both end sessions), each audited with its actor.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { databaseTargets } from '../../test/helpers/databases.ts';
import { DomainError } from '../errors.ts';
import { createRepositories, type Repositories } from '../store/repositories.ts';
import type { Store } from '../store/store.ts';
import { changeOwnPassword, setUserPassword } from './change-password.ts';
import { createUser } from './create-user.ts';
import { LoginRateLimiter } from './login-rate-limiter.ts';
import { resumeSession, type SessionDeps, sessionIdHash, signIn, signOut } from './sessions.ts';
import { setUserDisabled } from './set-user-disabled.ts';

const CLI = { type: 'cli', id: 'test' };
const PASSWORD = 'correct horse battery staple';

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DomainError, String(error));
    return error;
  }
  assert.fail('expected a rejection');
}

for (const target of databaseTargets()) {
  describe(`accounts on ${target.name}`, () => {
    after(() => target.cleanup());
    let now = 1_000_000;

    async function fresh(): Promise<{ store: Store; repos: Repositories; deps: SessionDeps }> {
      const store = await target.open();
      const repos = createRepositories(store);
      await repos.inventory.upsertCustomer({ id: 'K1', name: 'One', email: 'one@example.com', language: 'de' }, 1000);
      const deps: SessionDeps = {
        users: repos.users,
        sessions: repos.sessions,
        audit: repos.audit,
        limiter: new LoginRateLimiter({ maxFailuresPerAccount: 50, maxFailuresPerAddress: 50, windowMinutes: 15 }),
        settings: { lifetimeMs: 8 * 3_600_000, idleMs: 3_600_000 },
        now: () => now,
      };
      return { store, repos, deps };
    }

    it('creates accounts with every problem named, unique e-mail regardless of case', async () => {
      const { store, repos } = await fresh();
      try {
        const bad = await rejection(createUser(repos, { email: 'nope', password: 'short', role: 'boss', language: 'fr' }, CLI));
        assert.equal(bad.code, 'VALIDATION_FAILED');
        assert.deepEqual(
          bad.fields.map((f) => f.field),
          ['email', 'password', 'role', 'language'],
        );
        assert.deepEqual(
          (await rejection(createUser(repos, { email: 'a@example.com', password: PASSWORD, role: 'customer' }, CLI))).fields,
          [{ field: 'customerId', message: 'is required for a customer account' }],
        );
        assert.deepEqual(
          (await rejection(createUser(repos, { email: 'a@example.com', password: PASSWORD, role: 'staff', customerId: 'K1' }, CLI))).fields.map((f) => f.field),
          ['customerId'],
        );
        assert.match((await rejection(createUser(repos, { email: 'a@example.com', password: PASSWORD, role: 'customer', customerId: 'K9' }, CLI))).fields[0].message, /does not exist/);
        const user = await createUser(repos, { email: ' Alice@Example.com ', password: PASSWORD, role: 'customer', customerId: 'K1' }, CLI, 5000);
        assert.deepEqual({ ...user, id: 0 }, { id: 0, email: 'Alice@Example.com', role: 'customer', customerId: 'K1', language: 'de', createdAt: 5000, updatedAt: 5000, disabledAt: null });
        const taken = await rejection(createUser(repos, { email: 'ALICE@example.COM', password: PASSWORD, role: 'staff' }, CLI));
        assert.deepEqual([taken.code, taken.status, taken.fields[0].field], ['EMAIL_TAKEN', 409, 'email']);
        const staff = await createUser(repos, { email: 'desk@example.net', password: PASSWORD, role: 'staff' }, CLI);
        assert.deepEqual([staff.customerId, staff.language], [null, 'en']);
        const audit = await repos.audit.list({ subjectType: 'user' });
        assert.deepEqual(
          audit.map((a) => [a.action, a.subjectId, a.actor.id]),
          [
            ['user.created', 'desk@example.net', 'test'],
            ['user.created', 'Alice@Example.com', 'test'],
          ],
        );
        assert.ok(!JSON.stringify(audit).includes('argon2'), 'no hash in the audit log');
      } finally {
        await store.close();
      }
    });

    it('signs in with any case of the address, and answers every failure alike', async () => {
      const { store, repos, deps } = await fresh();
      try {
        await createUser(repos, { email: 'alice@example.com', password: PASSWORD, role: 'customer', customerId: 'K1' }, CLI);
        const wrong = await rejection(signIn(deps, { email: 'alice@example.com', password: 'wrong password!', clientAddress: '192.0.2.1', userAgent: 't' }));
        const unknown = await rejection(signIn(deps, { email: 'bob@example.com', password: PASSWORD, clientAddress: '192.0.2.1', userAgent: 't' }));
        assert.deepEqual([wrong.code, wrong.status, wrong.message], [unknown.code, unknown.status, unknown.message]);
        assert.equal(wrong.code, 'INVALID_CREDENTIALS');
        const live = await signIn(deps, { email: 'ALICE@example.com', password: PASSWORD, clientAddress: '192.0.2.1', userAgent: 't' });
        assert.equal(live.user.email, 'alice@example.com');
        assert.equal(live.expiresAt, now + 8 * 3_600_000);
        const stored = await repos.sessions.findLive(sessionIdHash(live.secret), now, deps.settings.idleMs);
        assert.ok(stored, 'the session is stored under the hash of its secret');
        assert.equal(await repos.sessions.findLive(live.secret, now, deps.settings.idleMs), undefined, 'not under the secret itself');
        now += 30 * 60_000;
        const resumed = await resumeSession(deps, live.secret);
        assert.equal(resumed?.csrfToken, live.csrfToken);
        assert.equal(resumed?.session.lastSeenAt, now - 30 * 60_000, 'the row as read; the touch happens after');
        now += 50 * 60_000;
        assert.ok(await resumeSession(deps, live.secret), 'used 50 minutes ago: still live (idle timeout 60)');
        assert.equal(await resumeSession(deps, 'x'.repeat(43)), undefined);
        assert.equal(await resumeSession(deps, undefined), undefined);
        await signOut(deps, live.secret, live.user);
        assert.equal(await resumeSession(deps, live.secret), undefined);
        await setUserDisabled(repos, 'alice@example.com', true, CLI, now);
        const disabled = await rejection(signIn(deps, { email: 'alice@example.com', password: PASSWORD, clientAddress: '192.0.2.1', userAgent: 't' }));
        assert.equal(disabled.message, wrong.message, 'a disabled account looks like a wrong password');
        assert.deepEqual(
          (await repos.audit.list({ subjectId: 'alice@example.com' })).map((a) => [a.action, a.actor.type]),
          [
            ['user.disabled', 'cli'],
            ['session.ended', 'customer'],
            ['session.created', 'customer'],
            ['user.created', 'cli'],
          ],
        );
      } finally {
        await store.close();
      }
    });

    it('changes a password, ending the other sessions; disabling ends all', async () => {
      const { store, repos, deps } = await fresh();
      try {
        await createUser(repos, { email: 'desk@example.net', password: PASSWORD, role: 'staff' }, CLI);
        const login = () => signIn(deps, { email: 'desk@example.net', password: PASSWORD, clientAddress: '192.0.2.1', userAgent: 't' });
        const stale = await login();
        now += 2 * 3_600_000;
        const here = await login();
        assert.equal(await repos.sessions.countOfUser(here.user.id), 1, 'the idle session was swept at sign-in');
        assert.equal(await resumeSession(deps, stale.secret), undefined);
        const elsewhere = await login();
        const bad = await rejection(changeOwnPassword(deps, here.user, { currentPassword: 'not it at all', newPassword: 'short' }, sessionIdHash(here.secret), now));
        assert.deepEqual(
          bad.fields.map((f) => [f.field, f.message]),
          [
            ['currentPassword', 'is wrong'],
            ['newPassword', 'needs at least 12 characters'],
          ],
        );
        await changeOwnPassword(deps, here.user, { currentPassword: PASSWORD, newPassword: 'a new and long password' }, sessionIdHash(here.secret), now);
        assert.ok(await resumeSession(deps, here.secret));
        assert.equal(await resumeSession(deps, elsewhere.secret), undefined);
        await rejection(login());
        const again = await signIn(deps, { email: 'desk@example.net', password: 'a new and long password', clientAddress: '192.0.2.1', userAgent: 't' });
        await setUserPassword(repos, 'desk@example.net', 'set by the operator', CLI, now);
        assert.equal(await resumeSession(deps, again.secret), undefined, 'an operator-set password ends every session');
        const third = await signIn(deps, { email: 'desk@example.net', password: 'set by the operator', clientAddress: '192.0.2.1', userAgent: 't' });
        await setUserDisabled(repos, 'desk@example.net', true, CLI, now);
        assert.equal(await resumeSession(deps, third.secret), undefined);
      } finally {
        await store.close();
      }
    });
  });
}
