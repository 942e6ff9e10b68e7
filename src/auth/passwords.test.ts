/** argon2id hashes with the configured cost, verification, and new-password rules. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseOptions } from '@node-rs/argon2';
import { hashPassword, passwordProblems, verifyAgainstNothing, verifyPassword } from './passwords.ts';

describe('passwords', () => {
  it('hashes with argon2id (19 MiB, 2 passes, 1 lane) and a fresh salt each time', async () => {
    const a = await hashPassword('correct horse battery staple');
    const b = await hashPassword('correct horse battery staple');
    assert.match(a, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.notEqual(a, b);
    const options = parseOptions(a);
    assert.deepEqual([options.memoryCost, options.timeCost, options.parallelism], [19456, 2, 1]);
    assert.equal(await verifyPassword(a, 'correct horse battery staple'), true);
    assert.equal(await verifyPassword(a, 'Correct horse battery staple'), false);
    assert.equal(await verifyPassword('not a hash', 'x'), false, 'an unreadable hash is a failed check, not an exception');
  });

  it('spends about the time of a real check when there is no account', async () => {
    const hash = await hashPassword('some password 123');
    await verifyAgainstNothing('warm-up');
    const time = async (work: () => Promise<unknown>) => {
      const runs: number[] = [];
      for (let i = 0; i < 3; i++) {
        const start = performance.now();
        await work();
        runs.push(performance.now() - start);
      }
      return runs.sort((x, y) => x - y)[1];
    };
    const real = await time(() => verifyPassword(hash, 'wrong password 123'));
    const nothing = await time(() => verifyAgainstNothing('wrong password 123'));
    assert.ok(nothing > real / 4 && nothing < real * 4, `median ${nothing.toFixed(1)} ms without an account vs ${real.toFixed(1)} ms with one`);
  });

  it('names what is wrong with a new password', () => {
    assert.deepEqual(passwordProblems(undefined, 'a@example.com'), [{ field: 'password', message: 'is required' }]);
    assert.deepEqual(passwordProblems('short', 'a@example.com', 'newPassword'), [{ field: 'newPassword', message: 'needs at least 12 characters' }]);
    assert.deepEqual(passwordProblems('x'.repeat(257), 'a@example.com'), [{ field: 'password', message: 'must be at most 256 characters' }]);
    assert.deepEqual(passwordProblems('Long@Example.com', 'long@example.com'), [{ field: 'password', message: 'must not be the e-mail address' }]);
    assert.deepEqual(passwordProblems('twelve chars', 'a@example.com'), []);
  });
});
