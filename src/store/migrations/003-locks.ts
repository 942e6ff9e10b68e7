import type { Kysely } from 'kysely';
import type { MigrationContext } from './migration-context.ts';

/** Locks, their incidents, their history (append-only) and unblock requests. */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('locks')
    .addColumn('blocking_id', 'text', (c) => c.primaryKey())
    .addColumn('server_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('addresses', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('statement', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('requires_approval', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('dry_run', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('log_file', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('released_at_ms', 'bigint')
    .execute();
  await db.schema.createIndex('locks_server').on('locks').columns(['server_id', 'created_at_ms']).execute();
  await db.schema.createIndex('locks_state').on('locks').columns(['state', 'created_at_ms']).execute();
  await db.schema.createIndex('locks_customer').on('locks').columns(['customer_id']).execute();
  await db.schema
    .createTable('lock_incidents')
    .addColumn('blocking_id', 'text', (c) => c.notNull().references('locks.blocking_id'))
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('lock_incidents_pk', ['blocking_id', 'incident_id'])
    .execute();
  await db.schema.createIndex('lock_incidents_incident').on('lock_incidents').column('incident_id').execute();
  await db.schema
    .createTable('lock_events')
    .addColumn('id', ctx.autoIdType, (c) => ctx.autoId(c))
    .addColumn('blocking_id', 'text', (c) => c.notNull())
    .addColumn('at_ms', 'bigint', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('from_state', 'text')
    .addColumn('to_state', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema.createIndex('lock_events_lock').on('lock_events').columns(['blocking_id', 'id']).execute();
  await ctx.makeAppendOnly(db, 'lock_events');
  await db.schema
    .createTable('unblock_requests')
    .addColumn('id', ctx.autoIdType, (c) => ctx.autoId(c))
    .addColumn('blocking_id', 'text', (c) => c.notNull().references('locks.blocking_id'))
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('cause', 'text', (c) => c.notNull())
    .addColumn('measures', 'text', (c) => c.notNull())
    .addColumn('confirmed', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at_ms', 'bigint')
    .addColumn('decision_message', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema.createIndex('unblock_requests_lock').on('unblock_requests').columns(['blocking_id', 'id']).execute();
  await db.schema.createIndex('unblock_requests_state').on('unblock_requests').columns(['state', 'created_at_ms']).execute();
}
