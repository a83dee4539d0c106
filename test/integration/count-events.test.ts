import { randomUUID } from 'node:crypto';
import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { handler } from '../../functions/handlers/count-events.js';
import { dynamo } from '../../functions/adapters/dynamo-client.js';
import { StatsRepository, statsKeys } from '../../functions/adapters/stats-repository.js';
import { shardOf, type CountedEvent, type Scope } from '../../functions/domain/statistics.js';
import type { WorkflowDossier } from '../../functions/domain/workflow.js';
import { lambdaContext } from '../../local/lambda.js';
import { observeRequests, type ObservedRequest } from '../../functions/adapters/request-observer.js';
import { streamRecord } from '../fixtures/events.js';

/**
 * The counting consumer against DynamoDB Local. Records are built by hand (never written as EVENT#
 * items), so the run's own stream consumers do not see them; each test counts under a service id of its
 * own in a year no other test uses, and reads that scope only.
 */
const stack = inject('localStack');
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const raw = new DynamoDBClient({ region: stack.region, endpoint: stack.endpoints.dynamodb, credentials });
const stats = new StatsRepository(dynamo(), stack.tableName);
afterAll(() => raw.destroy());

let sequence = 1_000_000;

function record(e: CountedEvent): DynamoDBRecord {
  sequence += 1;
  return streamRecord({ pk: `DOSSIER#${e.dossierCode}`, sk: `EVENT#${String(e.version).padStart(6, '0')}`, entity: 'event', ...e }, sequence, randomUUID());
}

function events(serviceId: string, day: string) {
  const code = `000.00.05.H37-${day.slice(2).replaceAll('-', '')}-${String(Math.floor(Math.random() * 9000) + 1000)}`;
  const base: WorkflowDossier = {
    code, serviceId, serviceCode: 'c', serviceName: 'n', agencyId: 'so-ke-hoach-va-dau-tu', agencyCode: '000.00.05.H37', agencyName: 'Sở KH&ĐT',
    applicantSubject: 's', applicant: { fullName: 'A', idNumber: '020090001234', phone: '0912345678', address: 'x' }, fields: {}, channel: 'online',
    status: 1, version: 1, submittedAt: `${day}T01:00:00.000Z`, updatedAt: `${day}T01:00:00.000Z`,
  };
  const ev = (version: number, type: string, at: string, d: WorkflowDossier): CountedEvent => ({
    eventId: randomUUID(), type, dossierCode: code, version, at, actor: { kind: 'system' }, from: null, to: d.status, agencyId: d.agencyId, dossier: { ...d, version },
  });
  const received = { ...base, status: 4 as const, receivedAt: `${day}T01:30:00.000Z`, dueAt: `${day}T09:00:00.000Z` };
  return [
    ev(1, 'dossier.submitted', `${day}T01:00:00.000Z`, base),
    ev(2, 'dossier.receive', `${day}T01:30:00.000Z`, { ...received, status: 2 }),
    ev(3, 'dossier.finish', `${day}T03:30:00.000Z`, { ...received, status: 9, finishedAt: `${day}T03:30:00.000Z`, resultClass: 'on-time' }),
  ];
}

const invoke = (records: DynamoDBRecord[]) =>
  handler({ Records: records } as DynamoDBStreamEvent, lambdaContext('CountEvents', 60_000, stack.region)) as Promise<DynamoDBBatchResponse>;

async function serviceCounts(serviceId: string, day: string) {
  const scope: Scope = `service:${serviceId}`;
  return (await stats.read([scope], [`day:${day}`, `month:${day.slice(0, 7)}`, `year:${day.slice(0, 4)}`])).get(scope)!;
}

