import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { newImageOf } from '../adapters/stream-image.js';
import { environment } from '../declaration.js';
import { requiredEnv } from '../adapters/env.js';
import { sqsClient } from '../adapters/sqs-client.js';
import { AgencyQueues } from '../adapters/agency-queues.js';
import { agencyMessage, type StoredEvent } from '../app/route-events.js';
import { logger } from '../http/logger.js';

const processor = new BatchProcessor(EventType.DynamoDBStreams);
let queues: AgencyQueues | undefined;

async function routeRecord(record: DynamoDBRecord): Promise<void> {
  const stored = newImageOf<StoredEvent>(record);
  if (!stored) return;
  queues ??= new AgencyQueues(sqsClient(), requiredEnv(environment.provinceId), requiredEnv(environment.queueUrlBase));
  const message = agencyMessage(requiredEnv(environment.provinceId), process.env[environment.publicBaseUrl] ?? '', stored);
  await queues.publish(message);
  logger.info('routed', { eventId: message.eventId, dossier: message.dossier.code, agency: message.agency.id, type: message.type });
}

/**
 * Publishes each dossier event to the agency queue. Records are processed in order so that an agency
 * sees a dossier's events in sequence; a failed record is reported and retried from there, which may
 * resend later ones: consumers deduplicate on eventId.
 */
export const handler = async (event: DynamoDBStreamEvent, context: Context) =>
  processPartialResponse(event, routeRecord, processor, { context, processInParallel: false });
