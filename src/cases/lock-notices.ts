/** Turns a lock event into the customer's e-mail and queues it (never in dry-run). */
import type { NoticeKind } from '../notify/notice.ts';
import type { CaseContext } from './case-context.ts';
import type { Lock } from './lock-types.ts';

export async function notifyCustomer(ctx: CaseContext, kind: NoticeKind, lock: Lock, message?: string): Promise<void> {
  if (lock.dryRun) return;
  const [customer, server, logFile] = await Promise.all([
    ctx.inventory.getCustomer(lock.customerId),
    ctx.inventory.getServer(lock.serverId),
    kind === 'locked' || kind === 'warning' ? ctx.locks.logFile(lock.blockingId) : Promise.resolve(undefined),
  ]);
  if (customer === undefined) {
    ctx.logger.error({ component: 'cases', lock: lock.blockingId, customer: lock.customerId }, 'customer of a lock not found: no e-mail');
    return;
  }
  await ctx.notifier.enqueue({
    kind,
    blockingId: lock.blockingId,
    customer: { id: customer.id, name: customer.name, email: customer.email, language: customer.language },
    server: { id: lock.serverId, name: server?.name ?? lock.serverId, addresses: server?.addresses ?? lock.addresses },
    reason: lock.reason,
    scope: lock.addresses,
    sinceMs: lock.createdAtMs,
    portalUrl: ctx.portalUrl,
    ...(message !== undefined && message !== '' ? { message } : {}),
    ...(logFile !== undefined && logFile !== '' ? { logFile: { filename: `${lock.blockingId}.log`, content: logFile } } : {}),
  });
}
