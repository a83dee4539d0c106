import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type AttributeDefinition,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, PutBucketCorsCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { agencyQueue, notificationQueue, table } from '../functions/declaration.js';
import type { Province } from '../provinces/schema.js';

/** Names of the province's resources; the CDK stack derives the same ones. */
export function resourceNames(provinceId: string): { table: string; bucket: string; eventsDlq: string } {
  return {
    table: `motcua-${provinceId}`,
    bucket: `motcua-${provinceId}-documents`,
    eventsDlq: `motcua-${provinceId}-events-dlq`,
  };
}

/** The declared projection, as the stack gives it (lib/storage.ts). */
const projectionOf = (index: (typeof table.indexes)[number]) => ({ ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...index.projected] });

/** Creates the table as the declaration describes it, or adds what an older local table lacks. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<{ streamArn: string }> {
  const keyNames = new Set<string>([table.partitionKey, table.sortKey, ...table.indexes.flatMap((i) => [i.partitionKey, i.sortKey])]);
  const attributeDefinitions: AttributeDefinition[] = [...keyNames].map((name) => ({ AttributeName: name, AttributeType: 'S' }));
  let description = await describe(client, tableName);
  if (!description) {
    let status: string | undefined;
    try {
      const created = await client.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: attributeDefinitions,
          KeySchema: [
            { AttributeName: table.partitionKey, KeyType: 'HASH' },
            { AttributeName: table.sortKey, KeyType: 'RANGE' },
          ],
          GlobalSecondaryIndexes: table.indexes.map((index) => ({
            IndexName: index.name,
            KeySchema: [
              { AttributeName: index.partitionKey, KeyType: 'HASH' },
              { AttributeName: index.sortKey, KeyType: 'RANGE' },
            ],
            Projection: projectionOf(index),
          })),
          StreamSpecification: { StreamEnabled: true, StreamViewType: table.stream },
        }),
      );
      status = created.TableDescription?.TableStatus;
    } catch (err) {
      if ((err as Error).name !== 'ResourceInUseException') throw err;
    }
    // DynamoDB Local makes tables ACTIVE at once; the waiter's first pause would only slow every start.
    if (status !== 'ACTIVE') await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { TableName: tableName });
    description = await describe(client, tableName);
  } else {
    // An index of an older data folder that projects something else (ALL, before the projections were
    // narrowed) is made again, so that the local table bills and answers as the stack's does.
    const sameProjection = (i: { Projection?: { ProjectionType?: string; NonKeyAttributes?: string[] } }, wanted: (typeof table.indexes)[number]) =>
      i.Projection?.ProjectionType === 'INCLUDE' && [...(i.Projection.NonKeyAttributes ?? [])].sort().join() === [...wanted.projected].sort().join();
    const present = new Set<string>();
    for (const existing of description.GlobalSecondaryIndexes ?? []) {
      const wanted = table.indexes.find((i) => i.name === existing.IndexName);
      if (!existing.IndexName || !wanted) continue;
      if (sameProjection(existing, wanted)) present.add(existing.IndexName);
      else await client.send(new UpdateTableCommand({ TableName: tableName, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: existing.IndexName } }] }));
    }
    for (const index of table.indexes.filter((i) => !present.has(i.name))) {
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          AttributeDefinitions: attributeDefinitions.filter((a) => a.AttributeName === index.partitionKey || a.AttributeName === index.sortKey),
          GlobalSecondaryIndexUpdates: [
            {
              Create: {
                IndexName: index.name,
                KeySchema: [
                  { AttributeName: index.partitionKey, KeyType: 'HASH' },
                  { AttributeName: index.sortKey, KeyType: 'RANGE' },
                ],
                Projection: projectionOf(index),
              },
            },
          ],
        }),
      );
    }
    const stream = description.StreamSpecification;
    if (!stream?.StreamEnabled || stream.StreamViewType !== table.stream) {
      if (stream?.StreamEnabled) await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: { StreamEnabled: false } }));
      await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: { StreamEnabled: true, StreamViewType: table.stream } }));
    }
    description = await describe(client, tableName);
  }
  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const ttlStatus = ttl.TimeToLiveDescription?.TimeToLiveStatus;
  if (ttlStatus !== 'ENABLED' && ttlStatus !== 'ENABLING') {
    await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { Enabled: true, AttributeName: table.timeToLiveAttribute } }));
  }
  const streamArn = description?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${tableName} has no stream`);
  return { streamArn };
}

async function describe(client: DynamoDBClient, tableName: string) {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (err) {
    if (err instanceof ResourceNotFoundException || (err as Error).name === 'ResourceNotFoundException') return undefined;
    throw err;
  }
}

/** Browser uploads go straight to the bucket with presigned URLs, so the portal's origins need CORS. */
export async function ensureBucket(client: S3Client, bucket: string, portalOrigins: readonly string[]): Promise<void> {
  let exists = true;
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch {
    exists = false;
  }
  if (!exists) await client.send(new CreateBucketCommand({ Bucket: bucket }));
  await client.send(
    new PutBucketCorsCommand({
      Bucket: bucket,
      CORSConfiguration: {
        CORSRules: [
          {
            AllowedOrigins: [...portalOrigins, 'http://localhost:*', 'http://127.0.0.1:*'],
            AllowedMethods: ['GET', 'PUT', 'HEAD'],
            AllowedHeaders: ['*'],
            ExposeHeaders: ['ETag'],
            MaxAgeSeconds: 3000,
          },
        ],
      },
    }),
  );
}

const retentionSeconds = String(agencyQueue.retentionDays * 24 * 60 * 60);

async function ensureQueue(client: SQSClient, name: string, attributes: Record<string, string>): Promise<{ url: string; arn: string }> {
  let url: string | undefined;
  try {
    url = (await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl;
  } catch (err) {
    // The declaration changed since the queue was made (or a snapshot restored older attributes): update it.
    if ((err as Error).name !== 'QueueNameExists' && !String((err as Error).message).includes('already exists')) throw err;
    url = (await client.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl;
    if (url) await client.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }));
  }
  if (!url) throw new Error(`CreateQueue ${name} returned no URL`);
  const arn = (await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
  if (!arn) throw new Error(`queue ${name} has no ARN`);
  return { url, arn };
}

/** Per agency: its queue and dead-letter queue; plus the DLQ for stream batches that keep failing. */
export async function ensureQueues(client: SQSClient, province: Province): Promise<{ agencyQueueUrls: Record<string, string>; eventsDlqUrl: string; notifyDlqUrl: string }> {
  const [notifyDlq, eventsDlq, ...perAgency] = await Promise.all([
    ensureQueue(client, notificationQueue.deadLetterName(province.id), { MessageRetentionPeriod: String(notificationQueue.retentionDays * 24 * 60 * 60) }),
    ensureQueue(client, resourceNames(province.id).eventsDlq, { MessageRetentionPeriod: retentionSeconds }),
    ...province.agencies.map(async (agency) => {
      const dlq = await ensureQueue(client, agencyQueue.deadLetterName(province.id, agency.id), { MessageRetentionPeriod: retentionSeconds });
      const queue = await ensureQueue(client, agencyQueue.name(province.id, agency.id), {
        VisibilityTimeout: String(agencyQueue.visibilityTimeoutSeconds),
        MessageRetentionPeriod: retentionSeconds,
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: agencyQueue.maxReceiveCount }),
      });
      return [agency.id, queue.url] as const;
    }),
  ]);
  return { agencyQueueUrls: Object.fromEntries(perAgency), eventsDlqUrl: eventsDlq.url, notifyDlqUrl: notifyDlq.url };
}
