import { dynamo } from '../adapters/dynamo-client.js';
import { requiredEnv } from '../adapters/env.js';
import { streamConsumer } from '../adapters/event-consumer.js';
import { steppedDossierSchema } from '../adapters/event-item.js';
import { stepEventOf, toDossier } from '../adapters/dossier-items.js';
import { recordHistoryEvent } from '../adapters/history-event.js';
import { environment } from '../declaration.js';
import { logger } from '../http/logger.js';

/**
 * The history item of each workflow step whose own write of it was cut off. A step commits the dossier
 * item alone, carrying its event (functions/adapters/dossier-repository.ts, saveTransition); the item's
 * stream record is the outbox of last resort: this consumer reads it and writes the event's history item
 * if it is missing, which the other consumers then see inserted as usual. Almost always the step wrote it
 * already, so it looks before writing. In order per shard, so one dossier's history items are inserted in
 * version order.
 */
let table: string | undefined;

export const handler = streamConsumer(
  steppedDossierSchema,
  (image) => ({ dossierCode: image.code, eventId: image.lastEvent.eventId }),
  async (image) => {
    // a sweeper mark's write of the same step finds its item there
    const event = stepEventOf(image);
    if (!event) return;
    table ??= requiredEnv(environment.tableName);
    const outcome = await recordHistoryEvent(dynamo(), table, event, toDossier(image), { readFirst: true });
    if (outcome === 'written') logger.info('history event recorded from the stream', { version: image.version });
  },
);
