import { BatchProcessor, EventType, FullBatchFailureError, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type * as z from 'zod/mini';
import { logger, withInvocationLogger, withLogKeys } from '../http/logger.js';
import { storedEventSchema, type StoredEventItem } from './event-item.js';
import { newImageOf, StreamRecordShapeError } from './stream-image.js';
import { traced, tracedRecord } from './tracing.js';

export interface EventConsumerOptions {
  /**
   * Once a record fails, every later record of the batch fails unprocessed, so the retry resumes at the
   * failed one and nothing downstream sees a step before the one preceding it.
   */
  readonly keepOrder?: boolean;
}

/**
 * The Lambda handler of a table-stream consumer. Records are processed one by one in order; each new
 * image is parsed with `schema`, and one that does not fit is logged (its keys and failed paths, no
 * values) and reported as a failed batch item, never cast. Every line logged while a record is processed
 * carries the keys `logKeys` names (its dossier code, its event id), and the invocation's Lambda context;
 * in X-Ray each record is a subsegment annotated with its dossier code.
 */
export function streamConsumer<T>(
  schema: z.ZodMiniType<T>,
  logKeys: (item: T) => Readonly<Record<string, string>> & { readonly dossierCode: string },
  handle: (item: T) => Promise<void>,
  options: EventConsumerOptions = {},
) {
  const processor = new BatchProcessor(EventType.DynamoDBStreams);
  let failedInBatch = false;

  async function processRecord(record: DynamoDBRecord): Promise<void> {
    if (options.keepOrder && failedInBatch) throw new Error('held back: an earlier record of this batch failed, order is kept');
    try {
      const item = parse(record, schema);
      if (!item) return;
      const keys = logKeys(item);
      await tracedRecord('record', keys.dossierCode, () => withLogKeys(keys, () => handle(item)));
    } catch (err) {
      failedInBatch = true;
      throw err;
    }
  }

  return traced((event: DynamoDBStreamEvent, context: Context) =>
    withInvocationLogger(context, () => {
      failedInBatch = false;
      return processPartialResponse(event, processRecord, processor, { context, processInParallel: false });
    }),
  );
}

/** A consumer of the outbox: inserted history events, parsed with the event item schema (either version, see event-item.ts). */
export function eventConsumer(handle: (event: StoredEventItem) => Promise<void>, options: EventConsumerOptions = {}) {
  return streamConsumer(storedEventSchema, (event) => ({ dossierCode: event.dossierCode, eventId: event.eventId }), handle, options);
}

/** A record's event, what `prepare` made of it, and the record's sequence number (to report it failed). */
export interface PreparedEvent<P> {
  readonly event: StoredEventItem;
  readonly value: P;
  readonly sequenceNumber: string;
}

/**
 * A consumer of the outbox that writes once per batch rather than once per record: `prepare` runs for
 * each record in order, in the record's log keys and subsegment (a record it throws on is reported
 * failed, as in `streamConsumer`), and returns what the record adds, or undefined for nothing; `write`
 * then gets every prepared record, in order, under a subsegment of its own, and returns those it could
 * not write, which are reported failed too (Lambda resumes the batch at the first failed record, so
 * `write` must recognise what it already wrote). When every record failed, or `write` throws, the
 * invocation fails and the batch comes again whole.
 */
export function batchedEventConsumer<P>(
  prepare: (event: StoredEventItem) => P | undefined,
  write: (prepared: readonly PreparedEvent<P>[]) => Promise<readonly PreparedEvent<P>[]>,
) {
  const processor = new BatchProcessor(EventType.DynamoDBStreams);
  return traced((event: DynamoDBStreamEvent, context: Context) =>
    withInvocationLogger(context, async () => {
      const prepared: PreparedEvent<P>[] = [];
      const processRecord = async (record: DynamoDBRecord): Promise<void> => {
        const item = parse(record, storedEventSchema);
        if (!item) return;
        const value = await tracedRecord('record', item.dossierCode, () => withLogKeys({ dossierCode: item.dossierCode, eventId: item.eventId }, async () => prepare(item)));
        if (value !== undefined) prepared.push({ event: item, value, sequenceNumber: record.dynamodb?.SequenceNumber ?? '' });
      };
      const response = await processPartialResponse(event, processRecord, processor, { context, processInParallel: false });
      const unwritten = prepared.length > 0 ? await tracedRecord('batch', undefined, () => write(prepared)) : [];
      if (unwritten.length === 0) return response;
      const batchItemFailures = [...response.batchItemFailures, ...unwritten.map((p) => ({ itemIdentifier: p.sequenceNumber }))];
      if (batchItemFailures.length >= event.Records.length) throw new FullBatchFailureError(unwritten.map((p) => new Error(`event ${p.event.eventId} was not written`)));
      return { batchItemFailures };
    }),
  );
}

function parse<T>(record: DynamoDBRecord, schema: z.ZodMiniType<T>): T | undefined {
  try {
    return newImageOf(record, schema);
  } catch (err) {
    if (err instanceof StreamRecordShapeError) logger.warn('stream record refused', { sequenceNumber: record.dynamodb?.SequenceNumber, reason: err.message });
    throw err;
  }
}
