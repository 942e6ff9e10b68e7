import { type Kysely, sql } from 'kysely';
import type { MigrationContext } from './migration-context.ts';

/**
 * Remote-console (KVM/LARA) appointments. A slot of a server can be held by one live
 * booking only (requested or confirmed): the partial unique index makes a double booking
 * fail in the database, whatever two requests race.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('console_bookings')
    .addColumn('id', ctx.autoIdType, (c) => ctx.autoId(c))
    .addColumn('server_id', 'text', (c) => c.notNull().references('servers.id').onDelete('cascade'))
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'bigint', (c) => c.notNull())
    .addColumn('ends_at', 'bigint', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'bigint')
    .addColumn('decided_by', 'text')
    .addColumn('staff_message', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema
    .createIndex('console_bookings_live_slot')
    .on('console_bookings')
    .columns(['server_id', 'starts_at'])
    .unique()
    .where(sql<boolean>`state in ('requested', 'confirmed')`)
    .execute();
  await db.schema.createIndex('console_bookings_customer').on('console_bookings').columns(['customer_id', 'starts_at']).execute();
  await db.schema.createIndex('console_bookings_starts_at').on('console_bookings').columns(['starts_at']).execute();
}
