/**
 * Users, sessions, console bookings, support requests and traffic samples against every
 * database: case-insensitive unique e-mail, session expiry and idle timeout, no double
 * booking of a slot, keep-the-higher upserts of traffic samples.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { databaseTargets } from '../../test/helpers/databases.ts';
import { createRepositories, type Repositories } from './repositories.ts';
import type { Store } from './store.ts';

const HOUR = 3_600_000;

for (const target of databaseTargets()) {
  describe(`portal repositories on ${target.name}`, () => {
    after(() => target.cleanup());

    async function fresh(): Promise<{ store: Store; repos: Repositories }> {
      const store = await target.open();
      const repos = createRepositories(store);
      await repos.inventory.upsertCustomer({ id: 'K1', name: 'One', email: 'one@example.com', language: 'en' }, 1000);
      await repos.inventory.transaction(async (trx) => {
        for (const [id, address] of [
          ['S1', '203.0.113.10/32'],
          ['S2', '203.0.113.11/32'],
        ]) {
          await repos.inventory.upsertServer({ id, name: id, customerId: 'K1', hostGroupId: null, uplinkGateway: 'fsn1-dc14-uplink-gw', addresses: [address] }, 1000, trx);
        }
      });
      return { store, repos };
    }

    it('keeps e-mail addresses unique regardless of case, and finds users by key', async () => {
      const { store, repos } = await fresh();
      try {
        const created = await repos.users.create({ email: 'Noc@Example.com', emailKey: 'noc@example.com', passwordHash: '$argon2id$x', role: 'customer', customerId: 'K1', language: 'de', createdAt: 5 });
        assert.ok(created);
        assert.deepEqual({ ...created, id: 0 }, { id: 0, email: 'Noc@Example.com', role: 'customer', customerId: 'K1', language: 'de', createdAt: 5, updatedAt: 5, disabledAt: null });
        const again = await repos.users.create({ email: 'NOC@example.COM', emailKey: 'noc@example.com', passwordHash: 'y', role: 'staff', customerId: null, language: 'en', createdAt: 6 });
        assert.equal(again, undefined);
        assert.equal((await repos.users.findByEmailKey('noc@example.com'))?.passwordHash, '$argon2id$x');
        assert.equal(await repos.users.findByEmailKey('other@example.com'), undefined);
        assert.equal(await repos.users.setLanguage(created.id, 'en', 9), true);
        assert.equal((await repos.users.get(created.id))?.language, 'en');
        assert.deepEqual(
          (await repos.users.list({ customerId: 'K1' })).map((u) => u.email),
          ['Noc@Example.com'],
        );
      } finally {
        await store.close();
      }
    });

    it('returns a session only while it is neither expired nor idle, and not for a disabled user', async () => {
      const { store, repos } = await fresh();
      try {
        const user = await repos.users.create({ email: 'a@example.com', emailKey: 'a@example.com', passwordHash: 'h', role: 'staff', customerId: null, language: 'en', createdAt: 0 });
        assert.ok(user);
        const base = 1_000_000;
        await repos.sessions.create({ idHash: 'h1', userId: user.id, createdAt: base, lastSeenAt: base, expiresAt: base + 8 * HOUR, clientAddress: '192.0.2.1', userAgent: 'test' });
        await repos.sessions.create({ idHash: 'h2', userId: user.id, createdAt: base, lastSeenAt: base, expiresAt: base + 8 * HOUR, clientAddress: '192.0.2.1', userAgent: 'test' });
        const idle = HOUR;
        assert.equal((await repos.sessions.findLive('h1', base + 10, idle))?.user.email, 'a@example.com');
        assert.equal(await repos.sessions.findLive('nope', base + 10, idle), undefined);
        assert.equal(await repos.sessions.findLive('h1', base + HOUR, idle), undefined, 'idle for the whole timeout');
        await repos.sessions.touch('h1', base + HOUR - 1);
        assert.ok(await repos.sessions.findLive('h1', base + HOUR + 10, idle), 'used within the timeout');
        assert.equal(await repos.sessions.findLive('h1', base + 8 * HOUR, 100 * HOUR), undefined, 'absolute expiry');
        assert.equal(await repos.users.setDisabled(user.id, base, base), true);
        assert.equal(await repos.sessions.findLive('h1', base + 10, idle), undefined, 'disabled user');
        assert.equal(await repos.sessions.deleteOfUser(user.id, 'h1'), 1);
        assert.equal(await repos.sessions.countOfUser(user.id), 1);
        assert.equal(await repos.sessions.prune(base + 2 * HOUR, idle), 1);
        assert.equal(await repos.sessions.countOfUser(user.id), 0);
      } finally {
        await store.close();
      }
    });

    it('books a console slot once per server, up to the limit, and moves bookings through their states', async () => {
      const { store, repos } = await fresh();
      try {
        const now = 10 * HOUR;
        const book = (serverId: string, startsAt: number, max = 2) =>
          repos.consoleBookings.book({ serverId, customerId: 'K1', startsAt, endsAt: startsAt + HOUR, note: '', createdAt: now, createdBy: 'customer/one@example.com' }, { maxLivePerServer: max, nowMs: now });
        const first = await book('S1', 12 * HOUR);
        assert.equal(first.result, 'booked');
        assert.equal((await book('S1', 12 * HOUR)).result, 'taken');
        assert.equal((await book('S2', 12 * HOUR)).result, 'booked', 'the same slot of another server');
        assert.equal((await book('S1', 13 * HOUR)).result, 'booked');
        assert.equal((await book('S1', 14 * HOUR)).result, 'limit');
        assert.equal((await book('S9', 14 * HOUR)).result, 'no-server');
        assert.deepEqual(await repos.consoleBookings.takenStarts('S1', 0, 24 * HOUR), [12 * HOUR, 13 * HOUR]);
        if (first.result !== 'booked') throw new Error('unreachable');
        const cancelled = await repos.consoleBookings.transition(first.booking.id, ['requested', 'confirmed'], 'cancelled', { at: now, by: 'customer/one@example.com', message: '' });
        assert.equal(cancelled?.state, 'cancelled');
        assert.equal(await repos.consoleBookings.transition(first.booking.id, ['requested'], 'confirmed', { at: now, by: 'x', message: '' }), undefined);
        assert.equal((await book('S1', 12 * HOUR)).result, 'booked', 'a cancelled booking frees its slot');
        const row = { serverId: 'S1', customerId: 'K1', startsAt: 13 * HOUR, endsAt: 14 * HOUR, note: '', createdAt: now, createdBy: 'x', decidedAt: null, decidedBy: null, staffMessage: '' };
        await assert.rejects(store.db.insertInto('consoleBookings').values({ ...row, state: 'confirmed' }).execute(), 'the database itself refuses a second live booking of a slot');
        await store.db.insertInto('consoleBookings').values({ ...row, state: 'declined' }).execute();
        const concurrent = await Promise.all([book('S2', 20 * HOUR, 10), book('S2', 20 * HOUR, 10), book('S2', 20 * HOUR, 10)]);
        assert.deepEqual(concurrent.map((r) => r.result).sort(), ['booked', 'taken', 'taken']);
        assert.deepEqual(
          (await repos.consoleBookings.list({ serverId: 'S2' })).map((b) => [b.startsAt / HOUR, b.state]),
          [
            [12, 'requested'],
            [20, 'requested'],
          ],
        );
      } finally {
        await store.close();
      }
    });

    it('stores support requests and closes each once', async () => {
      const { store, repos } = await fresh();
      try {
        const a = await repos.supportRequests.create({ customerId: 'K1', serverId: 'S1', blockingId: null, subject: 'KVM', message: 'please help me', createdAt: 1, createdBy: 'customer/one@example.com' });
        const b = await repos.supportRequests.create({ customerId: 'K1', serverId: null, blockingId: 'BL-AAAAAAAA', subject: 'Lock', message: 'what happened', createdAt: 2, createdBy: 'customer/one@example.com' });
        assert.deepEqual(
          (await repos.supportRequests.list({ customerId: 'K1' })).map((r) => r.id),
          [b.id, a.id],
        );
        assert.equal((await repos.supportRequests.close(a.id, { at: 3, by: 'staff/desk@example.net', message: 'done' }))?.state, 'closed');
        assert.equal(await repos.supportRequests.close(a.id, { at: 4, by: 'staff/desk@example.net', message: 'again' }), undefined);
        assert.deepEqual(
          (await repos.supportRequests.list({ state: 'open' })).map((r) => r.id),
          [b.id],
        );
      } finally {
        await store.close();
      }
    });

    it('keeps the higher value when a traffic bucket is written twice, and prunes by age', async () => {
      const { store, repos } = await fresh();
      try {
        await repos.trafficSamples.record([
          { serverId: 'S1', at: 60_000, packetsIn: 10, packetsOut: 200_000.5, bitsIn: 1e9, bitsOut: 8e10 },
          { serverId: 'S1', at: 120_000, packetsIn: 1, packetsOut: 2, bitsIn: 3, bitsOut: 4 },
        ]);
        await repos.trafficSamples.record([{ serverId: 'S1', at: 60_000, packetsIn: 20, packetsOut: 5, bitsIn: 2e9, bitsOut: 1 }]);
        assert.deepEqual(await repos.trafficSamples.series('S1', 0, 1e12), [
          { serverId: 'S1', at: 60_000, packetsIn: 20, packetsOut: 200_000.5, bitsIn: 2e9, bitsOut: 8e10 },
          { serverId: 'S1', at: 120_000, packetsIn: 1, packetsOut: 2, bitsIn: 3, bitsOut: 4 },
        ]);
        assert.deepEqual(await repos.trafficSamples.series('S2', 0, 1e12), []);
        const many = Array.from({ length: 1200 }, (_, i) => ({ serverId: 'S2', at: i * 60_000, packetsIn: i, packetsOut: 0, bitsIn: 0, bitsOut: 0 }));
        await repos.trafficSamples.record(many);
        assert.equal((await repos.trafficSamples.series('S2', 0, 1e12)).length, 1200);
        assert.equal(await repos.trafficSamples.prune(100 * 60_000), 100 + 2);
        assert.equal((await repos.trafficSamples.series('S2', 0, 1e12))[0].packetsIn, 100);
      } finally {
        await store.close();
      }
    });
  });
}
