/**
 * The browser tests need the built web app. A clean clone (CI: npm ci && npm test) has
 * none, and a working tree may have one older than its sources; either way Vite builds
 * it here, once, before the server starts. Fresh builds are left alone (a second or so
 * saved per run).
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

export const ROOT = resolve(import.meta.dirname, '..');
const WEB = join(ROOT, 'web');
const BUILT = join(WEB, 'dist', 'index.html');

function newestMtime(path: string, depth = 0): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  if (depth > 8) return 0;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry), depth + 1));
  return newest;
}

/** When the web app's inputs last changed: its sources, its page and config, the dependencies. */
export function sourcesChangedAt(): number {
  return Math.max(...[join(WEB, 'src'), join(WEB, 'index.html'), join(WEB, 'vite.config.ts'), join(WEB, 'tsconfig.json'), join(ROOT, 'package-lock.json')].map((p) => newestMtime(p)));
}

export function webBuildIsFresh(): boolean {
  return existsSync(BUILT) && statSync(BUILT).mtimeMs >= sourcesChangedAt();
}

export async function ensureWebBuild(): Promise<void> {
  if (webBuildIsFresh()) return;
  const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  await promisify(execFile)(process.execPath, [vite, 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: ROOT, timeout: 180_000 });
  if (!webBuildIsFresh()) throw new Error(`vite build did not produce a fresh ${BUILT}`);
}

// `node scripts/web-build.ts`: build the web app if its build is missing or stale (npm start, npm run demo).
if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  ensureWebBuild().catch((error: unknown) => {
    console.error(`web app build failed: ${(error as Error).message}`);
    process.exit(1);
  });
}
