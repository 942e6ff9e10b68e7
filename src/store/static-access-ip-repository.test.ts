/** Static access IPs against every database: limit, duplicates, removal, cascade with the server. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { databaseTargets } from '../../test/helpers/databases.ts';
import { createRepositories } from './repositories.ts';

for (const target of databaseTargets()) {
  describe(`static access IPs on ${target.name}`, () => {
    after(() => target.cleanup());

    async function fresh() {
      const store = await target.open();
      const repos = createRepositories(store);
      await repos.inventory.upsertCustomer({ id: 'K1', name: 'One', email: 'one@example.com', language: 'en' }, 1000);
      await repos.inventory.transaction(async (trx) => {
        for (const id of ['S1', 'S2']) {
          await repos.inventory.upsertServer(
            { id, name: id, customerId: 'K1', hostGroupId: null, uplinkGateway: 'fsn1-dc14-uplink-gw', addresses: [id === 'S1' ? '203.0.113.10/32' : '203.0.113.11/32'] },
            1000,
            trx,
          );
        }
      });
      return { store, repo: repos.staticAccessIps, inventory: repos.inventory };
    }

    it('adds up to the limit, refuses duplicates and unknown servers, lists and removes', async () => {
      const { store, repo } = await fresh();
      try {
        const add = (serverId: string, prefix: string) => repo.add({ serverId, prefix, createdAt: 2000, createdBy: 'customer:K1' }, 2);
        assert.equal(await add('S1', '198.51.100.7/32'), 'added');
        assert.equal(await add('S1', '198.51.100.7/32'), 'exists');
        assert.equal(await add('S1', '2001:db8:200::10/128'), 'added');
        assert.equal(await add('S1', '192.0.2.10/32'), 'limit');
        assert.equal(await add('S2', '192.0.2.10/32'), 'added');
        assert.equal(await add('S9', '192.0.2.10/32'), 'no-server');
        assert.deepEqual(await repo.list('S1'), [
          { serverId: 'S1', prefix: '198.51.100.7/32', createdAt: 2000, createdBy: 'customer:K1' },
          { serverId: 'S1', prefix: '2001:db8:200::10/128', createdAt: 2000, createdBy: 'customer:K1' },
        ]);
        assert.deepEqual(
          [...(await repo.prefixesByServer(['S1', 'S2', 'S3'])).entries()],
          [
            ['S1', ['198.51.100.7/32', '2001:db8:200::10/128']],
            ['S2', ['192.0.2.10/32']],
          ],
        );
        assert.equal(await repo.remove('S1', '198.51.100.7/32'), true);
        assert.equal(await repo.remove('S1', '198.51.100.7/32'), false);
        assert.equal(await add('S1', '192.0.2.10/32'), 'added', 'the freed slot can be used');
        assert.deepEqual((await repo.prefixesByServer([])).size, 0);
      } finally {
        await store.close();
      }
    });

    it('never exceeds the limit under concurrent registrations', async () => {
      const { store, repo } = await fresh();
      try {
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) => repo.add({ serverId: 'S1', prefix: `198.51.100.${i + 1}/32`, createdAt: 2000, createdBy: 'customer:K1' }, 3)),
        );
        assert.equal(results.filter((r) => r === 'added').length, 3);
        assert.equal(results.filter((r) => r === 'limit').length, 5);
        assert.equal((await repo.list('S1')).length, 3);
      } finally {
        await store.close();
      }
    });

    it('goes away with its server', async () => {
      const { store, repo, inventory } = await fresh();
      try {
        await repo.add({ serverId: 'S2', prefix: '192.0.2.10/32', createdAt: 2000, createdBy: 'staff:alice' }, 5);
        assert.equal(await inventory.deleteServer('S2'), true);
        assert.deepEqual(await repo.list('S2'), []);
      } finally {
        await store.close();
      }
    });
  });
}
