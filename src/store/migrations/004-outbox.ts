import type { Kysely } from 'kysely';
import type { MigrationContext } from './migration-context.ts';

/**
 * The e-mail outbox: every customer message with its full RFC 5322 text (a retry sends
 * exactly the same bytes) and its delivery state.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('outbox')
    .addColumn('id', ctx.autoIdType, (c) => ctx.autoId(c))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('blocking_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('sent_at', 'bigint')
    .execute();
  await db.schema.createIndex('outbox_due').on('outbox').columns(['state', 'next_attempt_at']).execute();
  await db.schema.createIndex('outbox_blocking_id').on('outbox').columns(['blocking_id', 'created_at']).execute();
}
