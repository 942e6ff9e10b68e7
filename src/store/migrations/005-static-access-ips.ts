import type { Kysely } from 'kysely';

/** Static access IPs: per server, the customer's addresses that still reach it while it is locked. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('static_access_ips')
    .addColumn('server_id', 'text', (c) => c.notNull().references('servers.id').onDelete('cascade'))
    /** Canonical CIDR text, at most a /29 or /125 (validated in src/enforce/static-access-ip.ts). */
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('static_access_ips_pk', ['server_id', 'prefix'])
    .execute();
}
