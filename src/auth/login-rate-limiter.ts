/**
 * Failed sign-ins counted per account and per client address over a sliding window:
 * once either reaches its limit, sign-in is refused (429 with Retry-After) until the
 * oldest failure in the window has aged out. Checked before the password is, so a locked
 * key cannot be probed at all. Unknown accounts are counted like real ones, so the limit
 * tells nothing about which addresses exist. IPv6 clients are counted per /64, the block
 * one subscriber usually holds.
 *
 * The counts live in this process (bounded by maxKeys, oldest key dropped first): a
 * restart forgets them, and several API processes count separately.
 */
import ipaddr from 'ipaddr.js';
import { DomainError } from '../errors.ts';

export interface LoginRateLimits {
  maxFailuresPerAccount: number;
  maxFailuresPerAddress: number;
  windowMinutes: number;
}

export class LoginRateLimitedError extends DomainError {
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super('LOGIN_RATE_LIMITED', 429, `too many failed sign-ins; try again in ${retryAfterSeconds} s`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The part of a client address that is counted: IPv4 whole, IPv6 by its /64. */
export function addressKey(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  return `${(parsed as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16)).join(':')}::/64`;
}

export class LoginRateLimiter {
  readonly #limits: LoginRateLimits;
  readonly #maxKeys: number;
  /** key -> failure times, oldest first, at most the key's limit long. */
  readonly #failures = new Map<string, number[]>();

  constructor(limits: LoginRateLimits, options: { maxKeys?: number } = {}) {
    this.#limits = limits;
    this.#maxKeys = options.maxKeys ?? 100_000;
  }

  get #windowMs(): number {
    return this.#limits.windowMinutes * 60_000;
  }

  /** Throws LoginRateLimitedError when the account or the address is over its limit. */
  check(account: string, address: string, now: number): void {
    const wait = Math.max(this.#wait(`account:${account}`, this.#limits.maxFailuresPerAccount, now), this.#wait(`address:${addressKey(address)}`, this.#limits.maxFailuresPerAddress, now));
    if (wait > 0) throw new LoginRateLimitedError(Math.max(1, Math.ceil(wait / 1000)));
  }

  fail(account: string, address: string, now: number): void {
    this.#record(`account:${account}`, this.#limits.maxFailuresPerAccount, now);
    this.#record(`address:${addressKey(address)}`, this.#limits.maxFailuresPerAddress, now);
  }

  /**
   * A successful sign-in clears the account's failures, not the address's: otherwise one
   * valid account would let its owner keep guessing others' passwords from that address.
   */
  succeed(account: string): void {
    this.#failures.delete(`account:${account}`);
  }

  get trackedKeys(): number {
    return this.#failures.size;
  }

  /** Milliseconds until the key is under its limit again (0: it is). */
  #wait(key: string, limit: number, now: number): number {
    const times = this.#failures.get(key);
    if (times === undefined) return 0;
    const windowStart = now - this.#windowMs;
    while (times.length > 0 && times[0] <= windowStart) times.shift();
    if (times.length === 0) {
      this.#failures.delete(key);
      return 0;
    }
    if (times.length < limit) return 0;
    return times[times.length - limit] + this.#windowMs - now;
  }

  #record(key: string, limit: number, now: number): void {
    let times = this.#failures.get(key);
    if (times === undefined) {
      if (this.#failures.size >= this.#maxKeys) this.#evictOldest(now);
      times = [];
      this.#failures.set(key, times);
    }
    times.push(now);
    if (times.length > limit) times.splice(0, times.length - limit);
  }

  /** Drops expired keys; if none were, the key inserted first (Map order). */
  #evictOldest(now: number): void {
    const windowStart = now - this.#windowMs;
    let dropped = 0;
    for (const [key, times] of this.#failures) {
      if (times[times.length - 1] <= windowStart) {
        this.#failures.delete(key);
        dropped++;
      }
      if (dropped >= 1000) break;
    }
    if (dropped === 0) {
      const first = this.#failures.keys().next();
      if (first.done !== true) this.#failures.delete(first.value);
    }
  }
}
