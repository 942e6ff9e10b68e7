/**
 * Opens the database named by `database.url`, applies migrations and hands out the
 * repositories. Only src/store imports Kysely and the database drivers.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CamelCasePlugin, Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { type MigrationResultSet, Migrator } from 'kysely/migration';
import pg from 'pg';
import type { DatabaseSchema } from './database-schema.ts';
import { migrations } from './migrations/index.ts';
import { type Dialect, migrationContext } from './migrations/migration-context.ts';
import { NodeSqliteDatabase } from './node-sqlite-database.ts';

export interface StoreOptions {
  /** sqlite:PATH, sqlite::memory: or postgres://... */
  url: string;
  poolSize?: number;
  /** PostgreSQL schema to use (created if missing); tests use one per suite. */
  schema?: string;
}

export class StoreError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

// int8 (bigint) columns hold millisecond timestamps and ids, well inside 2^53.
pg.types.setTypeParser(20, (value: string) => Number.parseInt(value, 10));

export class Store {
  readonly db: Kysely<DatabaseSchema>;
  readonly dialect: Dialect;
  readonly #pool: pg.Pool | null;
  readonly #schema: string | undefined;

  private constructor(db: Kysely<DatabaseSchema>, dialect: Dialect, pool: pg.Pool | null, schema?: string) {
    this.db = db;
    this.dialect = dialect;
    this.#pool = pool;
    this.#schema = schema;
  }

  /** Opens the database and brings its schema up to date. */
  static async open(options: StoreOptions): Promise<Store> {
    const store = Store.connect(options);
    try {
      if (options.schema !== undefined && store.#pool !== null) {
        const client = await store.#pool.connect();
        try {
          await client.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema.replace(/"/g, '')}"`);
        } finally {
          client.release();
        }
      }
      await store.migrate();
    } catch (cause) {
      await store.close();
      if (cause instanceof StoreError) throw cause;
      throw new StoreError('STORE_UNAVAILABLE', `cannot open database ${redact(options.url)}: ${(cause as Error).message}`, {
        cause,
      });
    }
    return store;
  }

  private static connect(options: StoreOptions): Store {
    const plugins = [new CamelCasePlugin()];
    if (options.url.startsWith('sqlite:')) {
      const path = options.url.slice('sqlite:'.length);
      const file = path === ':memory:' ? ':memory:' : resolve(path);
      if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
      const database = new NodeSqliteDatabase(file);
      return new Store(new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database }), plugins }), 'sqlite', null);
    }
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 5000,
      ...(options.schema !== undefined ? { options: `-c search_path=${options.schema}` } : {}),
    });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    pool.on('error', () => {});
    return new Store(new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }), plugins }), 'postgres', pool, options.schema);
  }

  async migrate(): Promise<MigrationResultSet> {
    const ctx = migrationContext(this.dialect);
    const migrator = new Migrator({
      db: this.db,
      provider: { getMigrations: async () => migrations(ctx) },
      // Without it Kysely looks for its bookkeeping tables in every schema of the database.
      ...(this.dialect === 'postgres' ? { migrationTableSchema: this.#schema ?? 'public' } : {}),
    });
    const result = await migrator.migrateToLatest();
    if (result.error !== undefined) {
      const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
      throw new StoreError('STORE_MIGRATION_FAILED', `migration ${failed} failed: ${(result.error as Error).message}`, {
        cause: result.error,
      });
    }
    return result;
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
}
