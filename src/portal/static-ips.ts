/**
 * A customer's static access IPs for one of their servers (the "Server locking" page):
 * the addresses that still reach the server while it is locked. Validation is the
 * enforcement's (src/enforce/static-access-ip.ts); after a change the gateways are
 * brought in line through `onStaticIpsChanged`.
 */
import { checkStaticAccessIp, requireStaticAccessIp } from '../enforce/static-access-ip.ts';
import { DomainError, notFound } from '../errors.ts';
import type { Actor } from '../store/audit-repository.ts';
import type { StaticAccessIp } from '../store/static-access-ip-repository.ts';
import type { PortalContext } from './portal-context.ts';

export async function addStaticIp(ctx: PortalContext, serverId: string, input: unknown, actor: Actor): Promise<StaticAccessIp> {
  const prefix = requireStaticAccessIp(input, 'prefix');
  const entry = { serverId, prefix, createdAt: ctx.now(), createdBy: `${actor.type}/${actor.id}` };
  const result = await ctx.repos.staticAccessIps.add(entry, ctx.maxStaticIps);
  if (result === 'no-server') throw notFound('server', serverId);
  if (result === 'exists') throw new DomainError('STATIC_IP_EXISTS', 409, `${prefix} is registered already`, { fields: [{ field: 'prefix', message: 'is registered already' }] });
  if (result === 'limit') {
    throw new DomainError('STATIC_IP_LIMIT', 409, `a server may have at most ${ctx.maxStaticIps} static access IPs`, {
      fields: [{ field: 'prefix', message: `at most ${ctx.maxStaticIps} static access IPs per server; remove one first` }],
    });
  }
  await ctx.repos.audit.append({ actor, action: 'static_ip.added', subjectType: 'server', subjectId: serverId, details: { prefix }, at: entry.createdAt });
  ctx.onStaticIpsChanged();
  return entry;
}

export async function removeStaticIp(ctx: PortalContext, serverId: string, input: string, actor: Actor): Promise<void> {
  // `192.0.2.7` removes `192.0.2.7/32`; text that no longer validates is matched as stored.
  const checked = checkStaticAccessIp(input);
  const prefix = checked.ok ? checked.prefix : input.trim();
  if (!(await ctx.repos.staticAccessIps.remove(serverId, prefix))) throw notFound('static access IP', prefix);
  await ctx.repos.audit.append({ actor, action: 'static_ip.removed', subjectType: 'server', subjectId: serverId, details: { prefix }, at: ctx.now() });
  ctx.onStaticIpsChanged();
}
