/**
 * The web app — customer portal and abuse-desk console, one React build in web/dist
 * (`npm run build:web`). Hashed files under /assets/ are cached for a year and sent
 * compressed when the build wrote .br/.gz beside them; every other
 * GET that is neither an API path nor a file answers with index.html, so deep links and
 * reloads of /portal/... and /console/... work. The HTML carries a strict Content
 * Security Policy: scripts, styles and connections only from this origin.
 *
 * Without a build the API still runs; pages answer 503 naming the build command.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const DEFAULT_WEB_ROOT = resolve(import.meta.dirname, '../../../web/dist');

export interface WebAppOptions {
  /** The built app (index.html and assets/); default web/dist of this checkout. */
  root?: string;
}

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  // Always revalidated: a new build's index.html names new asset files.
  'cache-control': 'no-cache',
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';
/** More than this under assets/ is not a web app build; refuse it rather than fill the heap. */
const MAX_ASSET_BYTES = 64 * 1024 * 1024;

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

interface Asset {
  type: string;
  identity: Buffer;
  br: Buffer | undefined;
  gzip: Buffer | undefined;
}

/** The files under root/assets/ by URL path, with their precompressed copies. */
export function loadAssets(root: string): Map<string, Asset> {
  const dir = join(root, 'assets');
  const assets = new Map<string, Asset>();
  if (!existsSync(dir)) return assets;
  let bytes = 0;
  const read = (file: string): Buffer | undefined => (existsSync(file) ? readFileSync(file) : undefined);
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    if (name.endsWith('.br') || name.endsWith('.gz') || !statSync(file).isFile()) continue;
    const asset: Asset = { type: CONTENT_TYPES[extname(name)] ?? 'application/octet-stream', identity: readFileSync(file), br: read(`${file}.br`), gzip: read(`${file}.gz`) };
    bytes += asset.identity.length + (asset.br?.length ?? 0) + (asset.gzip?.length ?? 0);
    if (bytes > MAX_ASSET_BYTES) throw new Error(`${dir} holds more than ${MAX_ASSET_BYTES} bytes; is it a web app build?`);
    assets.set(`/assets/${name}`, asset);
  }
  return assets;
}

/** The encoding to send: brotli, then gzip, when the client accepts it and the build made it. */
function pickEncoding(asset: Asset, accept: string | undefined): 'br' | 'gzip' | undefined {
  if (accept === undefined) return undefined;
  if (asset.br !== undefined && /\bbr\b/.test(accept)) return 'br';
  if (asset.gzip !== undefined && /\bgzip\b/.test(accept)) return 'gzip';
  return undefined;
}

/** Paths that must never fall back to the app: the API, and anything that looks like a file. */
export function isAppPath(path: string): boolean {
  if (path === '/api' || path.startsWith('/api/')) return false;
  const last = path.slice(path.lastIndexOf('/') + 1);
  return !last.includes('.');
}

export async function registerWebAppRoutes(app: FastifyInstance, options: WebAppOptions = {}): Promise<void> {
  const root = options.root ?? DEFAULT_WEB_ROOT;
  const indexFile = join(root, 'index.html');
  // Read once: the page is tiny and served on every navigation.
  const page = existsSync(indexFile) ? readFileSync(indexFile) : null;
  const assets = page === null ? new Map<string, Asset>() : loadAssets(root);
  if (page === null) {
    app.log.warn({ root }, 'web app not built; run npm run build:web');
  } else {
    // Files outside assets/ (Vite copies web/public there): from disk, revalidated.
    await app.register(fastifyStatic, {
      root,
      prefix: '/',
      wildcard: false,
      index: false,
      globIgnore: ['index.html', 'assets/**'],
      cacheControl: false,
      schemaHide: true,
      setHeaders(reply: FastifyReply) {
        reply.header('x-content-type-options', 'nosniff');
        reply.header('cache-control', 'no-cache');
      },
    });
  }

  app.get('/assets/*', { schema: { hide: true } }, async (request, reply) => {
    const asset = assets.get(request.url.split('?')[0]);
    if (asset === undefined) return reply.callNotFound();
    const encoding = pickEncoding(asset, request.headers['accept-encoding']);
    reply.headers({ 'content-type': asset.type, 'cache-control': IMMUTABLE, vary: 'accept-encoding', 'x-content-type-options': 'nosniff' });
    if (encoding === undefined) return reply.send(asset.identity);
    return reply.header('content-encoding', encoding).send(encoding === 'br' ? asset.br : asset.gzip);
  });

  const servePage = async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0];
    if (path !== '/index.html' && !isAppPath(path)) return reply.callNotFound();
    if (page === null) {
      return reply.status(503).header('content-type', 'text/plain; charset=utf-8').header('retry-after', '60').send('The web app is not built: run npm run build:web\n');
    }
    return reply.headers(PAGE_HEADERS).send(page);
  };
  app.get('/', { schema: { hide: true } }, servePage);
  app.get('/*', { schema: { hide: true } }, servePage);
}
