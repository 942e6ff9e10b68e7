/**
 * One store test suite, every database: each store gets a fresh SQLite file and a fresh
 * PostgreSQL database (dropped afterwards). Databases, not schemas: Kysely's migrator
 * introspects every schema of its database, and another test process dropping its own
 * schema at that moment made the introspection fail. PostgreSQL must be reachable: an
 * unreachable server fails the run rather than silently testing only SQLite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Store } from '../../src/store/store.ts';

export const POSTGRES_URL = process.env.NETWARDEN_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface DatabaseTarget {
  name: 'sqlite' | 'postgres';
  /** Opens a fresh, migrated, empty store. */
  open(): Promise<Store>;
  /** Removes everything the target created. */
  cleanup(): Promise<void>;
}

let counter = 0;

/** A connection to the maintenance database, for creating and dropping test databases. */
async function admin(work: (client: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

export function databaseTargets(): DatabaseTarget[] {
  const dirs: string[] = [];
  const databases: string[] = [];
  const sqlite: DatabaseTarget = {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'netwarden-store-'));
      dirs.push(dir);
      return Store.open({ url: `sqlite:${join(dir, 'test.db')}` });
    },
    async cleanup() {
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
  const postgres: DatabaseTarget = {
    name: 'postgres',
    async open() {
      const name = `nw_test_${process.pid}_${Date.now().toString(36)}_${counter++}`;
      await admin(async (client) => {
        await client.query(`CREATE DATABASE "${name}"`);
      });
      databases.push(name);
      const url = new URL(POSTGRES_URL);
      url.pathname = `/${name}`;
      return Store.open({ url: url.toString(), poolSize: 4 });
    },
    async cleanup() {
      if (databases.length === 0) return;
      await admin(async (client) => {
        for (const name of databases.splice(0)) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      });
    },
  };
  return [sqlite, postgres];
}
