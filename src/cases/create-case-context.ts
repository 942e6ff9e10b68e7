/** Builds the lock layer's context from the configuration and the opened store. */
import type { Config } from '../config/config-schema.ts';
import type { InventoryIndex } from '../inventory/inventory-index.ts';
import type { Logger } from '../logger.ts';
import type { Repositories } from '../store/repositories.ts';
import type { CaseContext, CaseNotifier } from './case-context.ts';

export interface CaseContextParts {
  config: Config;
  repositories: Repositories;
  index: InventoryIndex;
  logger: Logger;
  notifier: CaseNotifier;
  /** Called when the enforced set changed (the reconciler's trigger, where it runs in this process). */
  onEnforcementChange(): void;
  /** Called for every staff alert, after it is logged. */
  onAlert?(message: string): void;
}

export function createCaseContext(parts: CaseContextParts): CaseContext {
  const { config, repositories: repos, logger } = parts;
  return {
    config: config.locking,
    portalUrl: config.notify.portalUrl,
    locks: repos.locks,
    incidents: repos.incidents,
    inventory: repos.inventory,
    audit: repos.audit,
    index: parts.index,
    notifier: parts.notifier,
    enforcement: { trigger: parts.onEnforcementChange },
    alerts: {
      alert(message, details) {
        logger.error({ component: 'cases', alert: true, ...details }, message);
        parts.onAlert?.(message);
      },
    },
    logger,
    now: Date.now,
  };
}
