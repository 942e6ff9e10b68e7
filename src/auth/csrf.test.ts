/** CSRF tokens: tied to the session secret, compared in constant time, only for state changes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csrfTokenFor, csrfTokenMatches, isStateChanging } from './csrf.ts';

describe('csrf tokens', () => {
  const secret = 'A'.repeat(43);
  const other = 'B'.repeat(43);

  it('is the same for a session and different between sessions', () => {
    assert.equal(csrfTokenFor(secret), csrfTokenFor(secret));
    assert.notEqual(csrfTokenFor(secret), csrfTokenFor(other));
    assert.match(csrfTokenFor(secret), /^[A-Za-z0-9_-]{43}$/);
    assert.ok(!csrfTokenFor(secret).includes(secret), 'the token does not reveal the session secret');
  });

  it('accepts only the session\'s own token', () => {
    assert.equal(csrfTokenMatches(secret, csrfTokenFor(secret)), true);
    assert.equal(csrfTokenMatches(secret, csrfTokenFor(other)), false);
    assert.equal(csrfTokenMatches(secret, undefined), false);
    assert.equal(csrfTokenMatches(secret, ''), false);
    assert.equal(csrfTokenMatches(secret, ['x']), false);
    assert.equal(csrfTokenMatches(secret, `${csrfTokenFor(secret)}x`), false);
  });

  it('applies to every method but GET, HEAD and OPTIONS', () => {
    assert.deepEqual(
      ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE', 'get'].map(isStateChanging),
      [false, false, false, true, true, true, true, false],
    );
  });
});
