/**
 * The traffic history behind the console's chart. Writers hand in the highest rates they
 * saw per server and bucket; a second write for the same bucket (a restart mid-bucket,
 * two detectors) keeps the higher of each value, so a peak is never overwritten.
 */
import { type Kysely, sql } from 'kysely';
import type { DatabaseSchema } from './database-schema.ts';

export interface TrafficSample {
  serverId: string;
  /** Start of the bucket, ms since the epoch. */
  at: number;
  packetsIn: number;
  packetsOut: number;
  bitsIn: number;
  bitsOut: number;
}

/** Rows per INSERT: 6 parameters each stays far below both databases' parameter limits. */
const CHUNK = 500;

const keepHigher = (column: string) =>
  sql<number>`case when ${sql.ref(`excluded.${column}`)} > ${sql.ref(`traffic_samples.${column}`)} then ${sql.ref(`excluded.${column}`)} else ${sql.ref(`traffic_samples.${column}`)} end`;

export class TrafficSampleRepository {
  readonly #db: Kysely<DatabaseSchema>;
  constructor(db: Kysely<DatabaseSchema>) {
    this.#db = db;
  }

  async record(samples: readonly TrafficSample[]): Promise<void> {
    for (let i = 0; i < samples.length; i += CHUNK) {
      await this.#db
        .insertInto('trafficSamples')
        .values(samples.slice(i, i + CHUNK))
        .onConflict((oc) =>
          oc.columns(['serverId', 'at']).doUpdateSet({
            packetsIn: keepHigher('packets_in'),
            packetsOut: keepHigher('packets_out'),
            bitsIn: keepHigher('bits_in'),
            bitsOut: keepHigher('bits_out'),
          }),
        )
        .execute();
    }
  }

  /** Samples of a server with fromMs <= at < toMs, oldest first. */
  async series(serverId: string, fromMs: number, toMs: number, limit = 100_000): Promise<TrafficSample[]> {
    return this.#db
      .selectFrom('trafficSamples')
      .selectAll()
      .where('serverId', '=', serverId)
      .where('at', '>=', fromMs)
      .where('at', '<', toMs)
      .orderBy('at')
      .limit(limit)
      .execute();
  }

  /** Deletes samples older than a time (retention). */
  async prune(beforeMs: number): Promise<number> {
    const result = await this.#db.deleteFrom('trafficSamples').where('at', '<', beforeMs).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

/** One sample, for writers that have a single value at hand (the whole batch form is `record`). */
export function recordTrafficSample(repository: TrafficSampleRepository, sample: TrafficSample): Promise<void> {
  return repository.record([sample]);
}
