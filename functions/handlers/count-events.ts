import { batchedEventConsumer } from '../adapters/event-consumer.js';
import { environment } from '../declaration.js';
import { dynamo } from '../adapters/dynamo-client.js';
import { requiredEnv } from '../adapters/env.js';
import { currentProvince } from '../adapters/province.js';
import { now } from '../adapters/clock.js';
import { StatsRepository } from '../adapters/stats-repository.js';
import { counterUpdates, type EventToCount } from '../domain/statistics.js';
import { logger } from '../http/logger.js';

/**
 * Derives the statistics counters from the dossier events, exactly once per event.
 *
 * Why from the stream and not in the transition's own transaction: a transition writes two items today (the dossier and its event);
 * adding up to 18 counter items (3 scopes × day/month/year, plus the reception period's cohort) to the
 * request path would make every citizen's submission contend on the shared province counters, turn a
 * counter conflict into a failed submission, and couple every workflow step to the statistics layout.
 * The event item is already the outbox (written with the state change, or from the dossier item's stream
 * record by RecordHistory when the step's own write of it was cut off), so deriving from it loses
 * nothing; the marker `COUNTED#<eventId>` written in the SAME transaction as the ADDs makes a redelivered
 * or retried record a no-op. Figures lag the transition by the stream's delay and batch window (seconds).
 */

let stats: StatsRepository | undefined;

/**
 * Each record's counter updates are worked out on their own (a record that cannot be counted fails
 * alone, and Lambda resumes the batch there); the batch's events are then counted together, so that
 * events of the same day write their shared counters once. A redelivered record finds its marker; an
 * event DynamoDB would not take fails alone too (countAll).
 */
export const handler = batchedEventConsumer<EventToCount>(
  (event) => {
    const updates = counterUpdates(event, currentProvince().calendar);
    return updates.length === 0 ? undefined : { eventId: event.eventId, dossierCode: event.dossierCode, updates };
  },
  async (prepared) => {
    stats ??= new StatsRepository(dynamo(), requiredEnv(environment.tableName));
    const { before, failed } = await stats.countAll(prepared.map((p) => p.value), now());
    for (const e of before) logger.info('already counted', { dossierCode: e.dossierCode, eventId: e.eventId });
    for (const { event: e, error } of failed) logger.error('could not be counted', { dossierCode: e.dossierCode, eventId: e.eventId, error });
    const unwritten = new Set(failed.map((f) => f.event));
    return prepared.filter((p) => unwritten.has(p.value));
  },
);
