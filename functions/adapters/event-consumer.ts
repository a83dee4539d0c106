import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
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
 * The Lambda handler of a table-stream consumer of history events. Records are processed one by one in
 * order; each is parsed with the event item schema (either version, see event-item.ts), and one that does
 * not fit is logged (its keys and failed paths, no values) and reported as a failed batch item, never
 * cast. Every line logged while a record is processed carries its dossier code and event id, and the
 * invocation's Lambda context; in X-Ray each record is a subsegment annotated with its dossier code.
 */
export function eventConsumer(handle: (event: StoredEventItem) => Promise<void>, options: EventConsumerOptions = {}) {
  const processor = new BatchProcessor(EventType.DynamoDBStreams);
  let failedInBatch = false;

  async function processRecord(record: DynamoDBRecord): Promise<void> {
    if (options.keepOrder && failedInBatch) throw new Error('held back: an earlier record of this batch failed, order is kept');
    try {
      const event = parse(record);
      if (!event) return;
      await tracedRecord('record', event.dossierCode, () => withLogKeys({ dossierCode: event.dossierCode, eventId: event.eventId }, () => handle(event)));
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

function parse(record: DynamoDBRecord): StoredEventItem | undefined {
  try {
    return newImageOf(record, storedEventSchema);
  } catch (err) {
    if (err instanceof StreamRecordShapeError) logger.warn('stream record refused', { sequenceNumber: record.dynamodb?.SequenceNumber, reason: err.message });
    throw err;
  }
}
