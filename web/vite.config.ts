/**
 * Builds the customer portal and the abuse-desk console (one React app) into web/dist,
 * which the API server serves (src/api/routes/web-app-routes.ts). `npm run build:web`.
 * For development, `vite --config web/vite.config.ts` proxies /api to a running Netwarden.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

// The config may be loaded from any working directory; everything is relative to web/.
const root = decodeURIComponent(new URL('.', import.meta.url).pathname);

/**
 * Writes .br and .gz beside every asset once, at build time, so the server sends the
 * bundle compressed (@fastify/static preCompressed) without compressing per request.
 */
function precompress(): Plugin {
  return {
    name: 'netwarden-precompress',
    apply: 'build',
    writeBundle(options) {
      const dir = join(options.dir ?? join(root, 'dist'), 'assets');
      for (const name of readdirSync(dir)) {
        if (!/\.(js|css|svg)$/.test(name)) continue;
        const data = readFileSync(join(dir, name));
        if (data.length < 1024) continue;
        writeFileSync(join(dir, `${name}.br`), brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
        writeFileSync(join(dir, `${name}.gz`), gzipSync(data, { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  root,
  plugins: [react(), precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Hashed file names under /assets/ let the server cache them for a year.
    assetsDir: 'assets',
  },
  server: {
    proxy: { '/api': process.env.NETWARDEN_URL ?? 'http://127.0.0.1:8080' },
  },
});
