import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { newImageOf } from '../../functions/adapters/stream-image.js';
import { eventItem, storedEventSchema } from '../../functions/adapters/event-item.js';
import { dossierSyncItem } from '../../functions/domain/dvcqg.js';
import type { WorkflowDossier } from '../../functions/domain/workflow.js';
import { startStreamPoller } from '../../local/streams.js';
import { sleep, type Logger } from '../../local/support.js';
import { createKeyTable } from '../support/tables.js';

/**
 * Empty maps and lists are ordinary in dossier events (a form without fields is `{}`, a dossier before
 * its first upload has `documents: []`). They travel: document client → DynamoDB Local → its stream →
 * the local poller's conversion to Lambda's record shape → the consumers' decoding. Each hop has its own
 * serializer, and an empty `M` or `L` dropped or turned into `null` anywhere would reach the agency queue
 * or the national portal as a missing field. Runs on a table of its own, so the run's consumers never see
 * these records.
 */
const stack = inject('localStack');
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const raw = new DynamoDBClient({ region: stack.region, endpoint: stack.endpoints.dynamodb, credentials });
// The options of functions/adapters/dynamo-client.ts, which writes the real event items.
const db = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false } });
const streams = new DynamoDBStreamsClient({ region: stack.region, endpoint: stack.endpoints.dynamodb, credentials });
const silent: Logger = { info: () => undefined, error: () => undefined };
const tableName = `stream-images-${randomUUID().slice(0, 8)}`;
let streamArn = '';

beforeAll(async () => {
  streamArn = await createKeyTable(raw, tableName, { stream: true });
});
afterAll(async () => {
  await raw.send(new DeleteTableCommand({ TableName: tableName }));
  raw.destroy();
  streams.destroy();
});

function storedEvent(code: string) {
  const at = '2031-02-03T01:00:00.000Z';
  const dossier: WorkflowDossier = {
    code,
    serviceId: 'svc',
    serviceCode: '1.004249',
    serviceName: 'Thủ tục',
    agencyId: 'so-ke-hoach-va-dau-tu',
    agencyCode: '000.00.05.H37',
    agencyName: 'Sở KH&ĐT',
    applicantSubject: 'subject',
    applicant: { fullName: 'Nguyễn Văn A', idNumber: '020090001234', phone: '0912345678', address: 'Lạng Sơn' },
    fields: {},
    // the shape this test is about in the dossier's view: a receipt listing no documents
    receipt: { code, documentsReceived: [], appointmentAt: at, issuedAt: at },
    channel: 'online',
    status: 2,
    version: 2,
    submittedAt: at,
    receivedAt: at,
    dueAt: at,
    updatedAt: at,
  };
  const event = { eventId: randomUUID(), type: 'dossier.receive', dossierCode: code, version: 2, at, actor: { kind: 'system' as const }, from: 1 as const, to: 2 as const, agencyId: dossier.agencyId };
  return {
    ...eventItem({ pk: `DOSSIER#${code}`, sk: 'EVENT#000002' }, event, dossier),
    // and nested either way, in the details an event may carry
    details: { noFields: {}, noItems: [], listOfEmpties: [{}, [], { inner: [] }], mapOfEmpties: { a: {}, b: [] } },
  };
}

async function eventually<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(50);
  }
}

describe('an event item with empty maps and lists, through the table stream to a consumer', () => {
  it('arrives with {} and [] where they were written, in the record and once decoded', async () => {
    // Prepare
    const dataDir = mkdtempSync(join(tmpdir(), 'motcua-stream-images-'));
    const seen: DynamoDBRecord[] = [];
    const poller = startStreamPoller({
      consumer: { id: 'stream-images', batchSize: 10, maxRetries: 0 },
      handler: async () => async (event) => {
        seen.push(...event.Records);
      },
      streams,
      streamArn,
      dataDir,
      region: stack.region,
      logger: silent,
      pollIntervalMs: 50,
    });
    const item = storedEvent(`000.00.05.H37-310203-${String(Math.floor(Math.random() * 9000) + 1000)}`);

    // Act
    await db.send(new PutCommand({ TableName: tableName, Item: item }));
    const record = await eventually(() => seen[0]);
    await poller.stop();
    rmSync(dataDir, { recursive: true, force: true });

    // Assess: the record in Lambda's shape keeps the empty map and list as such
    const image = record.dynamodb?.NewImage;
    expect(image?.details?.M?.noFields).toEqual({ M: {} });
    expect(image?.dossier?.M?.receipt?.M?.documentsReceived).toEqual({ L: [] });
    // the consumers' decoding (with the event item schema) gives back exactly what was written
    const decoded = newImageOf(record, storedEventSchema);
    const { pk: _pk, sk: _sk, entity: _entity, ...written } = item;
    // (the view's keys the event repeats, left out of the item, are put back)
    expect(decoded).toEqual({ ...written, dossier: { ...written.dossier, code: item.dossierCode, agencyId: item.agencyId, status: 2, version: 2, updatedAt: item.at } });
    expect(decoded?.dossier.receipt?.documentsReceived).toEqual([]);
    // and what the consumers build from it still carries the empty document list
    expect(dossierSyncItem(decoded!.dossier).TaiLieuNop).toEqual([]);
  });
});
