import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dynamo } from '../../functions/adapters/clients.js';
import type { DynamoTable } from '../../functions/adapters/dynamo-table.js';
import { SYNC_SHARDS, SyncStateRepository, syncKeys } from '../../functions/adapters/sync-state.js';
import { shardOf } from '../../functions/domain/statistics.js';
import { useKeyTable } from '../support/key-table.js';

// a table of its own: the run's table gets the sync counts of every other test's dossiers meanwhile
const { name: tableName } = useKeyTable('sync-state');
const counted = async (code: string): Promise<number> =>
  Number((await dynamo().get({ TableName: tableName, Key: syncKeys.counter(shardOf(code, SYNC_SHARDS)), ConsistentRead: true })).Item?.dossiers ?? 0);

/** The table client, with every request it is asked to send named in `sent`. */
function counting(sent: string[]): DynamoTable {
  const db = dynamo();
  return {
    ...db,
    get: (input) => (sent.push('get'), db.get(input)),
    update: (input) => (sent.push('update'), db.update(input)),
    transactWrite: (input) => (sent.push('transactWrite'), db.transactWrite(input)),
  };
}

describe('the national sync state against DynamoDB Local', () => {
  it('creates the state once, records each newer version in one update, and writes nothing for a redelivery', async () => {
    // Prepare
    const sent: string[] = [];
    const states = new SyncStateRepository(counting(sent), tableName);
    const code = `SYNC-${randomUUID().slice(0, 8)}`;
    const at = '2026-12-03T02:00:00.000Z';
    // the shard's counter is shared with the other tests' dossiers of the shard: compare with its value before
    const countedBefore = await counted(code);

    // Act
    const first = await states.observe(code, 1, 1, at);
    const afterFirst = [...sent];
    sent.length = 0;
    const second = await states.observe(code, 2, 2, at);
    const afterSecond = [...sent];
    sent.length = 0;
    const redelivered = await states.observe(code, 1, 1, at);
    await states.markSynced(code, 2, 2, at);
    sent.length = 0;
    const afterSynced = await states.observe(code, 2, 2, at);

    // Assess
    expect(first).toMatchObject({ code, seenVersion: 1, seenStatus: 1 });
    expect(afterFirst).toEqual(['get', 'transactWrite']);
    expect(second).toMatchObject({ code, seenVersion: 2, seenStatus: 2 });
    // no creating transaction tried (and refused, and billed) on a dossier already seen
    expect(afterSecond).toEqual(['get', 'update']);
    expect(redelivered).toMatchObject({ seenVersion: 2 });
    expect(afterSynced).toMatchObject({ seenVersion: 2, syncedVersion: 2 });
    expect(sent).toEqual(['get']);
    const stored = (await dynamo().get({ TableName: tableName, Key: syncKeys.state(code), ConsistentRead: true })).Item;
    expect(stored).toMatchObject({ seenVersion: 2, syncedVersion: 2 });
    expect(stored).not.toHaveProperty('gsi1pk');
    expect((await counted(code)) - countedBefore).toBe(1);
  });

  it('counts a dossier once when its first events are observed at the same time', async () => {
    // Prepare
    const states = new SyncStateRepository(dynamo(), tableName);
    const code = `SYNC-${randomUUID().slice(0, 8)}`;
    const countedBefore = await counted(code);

    // Act: two deliveries of the first two versions at once, both finding no state yet
    const [a, b] = await Promise.all([states.observe(code, 1, 1, '2026-12-03T02:00:00.000Z'), states.observe(code, 2, 2, '2026-12-03T02:01:00.000Z')]);

    // Assess
    expect((await counted(code)) - countedBefore).toBe(1);
    expect(Math.max(a.seenVersion, b.seenVersion)).toBe(2);
    expect((await states.get(code))?.seenVersion).toBe(2);
  });

  it('counts every dossier first seen at the same moment, though their first sightings share counters', async () => {
    // Prepare: more dossiers than shards, so that several first sightings add to one counter at once
    const states = new SyncStateRepository(dynamo(), tableName);
    const codes = Array.from({ length: 40 }, () => `SYNC-${randomUUID().slice(0, 8)}`);
    const shards = [...new Set(codes.map((c) => shardOf(c, SYNC_SHARDS)))];
    const before = await Promise.all(shards.map(async (s) => Number((await dynamo().get({ TableName: tableName, Key: syncKeys.counter(s), ConsistentRead: true })).Item?.dossiers ?? 0)));

    // Act
    const seen = await Promise.all(codes.map((code) => states.observe(code, 1, 1, '2026-12-03T02:00:00.000Z')));

    // Assess
    expect(seen.map((s) => s.seenVersion)).toEqual(codes.map(() => 1));
    const after = await Promise.all(shards.map(async (s) => Number((await dynamo().get({ TableName: tableName, Key: syncKeys.counter(s), ConsistentRead: true })).Item?.dossiers ?? 0)));
    expect(after.reduce((a, b) => a + b, 0) - before.reduce((a, b) => a + b, 0)).toBe(codes.length);
  });
});
