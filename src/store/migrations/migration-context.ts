/**
 * The few places where SQLite and PostgreSQL DDL differ, given to every migration so the
 * migrations themselves stay dialect-free.
 */
import { type ColumnDefinitionBuilder, type Kysely, sql } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

export interface MigrationContext {
  dialect: Dialect;
  /** Column type of an auto-generated integer primary key. */
  autoIdType: 'integer' | 'bigint';
  autoId(column: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
  /** Makes a table refuse UPDATE and DELETE (audit trails). */
  makeAppendOnly(db: Kysely<unknown>, table: string): Promise<void>;
}

export function migrationContext(dialect: Dialect): MigrationContext {
  if (dialect === 'sqlite') {
    return {
      dialect,
      autoIdType: 'integer',
      autoId: (c) => c.primaryKey().autoIncrement(),
      async makeAppendOnly(db, table) {
        for (const op of ['UPDATE', 'DELETE']) {
          await sql
            .raw(
              `CREATE TRIGGER ${table}_no_${op.toLowerCase()} BEFORE ${op} ON ${table} BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END`,
            )
            .execute(db);
        }
      },
    };
  }
  return {
    dialect,
    autoIdType: 'bigint',
    autoId: (c) => c.primaryKey().generatedAlwaysAsIdentity(),
    async makeAppendOnly(db, table) {
      await sql
        .raw(
          `CREATE OR REPLACE FUNCTION ${table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '${table} is append-only'; END $$`,
        )
        .execute(db);
      await sql
        .raw(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION ${table}_append_only()`)
        .execute(db);
    },
  };
}
