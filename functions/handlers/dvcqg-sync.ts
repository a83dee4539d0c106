import { eventConsumer } from '../adapters/event-consumer.js';
import { nationalSyncDeps } from '../adapters/national-deps.js';
import { syncEvent } from '../app/national-sync.js';
import { logger } from '../http/logger.js';

/**
 * Reports each dossier event to the national portal, in order per dossier. Records are processed one by
 * one; once one fails (after its own retries with backoff), every later record of the batch fails
 * unsent, so the retry resumes at the failed one and the portal never sees a step before the one
 * preceding it. After the stream's retries the batch goes to the dead-letter destination; the dossier
 * stays "not in sync" and the reconciliation sends it again. The portal gets no personal data of the
 * applicant (functions/domain/dvcqg.ts), so the event's dossier view is all it needs.
 */
export const handler = eventConsumer(
  async (stored) => {
    try {
      const outcome = await syncEvent(await nationalSyncDeps(), stored);
      logger.info('national sync', { dossier: stored.dossierCode, version: stored.version, outcome });
    } catch (err) {
      logger.warn('national sync failed', { dossier: stored.dossierCode, version: stored.version, error: (err as Error).message });
      throw err;
    }
  },
  { keepOrder: true },
);
