import { eventConsumer } from '../adapters/event-consumer.js';
import { environment } from '../declaration.js';
import { requiredEnv } from '../adapters/env.js';
import { signedReads } from '../adapters/dynamo-http.js';
import { sqsClient } from '../adapters/sqs-client.js';
import { AgencyQueues } from '../adapters/agency-queues.js';
import { DossierPersonalData } from '../adapters/dossier-personal.js';
import { agencyMessage } from '../app/route-events.js';
import { logger } from '../http/logger.js';

let queues: AgencyQueues | undefined;
let personal: DossierPersonalData | undefined;

/**
 * Publishes each dossier event to the agency queue. Records are processed in order so that an agency
 * sees a dossier's events in sequence; a failed record is reported and retried from there, which may
 * resend later ones: consumers deduplicate on eventId. The applicant and the form, which the agency
 * needs and the event does not carry, are read from the dossier item (only those attributes), in one
 * signed request: the router bundles no DynamoDB client for it.
 */
export const handler = eventConsumer(async (stored) => {
  queues ??= new AgencyQueues(sqsClient(), requiredEnv(environment.provinceId), requiredEnv(environment.queueUrlBase));
  personal ??= new DossierPersonalData(signedReads(), requiredEnv(environment.tableName));
  const part = await personal.forAgencyMessage(stored.dossierCode);
  if (!part) throw new Error(`dossier ${stored.dossierCode} of event ${stored.eventId} has no dossier item to take the applicant from`);
  const message = agencyMessage(requiredEnv(environment.provinceId), process.env[environment.publicBaseUrl] ?? '', stored, part);
  await queues.publish(message);
  logger.info('routed', { eventId: message.eventId, dossier: message.dossier.code, agency: message.agency.id, type: message.type });
});
