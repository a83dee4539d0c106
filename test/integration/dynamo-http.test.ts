import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { documentReads } from '../../functions/adapters/dynamo-client.js';
import { DynamoHttpError, signedReads } from '../../functions/adapters/dynamo-http.js';
import { observeRequests, type ObservedRequest } from '../../functions/adapters/request-observer.js';
import { StatsReader, statsKeys } from '../../functions/adapters/stats-reader.js';

/**
 * The public statistics' signed reads against the run's DynamoDB Local: the same answers as the SDK's
 * document client for the same requests (signature, endpoint, marshalling, paging), and the same
 * request counting for the bench.
 */
const stack = inject('localStack');
const raw = new DynamoDBClient({});
const db = DynamoDBDocumentClient.from(raw);
afterAll(() => raw.destroy());
let stop: (() => void) | undefined;
afterEach(() => stop?.());

async function putAll(items: Record<string, unknown>[]) {
  for (let i = 0; i < items.length; i += 25) {
    await db.send(new BatchWriteCommand({ RequestItems: { [stack.tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
}

describe('signed reads against DynamoDB Local', () => {
  it('reads items, batches and index counts exactly as the document client does', async () => {
    // Prepare: 150 counter shards (two BatchGet chunks) and 7 items in a sparse index partition
    const run = randomUUID();
    const scope = `agency:${run}`;
    const counters = Array.from({ length: 150 }, (_, i) => ({ ...statsKeys.counter(scope as never, `2026-${String((i % 12) + 1).padStart(2, '0')}` as never, i), entity: 'counter', scope, received: i, nested: { onTime: 1, list: ['a', 'b'] } }));
    const indexed = Array.from({ length: 7 }, (_, i) => ({ pk: `HTTPREAD#${run}`, sk: `ITEM#${i}`, gsi1pk: `HTTPREAD#${run}`, gsi1sk: `${i}` }));
    await putAll([...counters, ...indexed]);
    const signed = signedReads();
    const sdk = documentReads(db);
    const key = { pk: counters[3]!.pk, sk: counters[3]!.sk };
    const keys = counters.slice(0, 100).map((c) => ({ pk: c.pk, sk: c.sk }));
    const count = { TableName: stack.tableName, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :p', ExpressionAttributeValues: { ':p': `HTTPREAD#${run}` }, Select: 'COUNT' as const };

    // Act
    const [one, none, batch, page] = await Promise.all([
      signed.get({ TableName: stack.tableName, Key: key, ConsistentRead: true }),
      signed.get({ TableName: stack.tableName, Key: { pk: `HTTPREAD#${run}`, sk: 'ABSENT' } }),
      signed.batchGet({ RequestItems: { [stack.tableName]: { Keys: keys, ConsistentRead: true } } }),
      signed.query({ ...count, Limit: 5 }),
    ]);
    const rest = await signed.query({ ...count, ExclusiveStartKey: page.LastEvaluatedKey! });

    // Assess
    expect(one.Item).toEqual((await sdk.get({ TableName: stack.tableName, Key: key, ConsistentRead: true })).Item);
    expect(one.Item).toMatchObject({ received: 3, nested: { onTime: 1, list: ['a', 'b'] } });
    expect(none).toEqual({});
    const byKey = (items: Record<string, unknown>[] | undefined) => [...(items ?? [])].sort((a, b) => String(a.sk).localeCompare(String(b.sk)));
    const sdkBatch = await sdk.batchGet({ RequestItems: { [stack.tableName]: { Keys: keys, ConsistentRead: true } } });
    expect(byKey(batch.Responses?.[stack.tableName])).toEqual(byKey(sdkBatch.Responses?.[stack.tableName]));
    expect(batch.Responses?.[stack.tableName]).toHaveLength(100);
    expect(page.Count).toBe(5);
    expect(page.LastEvaluatedKey).toMatchObject({ gsi1pk: `HTTPREAD#${run}` });
    expect(rest.Count).toBe(2);
    expect(rest.LastEvaluatedKey).toBeUndefined();
    // the reader the public functions use sums the same counters either way
    const periods = Array.from({ length: 12 }, (_, i) => `2026-${String(i + 1).padStart(2, '0')}`) as never[];
    const [viaSigned, viaSdk] = await Promise.all([new StatsReader(signed, stack.tableName).read([scope as never], periods), new StatsReader(sdk, stack.tableName).read([scope as never], periods)]);
    expect(viaSigned).toEqual(viaSdk);
  });

  it('names the error DynamoDB answers and does not retry it', async () => {
    const failure = await signedReads()
      .get({ TableName: `motcua-absent-${randomUUID()}`, Key: { pk: 'x', sk: 'y' } })
      .catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(DynamoHttpError);
    expect(failure).toMatchObject({ name: 'ResourceNotFoundException', status: 400, retryable: false });
  });

  it('is counted by the request observer with the read units DynamoDB reports', async () => {
    const seen: ObservedRequest[] = [];
    stop = observeRequests({ request: (r) => seen.push(r) });
    await signedReads().get({ TableName: stack.tableName, Key: { pk: `HTTPREAD#${randomUUID()}`, sk: 'ABSENT' }, ConsistentRead: true });
    expect(seen).toEqual([{ service: 'DynamoDB', operation: 'GetItem', failed: false, units: { read: 1, write: 0, indexWrite: 0 } }]);
  });
});
