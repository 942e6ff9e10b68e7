/**
 * One store test suite, every database: each suite gets a fresh SQLite file and a fresh
 * PostgreSQL schema (dropped afterwards). PostgreSQL must be reachable: an unreachable
 * server fails the run rather than silently testing only SQLite.
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

export function databaseTargets(): DatabaseTarget[] {
  const dirs: string[] = [];
  const schemas: string[] = [];
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
      const schema = `nw_test_${process.pid}_${Date.now().toString(36)}_${counter++}`;
      schemas.push(schema);
      return Store.open({ url: POSTGRES_URL, schema, poolSize: 4 });
    },
    async cleanup() {
      if (schemas.length === 0) return;
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        for (const schema of schemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
  return [sqlite, postgres];
}
