import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { shardOf } from '../domain/statistics.js';
import type { unsyncedAttributes } from '../declaration.js';

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

export interface SyncState {
  readonly code: string;
  readonly seenVersion: number;
  readonly seenStatus: number;
  readonly syncedVersion?: number;
  readonly syncedStatus?: number;
  readonly syncedAt?: string;
  readonly lastError?: string;
  readonly failures?: number;
}

/** What gsi1 projects of a sync state (declaration.ts), all the reconciliation reads of it. */
export type UnsyncedState = Pick<SyncState, (typeof unsyncedAttributes)[number]>;

export class SyncStateRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(code: string): Promise<SyncState | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: syncKeys.state(code), ConsistentRead: true }));
    return out.Item as SyncState | undefined;
  }

  /** Records that the table holds `version` of a dossier; the first sighting also counts the dossier. */
  async observe(code: string, version: number, status: number, at: string): Promise<SyncState> {
    const shard = shardOf(code, SYNC_SHARDS);
    const index = { gsi1pk: syncKeys.unsynced(shard), gsi1sk: `${at}#${code}` };
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { ...syncKeys.state(code), entity: 'dvcqg-sync', code, seenVersion: version, seenStatus: status, updatedAt: at, ...index },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            { Update: { TableName: this.tableName, Key: syncKeys.counter(shard), UpdateExpression: 'ADD dossiers :one', ExpressionAttributeValues: { ':one': 1 } } },
          ],
        }),
      );
    } catch (err) {
      if (!(err instanceof TransactionCanceledException)) throw err;
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: syncKeys.state(code),
            UpdateExpression: 'SET seenVersion = :v, seenStatus = :s, updatedAt = :at, gsi1pk = :pk, gsi1sk = :sk',
            ConditionExpression: 'seenVersion < :v AND (attribute_not_exists(syncedVersion) OR syncedVersion < :v)',
            ExpressionAttributeValues: { ':v': version, ':s': status, ':at': at, ':pk': index.gsi1pk, ':sk': index.gsi1sk },
          }),
        );
      } catch (inner) {
        // an older or already synced version seen again (a redelivery): nothing changes
        if (!(inner instanceof ConditionalCheckFailedException)) throw inner;
      }
    }
    return (await this.get(code))!;
  }

  /** The portal accepted `version`; the dossier leaves the unsynced index unless a newer version was seen meanwhile. */
  async markSynced(code: string, version: number, status: number, at: string): Promise<void> {
    const values = { ':v': version, ':s': status, ':at': at };
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: syncKeys.state(code),
          UpdateExpression: 'SET syncedVersion = :v, syncedStatus = :s, syncedAt = :at, seenVersion = if_not_exists(seenVersion, :v), seenStatus = if_not_exists(seenStatus, :s), failures = :zero REMOVE lastError, gsi1pk, gsi1sk',
          ConditionExpression: 'attribute_not_exists(seenVersion) OR seenVersion <= :v',
          ExpressionAttributeValues: { ...values, ':zero': 0 },
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: syncKeys.state(code),
          UpdateExpression: 'SET syncedVersion = :v, syncedStatus = :s, syncedAt = :at',
          ConditionExpression: 'attribute_not_exists(syncedVersion) OR syncedVersion < :v',
          ExpressionAttributeValues: values,
        }),
      ).catch((e: unknown) => {
        if (!(e instanceof ConditionalCheckFailedException)) throw e;
      });
    }
  }

  async markFailed(code: string, error: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: syncKeys.state(code),
        UpdateExpression: 'SET lastError = :e ADD failures :one',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':e': error.slice(0, 500), ':one': 1 },
      }),
    ).catch((e: unknown) => {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    });
  }

  /** Dossiers the portal is behind on, oldest change first within each shard, as the index holds them (`unsyncedAttributes`). */
  async unsynced(limitPerShard = 1000): Promise<UnsyncedState[]> {
    const pages = await Promise.all(
      Array.from({ length: SYNC_SHARDS }, (_, shard) =>
        this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :pk',
            ExpressionAttributeValues: { ':pk': syncKeys.unsynced(shard) },
            Limit: limitPerShard,
          }),
        ),
      ),
    );
    return pages.flatMap((p) => (p.Items ?? []) as UnsyncedState[]);
  }

  /** Every dossier seen, and how many the portal is behind on: the share in sync without reading a dossier. */
  async counts(): Promise<{ dossiers: number; unsynced: number }> {
    const shards = Array.from({ length: SYNC_SHARDS }, (_, s) => s);
    const [totals, behind] = await Promise.all([
      Promise.all(shards.map((s) => this.db.send(new GetCommand({ TableName: this.tableName, Key: syncKeys.counter(s) })))),
      Promise.all(
        shards.map(async (s) => {
          let count = 0;
          let start: Record<string, unknown> | undefined;
          do {
            const page = await this.db.send(
              new QueryCommand({
                TableName: this.tableName,
                IndexName: 'gsi1',
                KeyConditionExpression: 'gsi1pk = :pk',
                ExpressionAttributeValues: { ':pk': syncKeys.unsynced(s) },
                Select: 'COUNT',
                ExclusiveStartKey: start,
              }),
            );
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
