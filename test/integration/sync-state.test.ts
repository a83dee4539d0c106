import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dynamo } from '../../functions/adapters/clients.js';
import type { DynamoTable } from '../../functions/adapters/dynamo-table.js';
import { SYNC_SHARDS, SyncStateRepository, syncKeys } from '../../functions/adapters/sync-state.js';
import { shardOf } from '../../functions/domain/statistics.js';
import { dossierSnapshot } from '../../functions/domain/event-view.js';
import type { WorkflowDossier } from '../../functions/domain/workflow.js';
import { syncEvent, type SyncDeps } from '../../functions/app/national-sync.js';
import { PortalError, type NationalPortalClient } from '../../functions/app/ports.js';
import type { StoredEvent } from '../../functions/app/route-events.js';
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

describe('one event sent to the national portal, against DynamoDB Local', () => {
  const dossier: WorkflowDossier = {
    code: '', serviceId: '2.001610', serviceCode: '2.001610.000.00.00.H37', serviceName: 'Đăng ký thành lập doanh nghiệp', agencyId: 'so-khdt', agencyCode: '000.00.14.H37',
    agencyName: 'Sở Kế hoạch và Đầu tư', applicantSubject: 'citizen-sync', applicant: { fullName: 'Trần Thị Bình', idNumber: '020090001234', phone: '0912345678', address: 'Lạng Sơn' }, fields: {}, channel: 'online',
    status: 1, version: 1, submittedAt: '2026-12-03T02:00:00.000Z', updatedAt: '2026-12-03T02:00:00.000Z',
  };
  const eventOf = (code: string, version: number, to: 1 | 2): StoredEvent => ({
    eventId: randomUUID(), type: version === 1 ? 'dossier.submitted' : 'dossier.received', dossierCode: code, version, at: `2026-12-03T02:0${version}:00.000Z`,
    actor: { kind: 'system' }, from: version === 1 ? null : 1, to, agencyId: 'so-khdt', dossier: dossierSnapshot({ ...dossier, code, status: to, version }),
  });
  /** a portal that fails its first `failures` calls with a 503, then accepts */
  const portalFailing = (failures: number) => {
    const calls: string[] = [];
    const portal: NationalPortalClient = {
      call: async (service) => {
        calls.push(service);
        if (calls.length <= failures) throw new PortalError('national portal answered 503', true);
        return { ok: true };
      },
    };
    return { portal, calls };
  };
  const depsOf = (states: SyncStateRepository, portal: NationalPortalClient | undefined): SyncDeps => ({
    state: states, portal, attempts: 3, backoffBaseMs: 1, sleep: async () => undefined, random: () => 0.5, now: () => new Date('2026-12-03T03:00:00.000Z'),
  });
  const stateOf = async (code: string) => (await dynamo().get({ TableName: tableName, Key: syncKeys.state(code), ConsistentRead: true })).Item;

  it('writes the state once per event when the portal takes it at once, and never puts the dossier in the unsynced index', async () => {
    // Prepare
    const sent: string[] = [];
    const states = new SyncStateRepository(counting(sent), tableName);
    const code = `SYNC-${randomUUID().slice(0, 8)}`;
    const countedBefore = await counted(code);
    const { portal } = portalFailing(0);

    // Act
    const first = await syncEvent(depsOf(states, portal), eventOf(code, 1, 1));
    const afterFirst = sent.splice(0);
    const second = await syncEvent(depsOf(states, portal), eventOf(code, 2, 2));
    const afterSecond = sent.splice(0);
    const redelivered = await syncEvent(depsOf(states, portal), eventOf(code, 2, 2));

    // Assess
    expect([first, second, redelivered]).toEqual(['sent', 'sent', 'already-synced']);
    // the first sighting creates the state synced and counts the dossier; a later one marks it synced
    expect(afterFirst).toEqual(['get', 'transactWrite']);
    expect(afterSecond).toEqual(['get', 'update']);
    expect(sent).toEqual(['get']);
    const stored = await stateOf(code);
    expect(stored).toMatchObject({ seenVersion: 2, syncedVersion: 2, syncedStatus: 2, failures: 0 });
    expect(stored).not.toHaveProperty('gsi1pk');
    expect((await counted(code)) - countedBefore).toBe(1);
  });

  it('puts the dossier in the unsynced index at the first failed send, before retrying, and takes it out once sent', async () => {
    // Prepare: the portal fails the first call, then takes the retry
    const states = new SyncStateRepository(dynamo(), tableName);
    const code = `SYNC-${randomUUID().slice(0, 8)}`;
    const countedBefore = await counted(code);
    const { portal, calls } = portalFailing(1);
    const duringRetry: (Record<string, unknown> | undefined)[] = [];
    const deps = { ...depsOf(states, portal), sleep: async () => void duringRetry.push(await stateOf(code)) };

    // Act
    const outcome = await syncEvent(deps, eventOf(code, 1, 1));

    // Assess
    expect(outcome).toBe('sent');
    expect(calls).toEqual(['DongBoHoSoMC', 'DongBoHoSoMC']);
    expect(duringRetry).toHaveLength(1);
    expect(duringRetry[0]).toMatchObject({ seenVersion: 1, gsi1pk: expect.stringMatching(/^DVCQG#UNSYNCED#/) });
    expect(duringRetry[0]).not.toHaveProperty('syncedVersion');
    const stored = await stateOf(code);
    expect(stored).toMatchObject({ seenVersion: 1, syncedVersion: 1 });
    expect(stored).not.toHaveProperty('gsi1pk');
    expect((await counted(code)) - countedBefore).toBe(1);
  });

  it('leaves the dossier in the unsynced index, with the error, when every attempt fails', async () => {
    // Prepare
    const states = new SyncStateRepository(dynamo(), tableName);
    const code = `SYNC-${randomUUID().slice(0, 8)}`;
    const { portal, calls } = portalFailing(99);

    // Act / Assess
    await expect(syncEvent(depsOf(states, portal), eventOf(code, 1, 1))).rejects.toThrow(/503/);
    expect(calls).toHaveLength(3);
    expect(await stateOf(code)).toMatchObject({ seenVersion: 1, failures: 1, lastError: 'national portal answered 503', gsi1pk: expect.stringMatching(/^DVCQG#UNSYNCED#/) });
  });

  it('without portal credentials sends nothing and records the dossier as not in sync', async () => {
    // Prepare
    const states = new SyncStateRepository(dynamo(), tableName);
    const code = `SYNC-${randomUUID().slice(0, 8)}`;

    // Act
    const outcome = await syncEvent(depsOf(states, undefined), eventOf(code, 1, 1));

    // Assess
    expect(outcome).toBe('not-configured');
    expect(await stateOf(code)).toMatchObject({ seenVersion: 1, gsi1pk: expect.stringMatching(/^DVCQG#UNSYNCED#/) });
  });
});
