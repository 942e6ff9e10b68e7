#!/usr/bin/env node
/**
 * netwarden: the one command. `serve` runs the service; the rest are operator tools that
 * work on the same configuration and store.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify as toYaml } from 'yaml';
import { createApiToken } from './auth/api-tokens.ts';
import { setUserPassword } from './auth/change-password.ts';
import { createUser } from './auth/create-user.ts';
import { setUserDisabled } from './auth/set-user-disabled.ts';
import { LOCK_USAGE, lockCommand, unblockCommand } from './cases/lock-commands-cli.ts';
import type { Config } from './config/config-schema.ts';
import { renderConfigReference } from './config/config-reference.ts';
import { ConfigError, loadConfig } from './config/load-config.ts';
import { DomainError } from './errors.ts';
import { InventoryIndex } from './inventory/inventory-index.ts';
import { parseInventoryFile } from './inventory/inventory-file.ts';
import { InventoryService } from './inventory/inventory-service.ts';
import { formatFlowLine } from './flow/flow-line.ts';
import { snapshotFlow } from './flow/flow-record.ts';
import { type ReplayProgress, replayPcapFile } from './flow/pcap/pcap-replay.ts';
import { sendPcapOverUdp } from './flow/pcap/pcap-sender.ts';
import { parseListenAddress } from './flow/udp/udp-listener.ts';
import { createLogger } from './logger.ts';
import { lockIncidents } from './cases/case-handler.ts';
import { FlowBatchWriter } from './detect/flow-batch.ts';
import { Detector, storeIncidents } from './detect/detector.ts';
import type { Incident } from './detect/incident.ts';
import { AVAILABLE_SERVICES, parseServiceList, SERVICE_NAMES, startNetwarden } from './services/netwarden-service.ts';
import { createRepositories } from './store/repositories.ts';
import { Store } from './store/store.ts';

const USAGE = `usage: netwarden <command> [options]

commands:
  serve [--config FILE] [--services=${SERVICE_NAMES.join(',')}]
                                 run Netwarden (all available services by default)
  config check FILE              validate a configuration file; lists every problem
  config dump [FILE]             print the effective configuration (defaults + file + environment)
  config docs [--write]          print (or write docs/configuration.md) the configuration reference
  inventory import FILE [--config FILE]
                                 import customers/servers/addresses from CSV or JSON (all or nothing)
  token create --name NAME --scopes a,b [--config FILE]
                                 create an API token (scopes: read, inventory, billing, abuse, admin)
  token list [--config FILE]     list API tokens
  token revoke ID [--config FILE]
  user create --email E --role customer|staff|admin [--customer ID] [--language en|de] --password P|-
                                 create a portal/console account (--password -: read it from stdin)
  user password --email E --password P|-     set a new password (ends the account's sessions)
  user disable|enable --email E
  user list
${LOCK_USAGE}
  decode FILE.pcap [--json]      print the flow records decoded from the export datagrams in a capture
  replay FILE.pcap [--config FILE] [--lock] [--send HOST:PORT] [--speed N]
                                 feed a capture's export datagrams through decoding and detection with the
                                 capture's timestamps, against the configured inventory; incidents are
                                 stored and printed (--lock: the lock policy acts on them too); progress
                                 on stderr. --send replays them over UDP to a running collector instead,
                                 paced by their timestamps (--speed 2: twice as fast, 0: no pacing)

The configuration file may also be given as NETWARDEN_CONFIG; NETWARDEN_* variables override keys.`;

class UsageError extends Error {}

function configFrom(file: string | undefined): Config {
  return loadConfig({ file: file ?? process.env.NETWARDEN_CONFIG });
}

async function withStore<T>(config: Config, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await Store.open({ url: config.database.url, poolSize: config.database.poolSize });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

async function serve(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' }, services: { type: 'string' } }, strict: true });
  const config = configFrom(values.config);
  const logger = createLogger(config.log.level);
  const services = parseServiceList(values.services ?? AVAILABLE_SERVICES.join(','));
  const running = await startNetwarden(config, services, logger);
  logger.info({ services }, 'netwarden running');
  let signals = 0;
  const shutdown = (signal: string): void => {
    signals++;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    logger.info({ signal }, 'shutting down');
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

async function configCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'check') {
    if (rest[0] === undefined) throw new UsageError('config check needs a FILE');
    loadConfig({ file: rest[0] });
    console.log(`${rest[0]}: ok`);
    return 0;
  }
  if (sub === 'dump') {
    process.stdout.write(toYaml(configFrom(rest[0])));
    return 0;
  }
  if (sub === 'docs') {
    const text = renderConfigReference();
    if (rest.includes('--write')) {
      const target = resolve(import.meta.dirname, '..', 'docs', 'configuration.md');
      writeFileSync(target, text);
      console.log(`wrote ${target}`);
    } else process.stdout.write(text);
    return 0;
  }
  throw new UsageError(`unknown config command ${JSON.stringify(sub ?? '')}`);
}

async function inventoryCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { config: { type: 'string' } }, allowPositionals: true, strict: true });
  if (positionals[0] !== 'import' || positionals[1] === undefined) throw new UsageError('usage: netwarden inventory import FILE');
  const file = positionals[1];
  const snapshot = parseInventoryFile(file, readFileSync(file, 'utf8'));
  const config = configFrom(values.config);
  const summary = await withStore(config, async (store) => {
    const repos = createRepositories(store);
    const service = new InventoryService({ repository: repos.inventory, audit: repos.audit, index: new InventoryIndex() });
    return service.importSnapshot(snapshot, { type: 'cli', id: process.env.USER ?? 'operator' });
  });
  console.log(
    `imported ${summary.customers} customers, ${summary.hostGroups} host groups, ${summary.servers} servers with ${summary.addresses} addresses, ` +
      `${summary.protectedPrefixes} protected and ${summary.providerPrefixes} provider prefixes`,
  );
  return 0;
}

async function tokenCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { config: { type: 'string' }, name: { type: 'string' }, scopes: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const config = configFrom(values.config);
  return withStore(config, async (store) => {
    const repos = createRepositories(store);
    switch (positionals[0]) {
      case 'create': {
        const scopes = (values.scopes ?? '').split(',').filter((s) => s !== '');
        const { token, id } = await createApiToken(repos.apiTokens, values.name ?? '', scopes);
        await repos.audit.append({ actor: { type: 'cli', id: process.env.USER ?? 'operator' }, action: 'api_token.created', subjectType: 'api_token', subjectId: id, details: { name: values.name, scopes } });
        console.log(token);
        return 0;
      }
      case 'list':
        for (const t of await repos.apiTokens.list()) {
          console.log(`${t.id}\t${t.name}\t${t.scopes.join(',')}\t${t.revokedAt === null ? 'active' : 'revoked'}`);
        }
        return 0;
      case 'revoke': {
        const id = positionals[1];
        if (id === undefined) throw new UsageError('usage: netwarden token revoke ID');
        if (!(await repos.apiTokens.revoke(id, Date.now()))) throw new DomainError('NOT_FOUND', 404, `no active token ${id}`);
        await repos.audit.append({ actor: { type: 'cli', id: process.env.USER ?? 'operator' }, action: 'api_token.revoked', subjectType: 'api_token', subjectId: id });
        console.log(`revoked ${id}`);
        return 0;
      }
      default:
        throw new UsageError('usage: netwarden token create|list|revoke');
    }
  });
}

async function decodeCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean' } }, allowPositionals: true, strict: true });
  if (positionals[0] === undefined) throw new UsageError('usage: netwarden decode FILE.pcap [--json]');
  const out: string[] = [];
  const flush = (): void => {
    if (out.length > 0) process.stdout.write(`${out.join('\n')}\n`);
    out.length = 0;
  };
  const summary = replayPcapFile(positionals[0], {
    onFlow(flow) {
      out.push(values.json ? JSON.stringify(snapshotFlow(flow)) : formatFlowLine(flow));
      if (out.length >= 1000) flush();
    },
  });
  flush();
  console.error(`${summary.datagrams} datagrams, ${summary.flows} flows`);
  return 0;
}

async function replayCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { config: { type: 'string' }, lock: { type: 'boolean' }, send: { type: 'string' }, speed: { type: 'string', default: '1' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals[0] === undefined) throw new UsageError('usage: netwarden replay FILE.pcap [--lock] [--send HOST:PORT] [--speed N]');
  const speed = Number(values.speed);
  if (!Number.isFinite(speed) || speed < 0) throw new UsageError('--speed must be a number >= 0');
  const showProgress = (p: ReplayProgress): void => {
    const pct = p.bytesTotal === 0 ? 100 : Math.floor((p.bytesRead / p.bytesTotal) * 100);
    process.stderr.write(`\r${pct}%  ${p.datagrams} datagrams  ${p.flows} flows  capture time ${new Date(p.lastTimeMs).toISOString()}`);
  };
  if (values.send !== undefined) {
    const sent = await sendPcapOverUdp(positionals[0], parseListenAddress(values.send), speed, showProgress);
    process.stderr.write(`\nsent ${sent.datagrams} datagrams to ${values.send}\n`);
    return 0;
  }
  const config = configFrom(values.config);
  const logger = createLogger('silent');
  // The pipeline of `serve` without the sockets: store, inventory, detection, optionally locking.
  const running = await startNetwarden(config, [], logger);
  try {
    const opened: Incident[] = [];
    const detector = new Detector({
      config: config.detect,
      index: running.inventory.index,
      logger,
      metrics: running.metrics,
      live: false,
      handlers: [
        storeIncidents(running.repositories.incidents),
        ...(values.lock ? [lockIncidents(running.cases)] : []),
        { handle: async (event, incident) => void (event === 'opened' && opened.push(incident)) },
      ],
    });
    let writer = new FlowBatchWriter(4096);
    const flush = (): void => {
      if (writer.count > 0) detector.onBatch(writer.take());
    };
    const summary = replayPcapFile(positionals[0], {
      onFlow(flow) {
        writer.add(flow);
        if (writer.full) flush();
      },
      onProgress: showProgress,
    });
    flush();
    writer = new FlowBatchWriter(1);
    detector.flows.tick(summary.lastTimeMs + 1000);
    await detector.stop();
    process.stderr.write(
      `\nreplayed ${summary.datagrams} datagrams, ${summary.flows} flows over ${((summary.lastTimeMs - summary.firstTimeMs) / 1000).toFixed(1)} s of capture time; ` +
        `${detector.flows.stats.attributedOut + detector.flows.stats.attributedIn} attributed to servers\n`,
    );
    for (const i of opened) console.log(`incident ${i.id} ${i.kind} ${i.direction} server ${i.serverId} address ${i.address} at ${new Date(i.firstSeenMs).toISOString()}`);
    if (opened.length === 0) console.log('no incidents');
    return 0;
  } finally {
    await running.stop();
  }
}

async function readPassword(value: string | undefined): Promise<string | undefined> {
  if (value !== '-') return value;
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function userCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string' },
      customer: { type: 'string' },
      language: { type: 'string' },
      password: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const config = configFrom(values.config);
  const actor = { type: 'cli', id: process.env.USER ?? 'operator' };
  return withStore(config, async (store) => {
    const repos = createRepositories(store);
    switch (positionals[0]) {
      case 'create': {
        const user = await createUser(
          repos,
          { email: values.email, password: await readPassword(values.password), role: values.role, customerId: values.customer, language: values.language },
          actor,
        );
        console.log(`created ${user.role} ${user.email}${user.customerId ? ` for customer ${user.customerId}` : ''}`);
        return 0;
      }
      case 'password':
        await setUserPassword(repos, values.email ?? '', await readPassword(values.password), actor);
        console.log(`password of ${values.email} changed; its sessions ended`);
        return 0;
      case 'disable':
      case 'enable':
        await setUserDisabled(repos, values.email ?? '', positionals[0] === 'disable', actor);
        console.log(`${values.email} ${positionals[0]}d`);
        return 0;
      case 'list':
        for (const u of await repos.users.list()) console.log(`${u.email}\t${u.role}\t${u.customerId ?? ''}\t${u.disabledAt === null ? 'active' : 'disabled'}`);
        return 0;
      default:
        throw new UsageError('usage: netwarden user create|password|disable|enable|list');
    }
  });
}

/** The value of --config among other options (each command parses the rest itself). */
function configOption(args: string[]): string | undefined {
  const at = args.indexOf('--config');
  return at >= 0 ? args[at + 1] : args.find((a) => a.startsWith('--config='))?.slice('--config='.length);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'serve':
      await serve(args);
      return -1; // keeps running
    case 'config':
      return configCommand(args);
    case 'inventory':
      return inventoryCommand(args);
    case 'token':
      return tokenCommand(args);
    case 'user':
      return userCommand(args);
    case 'lock':
      return lockCommand(configFrom(configOption(args)), args, (text) => console.log(text));
    case 'unblock':
      return unblockCommand(configFrom(configOption(args)), args, (text) => console.log(text));
    case 'decode':
      return decodeCommand(args);
    case 'replay':
      return replayCommand(args);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exitCode = 2;
    } else if (error instanceof UsageError) {
      console.error(`netwarden: ${error.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else if (error instanceof DomainError) {
      console.error(`netwarden: ${error.message}`);
      for (const f of error.fields) console.error(`  ${f.field}: ${f.message}`);
      process.exitCode = 1;
    } else {
      console.error(`netwarden: ${(error as Error).message}`);
      process.exitCode = 1;
    }
  },
);
