import { isConditionFailed, transactRetryingConflicts, type DynamoTable } from './dynamo-table.js';
import { shardOf } from '../domain/statistics.js';
import { SYNC_SHARDS, SyncCounts, syncKeys } from './sync-counts.js';
import type { SyncState, SyncStates, UnsyncedState } from '../app/ports.js';

export { SYNC_SHARDS, syncKeys };

export type { SyncState } from '../app/ports.js';

/** Per-dossier sync state with the national portal (keys and the sparse unsynced index: sync-counts.ts). */
export class SyncStateRepository implements SyncStates {
  constructor(
    private readonly db: DynamoTable,
    private readonly tableName: string,
  ) {
    this.shares = new SyncCounts(db, tableName);
  }

  private readonly shares: SyncCounts;

  async get(code: string): Promise<SyncState | undefined> {
    const out = await this.db.get({ TableName: this.tableName, Key: syncKeys.state(code), ConsistentRead: true });
    return out.Item as SyncState | undefined;
  }

  /**
   * Records that the table holds `version` of a dossier; the first sighting also counts the dossier. The
   * state is read first: most events are of a dossier already seen, and a creating transaction tried on
   * them would be refused and still billed (two items), while a redelivered or older version needs no
   * write at all.
   */
  async observe(code: string, version: number, status: number, at: string, read?: { readonly state: SyncState | undefined }): Promise<SyncState> {
    const shard = shardOf(code, SYNC_SHARDS);
    const index = { gsi1pk: syncKeys.unsynced(shard), gsi1sk: `${at}#${code}` };
    const known = read ? read.state : await this.get(code);
    if (!known) {
      if (await this.create(code, { seenVersion: version, seenStatus: status, updatedAt: at, ...index }, shard)) {
        return { code, seenVersion: version, seenStatus: status };
      }
      // another delivery of the dossier created it meanwhile: it is counted, update it as seen below
    } else if ((known.seenVersion ?? 0) >= version || (known.syncedVersion ?? 0) >= version) {
      // an older or already synced version seen again (a redelivery): nothing changes
      return known;
    }
    try {
      const out = await this.db.update({
        TableName: this.tableName,
        Key: syncKeys.state(code),
        UpdateExpression: 'SET seenVersion = :v, seenStatus = :s, updatedAt = :at, gsi1pk = :pk, gsi1sk = :sk',
        ConditionExpression: 'seenVersion < :v AND (attribute_not_exists(syncedVersion) OR syncedVersion < :v)',
        ExpressionAttributeValues: { ':v': version, ':s': status, ':at': at, ':pk': index.gsi1pk, ':sk': index.gsi1sk },
        ReturnValues: 'ALL_NEW',
      });
      return out.Attributes as SyncState;
    } catch (inner) {
      // a newer version was recorded meanwhile: the state as it now stands
      if (!isConditionFailed(inner)) throw inner;
      const current = await this.get(code);
      if (!current) throw new Error(`sync state of ${code} is neither created nor readable`);
      return current;
    }
  }

  /**
   * The first sighting: the state and the count of dossiers in one transaction. False when the state
   * exists already (another delivery made it). The shard's counter is shared by every dossier of the
   * shard, so first sightings at the same moment conflict; nothing was applied then, and it is tried again.
   */
  private async create(code: string, state: Readonly<Record<string, unknown>>, shard: number): Promise<boolean> {
    const item = { ...syncKeys.state(code), entity: 'dvcqg-sync', code, ...state };
    const refused = await transactRetryingConflicts(this.db, {
      TransactItems: [
        { Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
        { Update: { TableName: this.tableName, Key: syncKeys.counter(shard), UpdateExpression: 'ADD dossiers :one', ExpressionAttributeValues: { ':one': 1 } } },
      ],
    });
    return refused === undefined;
  }

  /**
   * The portal accepted `version` of a dossier sent before anything was recorded of it (`state` as read
   * before the send): the state is created already synced, outside the unsynced index, and the dossier
   * counted, in one transaction; a state that exists (read before, or made meanwhile by another delivery)
   * is marked synced.
   */
  async recordSynced(code: string, version: number, status: number, at: string, read: { readonly state: SyncState | undefined }): Promise<void> {
    if (!read.state) {
      const synced = { seenVersion: version, seenStatus: status, syncedVersion: version, syncedStatus: status, syncedAt: at, updatedAt: at, failures: 0 };
      if (await this.create(code, synced, shardOf(code, SYNC_SHARDS))) return;
    }
    await this.markSynced(code, version, status, at);
  }

  /**
   * The portal accepted `version`; the dossier leaves the unsynced index unless a newer version was seen
   * meanwhile. Seen is at least what was synced (the condition holds it at or below `version`).
   */
  async markSynced(code: string, version: number, status: number, at: string): Promise<void> {
    const values = { ':v': version, ':s': status, ':at': at };
    try {
      await this.db.update({
          TableName: this.tableName,
          Key: syncKeys.state(code),
          UpdateExpression: 'SET syncedVersion = :v, syncedStatus = :s, syncedAt = :at, seenVersion = :v, seenStatus = :s, failures = :zero REMOVE lastError, gsi1pk, gsi1sk',
          ConditionExpression: 'attribute_not_exists(seenVersion) OR seenVersion <= :v',
          ExpressionAttributeValues: { ...values, ':zero': 0 },
        });
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
      await this.db.update({
          TableName: this.tableName,
          Key: syncKeys.state(code),
          UpdateExpression: 'SET syncedVersion = :v, syncedStatus = :s, syncedAt = :at',
          ConditionExpression: 'attribute_not_exists(syncedVersion) OR syncedVersion < :v',
          ExpressionAttributeValues: values,
        }).catch((e: unknown) => {
        if (!isConditionFailed(e)) throw e;
      });
    }
  }

  async markFailed(code: string, error: string): Promise<void> {
    await this.db.update({
        TableName: this.tableName,
        Key: syncKeys.state(code),
        UpdateExpression: 'SET lastError = :e ADD failures :one',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':e': error.slice(0, 500), ':one': 1 },
      }).catch((e: unknown) => {
      if (!isConditionFailed(e)) throw e;
    });
  }

  /** Dossiers the portal is behind on, oldest change first within each shard, as the index holds them (`unsyncedAttributes`). */
  async unsynced(limitPerShard = 1000): Promise<UnsyncedState[]> {
    const pages = await Promise.all(
      Array.from({ length: SYNC_SHARDS }, (_, shard) =>
        this.db.query({
            TableName: this.tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :pk',
            ExpressionAttributeValues: { ':pk': syncKeys.unsynced(shard) },
            Limit: limitPerShard,
          }),
      ),
    );
    return pages.flatMap((p) => (p.Items ?? []) as UnsyncedState[]);
  }

  /** Every dossier seen, and how many the portal is behind on: the share in sync without reading a dossier. */
  /** How many dossiers were ever seen, and how many are behind (see SyncCounts). */
  counts(): Promise<{ dossiers: number; unsynced: number }> {
    return this.shares.counts();
  }
}
