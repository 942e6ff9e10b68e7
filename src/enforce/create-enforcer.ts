/** Builds each gateway's enforcer from the `enforce` configuration section. */
import type { Logger } from '../logger.ts';
import { BgpBlackholeEnforcer } from './bgp/bgp-blackhole-enforcer.ts';
import { parseGobgpApi } from './bgp/gobgp-rib.ts';
import { DryRunEnforcer } from './dry-run/dry-run-enforcer.ts';
import type { EnforceConfig, GatewayConfig } from './enforce-config.ts';
import type { Enforcer } from './enforcer.ts';
import { type GatewayAccess, GatewayCommandRunner } from './gateway-command-runner.ts';
import { NftablesEnforcer } from './nftables/nftables-enforcer.ts';

export interface EnforcerDependencies {
  logger: Logger;
  commandTimeoutMs: number;
}

export function createEnforcer(gateway: string, config: GatewayConfig | undefined, deps: EnforcerDependencies): Enforcer {
  const logger = deps.logger;
  if (config === undefined || config.adapter === 'dry-run') return new DryRunEnforcer({ gateway, logger });
  const runner = new GatewayCommandRunner({ access: config.via as GatewayAccess, sudo: config.sudo, timeoutMs: deps.commandTimeoutMs });
  if (config.adapter === 'nftables') return new NftablesEnforcer({ gateway, runner, table: config.table });
  return new BgpBlackholeEnforcer({
    gateway,
    runner,
    api: parseGobgpApi(config.bgp.gobgpApi),
    nextHop4: config.bgp.nextHop,
    nextHop6: config.bgp.nextHop6,
    community: config.bgp.community,
    logger,
  });
}

/** One enforcer per gateway name, created on first use; unlisted gateways get dry-run. */
export function enforcerProvider(config: EnforceConfig, logger: Logger): (gateway: string) => Enforcer {
  const cache = new Map<string, Enforcer>();
  return (gateway) => {
    let enforcer = cache.get(gateway);
    if (enforcer === undefined) {
      enforcer = createEnforcer(gateway, config.gateways[gateway], { logger, commandTimeoutMs: config.commandTimeoutSeconds * 1000 });
      cache.set(gateway, enforcer);
    }
    return enforcer;
  };
}
