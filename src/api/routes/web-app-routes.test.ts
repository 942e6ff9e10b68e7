/**
 * Serving the built web app: deep links answer index.html with the security headers,
 * hashed assets are cached for a year, API paths and missing files keep the API's 404,
 * and a server without a build says how to make one. A throw-away build in a temporary
 * folder stands in for web/dist.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { brotliCompressSync, brotliDecompressSync } from 'node:zlib';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { CONTENT_SECURITY_POLICY, isAppPath, registerWebAppRoutes } from './web-app-routes.ts';

const PAGE = '<!doctype html><title>Netwarden</title><script type="module" src="/assets/index-abc123.js"></script>';
const SCRIPT = 'console.log("app")';
const ROBOTS = 'User-agent: *\nDisallow: /\n';

async function appWith(root: string): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  // The API server's own 404 (src/api/api-server.ts) answers what the web app declines.
  app.setNotFoundHandler((request, reply) => void reply.status(404).send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url}`, fields: [] } }));
  app.get('/api/v1/ping', async () => ({ pong: true }));
  await registerWebAppRoutes(app, { root });
  await app.ready();
  return app;
}

describe('web app routes', () => {
  let dir: string;
  let app: FastifyInstance;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'netwarden-web-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), PAGE);
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), SCRIPT);
    writeFileSync(join(dir, 'assets', 'index-abc123.js.br'), brotliCompressSync(SCRIPT));
    writeFileSync(join(dir, 'robots.txt'), ROBOTS);
    app = await appWith(dir);
  });
  after(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers the start page and every deep link with index.html, uncached, under a strict CSP', async () => {
    for (const url of ['/', '/portal', '/portal/locks/BL-7K3F9Q2D', '/console/servers/EX-1?range=24h', '/index.html']) {
      const response = await app.inject({ method: 'GET', url });
      assert.equal(response.statusCode, 200, url);
      assert.equal(response.body, PAGE, url);
      assert.equal(response.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(response.headers['cache-control'], 'no-cache');
      assert.equal(response.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
      assert.equal(response.headers['x-frame-options'], 'DENY');
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
    }
    assert.match(CONTENT_SECURITY_POLICY, /script-src 'self'(;|$)/, 'no inline scripts');
  });

  it('serves hashed assets cached for a year', async () => {
    const response = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.body, SCRIPT);
    assert.equal(response.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(response.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(response.headers['content-encoding'], undefined, 'plain for clients that ask for nothing else');
    const compressed = await app.inject({ method: 'GET', url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'br, gzip' } });
    assert.equal(compressed.headers['content-encoding'], 'br');
    assert.equal(compressed.headers.vary, 'accept-encoding');
    assert.equal(brotliDecompressSync(compressed.rawPayload).toString(), SCRIPT, 'the build\'s .br file');
    assert.equal((await app.inject({ method: 'GET', url: '/assets/index-abc123.js.br' })).statusCode, 404, 'compressed copies are no URLs of their own');
    const gzip = await app.inject({ method: 'GET', url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gzip.headers['content-encoding'], undefined, 'no .gz was built: sent plain');
    assert.equal(gzip.body, SCRIPT);
  });

  it('leaves API paths and missing files to the API\'s 404', async () => {
    assert.deepEqual((await app.inject({ method: 'GET', url: '/api/v1/ping' })).json(), { pong: true });
    for (const url of ['/api/v1/nothing', '/api', '/assets/missing.js', '/assets/', '/favicon.ico']) {
      const response = await app.inject({ method: 'GET', url });
      assert.equal(response.statusCode, 404, url);
      assert.equal(response.json().error.code, 'NOT_FOUND', url);
    }
    assert.equal((await app.inject({ method: 'POST', url: '/portal' })).statusCode, 404, 'pages are GET only');
  });

  it('tells app paths from API paths and files', () => {
    assert.deepEqual(
      ['/', '/portal', '/console/locks/BL-1', '/api', '/api/v1/x', '/x.js', '/assets/a.css', '/apis'].map(isAppPath),
      [true, true, true, false, false, false, false, true],
    );
  });

  it('serves other files of the build from disk, revalidated', async () => {
    const response = await app.inject({ method: 'GET', url: '/robots.txt' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.body, ROBOTS);
    assert.equal(response.headers['cache-control'], 'no-cache');
  });

  it('answers 503 naming the build command when there is no build', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'netwarden-web-'));
    const bare = await appWith(join(empty, 'dist'));
    try {
      const response = await bare.inject({ method: 'GET', url: '/portal' });
      assert.equal(response.statusCode, 503);
      assert.match(response.body, /npm run build:web/);
      assert.equal((await bare.inject({ method: 'GET', url: '/api/v1/ping' })).statusCode, 200, 'the API still works');
    } finally {
      await bare.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
