import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { renderConfigReference } from './config-reference.ts';
import { ConfigError, loadConfig } from './load-config.ts';

function problemsOf(fn: () => unknown): Array<{ key: string; message: string }> {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

function yamlFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'netwarden-config-')), 'netwarden.yaml');
  writeFileSync(file, text);
  return file;
}

describe('configuration', () => {
  it('embedded defaults need no file', () => {
    const config = loadConfig({ env: {} });
    assert.equal(config.http.host, '127.0.0.1');
    assert.equal(config.http.port, 8080);
    assert.equal(config.database.url, 'sqlite:./data/netwarden.db');
    assert.deepEqual(config.collector.sflow, ['127.0.0.1:6343']);
    assert.deepEqual(config.collector.netflow, ['127.0.0.1:2055']);
    assert.deepEqual(config.collector.ipfix, ['127.0.0.1:4739']);
  });

  it('file values override defaults and environment overrides the file', () => {
    const file = yamlFile('http:\n  port: 9000\ndatabase:\n  url: postgres://postgres@127.0.0.1:5432/test\n');
    const config = loadConfig({
      file,
      env: { NETWARDEN_HTTP__PORT: '9100', NETWARDEN_COLLECTOR__EXPORTERS: '192.0.2.1, 198.51.100.0/24', NETWARDEN_HTTP__TRUST_PROXY: 'true' },
    });
    assert.equal(config.http.port, 9100);
    assert.equal(config.http.trustProxy, true);
    assert.equal(config.database.url, 'postgres://postgres@127.0.0.1:5432/test');
    assert.deepEqual(config.collector.exporters, ['192.0.2.1', '198.51.100.0/24']);
    assert.equal(config.http.host, '127.0.0.1');
  });

  it('lists every problem with its key path, unknown keys included', () => {
    const file = yamlFile(
      'http:\n  port: "eighty"\n  hots: 1\ndatabase:\n  url: mysql://x\nextra: 1\ncollector:\n  sflow: ["192.0.2.1:99999", "nope"]\n  exporters: [abc]\n',
    );
    const problems = problemsOf(() => loadConfig({ file, env: { NETWARDEN_NOPE: '1' } }));
    const byKey = new Map(problems.map((p) => [p.key, p.message]));
    assert.match(byKey.get('NETWARDEN_NOPE') ?? '', /not a configuration key/);
    assert.match(byKey.get('extra') ?? '', /unknown key/);
    assert.match(byKey.get('http.hots') ?? '', /unknown key \(allowed here: host, port/);
    assert.match(byKey.get('http.port') ?? '', /expected integer/);
    assert.match(byKey.get('database.url') ?? '', /"mysql:\/\/x" is not valid/);
    assert.match(byKey.get('collector.sflow[1]') ?? '', /"nope" is not valid: expected host:port/);
    assert.match(byKey.get('collector.sflow[0]') ?? '', /port 99999 is out of range/);
    assert.match(byKey.get('collector.exporters[0]') ?? '', /"abc" is not an IP address/);
    assert.equal(problems.length, 8);
  });

  it('names a file that is not YAML or not a mapping', () => {
    assert.match(problemsOf(() => loadConfig({ file: yamlFile('http: [unclosed\n'), env: {} }))[0].message, /not valid YAML/);
    assert.match(problemsOf(() => loadConfig({ file: yamlFile('- a\n- b\n'), env: {} }))[0].message, /must be a mapping/);
    assert.match(problemsOf(() => loadConfig({ file: '/nonexistent/netwarden.yaml', env: {} }))[0].message, /cannot be read/);
  });

  it('docs/configuration.md is generated from the schema and up to date', () => {
    const committed = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'configuration.md'), 'utf8');
    assert.equal(committed, renderConfigReference(), 'docs/configuration.md is stale: run `npm run docs:config`');
  });
});
