import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { DynamoHttpError, signedReads, signedTable } from '../../functions/adapters/dynamo-http.js';
import { cancellationReasons, isConditionFailed, isTransactionCanceled, type DynamoTable } from '../../functions/adapters/dynamo-table.js';
import { observed, observeRequests, type ObservedRequest } from '../../functions/adapters/request-observer.js';
import { StatsReader, statsKeys } from '../../functions/adapters/stats-reader.js';

/**
 * The signed client against the run's DynamoDB Local: the same answers and the same errors as the SDK's
 * document client (with the marshalling `dynamo()` had) for the same requests (signature, endpoint,
 * marshalling, paging, return values, conditions, transactions), and the same request counting for the
 * bench.
 */
const stack = inject('localStack');
const marshallOptions = { removeUndefinedValues: true, convertClassInstanceToMap: false };
const raw = new DynamoDBClient({});
const db = DynamoDBDocumentClient.from(raw, { marshallOptions });
afterAll(() => raw.destroy());

/** The SDK's document client behind the same port, its answers without the SDK's $metadata. */
function documentTable(client: DynamoDBDocumentClient): DynamoTable {
  const strip = <T extends { $metadata?: unknown }>({ $metadata: _, ...answer }: T) => answer;
  return {
    get: async (input) => strip(await client.send(new GetCommand(input))),
    put: async (input) => strip(await client.send(new PutCommand(input))),
    update: async (input) => strip(await client.send(new UpdateCommand(input))),
    delete: async (input) => strip(await client.send(new DeleteCommand(input))),
    query: async (input) => strip(await client.send(new QueryCommand(input))),
    batchGet: async (input) => strip(await client.send(new BatchGetCommand(input))),
    transactWrite: async (input) => strip(await client.send(new TransactWriteCommand(input))),
  };
}
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
    const sdk = documentTable(db);
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

/** Each side writes its own partition; the answers are compared without the partition key. */
function withoutPk(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPk);
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'pk').map(([k, v]) => [k, withoutPk(v)]));
  }
  return value;
}

/** What a request threw, comparable across the two clients: its name, and the reasons or item it carries. */
function refusal(err: unknown) {
  const e = err as { name: string; Item?: Record<string, unknown>; CancellationReasons?: { Code?: string; Message?: string; Item?: Record<string, unknown> }[] };
  // the SDK leaves an error's items in DynamoDB's JSON; the signed client unmarshals them as adapters read them
  const native = (item: Record<string, unknown> | undefined) => (item && err instanceof DynamoHttpError ? item : item && unmarshall(item as never));
  return {
    name: e.name,
    ...(e.Item ? { Item: withoutPk(native(e.Item)) } : {}),
    ...(e.CancellationReasons ? { CancellationReasons: e.CancellationReasons.map((r) => ({ ...r, ...(r.Item ? { Item: withoutPk(native(r.Item)) } : {}) })) } : {}),
  };
}

