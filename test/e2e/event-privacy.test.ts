import { afterAll, describe, expect, inject, it } from 'vitest';
import { randomInt } from 'node:crypto';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { api, tokenFor } from '../support/api.js';
import { applicant, fileDossier } from '../support/dossiers.js';
import { eventually } from '../support/eventually.js';
import { DOSSIER_ITEM_SCHEMA_VERSION, EVENT_ITEM_SCHEMA_VERSION, storedEventSchema } from '../../functions/adapters/event-item.js';

/**
 * Personal data lives on the dossier item only: after a dossier is filed, received and its deadline
 * state changes, neither its history items in the run's table nor the records of the table's stream
 * hold the applicant's ID number, phone, email, name, address or the tracking PIN hash.
 */
const stack = inject('localStack');
const agencyId = 'so-lao-dong-thuong-binh-va-xa-hoi';
const raw = new DynamoDBClient({});
const db = DynamoDBDocumentClient.from(raw);
const streams = new DynamoDBStreamsClient({ region: stack.region, endpoint: stack.endpoints.dynamodb });
afterAll(() => {
  db.destroy();
  streams.destroy();
});

/** Every record of the table's stream for one partition, read from the start of each shard. */
async function streamRecordsOf(pk: string): Promise<_Record[]> {
  const table = await raw.send(new DescribeTableCommand({ TableName: stack.tableName }));
  const streamArn = table.Table?.LatestStreamArn;
  if (!streamArn) throw new Error('the table has no stream');
  const shards = (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription?.Shards ?? [];
  const found: _Record[] = [];
  for (const shard of shards) {
    let iterator = (await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    while (iterator) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      const records = page.Records ?? [];
      found.push(...records.filter((r) => r.dynamodb?.Keys?.pk?.S === pk));
      // an open shard always hands out a next iterator: an empty page is its end for now
      iterator = records.length > 0 ? page.NextShardIterator : undefined;
    }
  }
  return found;
}

describe('history items and stream records carry no personal data', () => {
  it('leaves the ID number, phone, email, name, address and PIN hash on the dossier item alone', { timeout: 60_000 }, async () => {
    // Prepare: an applicant whose every value is unique to this test
    const n = randomInt(100_000, 999_999);
    const phone = `09${String(randomInt(10_000_000, 99_999_999))}`;
    const person = { ...applicant(n), fullName: `Đinh Thị Riêng ${n}`, phone, email: `privacy-${phone}@example.vn`, address: `Số ${n} đường Bà Triệu, Lạng Sơn` };
    const citizen = await tokenFor('citizen', { subject: `privacy-${n}` });
    const { code } = await fileDossier((p, i) => api(p, i), citizen, {
      serviceId: '2.001955',
      applicant: person,
      fields: { enterpriseName: `Công ty TNHH Riêng Tư ${n}`, employeeCount: 12 },
    });
    const official = await tokenFor('official', { agencyId });

    // Act
    const received = await api(`/dossiers/${encodeURIComponent(code)}/actions`, { token: official, body: { action: 'receive', documentsReceived: ['Nội quy lao động'] } });
    expect(received.status, received.text).toBe(200);
    const pk = `DOSSIER#${code}`;
    const dossier = (await db.send(new GetCommand({ TableName: stack.tableName, Key: { pk, sk: 'DOSSIER' }, ConsistentRead: true }))).Item!;
    const history = (await db.send(new QueryCommand({ TableName: stack.tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)', ExpressionAttributeValues: { ':pk': pk, ':e': 'EVENT#' }, ConsistentRead: true }))).Items ?? [];
    const records = await eventually('both event records on the stream', async () => {
      const found = await streamRecordsOf(pk);
      if (found.filter((r) => r.dynamodb?.Keys?.sk?.S?.startsWith('EVENT#')).length < history.length) throw new Error(`${found.length} records so far`);
      return found;
    });

    // Assess: the dossier item holds each value (so a miss below is not a wrong value)...
    const secrets = { idNumber: person.idNumber, phone, email: person.email, fullName: person.fullName, address: person.address, pinHash: String(dossier.trackingPinHash) };
    expect(dossier.trackingPinHash).toEqual(expect.any(String));
    expect(dossier.schemaVersion).toBe(DOSSIER_ITEM_SCHEMA_VERSION);
    for (const value of Object.values(secrets)) expect(JSON.stringify(dossier)).toContain(value);
    // ...and no history item or event record holds any of them
    expect(history.map((e) => e.type)).toEqual(['dossier.submitted', 'dossier.receive']);
    const leaks = (where: unknown) => Object.entries(secrets).filter(([, v]) => JSON.stringify(where).includes(v)).map(([k]) => k);
    for (const item of history) {
      expect(item.schemaVersion).toBe(EVENT_ITEM_SCHEMA_VERSION);
      expect(storedEventSchema.parse(item).dossier).toMatchObject({ code, agencyId, status: item.to });
      expect(leaks(item), String(item.sk)).toEqual([]);
    }
    const eventRecords = records.filter((r) => r.dynamodb?.Keys?.sk?.S?.startsWith('EVENT#'));
    expect(eventRecords.map((r) => r.dynamodb?.Keys?.sk?.S)).toEqual(history.map((e) => e.sk));
    for (const record of eventRecords) expect(leaks(record), String(record.dynamodb?.Keys?.sk?.S)).toEqual([]);
  });
});
