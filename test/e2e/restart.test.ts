import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { localCredentials, startLocalStack, type LocalStack } from '../../local/stack.js';

/** "Stop `npm start` and start it again" loses nothing: a second stack, stopped and started on its data folder. */
describe('a restart of the local runtime', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'motcua-restart-'));
  const start = (): Promise<LocalStack> =>
    // processWide false: this process already serves the run's shared stack, whose environment stays as it is.
    startLocalStack({ dataDir, ports: { api: 0, dynamodb: 0, s3: 0, sqs: 0, ses: 0, sms: 0 }, quiet: true, processWide: false, consumers: false });
  const clients = (stack: LocalStack) => ({
    dynamo: new DynamoDBClient({ region: stack.region, endpoint: stack.endpoints.dynamodb, credentials: localCredentials }),
    sqs: new SQSClient({ region: stack.region, endpoint: stack.endpoints.sqs, credentials: localCredentials }),
  });
  let running: LocalStack | undefined;

  afterAll(async () => {
    await running?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the table items and the queue messages', { timeout: 90_000 }, async () => {
    // Prepare
    running = await start();
    const agencyId = running.province.agencies[0]?.id ?? '';
    let { dynamo, sqs } = clients(running);
    await dynamo.send(new PutItemCommand({ TableName: running.tableName, Item: { pk: { S: 'RESTART#1' }, sk: { S: 'META' }, note: { S: 'kept' } } }));
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: running.agencyQueueUrls[agencyId], MessageBody: '{"kept":true}' }));

    // Act
    await running.stop();
    dynamo.destroy();
    sqs.destroy();
    running = await start();
    ({ dynamo, sqs } = clients(running));

    // Assess
    const item = await dynamo.send(new GetItemCommand({ TableName: running.tableName, Key: { pk: { S: 'RESTART#1' }, sk: { S: 'META' } }, ConsistentRead: true }));
    expect(item.Item?.note?.S).toBe('kept');
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: running.agencyQueueUrls[agencyId], WaitTimeSeconds: 1 }));
    expect(received.Messages?.map((m) => [m.MessageId, m.Body])).toEqual([[sent.MessageId, '{"kept":true}']]);
    dynamo.destroy();
    sqs.destroy();
  });
});