describe('signed writes against DynamoDB Local', () => {
  const signed = signedTable();
  const sdk = documentTable(db);
  const table = stack.tableName;

  /** Runs the same steps on both clients, each in its own partition, and answers both results. */
  async function both<T>(steps: (t: DynamoTable, pk: string) => Promise<T>): Promise<[T, T]> {
    const run = randomUUID();
    return Promise.all([steps(signed, `HTTPWRITE#${run}#signed`), steps(sdk, `HTTPWRITE#${run}#sdk`)]);
  }
  const failure = (p: Promise<unknown>) => p.then(() => expect.unreachable('the write was refused')).catch((err: unknown) => err);

  it('puts, updates, deletes and reads back with the return values the document client answers', async () => {
    const [viaSigned, viaSdk] = await both(async (t, pk) => {
      const key = { pk, sk: 'ITEM' };
      const item = { ...key, n: 1, tags: new Set(['a', 'b']), nested: { list: [1, 'x', true, null], blank: '' }, dropped: undefined, bytes: new Uint8Array([1, 2, 3]) };
      const steps: unknown[] = [];
      steps.push(await t.put({ TableName: table, Item: item, ReturnValues: 'ALL_OLD' }));
      steps.push(await t.put({ TableName: table, Item: { ...item, n: 2 }, ReturnValues: 'ALL_OLD' }));
      steps.push(
        await t.update({
          TableName: table,
          Key: key,
          UpdateExpression: 'SET n = n + :one, #l = :list ADD tags :more REMOVE nested.blank',
          ConditionExpression: 'n = :two',
          ExpressionAttributeNames: { '#l': 'label' },
          ExpressionAttributeValues: { ':one': 1, ':two': 2, ':more': new Set(['c']), ':list': ['p', 'q'] },
          ReturnValues: 'ALL_NEW',
        }),
      );
      steps.push(await t.update({ TableName: table, Key: key, UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': 10 }, ReturnValues: 'UPDATED_OLD' }));
      steps.push(await t.update({ TableName: table, Key: key, UpdateExpression: 'SET extra = :o', ExpressionAttributeValues: { ':o': 'x' } }));
      steps.push(await t.get({ TableName: table, Key: key, ConsistentRead: true }));
      steps.push(await t.put({ TableName: table, Item: { pk, sk: 'OTHER', v: 1 } }));
      steps.push(await t.query({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ConsistentRead: true }));
      steps.push(await t.delete({ TableName: table, Key: key, ReturnValues: 'ALL_OLD' }));
      steps.push(await t.delete({ TableName: table, Key: key, ReturnValues: 'ALL_OLD' }));
      steps.push(await t.get({ TableName: table, Key: key, ConsistentRead: true }));
      return steps;
    });
    expect(withoutPk(viaSigned)).toEqual(withoutPk(viaSdk));
    // what was compared: the old item, then the new one after the update, in native values
    expect(viaSigned[0]).toEqual({});
    expect(viaSigned[1]).toMatchObject({ Attributes: { n: 1, tags: new Set(['a', 'b']), nested: { list: [1, 'x', true, null], blank: '' } } });
    expect(viaSigned[2]).toMatchObject({ Attributes: { n: 3, tags: new Set(['a', 'b', 'c']), label: ['p', 'q'], nested: { list: [1, 'x', true, null] } } });
    expect((viaSigned[2] as { Attributes: Record<string, unknown> }).Attributes).not.toHaveProperty('dropped');
    expect(viaSigned[3]).toEqual({ Attributes: { n: 3 } });
    expect(viaSigned[7]).toMatchObject({ Count: 2, ScannedCount: 2 });
    expect(viaSigned[8]).toMatchObject({ Attributes: { n: 10, extra: 'x', bytes: new Uint8Array([1, 2, 3]) } });
    expect(viaSigned[9]).not.toHaveProperty('Attributes');
  });

  it('refuses a failed condition with the same error, and the item it found when asked for it', async () => {
    const [viaSigned, viaSdk] = await both(async (t, pk) => {
      const key = { pk, sk: 'ITEM' };
      await t.put({ TableName: table, Item: { ...key, version: 4, note: 'kept' } });
      const stale = { TableName: table, Key: key, UpdateExpression: 'SET note = :n', ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':n': 'lost', ':v': 3 } };
      const plain = await failure(t.update(stale));
      const withItem = await failure(t.update({ ...stale, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }));
      const put = await failure(t.put({ TableName: table, Item: { ...key, version: 0 }, ConditionExpression: 'attribute_not_exists(pk)' }));
      const after = await t.get({ TableName: table, Key: key, ConsistentRead: true });
      return { plain, withItem, put, after };
    });
    for (const err of [viaSigned.plain, viaSigned.withItem, viaSigned.put]) {
      expect(err).toBeInstanceOf(DynamoHttpError);
      expect(isConditionFailed(err)).toBe(true);
      expect(err).toMatchObject({ status: 400, retryable: false });
    }
    expect(isConditionFailed(viaSdk.plain)).toBe(true);
    expect([viaSigned.plain, viaSigned.withItem, viaSigned.put].map(refusal)).toEqual([viaSdk.plain, viaSdk.withItem, viaSdk.put].map(refusal));
    expect(refusal(viaSigned.withItem)).toEqual({ name: 'ConditionalCheckFailedException', Item: { sk: 'ITEM', version: 4, note: 'kept' } });
    expect(viaSigned.after.Item).toMatchObject({ note: 'kept' });
    expect(withoutPk(viaSigned.after)).toEqual(withoutPk(viaSdk.after));
  });

  it('writes a transaction, and answers a cancelled one with its reasons in order, the refused item unmarshalled', async () => {
    const [viaSigned, viaSdk] = await both(async (t, pk) => {
      const dossier = { pk, sk: 'DOSSIER' };
      await t.transactWrite({
        TransactItems: [
          { Put: { TableName: table, Item: { ...dossier, version: 1, drafts: new Set(['d1']) }, ConditionExpression: 'attribute_not_exists(pk)' } },
          { Put: { TableName: table, Item: { pk, sk: 'EVENT#000001', type: 'x' } } },
          { Put: { TableName: table, Item: { pk, sk: 'GONE' } } },
        ],
        ClientRequestToken: randomUUID(),
      });
      const done = await t.transactWrite({
        TransactItems: [
          { Update: { TableName: table, Key: dossier, UpdateExpression: 'SET version = :next ADD drafts :d', ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': 1, ':next': 2, ':d': new Set(['d2']) } } },
          { Delete: { TableName: table, Key: { pk, sk: 'GONE' }, ConditionExpression: 'attribute_exists(pk)' } },
          { ConditionCheck: { TableName: table, Key: { pk, sk: 'EVENT#000001' }, ConditionExpression: '#t = :t', ExpressionAttributeNames: { '#t': 'type' }, ExpressionAttributeValues: { ':t': 'x' } } },
        ],
      });
      const cancelled = await failure(
        t.transactWrite({
          TransactItems: [
            { Put: { TableName: table, Item: { pk, sk: 'EVENT#000002', type: 'y' }, ConditionExpression: 'attribute_not_exists(pk)' } },
            { ConditionCheck: { TableName: table, Key: dossier, ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': 1 }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
            { Update: { TableName: table, Key: { pk, sk: 'EVENT#000001' }, UpdateExpression: 'SET seen = :s', ConditionExpression: 'attribute_not_exists(pk)', ExpressionAttributeValues: { ':s': true } } },
          ],
        }),
      );
      const after = await t.query({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ConsistentRead: true });
      return { done, cancelled, after };
    });
    expect(viaSigned.done).toEqual(viaSdk.done);
    expect(isTransactionCanceled(viaSigned.cancelled)).toBe(true);
    expect(isTransactionCanceled(viaSdk.cancelled)).toBe(true);
    expect(refusal(viaSigned.cancelled)).toEqual(refusal(viaSdk.cancelled));
    // (DynamoDB Local words the messages of the two refusals differently; both clients pass them on)
    expect(cancellationReasons(viaSigned.cancelled)?.map(({ Message: _, ...r }) => withoutPk(r))).toEqual([
      { Code: 'None' },
      { Code: 'ConditionalCheckFailed', Item: { sk: 'DOSSIER', version: 2, drafts: new Set(['d1', 'd2']) } },
      { Code: 'ConditionalCheckFailed' },
    ]);
    // nothing of the cancelled transaction was written
    expect(withoutPk(viaSigned.after)).toEqual(withoutPk(viaSdk.after));
    expect(viaSigned.after.Items?.map((i) => i.sk)).toEqual(['DOSSIER', 'EVENT#000001']);
  });

  it('reports each write to the observer as the SDK client does: items written and the units DynamoDB reports', async () => {
    const seen: ObservedRequest[] = [];
    stop = observeRequests({ request: (r) => seen.push(r) });
    const observedRaw = observed(new DynamoDBClient({}), 'DynamoDB');
    const observedSdk = documentTable(DynamoDBDocumentClient.from(observedRaw, { marshallOptions }));
    const reports = async (t: DynamoTable, pk: string) => {
      seen.length = 0;
      const key = { pk, sk: 'ITEM' };
      // 1.5 KB: two write units, and one for gsi1, which projects only the inbox's attributes
      await t.put({ TableName: table, Item: { ...key, gsi1pk: pk, gsi1sk: 'x', filler: 'a'.repeat(1500) } });
      await t.update({ TableName: table, Key: key, UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': 1 }, ReturnValues: 'ALL_NEW' });
      await failure(t.put({ TableName: table, Item: key, ConditionExpression: 'attribute_not_exists(pk)' }));
      await t.transactWrite({ TransactItems: [{ Put: { TableName: table, Item: { pk, sk: 'OTHER' } } }, { Delete: { TableName: table, Key: key } }] });
      await t.delete({ TableName: table, Key: { pk, sk: 'OTHER' } });
      return [...seen];
    };
    const run = randomUUID();
    try {
      const viaSigned = await reports(signed, `HTTPOBSERVED#${run}#signed`);
      const viaSdk = await reports(observedSdk, `HTTPOBSERVED#${run}#sdk`);
      // a transaction's items come as they were sent: on the wire from the signed caller, before the
      // document client's marshalling from the SDK (the bench sizes either: bench/capacity.ts)
      const [signedItems, sdkItems] = [viaSigned, viaSdk].map((list) => list.find((r) => r.transactItems)?.transactItems);
      expect(signedItems).toEqual([{ Put: { TableName: table, Item: { pk: { S: `HTTPOBSERVED#${run}#signed` }, sk: { S: 'OTHER' } } } }, { Delete: { TableName: table, Key: { pk: { S: `HTTPOBSERVED#${run}#signed` }, sk: { S: 'ITEM' } } } }]);
      expect(sdkItems).toEqual([{ Put: { TableName: table, Item: { pk: `HTTPOBSERVED#${run}#sdk`, sk: 'OTHER' } } }, { Delete: { TableName: table, Key: { pk: `HTTPOBSERVED#${run}#sdk`, sk: 'ITEM' } } }]);
      const withoutItems = (list: ObservedRequest[]) => list.map(({ transactItems: _, ...r }) => r);
      expect(withoutItems(viaSigned)).toEqual(withoutItems(viaSdk));
      expect(withoutItems(viaSigned)).toEqual([
        { service: 'DynamoDB', operation: 'PutItem', failed: false, items: 1, units: { read: 0, write: 2, indexWrite: 1 } },
        { service: 'DynamoDB', operation: 'UpdateItem', failed: false, items: 1, units: expect.objectContaining({ write: 2 }) },
        { service: 'DynamoDB', operation: 'PutItem', failed: true, items: 1 },
        { service: 'DynamoDB', operation: 'TransactWriteItems', failed: false, items: 2, units: expect.objectContaining({ write: 6 }) },
        { service: 'DynamoDB', operation: 'DeleteItem', failed: false, items: 1, units: { read: 0, write: 1, indexWrite: 0 } },
      ]);
    } finally {
      observedRaw.destroy();
    }
  });
});
