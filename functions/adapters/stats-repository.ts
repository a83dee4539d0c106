import { transactRetryingConflicts, type DynamoTable } from './dynamo-table.js';
import { countingTransactions, type CountingTransaction, type Counts, type EventToCount, type Period, type Scope, type ShardedCounterUpdate } from '../domain/statistics.js';
import { StatsReader, statsKeys } from './stats-reader.js';

export { statsKeys };
import type { CountOutcome, StatsStore } from '../app/ports.js';


/**
 * A redelivery comes within the stream's 24-hour retention (plus retries), so a marker kept a week is
 * enough to recognise it; TTL then removes it so markers do not grow with the number of dossiers.
 */
export const COUNTED_MARKER_TTL_SECONDS = 7 * 24 * 60 * 60;

/** DynamoDB refuses a transaction of more than 100 items; an event touches at most 18 counters + its marker. */
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
   * Counts each event exactly once: the markers `COUNTED#<eventId>` (put only if absent) and the counter
   * ADDs of a group of events are one transaction (`countingTransactions`), so a group is applied whole
   * or not at all; a crash can only happen before (nothing applied) or after (all applied). A marker
   * found already there (a redelivered record) cancels the transaction, which names it: its event is
   * left out and the rest written again. A group that fails otherwise (a value DynamoDB refuses, a
   * counter item of the wrong type) is counted event by event, so that one event cannot hold back the
   * others; those that still fail are returned with their error, and nothing of them was applied.
   */
  async countAll(events: readonly EventToCount[], now: Date): Promise<CountOutcome> {
    const outcome: { before: EventToCount[]; failed: { event: EventToCount; error: unknown }[] } = { before: [], failed: [] };
    for (const group of countingTransactions(events, MAX_TRANSACTION_ITEMS)) {
      try {
        outcome.before.push(...(await this.countGroup(group, now)));
      } catch (err) {
        if (group.events.length === 1) {
          outcome.failed.push({ event: group.events[0]!, error: err });
          continue;
        }
        for (const event of group.events) {
          try {
            outcome.before.push(...(await this.countGroup(countingTransactions([event], MAX_TRANSACTION_ITEMS)[0]!, now)));
          } catch (error) {
            outcome.failed.push({ event, error });
          }
        }
      }
    }
    return outcome;
  }

  /** One transaction's events; returns those counted before. */
  private async countGroup(group: CountingTransaction, now: Date): Promise<EventToCount[]> {
    const before: EventToCount[] = [];
    let { events: members, counters } = group;
    for (;;) {
      const refused = await transactRetryingConflicts(this.db, { TransactItems: [...members.map((e) => this.marker(e, now)), ...counters.map((u) => this.add(u))] });
      if (!refused) return before;
      // only the markers have a condition, and they come first
      const counted = new Set(members.filter((_, i) => refused[i]?.Code === 'ConditionalCheckFailed'));
      if (counted.size === 0) throw new Error(`counting ${members.length} events was refused by a condition no marker has`);
      before.push(...counted);
      const pending = members.filter((e) => !counted.has(e));
      if (pending.length === 0) return before;
      // fewer events than a group that fitted: they fit in one
      const [again, ...more] = countingTransactions(pending, MAX_TRANSACTION_ITEMS);
      if (!again || more.length > 0) throw new Error(`${pending.length} events of one transaction no longer fit in one`);
      ({ events: members, counters } = again);
    }
  }

  private marker(e: EventToCount, now: Date) {
    return {
      Put: {
        TableName: this.tableName,
        Item: { ...statsKeys.counted(e.eventId), entity: 'counted', dossierCode: e.dossierCode, countedAt: now.toISOString(), expiresAt: Math.floor(now.getTime() / 1000) + COUNTED_MARKER_TTL_SECONDS },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  private add(u: ShardedCounterUpdate) {
    const entries = Object.entries(u.counts).filter(([, v]) => typeof v === 'number' && v !== 0);
    return {
      Update: {
        TableName: this.tableName,
        Key: statsKeys.counter(u.scope, u.period, u.shard),
        UpdateExpression: `SET entity = :entity, #scope = :scope, #period = :period ADD ${entries.map((_, i) => `#c${i} :c${i}`).join(', ')}`,
        ExpressionAttributeNames: { '#scope': 'scope', '#period': 'period', ...Object.fromEntries(entries.map(([name], i) => [`#c${i}`, name])) },
        ExpressionAttributeValues: { ':entity': 'counter', ':scope': u.scope, ':period': u.period, ...Object.fromEntries(entries.map(([, v], i) => [`:c${i}`, v])) },
      },
    };
  }

  /** The counters of scopes over periods, summed per scope (see StatsReader). */
  read(scopes: readonly Scope[], periods: readonly Period[], options: { readonly consistent?: boolean } = {}): Promise<Map<Scope, Counts>> {
    return this.reader.read(scopes, periods, options);
  }
}
