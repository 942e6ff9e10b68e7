/**
 * Locks not from traffic: staff lock a server for abuse (with a written statement of the
 * complaint) or any other reason; the billing system locks for non-payment.
 */
import type { Incident } from '../detect/incident.ts';
import { DomainError, type FieldProblem, invalidInput } from '../errors.ts';
import { parsePrefix } from '../inventory/prefix.ts';
import type { Actor } from '../store/audit-repository.ts';
import type { CaseContext } from './case-context.ts';
import { afterLockCreated, createLock } from './create-lock.ts';
import { BILLING_REASONS, LOCK_REASONS, type Lock, type LockReason } from './lock-types.ts';

export interface ManualLockInput {
  serverId: unknown;
  reason: unknown;
  statement?: unknown;
  /** Omitted or empty: the whole server. */
  addresses?: unknown;
  incidentIds?: unknown;
}

export async function lockServer(ctx: CaseContext, input: ManualLockInput, actor: Actor, source: 'staff' | 'billing'): Promise<Lock> {
  const problems: FieldProblem[] = [];
  const serverId = typeof input.serverId === 'string' ? input.serverId.trim() : '';
  if (serverId === '') problems.push({ field: 'serverId', message: 'is required' });
  const reason = input.reason as LockReason;
  if (!LOCK_REASONS.includes(reason)) problems.push({ field: 'reason', message: `must be one of ${LOCK_REASONS.join(', ')}` });
  else if (source === 'billing' && !BILLING_REASONS.includes(reason)) {
    problems.push({ field: 'reason', message: `billing may lock only for ${BILLING_REASONS.join(', ')}` });
  }
  const statement = typeof input.statement === 'string' ? input.statement.trim() : '';
  if (source === 'staff' && (reason.startsWith('abuse_') || reason === 'other') && statement.length < 20) {
    problems.push({ field: 'statement', message: 'a written statement of the complaint (at least 20 characters) is required for abuse locks' });
  }
  if (statement.length > 20_000) problems.push({ field: 'statement', message: 'must be at most 20,000 characters' });
  const addresses: string[] = [];
  if (input.addresses !== undefined && input.addresses !== null) {
    if (!Array.isArray(input.addresses)) problems.push({ field: 'addresses', message: 'must be a list of addresses' });
    else {
      input.addresses.forEach((a, i) => {
        try {
          addresses.push(parsePrefix(String(a)).text);
        } catch (error) {
          problems.push({ field: `addresses[${i}]`, message: (error as Error).message });
        }
      });
    }
  }
  if (problems.length > 0) throw invalidInput(problems);
  const server = await ctx.inventory.getServer(serverId);
  if (server === undefined) throw invalidInput([{ field: 'serverId', message: `server ${JSON.stringify(serverId)} does not exist` }]);
  const foreign = addresses.filter((a) => !server.addresses.includes(a) && ctx.index.lookup(a.replace(/\/\d+$/, ''))?.serverId !== server.id);
  if (foreign.length > 0) throw invalidInput(foreign.map((a) => ({ field: 'addresses', message: `${a} does not belong to server ${server.id}` })));
  const covered = addresses.length > 0 ? addresses : server.addresses;
  const protectedAddress = covered.find((p) => ctx.index.isProtected(p.replace(/\/\d+$/, '')));
  if (protectedAddress !== undefined) throw new DomainError('PROTECTED_ADDRESS', 409, `${protectedAddress} is a protected address of the provider and is never locked`);
  const existing = await ctx.locks.openLockOf(server.id, reason);
  if (existing !== undefined) throw new DomainError('ALREADY_LOCKED', 409, `server ${server.id} already has open lock ${existing.blockingId} for ${reason}`);
  const incidentIds = Array.isArray(input.incidentIds) ? input.incidentIds.filter((i): i is string => typeof i === 'string') : [];
  const incidents: Incident[] = [];
  for (const id of incidentIds) {
    const incident = await ctx.incidents.get(id);
    if (incident === undefined) throw invalidInput([{ field: 'incidentIds', message: `incident ${id} does not exist` }]);
    if (incident.serverId !== server.id) throw invalidInput([{ field: 'incidentIds', message: `incident ${id} is about another server` }]);
    incidents.push(incident);
  }
  const lock = await ctx.locks.transaction((trx) =>
    createLock(
      ctx,
      {
        serverId: server.id,
        reason,
        scope: addresses.length > 0 ? 'addresses' : 'server',
        addresses,
        state: 'active',
        source,
        statement,
        incidents,
        note: source === 'billing' ? 'locked by the billing system' : 'locked by the abuse desk',
      },
      actor,
      trx,
    ),
  );
  await afterLockCreated(ctx, lock);
  return lock;
}
