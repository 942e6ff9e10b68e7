import type { Kysely } from 'kysely';
import type { MigrationContext } from './migration-context.ts';

/** Customers' support requests, optionally about a server and a Blocking ID. */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('support_requests')
    .addColumn('id', ctx.autoIdType, (c) => ctx.autoId(c))
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('server_id', 'text', (c) => c.references('servers.id').onDelete('set null'))
    .addColumn('blocking_id', 'text')
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'bigint')
    .addColumn('closed_by', 'text')
    .addColumn('staff_message', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema.createIndex('support_requests_customer').on('support_requests').columns(['customer_id', 'id']).execute();
  await db.schema.createIndex('support_requests_state').on('support_requests').columns(['state', 'id']).execute();
}
