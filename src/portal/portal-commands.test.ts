/**
 * Portal operations with a fixed clock (SQLite store): static-IP changes call the
 * enforcement hook exactly when something changed; the booking grid, horizon and
 * per-server limit; cancelling and deciding bookings; support-request ownership.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { databaseTargets } from '../../test/helpers/databases.ts';
import { DomainError } from '../errors.ts';
import { createRepositories } from '../store/repositories.ts';
import { bookConsole, freeConsoleSlots } from './book-console.ts';
import { cancelConsoleBooking } from './cancel-console-booking.ts';
import { decideConsoleBooking } from './decide-console-booking.ts';
import type { PortalContext } from './portal-context.ts';
import { addStaticIp, removeStaticIp } from './static-ips.ts';
import { submitSupportRequest } from './submit-support-request.ts';

const NOW = Date.UTC(2030, 4, 6, 9, 20, 0);
const ALICE = { type: 'customer', id: 'alice@example.com' };
const DESK = { type: 'staff', id: 'desk@example.net' };

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DomainError, String(error));
    return error;
  }
  assert.fail('expected a rejection');
}

const sqlite = databaseTargets()[0];

describe('portal operations', () => {
  after(() => sqlite.cleanup());

  async function context() {
    const store = await sqlite.open();
    const repos = createRepositories(store);
    await repos.inventory.upsertCustomer({ id: 'K1', name: 'One', email: 'one@example.com', language: 'en' }, 0);
    await repos.inventory.upsertCustomer({ id: 'K2', name: 'Two', email: 'two@example.com', language: 'en' }, 0);
    await repos.inventory.transaction(async (trx) => {
      await repos.inventory.upsertServer({ id: 'S1', name: 's1', customerId: 'K1', hostGroupId: null, uplinkGateway: 'gw', addresses: ['203.0.113.1/32'] }, 0, trx);
      await repos.inventory.upsertServer({ id: 'S2', name: 's2', customerId: 'K2', hostGroupId: null, uplinkGateway: 'gw', addresses: ['203.0.113.2/32'] }, 0, trx);
    });
    let changes = 0;
    let now = NOW;
    const ctx: PortalContext = {
      repos,
      config: { sessionHours: 12, idleMinutes: 60, login: { maxFailuresPerAccount: 5, maxFailuresPerAddress: 20, windowMinutes: 15 }, consoleBookings: { slotMinutes: 60, daysAhead: 14, maxPerServer: 2 } },
      maxStaticIps: 3,
      onStaticIpsChanged: () => changes++,
      now: () => now,
    };
    return { store, repos, ctx, changes: () => changes, setNow: (t: number) => (now = t) };
  }

  it('tells enforcement about static-IP changes, and only about real ones', async () => {
    const { store, ctx, changes } = await context();
    try {
      assert.deepEqual(await addStaticIp(ctx, 'S1', '192.0.2.0/30', ALICE), { serverId: 'S1', prefix: '192.0.2.0/30', createdAt: NOW, createdBy: 'customer/alice@example.com' });
      assert.equal(changes(), 1);
      assert.equal((await rejection(addStaticIp(ctx, 'S1', '192.0.2.0/24', ALICE))).fields[0].field, 'prefix');
      assert.equal((await rejection(addStaticIp(ctx, 'S1', '192.0.2.0/30', ALICE))).code, 'STATIC_IP_EXISTS');
      assert.equal((await rejection(removeStaticIp(ctx, 'S1', '192.0.2.9', ALICE))).code, 'NOT_FOUND');
      assert.equal(changes(), 1, 'refusals change nothing');
      await removeStaticIp(ctx, 'S1', '192.0.2.0/30', ALICE);
      assert.equal(changes(), 2);
    } finally {
      await store.close();
    }
  });

  it('offers the slots of the next 14 days on the hour grid and books within the limit', async () => {
    const { store, ctx, setNow } = await context();
    try {
      const slots = await freeConsoleSlots(ctx, 'S1');
      assert.equal(slots.free[0], Date.UTC(2030, 4, 6, 10, 0, 0), 'the next full hour');
      assert.equal(slots.free.at(-1), Date.UTC(2030, 4, 20, 9, 0, 0), 'the last slot starting within 14 days');
      assert.equal(slots.free.length, 14 * 24);
      const server = { id: 'S1', customerId: 'K1' };
      const iso = (t: number) => new Date(t).toISOString();
      const a = await bookConsole(ctx, server, { start: iso(slots.free[0]) }, ALICE);
      await bookConsole(ctx, server, { start: iso(slots.free[1]), note: 'second' }, ALICE);
      assert.equal((await rejection(bookConsole(ctx, server, { start: iso(slots.free[2]) }, ALICE))).code, 'BOOKING_LIMIT');
      assert.equal((await freeConsoleSlots(ctx, 'S1')).free.length, 14 * 24 - 2);
      assert.deepEqual((await rejection(bookConsole(ctx, server, { start: iso(slots.free[2]), note: 'x'.repeat(2001) }, ALICE))).fields.map((f) => f.field), ['note']);
      const declineProblems = await rejection(decideConsoleBooking(ctx, a.id, 'decline', 'no', DESK));
      assert.deepEqual(declineProblems.fields.map((f) => f.field), ['message']);
      const declined = await decideConsoleBooking(ctx, a.id, 'decline', 'No technician free at that hour, sorry.', DESK);
      assert.deepEqual([declined.state, declined.decidedBy, declined.staffMessage], ['declined', 'staff/desk@example.net', 'No technician free at that hour, sorry.']);
      assert.equal((await rejection(decideConsoleBooking(ctx, a.id, 'confirm', '', DESK))).code, 'BOOKING_CLOSED');
      const c = await bookConsole(ctx, server, { start: iso(slots.free[0]) }, ALICE);
      assert.equal(c.state, 'requested', 'a declined booking frees its slot and its place in the limit');
      setNow(slots.free[0] + 1);
      assert.equal((await rejection(cancelConsoleBooking(ctx, c, ALICE))).code, 'BOOKING_STARTED');
      assert.deepEqual(
        (await ctx.repos.audit.list({ subjectId: 'S1' })).map((e) => [e.action, e.actor.type]),
        [
          ['console_booking.requested', 'customer'],
          ['console_booking.declined', 'staff'],
          ['console_booking.requested', 'customer'],
          ['console_booking.requested', 'customer'],
        ],
      );
    } finally {
      await store.close();
    }
  });

  it('files support requests only about the customer\'s own server', async () => {
    const { store, ctx } = await context();
    try {
      const mine = await submitSupportRequest(ctx, 'K1', { subject: 'Reverse DNS', message: 'Please set a PTR record.', serverId: 'S1' }, ALICE);
      assert.deepEqual([mine.customerId, mine.serverId, mine.blockingId, mine.state], ['K1', 'S1', null, 'open']);
      assert.equal((await rejection(submitSupportRequest(ctx, 'K1', { subject: 'x', message: 'about another server', serverId: 'S2' }, ALICE))).status, 404);
      assert.equal((await rejection(submitSupportRequest(ctx, 'K1', { subject: 'x', message: 'about a lock', blockingId: 'BL-00000000' }, ALICE))).status, 404);
      assert.deepEqual((await rejection(submitSupportRequest(ctx, 'K1', { subject: 5, message: 'long enough text', serverId: 7 }, ALICE))).fields.map((f) => f.field), ['subject', 'serverId']);
    } finally {
      await store.close();
    }
  });
});
