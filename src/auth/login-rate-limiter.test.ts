/** Failed sign-ins per account and per address, over a sliding window. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressKey, LoginRateLimitedError, LoginRateLimiter } from './login-rate-limiter.ts';

const MIN = 60_000;

function refusal(limiter: LoginRateLimiter, account: string, address: string, now: number): number | null {
  try {
    limiter.check(account, address, now);
    return null;
  } catch (error) {
    assert.ok(error instanceof LoginRateLimitedError);
    assert.equal(error.status, 429);
    return error.retryAfterSeconds;
  }
}

describe('login rate limiter', () => {
  it('refuses an account after its limit until the oldest failure leaves the window', () => {
    const limiter = new LoginRateLimiter({ maxFailuresPerAccount: 5, maxFailuresPerAddress: 20, windowMinutes: 15 });
    for (let i = 0; i < 5; i++) {
      assert.equal(refusal(limiter, 'a@example.com', '192.0.2.1', i * MIN), null);
      limiter.fail('a@example.com', '192.0.2.1', i * MIN);
    }
    assert.equal(refusal(limiter, 'a@example.com', '198.51.100.9', 5 * MIN), 10 * 60, 'from any address; until minute 15');
    assert.equal(refusal(limiter, 'b@example.com', '192.0.2.1', 5 * MIN), null, 'other accounts from the address are not limited yet');
    assert.equal(refusal(limiter, 'a@example.com', '192.0.2.1', 15 * MIN - 1000), 1);
    assert.equal(refusal(limiter, 'a@example.com', '192.0.2.1', 15 * MIN), null, 'the first failure aged out');
  });

  it('refuses an address after its limit, whichever accounts it tried', () => {
    const limiter = new LoginRateLimiter({ maxFailuresPerAccount: 5, maxFailuresPerAddress: 20, windowMinutes: 15 });
    for (let i = 0; i < 20; i++) limiter.fail(`user${i}@example.com`, '203.0.113.5', 1000 + i);
    assert.equal(refusal(limiter, 'new@example.com', '203.0.113.5', 2000), 899, 'the first failure (at 1 s) leaves the window at 901 s');
    assert.equal(refusal(limiter, 'new@example.com', '203.0.113.6', 2000), null);
  });

  it('counts IPv6 clients per /64', () => {
    assert.equal(addressKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:db8:1:2:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
    assert.equal(addressKey('::ffff:192.0.2.1'), '192.0.2.1');
    assert.equal(addressKey('192.0.2.1'), '192.0.2.1');
    const limiter = new LoginRateLimiter({ maxFailuresPerAccount: 100, maxFailuresPerAddress: 3, windowMinutes: 15 });
    for (let i = 1; i <= 3; i++) limiter.fail(`u${i}@example.com`, `2001:db8:1:2::${i}`, 0);
    assert.ok(refusal(limiter, 'x@example.com', '2001:db8:1:2::99', 1) !== null);
    assert.equal(refusal(limiter, 'x@example.com', '2001:db8:1:3::99', 1), null);
  });

  it('clears the account, not the address, on success', () => {
    const limiter = new LoginRateLimiter({ maxFailuresPerAccount: 2, maxFailuresPerAddress: 3, windowMinutes: 15 });
    limiter.fail('a@example.com', '192.0.2.1', 0);
    limiter.fail('a@example.com', '192.0.2.1', 1);
    limiter.succeed('a@example.com');
    assert.equal(refusal(limiter, 'a@example.com', '192.0.2.2', 2), null);
    limiter.fail('b@example.com', '192.0.2.1', 3);
    assert.ok(refusal(limiter, 'c@example.com', '192.0.2.1', 4) !== null, 'the address kept its three failures');
  });

  it('keeps at most maxKeys keys', () => {
    const limiter = new LoginRateLimiter({ maxFailuresPerAccount: 5, maxFailuresPerAddress: 5, windowMinutes: 15 }, { maxKeys: 100 });
    for (let i = 0; i < 1000; i++) limiter.fail(`u${i}@example.com`, `198.51.100.${i % 250}`, i);
    assert.ok(limiter.trackedKeys <= 100, `${limiter.trackedKeys} keys`);
  });
});
