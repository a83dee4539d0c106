import { eventConsumer } from '../adapters/event-consumer.js';
import { environment } from '../declaration.js';
import { dynamo } from '../adapters/dynamo-client.js';
import { requiredEnv } from '../adapters/env.js';
import { PaymentRepository } from '../adapters/payment-repository.js';
import { recordRefunds } from '../app/payments.js';
import { logger } from '../http/logger.js';

/**
 * From the dossier events (the outbox): a dossier refused, withdrawn or stopped after paying online owes
 * the payment back; each paid payment is marked refund-due once (a conditional update, so a redelivered
 * event changes nothing). The money itself is returned by the agency's treasury, outside this system.
 */

const closing = new Set(['dossier.refuse', 'dossier.withdraw', 'dossier.stop']);
let payments: PaymentRepository | undefined;

export const handler = eventConsumer(async (event) => {
  if (!closing.has(event.type)) return;
  payments ??= new PaymentRepository(dynamo(), requiredEnv(environment.tableName));
  const recorded = await recordRefunds({ payments }, event.dossier, event.at, event.type);
  if (recorded > 0) logger.info('refunds recorded', { dossierCode: event.dossierCode, recorded });
});
