/**
 * A Netwarden stand-in for the kill -9 test: runs the reconciler against an nftables
 * gateway in a network namespace, with the desired entries read from a JSON file on
 * every run. Prints `apply-start` just before each nft transaction is sent, `apply-done`
 * when nft has committed it, and `synced`
 * once the start-up sync is done; stops cleanly on SIGTERM.
 *
 *   node reconciler-child.ts <gateway netns> <desired.json>
 */
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { Enforcer } from '../enforcer.ts';
import type { EnforcementEntry } from '../enforcement-entry.ts';
import { GatewayCommandRunner } from '../gateway-command-runner.ts';
import { NftablesEnforcer } from '../nftables/nftables-enforcer.ts';
import { Reconciler } from '../reconciler.ts';

const [netns, desiredFile] = process.argv.slice(2);
if (netns === undefined || desiredFile === undefined) {
  process.stderr.write('usage: reconciler-child.ts <gateway netns> <desired.json>\n');
  process.exit(2);
}

const inner = new NftablesEnforcer({
  gateway: 'lab-gw',
  runner: new GatewayCommandRunner({ access: { netns }, timeoutMs: 30_000 }),
  table: 'netwarden',
});
const enforcer: Enforcer = {
  gateway: inner.gateway,
  kind: inner.kind,
  expected: (entries) => inner.expected(entries),
  current: () => inner.current(),
  apply: async (entries) => {
    process.stdout.write('apply-start\n');
    await inner.apply(entries);
    process.stdout.write('apply-done\n');
  },
};

const reconciler = new Reconciler({
  desired: async () => JSON.parse(readFileSync(desiredFile, 'utf8')) as EnforcementEntry[],
  enforcerFor: () => enforcer,
  gateways: ['lab-gw'],
  reconcileSeconds: 3600,
  debounceMs: 10,
  retryInitialMs: 100,
  retryMaxMs: 1000,
  registry: new Registry(),
  logger: pino({ level: 'warn' }, process.stderr),
});

process.once('SIGTERM', () => {
  void reconciler.stop().then(() => process.exit(0));
});
await reconciler.start();
const status = reconciler.status().gateways[0];
process.stdout.write(`synced ${JSON.stringify({ inSync: status.inSync, entries: status.entries, error: status.lastError })}\n`);
