/** The inventory against every database: CRUD, conflicts, audit, import, and the live index. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { databaseTargets } from '../../test/helpers/databases.ts';
import { sampleSnapshot } from '../../test/helpers/factories.ts';
import { DomainError } from '../errors.ts';
import { createRepositories } from '../store/repositories.ts';
import { InventoryIndex } from './inventory-index.ts';
import { InventoryService } from './inventory-service.ts';

const actor = { type: 'staff', id: 'alice' };

async function rejects(promise: Promise<unknown>, code: string): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DomainError, `expected DomainError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}`);
}

for (const target of databaseTargets()) {
  describe(`inventory on ${target.name}`, () => {
    after(() => target.cleanup());

    async function fresh() {
      const store = await target.open();
      const repos = createRepositories(store);
      const service = new InventoryService({ repository: repos.inventory, audit: repos.audit, index: new InventoryIndex() });
      return { store, repos, service };
    }

    it('imports a snapshot and resolves addresses by longest prefix', async () => {
      const { store, service } = await fresh();
      try {
        const summary = await service.importSnapshot(sampleSnapshot(), actor);
        assert.deepEqual(summary, { customers: 2, hostGroups: 1, servers: 2, addresses: 4, protectedPrefixes: 1, providerPrefixes: 2 });
        assert.equal(service.lookup('203.0.113.10')?.serverId, 'EX-1');
        assert.equal(service.lookup('203.0.113.10')?.customerId, 'K100');
        assert.equal(service.lookup('2001:db8:10::42')?.serverId, 'EX-1');
        assert.equal(service.lookup('2001:db8:10::42')?.prefix, '2001:db8:10::/64');
        assert.equal(service.lookup('198.51.100.7')?.serverId, 'EX-2');
        assert.equal(service.lookup('198.51.100.8'), undefined);
        assert.equal(service.lookup('203.0.113.11'), undefined);
        assert.equal(service.index.isProtected('192.0.2.5'), true);
        assert.equal(service.index.isProtected('192.0.2.16'), false);
        assert.equal(service.index.isProviderSpace('203.0.113.99'), true);
        const server = await service.getServer('EX-1');
        assert.deepEqual(server.addresses, ['2001:db8:10::/64', '203.0.113.10/32']);
      } finally {
        await store.close();
      }
    });

    it('keeps the index current as servers change and records every change in the audit log', async () => {
      const { store, repos, service } = await fresh();
      try {
        await service.putCustomer({ id: 'K1', name: 'One', email: 'one@example.com', language: 'en' }, actor);
        await service.putServer({ id: 'S1', customerId: 'K1', uplinkGateway: 'fsn1-dc14-uplink-gw', addresses: ['203.0.113.0/28'] }, actor);
        await service.putServer({ id: 'S2', customerId: 'K1', uplinkGateway: 'fsn1-dc14-uplink-gw', addresses: ['203.0.113.5'] }, actor);
        assert.equal(service.lookup('203.0.113.5')?.serverId, 'S2', 'the /32 wins over the covering /28');
        assert.equal(service.lookup('203.0.113.6')?.serverId, 'S1');
        await service.putServer({ id: 'S2', customerId: 'K1', uplinkGateway: 'fsn1-dc14-uplink-gw', addresses: ['203.0.113.100'] }, actor);
        assert.equal(service.lookup('203.0.113.5')?.serverId, 'S1', 'moving the /32 away reveals the /28 again');
        assert.equal(service.lookup('203.0.113.100')?.serverId, 'S2');
        await service.deleteServer('S2', actor);
        assert.equal(service.lookup('203.0.113.100'), undefined);
        const actions = (await repos.audit.list()).map((e) => e.action).reverse();
        assert.deepEqual(actions, ['customer.created', 'server.created', 'server.created', 'server.updated', 'server.deleted']);
        const updated = (await repos.audit.list({ subjectType: 'server', subjectId: 'S2' })).find((e) => e.action === 'server.updated');
        assert.deepEqual(updated?.details.previousAddresses, ['203.0.113.5/32']);
        assert.deepEqual(updated?.actor, actor);
      } finally {
        await store.close();
      }
    });

    it('refuses bad input naming each field, and conflicting assignments', async () => {
      const { store, service } = await fresh();
      try {
        const bad = await rejects(service.putCustomer({ id: '', name: '', email: 'not-mail', language: 'fr' }, actor), 'VALIDATION_FAILED');
        assert.deepEqual(
          bad.fields.map((f) => f.field),
          ['id', 'name', 'email', 'language'],
        );
        await service.putCustomer({ id: 'K1', name: 'One', email: 'one@example.com' }, actor);
        const badServer = await rejects(
          service.putServer({ id: 'S1', customerId: 'K1', uplinkGateway: 'Bad Gateway!', addresses: ['203.0.113.1/24', 'x'] }, actor),
          'VALIDATION_FAILED',
        );
        assert.deepEqual(
          badServer.fields.map((f) => f.field),
          ['uplinkGateway', 'addresses[0]', 'addresses[1]'],
        );
        assert.match(badServer.fields[1].message, /host bits set \(the network is 203\.0\.113\.0\/24\)/);
        await rejects(service.putServer({ id: 'S1', customerId: 'NOPE', uplinkGateway: 'gw1', addresses: [] }, actor), 'VALIDATION_FAILED');
        await service.putServer({ id: 'S1', customerId: 'K1', uplinkGateway: 'gw1', addresses: ['203.0.113.1'] }, actor);
        const taken = await rejects(service.putServer({ id: 'S2', customerId: 'K1', uplinkGateway: 'gw1', addresses: ['203.0.113.1/32'] }, actor), 'CONFLICT');
        assert.match(taken.fields[0].message, /assigned to server S1/);
        await rejects(service.deleteCustomer('K1', actor), 'CONFLICT');
        await rejects(service.getServer('S9'), 'NOT_FOUND');
      } finally {
        await store.close();
      }
    });

    it('an import with one bad reference writes nothing', async () => {
      const { store, service } = await fresh();
      try {
        const snapshot = sampleSnapshot();
        snapshot.servers[1].customerId = 'K999';
        const error = await rejects(service.importSnapshot(snapshot, actor), 'VALIDATION_FAILED');
        assert.match(error.fields[0].message, /customer K999 does not exist/);
        assert.deepEqual(await service.listCustomers(), []);
        assert.deepEqual(await service.listServers(), []);
      } finally {
        await store.close();
      }
    });

    it('the audit log cannot be edited', async () => {
      const { store, repos, service } = await fresh();
      try {
        await service.putCustomer({ id: 'K1', name: 'One', email: 'one@example.com' }, actor);
        await assert.rejects(store.db.updateTable('auditLog').set({ action: 'forged' }).execute(), /append-only/);
        await assert.rejects(store.db.deleteFrom('auditLog').execute(), /append-only/);
        assert.equal((await repos.audit.list())[0].action, 'customer.created');
      } finally {
        await store.close();
      }
    });
  });
}
