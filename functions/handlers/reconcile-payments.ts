import type { Context, ScheduledEvent } from 'aws-lambda';
import { paymentDeps } from '../adapters/payment-deps.js';
import { reconcilePayments } from '../app/payments.js';
import { logger } from '../http/logger.js';
import { businessMetrics } from '../declaration.js';
import { countMetric, withMetrics } from '../http/metrics.js';
import { traced } from '../adapters/tracing.js';

/** Every 15 minutes: settles the payments the gateway never notified, and reports what does not match. */
export const handler = traced(withMetrics(async (_event: ScheduledEvent, _context: Context) => {
  const report = await reconcilePayments(paymentDeps());
  if (report.mismatches.length > 0) logger.warn('payment reconciliation: mismatches', { mismatches: report.mismatches });
  logger.info('payment reconciliation', { ...report, mismatches: report.mismatches.length });
  if (report.paid > 0) countMetric(businessMetrics.paymentsSettled, { source: 'reconciliation' }, report.paid);
  return report;
}));
