import type { Item, TableReads } from './table-reads.js';

/**
 * Per-dossier sync state with the national portal: the last version and status seen in the table and the
 * last ones the portal accepted. A dossier whose seen version is ahead of its synced one sits in a sparse
 * index partition (gsi1, `DVCQG#UNSYNCED#<shard>`), so the reconciliation finds exactly those with a
 * Query, never a Scan; a counter per shard counts every dossier ever seen, for the share in sync.
 */
export const SYNC_SHARDS = 10;

export const syncKeys = {
  state: (code: string) => ({ pk: `DVCQG#${code}`, sk: 'SYNC' }),
  counter: (shard: number) => ({ pk: `DVCQG#COUNT#${shard}`, sk: 'COUNT' }),
  unsynced: (shard: number) => `DVCQG#UNSYNCED#${shard}`,
} as const;

/** The share in sync, read apart from SyncStateRepository so that the public statistics bundle only reads. */
export class SyncCounts {
  constructor(
    private readonly reads: TableReads,
    private readonly tableName: string,
  ) {}

  async counts(): Promise<{ dossiers: number; unsynced: number }> {
    const shards = Array.from({ length: SYNC_SHARDS }, (_, s) => s);
    const [totals, behind] = await Promise.all([
      Promise.all(shards.map((s) => this.reads.get({ TableName: this.tableName, Key: syncKeys.counter(s) }))),
      Promise.all(
        shards.map(async (s) => {
          let count = 0;
          let start: Item | undefined;
          do {
            const page = await this.reads.query({
                TableName: this.tableName,
                IndexName: 'gsi1',
                KeyConditionExpression: 'gsi1pk = :pk',
                ExpressionAttributeValues: { ':pk': syncKeys.unsynced(s) },
                Select: 'COUNT',
                ...(start ? { ExclusiveStartKey: start } : {}),
              });
            count += page.Count ?? 0;
            start = page.LastEvaluatedKey;
          } while (start);
          return count;
        }),
      ),
    ]);
    return { dossiers: totals.reduce((n, t) => n + Number(t.Item?.dossiers ?? 0), 0), unsynced: behind.reduce((a, b) => a + b, 0) };
  }
}
