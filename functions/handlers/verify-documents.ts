import type { S3Event } from 'aws-lambda';
import { verifierDeps } from '../adapters/verifier-deps.js';
import { verifyUpload } from '../app/documents.js';
import { logger } from '../http/logger.js';
import { traced, tracedRecord } from '../adapters/tracing.js';
import { parseObjectKey } from '../domain/documents.js';

/** S3 URL-encodes keys in event notifications, with `+` for spaces. */
export const keyOfEvent = (raw: string): string => decodeURIComponent(raw.replace(/\+/g, ' '));

/**
 * Verifies every object created under the documents' prefix. Records are judged one by one; a thrown
 * error fails the invocation so that Lambda retries it (verification is idempotent: it re-reads the object).
 */
export const handler = traced(async (event: S3Event): Promise<void> => {
  for (const record of event.Records) {
    if (!record.eventName.startsWith('ObjectCreated')) continue;
    const key = keyOfEvent(record.s3.object.key);
    await tracedRecord('object', parseObjectKey(key)?.dossierCode, async () => {
      const size = record.s3.object.size;
      const outcome = await verifyUpload(verifierDeps(), key, record.s3.object.versionId, typeof size === 'number' ? size : undefined);
      logger.info('document checked', { key, outcome, size: record.s3.object.size });
    });
  }
});
