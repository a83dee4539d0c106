import { nationalSyncDeps } from '../adapters/national-deps.js';
import { reconcile } from '../app/national-sync.js';
import { logger } from '../http/logger.js';
import { traced } from '../adapters/tracing.js';

/** The scheduled reconciliation: dossiers the national portal is behind on are sent again. */
export const handler = traced(async (): Promise<void> => {
  const report = await reconcile(await nationalSyncDeps(), { resend: true });
  logger.info('national sync reconciled', {
    checked: report.checked,
    divergent: report.divergent.length,
    resent: report.resent,
    failed: report.failed.length,
    shareInSync: report.shareInSync,
  });
  // a failure is logged per dossier and retried at the next run; the Errors alarm fires only when none went through
  if (report.failed.length > 0 && report.resent === 0) throw new Error(`national sync: ${report.failed.length} dossiers could not be sent`);
});
