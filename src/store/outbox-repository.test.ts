/** The outbox table on every database: claiming, leases, guarded state changes, listing. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { databaseTargets } from '../../test/helpers/databases.ts';
import type { NewOutboxMessage } from './outbox-repository.ts';
import { createRepositories } from './repositories.ts';

function message(blockingId: string): NewOutboxMessage {
  return {
    blockingId,
    kind: 'locked',
    recipient: 'ops@example.com',
    subject: `[Blocking ID ${blockingId}] Your server web01 has been locked`,
    language: 'en',
    message: `Subject: ${blockingId}\r\n\r\n${'x'.repeat(200_000)}\r\n`,
  };
}

for (const target of databaseTargets()) {
  describe(`outbox repository on ${target.name}`, () => {
    after(() => target.cleanup());

    it('claims due messages once, oldest first, even with two claimers at the same time', async () => {
      const store = await target.open();
      try {
        const { outbox } = createRepositories(store);
        const ids = [];
        for (let i = 0; i < 6; i++) ids.push(await outbox.add(message(`L-${i}`), 1000 + i));
        const later = await outbox.add(message('L-later'), 5000);
        const [a, b] = await Promise.all([outbox.claimDue(2000, 62_000, 10), outbox.claimDue(2000, 62_000, 10)]);
        const claimed = [...a, ...b].map((m) => m.id).sort((x, y) => x - y);
        assert.deepEqual(claimed, ids, 'each due message claimed exactly once, the later one not at all');
        assert.ok(![...a, ...b].some((m) => m.id === later));
        const first = await outbox.get(ids[0] ?? -1);
        assert.equal(first?.state, 'sending');
        assert.equal(first?.attempts, 1);
        assert.equal(first?.nextAttemptAt, 62_000, 'the lease');
        assert.equal(first?.message.length, message('L-0').message.length, 'large message text kept whole');
        const ids6 = (await outbox.claimDue(61_999, 70_000, 10)).map((m) => m.id);
        assert.deepEqual(ids6, [later], 'while the leases run only the message that became due since is claimed');
        const expired = await outbox.claimDue(62_000, 122_000, 100);
        assert.deepEqual(expired.map((m) => m.id).sort((x, y) => x - y), ids, 'expired leases are claimed again');
        assert.ok(expired.every((m) => m.attempts === 2 && m.nextAttemptAt === 122_000));
      } finally {
        await store.close();
      }
    });

    it('only the current claim may retry or fail a message; sent always wins', async () => {
      const store = await target.open();
      try {
        const { outbox } = createRepositories(store);
        const id = await outbox.add(message('L-1'), 0);
        await outbox.claimDue(0, 100, 1);
        assert.equal(await outbox.markRetry(id, 1, 500, 'EENVELOPE 451: later'), true);
        let row = await outbox.get(id);
        assert.deepEqual([row?.state, row?.attempts, row?.nextAttemptAt, row?.lastError], ['pending', 1, 500, 'EENVELOPE 451: later']);
        assert.equal(await outbox.markFailed(id, 1, 'not claimed'), false, 'a pending message cannot be failed');
        await outbox.claimDue(500, 600, 1);
        assert.equal(await outbox.markRetry(id, 1, 900, 'stale'), false, 'an older claim cannot touch it');
        await outbox.markSent(id, 550);
        row = await outbox.get(id);
        assert.deepEqual([row?.state, row?.attempts, row?.sentAt, row?.lastError], ['sent', 2, 550, null]);
        assert.equal(await outbox.markFailed(id, 2, 'late failure'), false, 'sent stays sent');
        assert.deepEqual(await outbox.claimDue(10_000, 20_000, 10), []);
      } finally {
        await store.close();
      }
    });

    it('lists newest first without the message text and counts by state', async () => {
      const store = await target.open();
      try {
        const { outbox } = createRepositories(store);
        const a = await outbox.add(message('L-A'), 1);
        const b = await outbox.add(message('L-B'), 2);
        const c = await outbox.add(message('L-A'), 3);
        await outbox.claimDue(1, 10, 1);
        await outbox.markSent(a, 5);
        const listed = await outbox.list({ blockingId: 'L-A' });
        assert.deepEqual(listed.map((m) => m.id), [c, a]);
        assert.ok(!('message' in (listed[0] ?? {})));
        assert.deepEqual((await outbox.list({ state: 'pending' })).map((m) => m.id), [c, b]);
        assert.deepEqual((await outbox.list({ beforeId: c, limit: 1 })).map((m) => m.id), [b]);
        assert.deepEqual(await outbox.countByState(), { pending: 2, sending: 0, sent: 1, failed: 0 });
      } finally {
        await store.close();
      }
    });
  });
}
