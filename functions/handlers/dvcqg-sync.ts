import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { newImageOf } from '../adapters/stream-image.js';
import { nationalSyncDeps } from '../adapters/national-deps.js';
import { syncEvent } from '../app/national-sync.js';
import type { StoredEvent } from '../app/route-events.js';
import { logger } from '../http/logger.js';

/**
 * Reports each dossier event to the national portal, in order per dossier. Records are processed one by
 * one; once one fails (after its own retries with backoff), every later record of the batch fails
 * unsent, so the retry resumes at the failed one and the portal never sees a step before the one
 * preceding it. After the stream's retries the batch goes to the dead-letter destination; the dossier
 * stays "not in sync" and the reconciliation sends it again.
 */
const processor = new BatchProcessor(EventType.DynamoDBStreams);
let failedInBatch = false;

async function syncRecord(record: DynamoDBRecord): Promise<void> {
  if (failedInBatch) throw new Error('held back: an earlier record of this batch failed, order is kept');
  const stored = newImageOf<StoredEvent>(record);
  if (!stored) return;
  if (!stored.eventId || !stored.dossier) return;
  try {
    const outcome = await syncEvent(await nationalSyncDeps(), stored);
    logger.info('national sync', { dossier: stored.dossierCode, version: stored.version, outcome });
  } catch (err) {
    failedInBatch = true;
    logger.warn('national sync failed', { dossier: stored.dossierCode, version: stored.version, error: (err as Error).message });
    throw err;
  }
}

export const handler = async (event: DynamoDBStreamEvent, context: Context) => {
  failedInBatch = false;
  return processPartialResponse(event, syncRecord, processor, { context, processInParallel: false });
};
