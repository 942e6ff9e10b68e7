/**
 * Adapts Node's built-in node:sqlite to the minimal structural interface Kysely's
 * SqliteDialect needs, so the embedded store has no native addon to build.
 */
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

function bind(parameters: ReadonlyArray<unknown>): SQLInputValue[] {
  // node:sqlite binds neither booleans nor undefined.
  return parameters.map((p) => (p === true ? 1 : p === false ? 0 : p === undefined ? null : (p as SQLInputValue)));
}

class NodeSqliteStatement implements SqliteStatement {
  readonly reader: boolean;
  readonly #statement: StatementSync;
  constructor(statement: StatementSync) {
    this.#statement = statement;
    this.reader = statement.columns().length > 0;
  }
  all(parameters: ReadonlyArray<unknown>): unknown[] {
    return this.#statement.all(...bind(parameters));
  }
  run(parameters: ReadonlyArray<unknown>): { changes: number | bigint; lastInsertRowid: number | bigint } {
    return this.#statement.run(...bind(parameters));
  }
  iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown> {
    return this.#statement.iterate(...bind(parameters));
  }
}

/** Prepared statements kept per SQL text: preparing costs more than most queries here. */
const STATEMENT_CACHE_SIZE = 500;

export class NodeSqliteDatabase implements SqliteDatabase {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, NodeSqliteStatement>();
  constructor(path: string) {
    this.#db = new DatabaseSync(path);
    // WAL lets the API read while the worker writes; foreign keys are off by default in SQLite.
    this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;');
  }
  prepare(sql: string): SqliteStatement {
    const cached = this.#statements.get(sql);
    if (cached !== undefined) return cached;
    const statement = new NodeSqliteStatement(this.#db.prepare(sql));
    if (this.#statements.size >= STATEMENT_CACHE_SIZE) this.#statements.delete(this.#statements.keys().next().value as string);
    this.#statements.set(sql, statement);
    return statement;
  }
  close(): void {
    this.#db.close();
  }
}
