import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Value } from '@sinclair/typebox/value';
import { pino } from 'pino';
import { createEnforcer, enforcerProvider } from './create-enforcer.ts';
import { type EnforceConfig, EnforceSection } from './enforce-config.ts';

/** Defaults filled in; the tests check validity separately with `problems`. */
const withDefaults = (raw: unknown) => Value.Default(EnforceSection, structuredClone(raw)) as EnforceConfig;
const problems = (raw: unknown) => [...Value.Errors(EnforceSection, withDefaults(raw))].map((e) => `${e.path}: ${e.message}`);
const logger = pino({ level: 'silent' });

describe('enforce config', () => {
  it('defaults to dry-run everywhere with five static IPs per server', () => {
    const config = withDefaults({});
    assert.deepEqual(config, {
      gateways: {},
      reconcileSeconds: 30,
      debounceMilliseconds: 50,
      commandTimeoutSeconds: 20,
      retryInitialSeconds: 1,
      retryMaxSeconds: 60,
      maxStaticIps: 5,
    });
    assert.equal(enforcerProvider(config, logger)('fsn1-dc14-uplink-gw').kind, 'dry-run');
  });

  it('fills each gateway\'s defaults and accepts the three ways to reach it', () => {
    const config = withDefaults({
      gateways: {
        'fsn1-dc14-uplink-gw': { adapter: 'nftables', via: { ssh: { host: '192.0.2.1', keyFile: '/etc/netwarden/id_ed25519' } } },
        'lab-gw': { adapter: 'nftables', via: { netns: 'nwt-lab-gw' }, table: 'nw_lab' },
        'rtbh-speaker': { adapter: 'bgp', bgp: { nextHop: '192.0.2.66' } },
      },
    });
    assert.deepEqual(problems(config), []);
    assert.deepEqual(config.gateways['fsn1-dc14-uplink-gw'].via, { ssh: { host: '192.0.2.1', keyFile: '/etc/netwarden/id_ed25519', user: 'netwarden', port: 22 } });
    assert.equal(config.gateways['rtbh-speaker'].via, 'local');
    assert.deepEqual(config.gateways['rtbh-speaker'].bgp, { gobgpApi: '127.0.0.1:50051', nextHop: '192.0.2.66', nextHop6: '100::1', community: '65535:666' });
    assert.equal(config.gateways['lab-gw'].table, 'nw_lab');
    const provide = enforcerProvider(config, logger);
    assert.deepEqual(
      ['fsn1-dc14-uplink-gw', 'lab-gw', 'rtbh-speaker', 'unknown-gw'].map((g) => provide(g).kind),
      ['nftables', 'nftables', 'bgp', 'dry-run'],
    );
    assert.equal(provide('lab-gw'), provide('lab-gw'), 'one enforcer per gateway');
    assert.equal(createEnforcer('x', undefined, { logger, commandTimeoutMs: 1000 }).kind, 'dry-run');
  });

  it('refuses unknown keys, bad adapters, bad table names and bad communities', () => {
    assert.ok(problems({ gateways: { gw: { adapter: 'iptables' } } }).some((p) => p.startsWith('/gateways/gw/adapter')));
    assert.ok(problems({ gateways: { gw: { table: 'net warden' } } }).some((p) => p.startsWith('/gateways/gw/table')));
    assert.ok(problems({ gateways: { gw: { bgp: { community: '65535-666' } } } }).some((p) => p.startsWith('/gateways/gw/bgp/community')));
    assert.ok(problems({ gateways: { gw: { via: { ssh: { host: 'h' } } } } }).some((p) => p.startsWith('/gateways/gw/via')));
    assert.ok(problems({ gateways: { gw: { colour: 'blue' } } }).length > 0);
    assert.ok(problems({ maxStaticIps: -1 }).some((p) => p.startsWith('/maxStaticIps')));
  });
});
