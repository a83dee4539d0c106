import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { newImageOf } from '../adapters/stream-image.js';
import { environment } from '../declaration.js';
import { notificationDeps } from '../adapters/notification-deps.js';
import { notifyEvent } from '../app/notifications.js';
import type { StoredDossierEvent } from '../domain/notifications.js';
import { logger } from '../http/logger.js';

const processor = new BatchProcessor(EventType.DynamoDBStreams);

async function notifyRecord(record: DynamoDBRecord): Promise<void> {
  const event = newImageOf<StoredDossierEvent>(record);
  if (!event) return;
  if (!event.eventId || !event.dossier) return;
  const deps = notificationDeps();
  const outcomes = await notifyEvent({ ...deps, digests: deps.log, baseUrl: process.env[environment.publicBaseUrl] ?? '' }, event);
  if (outcomes.length > 0) logger.info('notified', { eventId: event.eventId, type: event.type, outcomes });
}

/**
 * Tells the applicant of each step and files official events for the digest. Sequential like the other
 * stream consumers; a record fails only when a send could neither go out nor be parked, and the markers
 * make the retry resend nothing that went out.
 */
export const handler = async (event: DynamoDBStreamEvent, context: Context) =>
  processPartialResponse(event, notifyRecord, processor, { context, processInParallel: false });
