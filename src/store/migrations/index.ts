/**
 * Versioned migrations, in order. A migration is never edited once released: add a new one.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import * as m001 from './001-inventory.ts';
import * as m002 from './002-incidents.ts';
import * as m003 from './003-locks.ts';
import * as m004 from './004-outbox.ts';
import * as m005 from './005-static-access-ips.ts';
import * as m006 from './006-users-and-sessions.ts';
import * as m007 from './007-console-bookings.ts';
import * as m008 from './008-support-requests.ts';
import * as m009 from './009-traffic-samples.ts';
import type { MigrationContext } from './migration-context.ts';

type MigrationModule = { up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> };

const modules: Array<[string, MigrationModule]> = [
  ['001-inventory', m001],
  ['002-incidents', m002],
  ['003-locks', m003],
  ['004-outbox', m004],
  ['005-static-access-ips', m005],
  ['006-users-and-sessions', m006],
  ['007-console-bookings', m007],
  ['008-support-requests', m008],
  ['009-traffic-samples', m009],
];

export function migrations(ctx: MigrationContext): Record<string, Migration> {
  return Object.fromEntries(modules.map(([name, module]) => [name, { up: (db: Kysely<unknown>) => module.up(db, ctx) }]));
}
