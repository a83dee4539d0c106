import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteItemCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startStreamPoller } from '../../local/streams.js';
import type { Logger } from '../../local/support.js';
import { createKeyTable } from '../support/tables.js';

const stack = inject('localStack');
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const silent: Logger = { info: () => undefined, error: () => undefined };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a held stream consumer', () => {
  const dynamo = new DynamoDBClient({ region: stack.region, endpoint: stack.endpoints.dynamodb, credentials });
  const streams = new DynamoDBStreamsClient({ region: stack.region, endpoint: stack.endpoints.dynamodb, credentials });
  const tableName = `hold-test-${randomUUID().slice(0, 8)}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'motcua-hold-'));
  let streamArn = '';

  beforeAll(async () => {
    streamArn = await createKeyTable(dynamo, tableName, { stream: true });
  });
  afterAll(async () => {
    await dynamo.send(new DeleteTableCommand({ TableName: tableName }));
    for (const client of [dynamo, streams]) client.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reads nothing while held and everything, in order, once released', async () => {
    // Prepare: a consumer that has caught up, then held
    const delivered: string[] = [];
    const poller = startStreamPoller({
      consumer: { id: 'held', batchSize: 10, maxRetries: 1 },
      handler: async () => async (event) => {
        for (const record of event.Records) delivered.push(record.dynamodb?.NewImage?.sk?.S ?? '');
      },
      streams,
      streamArn,
      dataDir,
      region: stack.region,
      logger: silent,
      pollIntervalMs: 20,
    });
    try {
      await poller.settled();
      poller.hold();
      const pk = `DOSSIER#HOLD-${randomUUID()}`;
      // history event items: what the consumers read by default (isOutboxRecord)
      const keys = Array.from({ length: 5 }, (_, i) => `EVENT#${String(i + 1).padStart(6, '0')}`);

      // Act: writes while held, for many poll intervals
      await dynamo.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: keys.map((sk) => ({ PutRequest: { Item: { pk: { S: pk }, sk: { S: sk } } } })) } }));
      await sleep(400);
      const whileHeld = [...delivered];
      poller.release();
      await poller.settled();

      // Assess
      expect(whileHeld).toEqual([]);
      expect(delivered).toEqual(keys);
    } finally {
      await poller.stop();
    }
  });
});
