/**
 * Remote-triggered blackhole (RFC 7999): each locked prefix is announced from gobgpd's
 * global RIB with the BLACKHOLE community, and the uplink routers that peer with it drop
 * traffic to it. Netwarden owns exactly the routes carrying that community; routes
 * without it (the speaker's other announcements) are never touched.
 *
 * A blackhole drops everything towards the address: it cannot let the customer's static
 * IPs through, nor stop the server's own outbound traffic, nor make a traceroute end at
 * the gateway. Gateways that must honour static access IPs use nftables.
 *
 * Apply is a diff against the RIB (add missing, withdraw extra), so it is idempotent
 * and a crash half-way is repaired by the next run.
 */
import type { Logger } from '../../logger.ts';
import { canonicalCidr } from '../cidr.ts';
import type { EnforcedState, Enforcer } from '../enforcer.ts';
import type { EnforcementEntry } from '../enforcement-entry.ts';
import type { CommandRunner } from '../gateway-command-runner.ts';
import { type GobgpApi, parseRibJson, type RibRoute, ribAddCommand, ribDeleteCommand, ribListCommand } from './gobgp-rib.ts';

export interface BgpBlackholeEnforcerOptions {
  gateway: string;
  /** Where the gobgp CLI runs (it talks gRPC to gobgpd at `api` from there). */
  runner: CommandRunner;
  api: GobgpApi;
  nextHop4: string;
  nextHop6: string;
  /** `65535:666` (RFC 7999 BLACKHOLE) unless the uplinks expect another. */
  community: string;
  logger: Logger;
  /** gobgp invocations run at once during an apply. */
  concurrency?: number;
}

export class BgpBlackholeEnforcer implements Enforcer {
  readonly gateway: string;
  readonly kind = 'bgp' as const;
  readonly #options: BgpBlackholeEnforcerOptions;
  readonly #warnedAllow = new Set<string>();

  constructor(options: BgpBlackholeEnforcerOptions) {
    this.gateway = options.gateway;
    this.#options = options;
  }

  async apply(entries: readonly EnforcementEntry[]): Promise<void> {
    this.#warnAboutAllow(entries);
    const wanted = new Set(this.expected(entries).locked);
    const routes = await this.#ownRoutes();
    const correct = new Set(routes.filter((r) => r.nextHop === this.#nextHop(r.prefix)).map((r) => r.prefix));
    const announced = new Set(routes.map((r) => r.prefix));
    const { api, community } = this.#options;
    const commands: string[][] = [];
    // Adding an announced prefix again replaces its path, which repairs a wrong next hop.
    for (const prefix of wanted) if (!correct.has(prefix)) commands.push(ribAddCommand(api, prefix, this.#nextHop(prefix), community));
    for (const prefix of announced) if (!wanted.has(prefix)) commands.push(ribDeleteCommand(api, prefix));
    await this.#runAll(commands);
  }

  async current(): Promise<EnforcedState> {
    const routes = await this.#ownRoutes();
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const route of routes) {
      if (seen.has(route.prefix)) problems.push(`${route.prefix} is announced more than once`);
      seen.add(route.prefix);
      const nextHop = this.#nextHop(route.prefix);
      if (route.nextHop !== nextHop) problems.push(`${route.prefix} has next hop ${route.nextHop}, expected ${nextHop}`);
    }
    return { locked: [...seen].sort(), allowed: [], problems };
  }

  expected(entries: readonly EnforcementEntry[]): EnforcedState {
    const locked = new Set(entries.flatMap((e) => e.addresses.map(canonicalCidr)));
    return { locked: [...locked].sort(), allowed: [], problems: [] };
  }

  async #ownRoutes(): Promise<RibRoute[]> {
    const { api, community, runner } = this.#options;
    const out: RibRoute[] = [];
    for (const afi of ['ipv4', 'ipv6'] as const) {
      const routes = parseRibJson(await runner.run(ribListCommand(api, afi)));
      out.push(...routes.filter((r) => r.communities.includes(community)));
    }
    return out;
  }

  #nextHop(prefix: string): string {
    return prefix.includes(':') ? this.#options.nextHop6 : this.#options.nextHop4;
  }

  async #runAll(commands: string[][]): Promise<void> {
    const queue = [...commands];
    const failures: Error[] = [];
    const worker = async () => {
      for (let command = queue.shift(); command !== undefined; command = queue.shift()) {
        try {
          await this.#options.runner.run(command);
        } catch (error) {
          failures.push(error as Error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.#options.concurrency ?? 4) }, worker));
    // Routes that went through stay; the reconciler retries the rest with the whole diff.
    if (failures.length > 0) throw failures[0];
  }

  #warnAboutAllow(entries: readonly EnforcementEntry[]): void {
    for (const entry of entries) {
      if (entry.allow.length === 0 || this.#warnedAllow.has(entry.blockingId)) continue;
      this.#warnedAllow.add(entry.blockingId);
      this.#options.logger.warn(
        { gateway: this.gateway, blockingId: entry.blockingId, serverId: entry.serverId, allow: entry.allow },
        'blackhole gateway cannot let static access ips through',
      );
    }
  }
}
