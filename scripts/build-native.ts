/**
 * Builds the collector's batched receive module (src/flow/udp/native/recvmmsg.c) with the
 * system C compiler against Node.js's N-API headers. N-API only, so headers of any Node.js
 * version do (Debian's /usr/include/node are those of its Node.js 20; the module loads in the
 * pinned Node.js 24).
 *
 *   node scripts/build-native.ts [--required]
 *
 * Without a compiler or headers it says so and exits 0 (the collector then uses Node's
 * dgram), unless --required (CI). Skips the build when the module is newer than the source.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const required = process.argv.includes('--required');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src/flow/udp/native/recvmmsg.c');
const output = join(root, 'src/flow/udp/native/build/recvmmsg.node');

function fail(message: string): never {
  console.error(`build:native: ${message}`);
  if (required) process.exit(1);
  console.error('build:native: the collector will receive through Node\'s dgram (collector.receiver: auto)');
  process.exit(0);
}

if (existsSync(output) && statSync(output).mtimeMs >= statSync(source).mtimeMs) {
  console.log(`build:native: ${output} is up to date`);
  process.exit(0);
}

const candidates = [
  process.env.NODE_INCLUDE_DIR,
  process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, 'include/node'),
  join(dirname(process.execPath), '../include/node'),
  '/usr/include/node',
  '/usr/local/include/node',
].filter((d): d is string => typeof d === 'string' && d !== '');
const include = candidates.find((d) => existsSync(join(d, 'node_api.h')));
if (include === undefined) fail(`no node_api.h in ${candidates.join(', ')} (set NODE_INCLUDE_DIR)`);

const compiler = process.env.CC ?? 'cc';
mkdirSync(dirname(output), { recursive: true });
const args = ['-O2', '-Wall', '-Wextra', '-Werror', '-shared', '-fPIC', '-DNODE_GYP_MODULE_NAME=recvmmsg', `-I${include}`, source, '-o', output];
const result = spawnSync(compiler, args, { stdio: 'inherit' });
if (result.error !== undefined) fail(`${compiler}: ${result.error.message}`);
if (result.status !== 0) fail(`${compiler} exited with ${result.status}`);
console.log(`build:native: built ${output} (headers ${include})`);
