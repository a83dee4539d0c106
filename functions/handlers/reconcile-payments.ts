import type { Context, ScheduledEvent } from 'aws-lambda';
import { paymentDeps } from '../adapters/payment-deps.js';
import { reconcilePayments } from '../app/payments.js';
import { logger } from '../http/logger.js';

/** Every 15 minutes: settles the payments the gateway never notified, and reports what does not match. */
export const handler = async (_event: ScheduledEvent, _context: Context) => {
  const report = await reconcilePayments(paymentDeps());
  if (report.mismatches.length > 0) logger.warn('payment reconciliation: mismatches', { mismatches: report.mismatches });
  logger.info('payment reconciliation', { ...report, mismatches: report.mismatches.length });
  return report;
};
