/**
 * `netwarden serve`: wires the components the chosen services need, explicitly and in
 * order: store, inventory, then collector, detector, worker, api. Shared parts (store,
 * inventory index) are started once whichever services ask for them.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/config-schema.ts';
import { InventoryIndex } from '../inventory/inventory-index.ts';
import { InventoryService } from '../inventory/inventory-service.ts';
import type { Logger } from '../logger.ts';
import { createMetricsRegistry, type Registry } from '../metrics.ts';
import { createRepositories, type Repositories } from '../store/repositories.ts';
import { Store } from '../store/store.ts';
import { buildApiServer } from '../api/api-server.ts';
import { BATCHING_CONSUMER_MODULE } from '../detect/batching-flow-consumer.ts';
import { Detector, type IncidentHandler, storeIncidents } from '../detect/detector.ts';
import { UdpCollector } from '../flow/udp/udp-collector.ts';
import { Counter } from 'prom-client';
import { lockIncidents } from '../cases/case-handler.ts';
import type { CaseContext } from '../cases/case-context.ts';
import { createCaseContext } from '../cases/create-case-context.ts';
import { desiredEnforcement } from '../cases/enforcement-desired.ts';
import { enforcerProvider } from '../enforce/create-enforcer.ts';
import { Reconciler } from '../enforce/reconciler.ts';
import { OutboxWorker } from '../notify/outbox-worker.ts';
import type { Component } from './component.ts';
import { ComponentRunner } from './component-runner.ts';

export const SERVICE_NAMES = ['collector', 'detector', 'api', 'worker'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Services whose code exists in this build; the others are refused with a clear message. */
export const AVAILABLE_SERVICES: readonly ServiceName[] = ['collector', 'detector', 'api', 'worker'];

