import { transactRetryingConflicts, type DynamoTable } from './dynamo-table.js';
import { shardOf, shardsOf, type CounterUpdate, type Counts, type Period, type Scope } from '../domain/statistics.js';
import { StatsReader, statsKeys } from './stats-reader.js';

export { statsKeys };
import type { StatsStore } from '../app/ports.js';


/**
 * A redelivery comes within the stream's 24-hour retention (plus retries), so a marker kept a week is
 * enough to recognise it; TTL then removes it so markers do not grow with the number of dossiers.
 */
export const COUNTED_MARKER_TTL_SECONDS = 7 * 24 * 60 * 60;

/** DynamoDB refuses a transaction of more than 100 items; an event touches at most 18 counters + 1 marker. */
export const MAX_TRANSACTION_ITEMS = 100;

export class StatsRepository implements StatsStore {
  constructor(
    private readonly db: DynamoTable,
    private readonly tableName: string,
  ) {
    this.reader = new StatsReader(db, tableName);
  }

  private readonly reader: StatsReader;

  /**
   * Counts one event exactly once: the marker `COUNTED#<eventId>` (put only if absent) and every counter
   * ADD are one transaction, so either all of them are applied or none is. A redelivered record finds the
   * marker and changes nothing; a crash can only happen before (nothing applied) or after (all applied).
   * Returns false when the event had already been counted.
   */
  async count(eventId: string, dossierCode: string, updates: readonly CounterUpdate[], now: Date): Promise<boolean> {
    if (updates.length + 1 > MAX_TRANSACTION_ITEMS) throw new Error(`event ${eventId} would touch ${updates.length} counters, over the transaction limit`);
    const shard = shardOf(dossierCode);
    const items = [
      {
        Put: {
          TableName: this.tableName,
          Item: { ...statsKeys.counted(eventId), entity: 'counted', dossierCode, countedAt: now.toISOString(), expiresAt: Math.floor(now.getTime() / 1000) + COUNTED_MARKER_TTL_SECONDS },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      ...updates.map((u) => {
        const entries = Object.entries(u.counts).filter(([, v]) => typeof v === 'number' && v !== 0);
        return {
          Update: {
            TableName: this.tableName,
            Key: statsKeys.counter(u.scope, u.period, shardsOf(u.scope) > 1 ? shard : 0),
            UpdateExpression: `SET entity = :entity, #scope = :scope, #period = :period ADD ${entries.map((_, i) => `#c${i} :c${i}`).join(', ')}`,
            ExpressionAttributeNames: { '#scope': 'scope', '#period': 'period', ...Object.fromEntries(entries.map(([name], i) => [`#c${i}`, name])) },
            ExpressionAttributeValues: { ':entity': 'counter', ':scope': u.scope, ':period': u.period, ...Object.fromEntries(entries.map(([, v], i) => [`:c${i}`, v])) },
          },
        };
      }),
    ];
    // only the marker has a condition: refused means this event was counted before
    return (await transactRetryingConflicts(this.db, { TransactItems: items })) === undefined;
  }

  /** The counters of scopes over periods, summed per scope (see StatsReader). */
  read(scopes: readonly Scope[], periods: readonly Period[], options: { readonly consistent?: boolean } = {}): Promise<Map<Scope, Counts>> {
    return this.reader.read(scopes, periods, options);
  }
}
