import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { CreateQueueCommand, GetQueueUrlCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { S3Event } from 'aws-lambda';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { ConsumerDeclaration } from '../../functions/declaration.js';
import { startBucketEventDelivery } from '../../local/bucket-events.js';
import { startLocalSqs } from '../../local/sqs.js';
import { startStreamPoller } from '../../local/streams.js';
import type { Logger } from '../../local/support.js';
import { useKeyTable } from '../support/key-table.js';

const stack = inject('localStack');
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const silent: Logger = { info: () => undefined, error: () => undefined };
const tempDir = (): string => mkdtempSync(join(tmpdir(), 'motcua-crash-'));

describe('a kill at any instant leaves no stream checkpoint past a message that is not on disk', () => {
  const table = useKeyTable('crash-test', { stream: true });
  const streams = new DynamoDBStreamsClient({ region: stack.region, endpoint: stack.endpoints.dynamodb, credentials });
  afterAll(() => streams.destroy());

  it('restarts from what is on disk with every published event on its queue', async () => {
    // Prepare: a consumer that publishes each event to a fauxqs queue, with the periodic snapshot out of the
    // way (one hour), so that only the ordering under test can put the messages on disk.
    const dataDir = tempDir();
    const sqsLocal = await startLocalSqs({ port: 0, region: stack.region, dataDir, logger: silent, snapshotIntervalMs: 3_600_000 });
    const sqs = new SQSClient({ region: stack.region, endpoint: sqsLocal.endpoint, credentials });
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'published' }))).QueueUrl ?? '';
    const pk = `DOSSIER#${randomUUID()}`;
    const events = Array.from({ length: 24 }, (_, i) => `EVENT#${String(i + 1).padStart(3, '0')}`);
    // One batch write: a written outbox is the starting point, how it was written does not matter here.
    await table.client.send(new BatchWriteItemCommand({ RequestItems: { [table.name]: events.map((sk) => ({ PutRequest: { Item: { pk: { S: pk }, sk: { S: sk } } } })) } }));
    const poller = startStreamPoller({
      consumer: { id: 'publisher', batchSize: 7, maxRetries: 1 },
      handler: async () => async (event) => {
        for (const record of event.Records) await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: record.dynamodb?.NewImage?.sk?.S ?? '' }));
      },
      streams,
      streamArn: table.streamArn,
      dataDir,
      region: stack.region,
      logger: silent,
      pollIntervalMs: 50,
      beforeCheckpoint: () => sqsLocal.snapshot(),
    });
    await poller.settled();

    // Act: copy the data folder while everything runs, as a kill -9 would leave it, and start again from the copy.
    const crashed = tempDir();
    cpSync(dataDir, crashed, { recursive: true });
    await poller.stop();
    await sqsLocal.stop();
    const restarted = await startLocalSqs({ port: 0, region: stack.region, dataDir: crashed, logger: silent, snapshotIntervalMs: 3_600_000 });
    const sqsAgain = new SQSClient({ region: stack.region, endpoint: restarted.endpoint, credentials });
    const urlAgain = (await sqsAgain.send(new CreateQueueCommand({ QueueName: 'published' }))).QueueUrl ?? '';
    const redelivered: string[] = [];
    const pollerAgain = startStreamPoller({
      consumer: { id: 'publisher', batchSize: 7, maxRetries: 1 },
      handler: async () => async (event) => {
        for (const record of event.Records) {
          redelivered.push(record.dynamodb?.NewImage?.sk?.S ?? '');
          await sqsAgain.send(new SendMessageCommand({ QueueUrl: urlAgain, MessageBody: record.dynamodb?.NewImage?.sk?.S ?? '' }));
        }
      },
      streams,
      streamArn: table.streamArn,
      dataDir: crashed,
      region: stack.region,
      logger: silent,
      pollIntervalMs: 50,
      filter: (r) => r.eventName === 'INSERT' && r.dynamodb?.Keys?.pk?.S === pk,
      beforeCheckpoint: () => restarted.snapshot(),
    });
    await pollerAgain.settled();
    await pollerAgain.stop();

    // Assess: every event is on the queue after the restart; the checkpoint had passed all of them.
    const bodies: string[] = [];
    for (;;) {
      const { Messages = [] } = await sqsAgain.send(new ReceiveMessageCommand({ QueueUrl: urlAgain, MaxNumberOfMessages: 10, VisibilityTimeout: 300 }));
      if (Messages.length === 0) break;
      bodies.push(...Messages.map((m) => m.Body ?? ''));
    }
    expect([...new Set(bodies)].sort()).toEqual(events);
    expect(redelivered).toEqual([]);
    expect((await sqsAgain.send(new GetQueueUrlCommand({ QueueName: 'published' }))).QueueUrl).toBe(urlAgain);
    await restarted.stop();
    for (const client of [sqs, sqsAgain]) client.destroy();
    for (const dir of [dataDir, crashed]) rmSync(dir, { recursive: true, force: true });
  });
});

describe('bucket events survive a kill', () => {
  const verifier: ConsumerDeclaration = { id: 'Verify', entry: 'unused.ts', source: { kind: 'bucket-created', prefix: 'dossiers/' }, grants: {}, summary: 'test' };
  const created = (key: string) => ({ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'docs' }, object: { key, size: 3 } } });

  it('delivers at the next start the events a killed run had acknowledged but not handled, in order, once handled forgets them', async () => {
    // Prepare: a run whose verifier never finishes, as if killed while checking the first upload.
    const dataDir = tempDir();
    let emit: (event: { Records: unknown[] }) => void = () => undefined;
    const started: string[] = [];
    startBucketEventDelivery({
      consumers: [verifier],
      handler: async () => async (event: S3Event) => {
        started.push(event.Records[0]?.s3.object.key ?? '');
        await new Promise(() => undefined);
      },
      subscribe: (listener) => {
        emit = listener;
      },
      bucket: 'docs',
      region: stack.region,
      provinceId: 'test',
      logger: silent,
      dataDir,
    });
    emit({ Records: [created('dossiers/A/to-khai/1')] });
    emit({ Records: [created('dossiers/A/to-khai/2'), created('elsewhere/x')] });
    emit({ Records: [created('dossiers/B/anh/3')] });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(started).toEqual(['dossiers/A/to-khai/1']);

    // Act: the next run on the same data folder, its verifier working.
    const handled: string[] = [];
    const next = startBucketEventDelivery({
      consumers: [verifier],
      handler: async () => async (event: S3Event) => {
        handled.push(event.Records[0]?.s3.object.key ?? '');
      },
      subscribe: () => undefined,
      bucket: 'docs',
      region: stack.region,
      provinceId: 'test',
      logger: silent,
      dataDir,
    });
    await next.idle();
    await next.stop();

    // Assess
    expect(handled).toEqual(['dossiers/A/to-khai/1', 'dossiers/A/to-khai/2', 'dossiers/B/anh/3']);
    expect(readdirSync(join(dataDir, 'bucket-events'))).toEqual([]);
    rmSync(dataDir, { recursive: true, force: true });
  });
});
