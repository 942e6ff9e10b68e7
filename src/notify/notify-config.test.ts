/** The notify section resolves its defaults and rejects mistakes the way the config loader applies it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Value } from '@sinclair/typebox/value';
import { NotifySection } from './notify-config.ts';

function resolve(raw: unknown): { value: unknown; errors: string[] } {
  const value = Value.Default(NotifySection, structuredClone(raw));
  return { value, errors: [...Value.Errors(NotifySection, value)].map((e) => `${e.path}: ${e.message}`) };
}

describe('notify config section', () => {
  it('defaults to .eml files, no SMTP', () => {
    const { value, errors } = resolve({});
    assert.deepEqual(errors, []);
    assert.deepEqual(value, {
      from: 'Netwarden Abuse Team <abuse@localhost>',
      portalUrl: 'http://127.0.0.1:8080',
      outboxDir: './data/outbox',
      smtp: null,
      retry: { initialDelaySeconds: 30, maxDelaySeconds: 3600, maxAttempts: 12, pollSeconds: 5, sendingLeaseSeconds: 300 },
    });
  });

  it('fills the SMTP defaults around a host', () => {
    const { value, errors } = resolve({ smtp: { host: 'mail.example.com', user: 'netwarden', password: 'secret' } });
    assert.deepEqual(errors, []);
    assert.deepEqual((value as { smtp: unknown }).smtp, {
      host: 'mail.example.com',
      port: 587,
      secure: false,
      requireTls: false,
      verifyCertificate: true,
      user: 'netwarden',
      password: 'secret',
      timeoutSeconds: 30,
    });
  });

  it('rejects an SMTP object without a host, unknown keys and bad values', () => {
    assert.notDeepEqual(resolve({ smtp: {} }).errors, []);
    assert.notDeepEqual(resolve({ smtp: { host: 'mail', tls: true } }).errors, []);
    assert.notDeepEqual(resolve({ smtp: { host: 'mail', port: 70000 } }).errors, []);
    assert.notDeepEqual(resolve({ portalUrl: 'portal.example.com' }).errors, []);
    assert.notDeepEqual(resolve({ from: 'nobody' }).errors, []);
    assert.notDeepEqual(resolve({ retry: { maxAttempts: 0 } }).errors, []);
    assert.deepEqual(resolve({ smtp: null, retry: { maxAttempts: 3 } }).errors, []);
  });
});
