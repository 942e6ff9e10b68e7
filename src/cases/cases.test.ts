/** The lock layer against every database: policy, safety limits, unblock requests, billing. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { databaseTargets } from '../../test/helpers/databases.ts';
import { sampleSnapshot } from '../../test/helpers/factories.ts';
import { resolveConfig } from '../config/load-config.ts';
import { emptyRates, type Incident } from '../detect/incident.ts';
import { DomainError } from '../errors.ts';
import { InventoryIndex } from '../inventory/inventory-index.ts';
import { InventoryService } from '../inventory/inventory-service.ts';
import { createLogger } from '../logger.ts';
import type { LockNotice } from '../notify/notice.ts';
import { createRepositories } from '../store/repositories.ts';
import { isBlockingId } from './blocking-id.ts';
import type { CaseContext } from './case-context.ts';
import { handleIncident } from './handle-incident.ts';
import { lockServer } from './lock-server.ts';
import { releaseLock } from './release-lock.ts';
import { reviewLock } from './review-lock.ts';
import { decideUnblockRequest, requestUnblock } from './unblock-request.ts';

const staff = { type: 'staff', id: 'alice' };
const customer = { type: 'customer', id: 'K100' };
const billing = { type: 'billing', id: 'erp' };
const clock = Date.UTC(2026, 10, 21, 12, 0, 0);

function netscanIncident(id: string, serverId = 'EX-1', address = '203.0.113.10'): Incident {
  return {
    id,
    serverId,
    customerId: serverId === 'EX-1' ? 'K100' : 'K200',
    address,
    kind: 'netscan',
    direction: 'out',
    status: 'open',
    firstSeenMs: clock - 60_000,
    lastSeenMs: clock,
    endedMs: null,
    exceeded: [],
    peak: emptyRates(),
    totals: { packets: 0, flows: 0, bytes: 0 },
    summary: null,
    netscan: {
      type: 'horizontal',
      port: 22,
      target: null,
      protocol: 6,
      distinctTargets: 3,
      sampledTargets: 3,
      samplingRate: 1,
      privateTargets: 0,
      attempts: [0, 1, 2].map((n) => ({ timeMs: Date.UTC(2013, 10, 13, 18, 14, 27), srcAddr: address, srcPort: 40000, dstAddr: `198.51.100.${n}`, dstPort: 22, protocol: 6 })),
    },
    sourceAddress: null,
    samples: [],
  };
}

function floodInIncident(id: string): Incident {
  return {
    ...netscanIncident(id, 'EX-2', '203.0.113.20'),
    kind: 'flood',
    direction: 'in',
    netscan: null,
    exceeded: [{ metric: 'synPerSecond', threshold: 100_000, peak: 250_000 }],
    summary: { windowSeconds: 300, sum: { packets: 75_000_000, flows: 75_000, bytes: 4_500_000_000 }, externals: [{ address: '198.51.100.9', packets: 75_000_000, flows: 75_000, bytes: 4_500_000_000 }], otherExternals: { packets: 0, flows: 0, bytes: 0, addresses: 0 } },
  };
}

for (const target of databaseTargets()) {
  describe(`locking on ${target.name}`, () => {
    after(() => target.cleanup());

    async function setup(locking: Record<string, unknown> = {}) {
      const store = await target.open();
      const repos = createRepositories(store);
      const index = new InventoryIndex();
      const inventory = new InventoryService({ repository: repos.inventory, audit: repos.audit, index });
      await inventory.importSnapshot(sampleSnapshot(), staff);
      const notices: LockNotice[] = [];
      const alerts: string[] = [];
      let triggers = 0;
      const ctx: CaseContext = {
        config: resolveConfig({ locking }).locking,
        portalUrl: 'https://robot.example.com',
        locks: repos.locks,
        incidents: repos.incidents,
        inventory: repos.inventory,
        audit: repos.audit,
        index,
        notifier: { enqueue: async (n) => void notices.push(n) },
        enforcement: { trigger: () => void triggers++ },
        alerts: { alert: (m) => void alerts.push(m) },
        logger: createLogger('silent'),
        now: () => clock,
      };
      const incident = async (i: Incident) => {
        await repos.incidents.save(i);
        return handleIncident(ctx, 'opened', i);
      };
      return { store, repos, ctx, notices, alerts, triggers: () => triggers, incident };
    }

    it('a netscan incident locks the whole server under a Blocking ID and mails the log', async () => {
      const t = await setup();
      try {
        const decision = await t.incident(netscanIncident('i-1'));
        assert.equal(decision.action, 'locked');
        const lock = (await t.repos.locks.get(decision.blockingId!))!;
        assert.ok(isBlockingId(lock.blockingId), lock.blockingId);
        assert.deepEqual([lock.state, lock.reason, lock.scope, lock.source], ['active', 'netscan', 'server', 'detection']);
        assert.deepEqual(lock.addresses, ['2001:db8:10::/64', '203.0.113.10/32']);
        assert.equal(t.triggers(), 1);
        assert.equal(t.notices.length, 1);
        const notice = t.notices[0];
        assert.equal(notice.kind, 'locked');
        assert.equal(notice.customer.email, 'noc@example.com');
        assert.equal(notice.customer.language, 'de');
        assert.equal(notice.logFile?.filename, `${lock.blockingId}.log`);
        assert.ok(notice.logFile!.content.includes('#          Netscan detected from host   203.0.113.10              #'));
        assert.ok(notice.logFile!.content.includes('Wed Nov 13 18:14:27 2013:   203.0.113.10 =>        198.51.100.1:   22\n'));
        assert.deepEqual((await t.repos.locks.enforced()).map((l) => l.blockingId), [lock.blockingId]);
        const events = await t.repos.locks.events(lock.blockingId);
        assert.deepEqual(events.map((e) => [e.action, e.toState, e.actor.id]), [['created', 'active', 'policy']]);
        // A second scan of the same server attaches to the open lock instead of a new one.
        const second = await t.incident(netscanIncident('i-2'));
        assert.deepEqual([second.action, second.blockingId], ['attached', lock.blockingId]);
        assert.deepEqual((await t.repos.locks.incidentIds(lock.blockingId)).sort(), ['i-1', 'i-2']);
        await assert.rejects(t.store.db.deleteFrom('lockEvents').execute(), /append-only/);
      } finally {
        await t.store.close();
      }
    });

    it('an attack on a server is queued for review, scoped to the attacked address; staff confirm it', async () => {
      const t = await setup();
      try {
        const decision = await t.incident(floodInIncident('i-3'));
        assert.equal(decision.action, 'queued');
        const queued = (await t.repos.locks.get(decision.blockingId!))!;
        assert.deepEqual([queued.state, queued.reason, queued.scope, queued.addresses], ['review', 'attack_on_server', 'addresses', ['203.0.113.20/32']]);
        assert.equal(t.notices.length, 0, 'no e-mail before staff decide');
        assert.deepEqual(await t.repos.locks.enforced(), []);
        const confirmed = await reviewLock(t.ctx, queued.blockingId, 'confirm', 'verified with the NOC', staff);
        assert.equal(confirmed.state, 'active');
        assert.equal(t.notices[0].kind, 'locked');
        assert.match(t.notices[0].logFile!.content, /Direction IN\nInternal 203\.0\.113\.20\nThreshold Packets 100\.000 packets\/s/);
      } finally {
        await t.store.close();
      }
    });

    it('never locks protected addresses, obeys the kill switch, and dry-run enforces nothing', async () => {
      const protectedRun = await setup();
      try {
        await protectedRun.repos.inventory.upsertPrefix('protectedPrefixes', { prefix: '203.0.113.10/32', description: 'resolver' }, clock);
        protectedRun.ctx.index.setProtected(['192.0.2.0/28', '203.0.113.10/32']);
        const decision = await protectedRun.incident(netscanIncident('i-4'));
        assert.equal(decision.action, 'skipped');
        assert.match(decision.why, /protected/);
        assert.equal((await protectedRun.repos.audit.list({ subjectType: 'server', subjectId: 'EX-1' }))[0].action, 'lock.refused_protected');
      } finally {
        await protectedRun.store.close();
      }
      const killed = await setup({ killSwitch: true });
      try {
        assert.equal((await killed.incident(netscanIncident('i-5'))).action, 'skipped');
        assert.deepEqual(await killed.repos.locks.list(), []);
      } finally {
        await killed.store.close();
      }
      const dry = await setup({ dryRun: true });
      try {
        const decision = await dry.incident(netscanIncident('i-6'));
        const lock = (await dry.repos.locks.get(decision.blockingId!))!;
        assert.equal(lock.dryRun, true);
        assert.deepEqual(await dry.repos.locks.enforced(), []);
        assert.equal(dry.notices.length, 0);
        assert.equal(dry.triggers(), 0);
      } finally {
        await dry.store.close();
      }
    });

    it('notify-only policy warns the customer with the log and locks nothing', async () => {
      const t = await setup({ policy: { netscan: 'notify' } });
      try {
        const decision = await t.incident(netscanIncident('i-12'));
        assert.equal(decision.action, 'notified');
        assert.deepEqual(await t.repos.locks.enforced(), []);
        assert.equal(t.triggers(), 0);
        assert.equal(t.notices.length, 1);
        assert.equal(t.notices[0].kind, 'warning');
        assert.ok(t.notices[0].logFile?.content.includes('Netscan detected from host'));
      } finally {
        await t.store.close();
      }
    });

    it('the blast-radius limit sends further automatic locks to review and alerts staff', async () => {
      const t = await setup({ blastRadius: { maxAutomaticLocks: 1, windowMinutes: 10 } });
      try {
        assert.equal((await t.incident(netscanIncident('i-7'))).action, 'locked');
        const second = await t.incident(netscanIncident('i-8', 'EX-2', '203.0.113.20'));
        assert.equal(second.action, 'queued');
        assert.match(second.why, /blast-radius/);
        assert.equal(t.alerts.length, 1);
      } finally {
        await t.store.close();
      }
    });

    it('unblock requests: incomplete ones name every field; staff reject, then approve', async () => {
      const t = await setup();
      try {
        const { blockingId } = await t.incident(netscanIncident('i-9'));
        const id = blockingId!;
        try {
          await requestUnblock(t.ctx, id, { cause: 'short', measures: '' }, customer);
          assert.fail('incomplete request accepted');
        } catch (error) {
          assert.ok(error instanceof DomainError);
          assert.deepEqual(
            error.fields.map((f) => f.field),
            ['cause', 'measures', 'confirmed'],
          );
        }
        const form = { cause: 'A compromised WordPress plugin ran a scanner', measures: 'Removed the plugin, reinstalled, rotated all passwords', confirmed: true };
        const { lock, request } = await requestUnblock(t.ctx, id, form, customer);
        assert.equal(lock.state, 'unblock_requested');
        assert.equal(t.notices.at(-1)?.kind, 'unblock_received');
        assert.equal((await t.repos.locks.enforced()).length, 1, 'still enforced while waiting');
        await assert.rejects(decideUnblockRequest(t.ctx, request.id, 'reject', '', staff), (e: DomainError) => e.fields[0].field === 'message');
        const rejected = await decideUnblockRequest(t.ctx, request.id, 'reject', 'The scanner still runs: see the new log.', staff);
        assert.equal(rejected.lock.state, 'active');
        assert.equal(t.notices.at(-1)?.kind, 'rejected');
        assert.equal(t.notices.at(-1)?.message, 'The scanner still runs: see the new log.');
        const again = await requestUnblock(t.ctx, id, form, customer);
        const approved = await decideUnblockRequest(t.ctx, again.request.id, 'approve', 'Thank you.', staff);
        assert.equal(approved.lock.state, 'released');
        assert.equal(t.notices.at(-1)?.kind, 'released');
        assert.deepEqual(await t.repos.locks.enforced(), []);
        const history = (await t.repos.locks.events(id)).map((e) => `${e.fromState ?? '-'}>${e.toState}`);
        assert.deepEqual(history, ['->active', 'active>unblock_requested', 'unblock_requested>active', 'active>unblock_requested', 'unblock_requested>released']);
      } finally {
        await t.store.close();
      }
    });

    it('self-service releases a first lock on a complete request; a repeat offender needs staff', async () => {
      const t = await setup({ selfServiceUnblock: true });
      try {
        const form = { cause: 'Misconfigured backup script probing the subnet', measures: 'Fixed the target list and added a rate limit', confirmed: 'true' };
        const first = await t.incident(netscanIncident('i-10'));
        const released = await requestUnblock(t.ctx, first.blockingId!, form, customer);
        assert.equal(released.lock.state, 'released');
        const second = await t.incident(netscanIncident('i-11'));
        const lock = (await t.repos.locks.get(second.blockingId!))!;
        assert.equal(lock.requiresApproval, true, 'second lock within 30 days');
        const waiting = await requestUnblock(t.ctx, lock.blockingId, form, customer);
        assert.equal(waiting.lock.state, 'unblock_requested');
      } finally {
        await t.store.close();
      }
    });

    it('staff abuse locks need a statement; billing locks and releases only non-payment', async () => {
      const t = await setup();
      try {
        await assert.rejects(lockServer(t.ctx, { serverId: 'EX-1', reason: 'abuse_phishing' }, staff, 'staff'), (e: DomainError) => e.fields[0].field === 'statement');
        const abuse = await lockServer(
          t.ctx,
          { serverId: 'EX-1', reason: 'abuse_phishing', statement: 'Phishing page imitating a bank at http://203.0.113.10/login reported by CERT.' },
          staff,
          'staff',
        );
        assert.equal(abuse.state, 'active');
        assert.match(t.notices.at(-1)!.logFile!.content, /Statement of the abuse desk\n\nPhishing page/);
        await assert.rejects(lockServer(t.ctx, { serverId: 'EX-2', reason: 'netscan' }, billing, 'billing'), (e: DomainError) => e.fields[0].field === 'reason');
        const unpaid = await lockServer(t.ctx, { serverId: 'EX-2', reason: 'non_payment', statement: 'invoice 2026-1142' }, billing, 'billing');
        await assert.rejects(releaseLock(t.ctx, abuse.blockingId, billing, 'paid', 'billing'), (e: DomainError) => e.code === 'FORBIDDEN');
        const paid = await releaseLock(t.ctx, unpaid.blockingId, billing, 'invoice 2026-1142 paid', 'billing');
        assert.equal(paid.state, 'released');
        await assert.rejects(lockServer(t.ctx, { serverId: 'EX-1', reason: 'abuse_phishing', statement: 'x'.repeat(30) }, staff, 'staff'), (e: DomainError) => e.code === 'ALREADY_LOCKED');
      } finally {
        await t.store.close();
      }
    });
  });
}