describe('counting dossier events into the statistics counters', () => {
  it('counts a redelivered batch once', async () => {
    // Prepare
    const serviceId = `it-${randomUUID().slice(0, 8)}`;
    const day = '2031-03-04';
    const records = events(serviceId, day).map(record);

    // Act
    const first = await invoke(records);
    const again = await invoke(records);
    const third = await invoke([records[1]!]);

    // Assess
    expect([first.batchItemFailures, again.batchItemFailures, third.batchItemFailures]).toEqual([[], [], []]);
    const counts = await serviceCounts(serviceId, day);
    // day + month + year of one dossier each
    expect(counts).toMatchObject({ submitted: 3, submittedOnline: 3, received: 3, resolved: 3, resolvedOnTime: 3, closedOfReceived: 3 });
    // 08:30 to 10:30 local: a quarter of an 8-hour working day
    expect(counts.resolutionMilliWorkingDays).toBe(3 * 250);
  });

  it("counts a batch's events of one day with each counter written once, and leaves out those counted before", async () => {
    // Prepare: the first event of a dossier was counted by an earlier delivery
    const serviceId = `it-${randomUUID().slice(0, 8)}`;
    const day = '2031-04-05';
    const records = [...events(serviceId, day), ...events(serviceId, day)].map(record);
    await invoke([records[0]!]);
    const seen: ObservedRequest[] = [];
    const stop = observeRequests({ request: (r) => seen.push(r) });

    // Act
    const answer = await invoke(records).finally(stop);

    // Assess: one refused transaction (the counted marker), then one of the other five events
    expect(answer.batchItemFailures).toEqual([]);
    expect(seen.map((r) => [r.operation, r.failed, r.items])).toEqual([
      ['TransactWriteItems', true, expect.any(Number)],
      ['TransactWriteItems', false, expect.any(Number)],
    ]);
    // five markers, and the service's, the agency's and the province's day, month and year once each
    expect(seen[1]!.items).toBe(5 + 9);
    expect(await serviceCounts(serviceId, day)).toMatchObject({ submitted: 6, received: 6, resolved: 6, closedOfReceived: 6 });
  });

  it('resumes a partly failed batch at the failed record without counting the others twice', async () => {
    // Prepare: the middle record cannot be counted (its instant is not a date), so it fails every time
    const serviceId = `it-${randomUUID().slice(0, 8)}`;
    const day = '2031-05-06';
    const [submitted, receive, finish] = events(serviceId, day);
    const broken = { ...receive!, at: 'not a date' };
    const batch = [submitted!, broken, finish!].map(record);

    // Act: Lambda retries from the first failure, redelivering the records after it
    const first = await invoke(batch);
    const retry = await invoke(batch.slice(1));

    // Assess
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: batch[1]!.dynamodb!.SequenceNumber }]);
    expect(retry.batchItemFailures).toEqual([{ itemIdentifier: batch[1]!.dynamodb!.SequenceNumber }]);
    const counts = await serviceCounts(serviceId, day);
    expect(counts).toMatchObject({ submitted: 3, resolved: 3 });
    expect(counts.received).toBeUndefined();
  });

  it('applies the marker and the counters together or not at all', async () => {
    // Prepare: a counter item whose attribute cannot be added to makes the transaction fail
    const serviceId = `it-${randomUUID().slice(0, 8)}`;
    const day = '2031-07-08';
    const [submitted] = events(serviceId, day);
    const poisoned = { ...statsKeys.counter(`service:${serviceId}`, `month:2031-07`, 0) };
    await raw.send(new PutItemCommand({ TableName: stack.tableName, Item: marshall({ ...poisoned, submitted: 'not a number' }) }));

    // Act
    // the only record could not be written, so the invocation fails; Lambda then delivers the batch again
    const failed = await invoke([record(submitted!)]).then(
      () => 'counted',
      (err: Error) => err.name,
    );
    const markerAfterFailure = await raw.send(new GetItemCommand({ TableName: stack.tableName, Key: marshall(statsKeys.counted(submitted!.eventId)), ConsistentRead: true }));
    const dayAfterFailure = await serviceCounts(serviceId, day);
    await raw.send(new DeleteItemCommand({ TableName: stack.tableName, Key: marshall(poisoned) }));
    const retried = await invoke([record(submitted!)]);
    const again = await invoke([record(submitted!)]);

    // Assess: the failed attempt left neither the marker nor any counter; the retry counted once
    expect(failed).toBe('FullBatchFailureError');
    expect(markerAfterFailure.Item).toBeUndefined();
    expect(dayAfterFailure.submitted).toBeUndefined();
    expect([retried.batchItemFailures, again.batchItemFailures]).toEqual([[], []]);
    expect(await serviceCounts(serviceId, day)).toMatchObject({ submitted: 3 });
  });

  it('counts the rest of a batch when one event cannot be written, and reports that record alone', async () => {
    // Prepare: one procedure's month counter is of the wrong type, so no transaction with it can be applied
    const [good, poisoned] = [`it-${randomUUID().slice(0, 8)}`, `it-${randomUUID().slice(0, 8)}`];
    const day = '2031-08-09';
    const [goodSubmitted] = events(good, day);
    const [badSubmitted] = events(poisoned, day);
    await raw.send(new PutItemCommand({ TableName: stack.tableName, Item: marshall({ ...statsKeys.counter(`service:${poisoned}`, 'month:2031-08', 0), submitted: 'not a number' }) }));
    const batch = [record(badSubmitted!), record(goodSubmitted!)];

    // Act
    const answer = await invoke(batch);

    // Assess: the good event is counted once; the other is reported, and nothing of it applied
    expect(answer.batchItemFailures).toEqual([{ itemIdentifier: batch[0]!.dynamodb!.SequenceNumber }]);
    expect(await serviceCounts(good, day)).toMatchObject({ submitted: 3 });
    const marker = await raw.send(new GetItemCommand({ TableName: stack.tableName, Key: marshall(statsKeys.counted(badSubmitted!.eventId)), ConsistentRead: true }));
    expect(marker.Item).toBeUndefined();
  });

  it('fails alone a record whose counts DynamoDB cannot take (an amount that is not a number)', async () => {
    const serviceId = `it-${randomUUID().slice(0, 8)}`;
    const day = '2031-10-11';
    const [submitted] = events(serviceId, day);
    const paid = { ...submitted!, eventId: randomUUID(), version: 2, type: 'dossier.paid', details: { amountVnd: 'một trăm nghìn' } } as CountedEvent;
    const batch = [record(submitted!), record(paid)];

    const answer = await invoke(batch);

    expect(answer.batchItemFailures).toEqual([{ itemIdentifier: batch[1]!.dynamodb!.SequenceNumber }]);
    expect(await serviceCounts(serviceId, day)).toMatchObject({ submitted: 3 });
    expect((await serviceCounts(serviceId, day)).onlinePayments).toBeUndefined();
  });

  it('spreads province-wide counters over shards chosen by the dossier code', async () => {
    const [submitted] = events(`it-${randomUUID().slice(0, 8)}`, '2031-09-10');
    await invoke([record(submitted!)]);
    const shard = shardOf(submitted!.dossierCode);
    const item = await raw.send(new GetItemCommand({ TableName: stack.tableName, Key: marshall(statsKeys.counter('province', 'day:2031-09-10', shard)), ConsistentRead: true }));
    expect(Number(item.Item?.submitted?.N)).toBeGreaterThanOrEqual(1);
  });
});
