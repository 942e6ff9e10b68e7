/** A real Netwarden on a free loopback port with a throw-away SQLite store. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiToken } from '../../src/auth/api-tokens.ts';
import type { Config } from '../../src/config/config-schema.ts';
import { resolveConfig } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/logger.ts';
import { type RunningNetwarden, type ServiceName, startNetwarden } from '../../src/services/netwarden-service.ts';

export interface TestServer {
  netwarden: RunningNetwarden;
  baseUrl: string;
  config: Config;
  dir: string;
  /** Creates an API token with the scopes and returns it. */
  token(scopes: string[]): Promise<string>;
  request(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; contentType?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; body: unknown; text: string; headers: Headers }>;
  close(): Promise<void>;
}

export async function startTestServer(overrides: Record<string, unknown> = {}, services: ServiceName[] = ['api']): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'netwarden-server-'));
  const config = resolveConfig({
    log: { level: 'silent' },
    http: { host: '127.0.0.1', port: 0 },
    database: { url: `sqlite:${join(dir, 'netwarden.db')}` },
    ...overrides,
  });
  const netwarden = await startNetwarden(config, services, createLogger('silent'));
  const baseUrl = netwarden.httpAddress ?? '';
  return {
    netwarden,
    baseUrl,
    config,
    dir,
    async token(scopes) {
      return (await createApiToken(netwarden.repositories.apiTokens, `test-${scopes.join('-')}`, scopes)).token;
    },
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
      let body: string | undefined;
      if (options.body !== undefined) {
        headers['content-type'] = options.contentType ?? 'application/json';
        body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      }
      const response = await fetch(baseUrl + path, { method, headers, body });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, body: parsed, text, headers: response.headers };
    },
    async close() {
      await netwarden.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
