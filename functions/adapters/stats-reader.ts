import { shardsOf, sumCounts, type Counts, type Period, type Scope } from '../domain/statistics.js';
import type { Item, TableReads } from './table-reads.js';

/** Counter and marker items of the single table. */
export const statsKeys = {
  counter: (scope: Scope, period: Period, shard: number) => ({ pk: `STATS#${scope}#${period}`, sk: `SHARD#${String(shard).padStart(2, '0')}` }),
  counted: (eventId: string) => ({ pk: `COUNTED#${eventId}`, sk: 'COUNTED' }),
} as const;

const MAX_BATCH_GET = 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Reads the statistics counters. Apart from StatsRepository (which counts, over the SDK) so that the
 * public reads bundle only the reads they make (table-reads.ts).
 */
export class StatsReader {
  constructor(
    private readonly reads: TableReads,
    private readonly tableName: string,
  ) {}

  /** The counters of scopes over periods, summed per scope: one BatchGet round per 100 items. */
  async read(scopes: readonly Scope[], periods: readonly Period[], options: { readonly consistent?: boolean } = {}): Promise<Map<Scope, Counts>> {
    const consistent = options.consistent ?? true;
    const wanted = scopes.flatMap((scope) => periods.flatMap((period) => Array.from({ length: shardsOf(scope) }, (_, shard) => statsKeys.counter(scope, period, shard))));
    const items: Item[] = [];
    const chunks: (typeof wanted)[] = [];
    for (let i = 0; i < wanted.length; i += MAX_BATCH_GET) chunks.push(wanted.slice(i, i + MAX_BATCH_GET));
    await Promise.all(
      chunks.map(async (chunk) => {
        let keys: Item[] = chunk;
        for (let attempt = 0; keys.length > 0; attempt++) {
          if (attempt > 0) await sleep(Math.min(1000, 20 * 2 ** attempt));
          const answer = await this.reads.batchGet({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: consistent } } });
          items.push(...(answer.Responses?.[this.tableName] ?? []));
          keys = answer.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
        }
      }),
    );
    const byScope = new Map<Scope, Counts>(scopes.map((s) => [s, {}]));
    const grouped = new Map<string, Item[]>();
    for (const item of items) {
      const scope = String(item.scope);
      grouped.set(scope, [...(grouped.get(scope) ?? []), item]);
    }
    for (const scope of scopes) byScope.set(scope, sumCounts(grouped.get(scope) ?? []));
    return byScope;
  }
}
