import type { Kysely } from 'kysely';

/**
 * The traffic history behind the console's chart: per server and time bucket, the highest
 * packet and bit rates seen in each direction. No foreign key: samples of a server deleted
 * meanwhile are harmless and age out with the retention.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('traffic_samples')
    .addColumn('server_id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('packets_in', 'double precision', (c) => c.notNull())
    .addColumn('packets_out', 'double precision', (c) => c.notNull())
    .addColumn('bits_in', 'double precision', (c) => c.notNull())
    .addColumn('bits_out', 'double precision', (c) => c.notNull())
    .addPrimaryKeyConstraint('traffic_samples_pk', ['server_id', 'at'])
    .execute();
  await db.schema.createIndex('traffic_samples_at').on('traffic_samples').column('at').execute();
}
