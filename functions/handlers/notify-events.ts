import { eventConsumer } from '../adapters/event-consumer.js';
import { environment } from '../declaration.js';
import { dynamo } from '../adapters/dynamo-client.js';
import { requiredEnv } from '../adapters/env.js';
import { DossierPersonalData } from '../adapters/dossier-personal.js';
import { notificationDeps } from '../adapters/notification-deps.js';
import { notifyEvent } from '../app/notifications.js';
import { logger } from '../http/logger.js';

let contacts: DossierPersonalData | undefined;

/**
 * Tells the applicant of each step and files official events for the digest. Sequential like the other
 * stream consumers; a record fails only when a send could neither go out nor be parked, and the markers
 * make the retry resend nothing that went out. The applicant's contact is read from the dossier item:
 * events carry no personal data.
 */
export const handler = eventConsumer(async (event) => {
  const deps = notificationDeps();
  contacts ??= new DossierPersonalData(dynamo(), requiredEnv(environment.tableName));
  const outcomes = await notifyEvent({ ...deps, digests: deps.log, contacts, baseUrl: process.env[environment.publicBaseUrl] ?? '' }, event);
  if (outcomes.length > 0) logger.info('notified', { eventId: event.eventId, type: event.type, outcomes });
});
