import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { consumedUnits, observed, observeRequests, type ObservedRequest } from '../../functions/adapters/request-observer.js';
import { Recorder } from '../../bench/recorder.js';

/**
 * The bench's request counting against the run's DynamoDB Local and s3rver: what a handler's client
 * sends is counted with the capacity DynamoDB reports, and a client made while nobody observes carries
 * nothing extra.
 */
const stack = inject('localStack');
let stop: (() => void) | undefined;
afterEach(() => stop?.());

function observedClients() {
  const seen: ObservedRequest[] = [];
  stop = observeRequests({ request: (r) => seen.push(r) });
  const raw = observed(new DynamoDBClient({}), 'DynamoDB');
  const db = DynamoDBDocumentClient.from(raw);
  const s3 = observed(new S3Client({ forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' }), 'S3');
  return { seen, db, s3, destroy: () => (raw.destroy(), s3.destroy()) };
}

describe('request observer', () => {
  it('counts each DynamoDB request with the read, write and index-write units DynamoDB Local reports', async () => {
    const { seen, db, destroy } = observedClients();
    const id = randomUUID();
    // 1.5 KB: two write units; with gsi1 keys, the index write is counted apart, and is one unit: gsi1
    // projects only the inbox's attributes (declaration.ts), so the filler is not copied into it
    const item = { pk: `OBSERVER#${id}`, sk: 'ITEM', gsi1pk: `OBSERVER#${id}`, gsi1sk: 'x', filler: 'a'.repeat(1500) };
    try {
      await db.send(new PutCommand({ TableName: stack.tableName, Item: item }));
      await db.send(new GetCommand({ TableName: stack.tableName, Key: { pk: item.pk, sk: item.sk }, ConsistentRead: true }));
      await db.send(new QueryCommand({ TableName: stack.tableName, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :p', ExpressionAttributeValues: { ':p': item.gsi1pk } }));
      await expect(db.send(new PutCommand({ TableName: stack.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }))).rejects.toThrow();
      await db.send(
        new TransactWriteCommand({
          TransactItems: [{ Put: { TableName: stack.tableName, Item: { pk: `OBSERVER#${id}`, sk: 'OTHER' } } }, { Delete: { TableName: stack.tableName, Key: { pk: item.pk, sk: 'ITEM' } } }],
        }),
      );
    } finally {
      destroy();
    }
    expect(seen.map((r) => `${r.service} ${r.operation} ${r.failed ? 'failed' : 'ok'}`)).toEqual([
      'DynamoDB PutItem ok',
      'DynamoDB GetItem ok',
      'DynamoDB Query ok',
      'DynamoDB PutItem failed',
      'DynamoDB TransactWriteItems ok',
    ]);
    const [put, get, query, , transact] = seen;
    expect(put?.units).toEqual({ read: 0, write: 2, indexWrite: 1 });
    expect(get?.units).toEqual({ read: 1, write: 0, indexWrite: 0 });
    expect(query?.units?.read).toBeGreaterThan(0);
    // a transaction is billed twice: a small put (1) and the delete of the 1.5 KB item (2), doubled
    expect(transact).toMatchObject({ items: 2, units: { write: 6 } });
  });

  it("bills every item of a transaction at two units per KB in the bench's recorder, where DynamoDB Local reports one item of each kind", async () => {
    const { seen: reported, db, destroy } = observedClients();
    // the recorder replaces the observer observedClients registered; its clients report to it
    const recorder = new Recorder();
    stop = recorder.stop;
    const id = randomUUID();
    const filler = 'a'.repeat(1500);
    try {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            ...Array.from({ length: 10 }, (_, i) => ({
              Update: { TableName: stack.tableName, Key: { pk: `OBSERVER#${id}`, sk: `COUNTER#${i}` }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } },
            })),
            { Put: { TableName: stack.tableName, Item: { pk: `OBSERVER#${id}`, sk: 'BIG#1', filler } } },
            { Put: { TableName: stack.tableName, Item: { pk: `OBSERVER#${id}`, sk: 'BIG#2', filler } } },
          ],
        }),
      );
    } finally {
      destroy();
    }
    // ten counters under 1 KB (2 each) and two puts of 1.5 KB (4 each)
    expect(recorder.requests).toMatchObject([{ operation: 'TransactWriteItems', items: 12, units: { write: 28 } }]);
    expect(reported).toEqual([]);
  });

  it('counts S3 requests that were sent, not presigned URLs', async () => {
    const { seen, s3, destroy } = observedClients();
    try {
      await getSignedUrl(s3, new PutObjectCommand({ Bucket: stack.bucketName, Key: 'observer/x' }), { expiresIn: 60 });
      await s3.send(new HeadBucketCommand({ Bucket: stack.bucketName }));
    } finally {
      destroy();
    }
    expect(seen).toEqual([{ service: 'S3', operation: 'HeadBucket', failed: false }]);
  });

  it('attaches nothing and asks for no capacity when nobody observes', async () => {
    const plain = new DynamoDBClient({});
    expect(observed(plain, 'DynamoDB').middlewareStack.identify().some((m) => m.includes('motcuaRequestObserver'))).toBe(false);
    const seen: ObservedRequest[] = [];
    stop = observeRequests({ request: (r) => seen.push(r) });
    const answer = await DynamoDBDocumentClient.from(plain).send(new GetCommand({ TableName: stack.tableName, Key: { pk: 'OBSERVER#none', sk: 'ITEM' } }));
    plain.destroy();
    expect(seen).toEqual([]);
    expect(answer.ConsumedCapacity).toBeUndefined();
  });

  it('sums batch and index capacity from the shapes DynamoDB answers with', () => {
    expect(consumedUnits('BatchWriteItem', [{ CapacityUnits: 3, Table: { CapacityUnits: 2 }, GlobalSecondaryIndexes: { gsi1: { CapacityUnits: 1 } } }, { CapacityUnits: 1 }])).toEqual({ read: 0, write: 3, indexWrite: 1 });
    expect(consumedUnits('Query', { CapacityUnits: 0.5, GlobalSecondaryIndexes: { gsi2: { CapacityUnits: 0.5 } } })).toEqual({ read: 0.5, write: 0, indexWrite: 0 });
    expect(consumedUnits('GetItem', undefined)).toBeUndefined();
  });
});
