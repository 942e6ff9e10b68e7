/**
 * The database is the truth for enforcement: the entries every gateway must hold are the
 * enforced locks (not dry-run), each on its server's uplink gateway, with the server's
 * registered static access IPs let through.
 */
import type { EnforcementEntry } from '../enforce/enforcement-entry.ts';
import type { InventoryRepository } from '../store/inventory-repository.ts';
import type { LockRepository } from '../store/lock-repository.ts';
import type { StaticAccessIpRepository } from '../store/static-access-ip-repository.ts';

export function desiredEnforcement(deps: { locks: LockRepository; inventory: InventoryRepository; staticAccessIps: StaticAccessIpRepository }): () => Promise<EnforcementEntry[]> {
  return async () => {
    const locks = await deps.locks.enforced();
    const serverIds = [...new Set(locks.map((l) => l.serverId))];
    const allow = await deps.staticAccessIps.prefixesByServer(serverIds);
    const entries: EnforcementEntry[] = [];
    for (const lock of locks) {
      const server = await deps.inventory.getServer(lock.serverId);
      if (server === undefined || lock.addresses.length === 0) continue;
      entries.push({ blockingId: lock.blockingId, serverId: lock.serverId, gateway: server.uplinkGateway, addresses: lock.addresses, allow: allow.get(lock.serverId) ?? [] });
    }
    return entries;
  };
}
