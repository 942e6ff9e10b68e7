/**
 * Detection's incidents become locks under the policy: per reason and host group lock at
 * once, queue for review, or only notify; never lock protected addresses; a kill switch;
 * a blast-radius limit that sends automatic locks to review once too many happened in a
 * short time; one open lock per server and reason, to which later incidents attach.
 */
import type { Incident } from '../detect/incident.ts';
import type { CaseContext } from './case-context.ts';
import { afterLockCreated, createLock } from './create-lock.ts';
import { type Lock, type LockReason, reasonOfIncident } from './lock-types.ts';
import { DEFAULT_POLICY } from './locking-config.ts';
import { renderLockLog } from './lock-log.ts';

export const SYSTEM_ACTOR = { type: 'system', id: 'policy' };

type Mode = 'auto' | 'review' | 'notify';

export interface IncidentDecision {
  action: 'locked' | 'queued' | 'notified' | 'attached' | 'refreshed' | 'skipped';
  blockingId: string | null;
  why: string;
}

function modeFor(ctx: CaseContext, reason: LockReason, hostGroupId: string | null): Mode {
  const key = reason as 'attack_from_server' | 'attack_on_server' | 'netscan' | 'network_configuration';
  const group = hostGroupId === null ? undefined : ctx.config.hostGroupPolicy[hostGroupId];
  return (group?.[key] ?? ctx.config.policy[key] ?? DEFAULT_POLICY[key]) as Mode;
}

/** The addresses a lock for this incident covers, and whether any is protected. */
function scopeOf(reason: LockReason, incident: Incident): { scope: 'server' | 'addresses'; addresses: string[] } {
  // Under attack, only the attacked address is taken off the network; a sender loses the server.
  if (reason === 'attack_on_server' && incident.address !== '') {
    return { scope: 'addresses', addresses: [`${incident.address}/${incident.address.includes(':') ? 128 : 32}`] };
  }
  return { scope: 'server', addresses: [] };
}

export async function handleIncident(ctx: CaseContext, event: 'opened' | 'updated' | 'ended', incident: Incident): Promise<IncidentDecision> {
  const reason = reasonOfIncident(incident.kind, incident.direction);
  const linked = await ctx.locks.lockOfIncident(incident.id);
  if (linked !== undefined) {
    await refreshLog(ctx, linked);
    return { action: 'refreshed', blockingId: linked, why: 'evidence of a linked incident changed' };
  }
  const open = await ctx.locks.openLockOf(incident.serverId, reason);
  if (open !== undefined) {
    await ctx.locks.attachIncident(open.blockingId, incident.id);
    await ctx.audit.append({ actor: SYSTEM_ACTOR, action: 'lock.incident_attached', subjectType: 'lock', subjectId: open.blockingId, details: { incident: incident.id } });
    await refreshLog(ctx, open.blockingId);
    return { action: 'attached', blockingId: open.blockingId, why: `the server already has open lock ${open.blockingId} for ${reason}` };
  }
  if (event !== 'opened') return { action: 'skipped', blockingId: null, why: `incident ${event} without a lock` };

  const skip = async (why: string, action = 'lock.skipped'): Promise<IncidentDecision> => {
    await ctx.audit.append({ actor: SYSTEM_ACTOR, action, subjectType: 'server', subjectId: incident.serverId, details: { incident: incident.id, reason, why } });
    ctx.logger.warn({ component: 'cases', incident: incident.id, server: incident.serverId, why }, 'no lock');
    return { action: 'skipped', blockingId: null, why };
  };
  if (ctx.config.killSwitch) return skip('the kill switch is on: no automatic locks');
  const server = await ctx.inventory.getServer(incident.serverId);
  if (server === undefined) return skip('the server is no longer in the inventory');
  const { scope, addresses } = scopeOf(reason, incident);
  const covered = scope === 'server' ? server.addresses : addresses;
  const protectedAddress = covered.find((prefix) => ctx.index.isProtected(prefix.replace(/\/\d+$/, '')));
  if (protectedAddress !== undefined) return skip(`${protectedAddress} is a protected address: never locked`, 'lock.refused_protected');

  let mode = modeFor(ctx, reason, server.hostGroupId);
  let note = `policy for ${reason}: ${mode}`;
  if (mode === 'auto') {
    const windowMs = ctx.config.blastRadius.windowMinutes * 60_000;
    const recent = await ctx.locks.countAutomaticSince(ctx.now() - windowMs);
    if (recent >= ctx.config.blastRadius.maxAutomaticLocks) {
      mode = 'review';
      note = `blast-radius limit: ${recent} automatic locks in ${ctx.config.blastRadius.windowMinutes} min; queued for review`;
      ctx.alerts.alert('blast-radius limit reached: automatic locks go to review', { recent, server: server.id, incident: incident.id });
    }
  }
  const state = mode === 'auto' ? 'active' : mode === 'review' ? 'review' : 'notified';
  const lock = await ctx.locks.transaction((trx) =>
    createLock(ctx, { serverId: server.id, reason, scope, addresses, state, source: 'detection', statement: '', incidents: [incident], note }, SYSTEM_ACTOR, trx),
  );
  await afterLockCreated(ctx, lock);
  ctx.logger.warn({ component: 'cases', lock: lock.blockingId, server: server.id, reason, state, dryRun: lock.dryRun }, 'lock decided');
  return { action: state === 'active' ? 'locked' : state === 'review' ? 'queued' : 'notified', blockingId: lock.blockingId, why: note };
}

/** Re-renders a lock's log from its incidents while it is open (the evidence keeps growing). */
export async function refreshLog(ctx: CaseContext, blockingId: string): Promise<void> {
  const lock: Lock | undefined = await ctx.locks.get(blockingId);
  if (lock === undefined || (lock.state !== 'review' && lock.state !== 'active' && lock.state !== 'unblock_requested')) return;
  const server = await ctx.inventory.getServer(lock.serverId);
  const incidents = [];
  for (const id of await ctx.locks.incidentIds(blockingId)) {
    const incident = await ctx.incidents.get(id);
    if (incident !== undefined) incidents.push(incident);
  }
  await ctx.locks.setLogFile(blockingId, renderLockLog(lock, server?.name ?? lock.serverId, incidents, ctx.config.timeZone));
}
