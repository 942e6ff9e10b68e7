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
import type { MigrationContext } from './migration-context.ts';

type MigrationModule = { up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> };

const modules: Array<[string, MigrationModule]> = [
  ['001-inventory', m001],
  ['002-incidents', m002],
  ['003-locks', m003],
  ['004-outbox', m004],
  ['005-static-access-ips', m005],
];

export function migrations(ctx: MigrationContext): Record<string, Migration> {
  return Object.fromEntries(modules.map(([name, module]) => [name, { up: (db: Kysely<unknown>) => module.up(db, ctx) }]));
}