export function parseServiceList(text: string): ServiceName[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const unknown = names.filter((n) => !(SERVICE_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0) throw new Error(`unknown service(s) ${unknown.join(', ')}; choose from ${SERVICE_NAMES.join(', ')}`);
  if (names.includes('detector') && !names.includes('collector')) {
    throw new Error('the detector runs beside the collector in one process in this build (--services=collector,detector)');
  }
  const unavailable = names.filter((n) => !AVAILABLE_SERVICES.includes(n as ServiceName));
  if (unavailable.length > 0) throw new Error(`service(s) ${unavailable.join(', ')} not available in this build (available: ${AVAILABLE_SERVICES.join(', ')})`);
  return [...new Set(names)] as ServiceName[];
}

export interface RunningNetwarden {
  runner: ComponentRunner;
  /** Set when the api service runs; its bound address. */
  httpAddress: string | null;
  store: Store;
  repositories: Repositories;
  inventory: InventoryService;
  metrics: Registry;
  /** Set when the detector service runs. */
  detector: Detector | undefined;
  cases: CaseContext;
  /** Set when the worker service runs. */
  reconciler: Reconciler | undefined;
  stop(): Promise<void>;
}

export async function startNetwarden(
  config: Config,
  services: ServiceName[],
  logger: Logger,
  extraHandlers: IncidentHandler[] = [],
): Promise<RunningNetwarden> {
  const metrics = createMetricsRegistry();
  let store: Store | undefined;
  let repositories: Repositories | undefined;
  const index = new InventoryIndex();
  let inventory: InventoryService | undefined;
  let reloadTimer: NodeJS.Timeout | undefined;
  let http: FastifyInstance | undefined;
  let httpAddress: string | null = null;
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not started`);
    return value;
  };

  const components: Component[] = [
    {
      name: 'store',
      async start() {
        store = await Store.open({ url: config.database.url, poolSize: config.database.poolSize });
        repositories = createRepositories(store);
      },
      async stop() {
        await store?.close();
      },
    },
    {
      name: 'inventory',
      async start() {
        const repos = need(repositories, 'store');
        inventory = new InventoryService({ repository: repos.inventory, audit: repos.audit, index });
        await inventory.reloadIndex();
        logger.info({ component: 'inventory', ...index.stats() }, 'address index loaded');
        if (config.inventory.reloadSeconds > 0) {
          reloadTimer = setInterval(() => {
            inventory?.reloadIndex().catch((error: unknown) => logger.warn({ component: 'inventory', err: error }, 'index reload failed'));
          }, config.inventory.reloadSeconds * 1000);
          reloadTimer.unref();
        }
      },
      async stop() {
        clearInterval(reloadTimer);
      },
    },
  ];

  let outbox: OutboxWorker | undefined;
  let cases: CaseContext | undefined;
  const enforcementTriggers: Array<() => void> = [];
  components.push({
    name: 'cases',
    async start() {
      const repos = need(repositories, 'store');
      outbox = new OutboxWorker({ config: config.notify, outbox: repos.outbox, logger, metrics });
      const staffAlerts = new Counter({ name: 'netwarden_cases_staff_alerts_total', help: 'alerts raised to the abuse desk', registers: [metrics] });
      cases = createCaseContext({
        config,
        repositories: repos,
        index,
        logger,
        notifier: { enqueue: async (notice) => void (await need(outbox, 'notify').enqueue(notice)) },
        onEnforcementChange: () => {
          for (const trigger of enforcementTriggers) trigger();
        },
        onAlert: () => staffAlerts.inc(),
      });
    },
    async stop() {},
  });
  let reconciler: Reconciler | undefined;
  if (services.includes('worker')) {
    components.push({
      name: 'notify',
      start: () => need(outbox, 'notify').start(),
      stop: async () => outbox?.stop(),
    });
    components.push({
      name: 'enforce',
      async start() {
        const repos = need(repositories, 'store');
        reconciler = new Reconciler({
          desired: desiredEnforcement({ locks: repos.locks, inventory: repos.inventory, staticAccessIps: repos.staticAccessIps }),
          enforcerFor: enforcerProvider(config.enforce, logger),
          gateways: Object.keys(config.enforce.gateways),
          reconcileSeconds: config.enforce.reconcileSeconds,
          debounceMs: config.enforce.debounceMilliseconds,
          retryInitialMs: config.enforce.retryInitialSeconds * 1000,
          retryMaxMs: config.enforce.retryMaxSeconds * 1000,
          registry: metrics,
          logger,
        });
        enforcementTriggers.push(() => reconciler?.trigger());
        await reconciler.start();
      },
      async stop() {
        await reconciler?.stop();
      },
    });
  }

  let detector: Detector | undefined;
  if (services.includes('detector')) {
    components.push({
      name: 'detector',
      async start() {
        const repos = need(repositories, 'store');
        detector = new Detector({
          config: config.detect,
          index,
          logger,
          metrics,
          handlers: [storeIncidents(repos.incidents), lockIncidents(need(cases, 'cases')), ...extraHandlers],
          trafficHistory: { config: config.trafficHistory, writer: repos.trafficSamples },
        });
        await detector.start();
      },
      async stop() {
        await detector?.stop();
      },
    });
  }

  if (services.includes('collector')) {
    let collector: UdpCollector | undefined;
    components.push({
      name: 'collector',
      async start() {
        collector = new UdpCollector({
          config: config.collector,
          logger,
          metrics,
          ...(detector !== undefined
            ? {
                consumer: { module: BATCHING_CONSUMER_MODULE, options: {} },
                onConsumerMessage: (message: unknown, worker: number) => detector?.onConsumerMessage(message, worker),
              }
            : {}),
        });
        await collector.start();
      },
      async stop() {
        // Stopping the receive threads flushes their last batches into the detector.
        await collector?.stop();
      },
    });
  }

  if (services.includes('api')) {
    components.push({
      name: 'api',
      async start() {
        const repos = need(repositories, 'store');
        http = await buildApiServer({
          logger,
          metrics,
          inventory: need(inventory, 'inventory'),
          apiTokens: repos.apiTokens,
          incidents: repos.incidents,
          cases: need(cases, 'cases'),
          enforcementStatus: () => reconciler?.status() ?? null,
          trustProxy: config.http.trustProxy,
          bodyLimitBytes: config.http.bodyLimitBytes,
          healthChecks: [{ name: 'store', check: async () => void (await repos.inventory.counts()) }],
          people: {
            repositories: repos,
            portal: config.portal,
            detect: config.detect,
            maxStaticIps: config.enforce.maxStaticIps,
            // The reconciler runs in the worker; in an API-only process its next periodic run picks the change up.
            onStaticIpsChanged: () => {
              for (const trigger of enforcementTriggers) trigger();
            },
          },
        });
        httpAddress = await http.listen({ host: config.http.host, port: config.http.port });
        logger.info({ component: 'api', address: httpAddress }, 'http listening');
      },
      async stop() {
        // Fastify's close waits for in-flight requests, so their writes complete.
        await http?.close();
      },
    });
  }

  const runner = new ComponentRunner(components, logger);
  await runner.start();
  return {
    runner,
    get httpAddress() {
      return httpAddress;
    },
    store: need(store, 'store'),
    repositories: need(repositories, 'store'),
    inventory: need(inventory, 'inventory'),
    metrics,
    detector,
    cases: need(cases, 'cases'),
    get reconciler() {
      return reconciler;
    },
    stop: () => runner.stop(),
  };
}
