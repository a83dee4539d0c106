import type { Context, ScheduledEvent } from 'aws-lambda';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { calendarMetric, environment } from '../declaration.js';
import { dynamo } from '../adapters/dynamo-client.js';
import { requiredEnv } from '../adapters/env.js';
import { currentProvince } from '../adapters/province.js';
import { now } from '../adapters/clock.js';
import { DossierRepository } from '../adapters/dossier-repository.js';
import { DeadlineIndex } from '../adapters/deadline-index.js';
import { sweepDeadlines } from '../app/deadlines.js';
import { calendarWarning } from '../domain/calendar.js';
import { logger } from '../http/logger.js';
import { traced } from '../adapters/tracing.js';

let deps: { repo: DossierRepository; index: DeadlineIndex } | undefined;
let metrics: Metrics | undefined;

/**
 * Every 15 minutes: marks overdue dossiers and reminds agencies one working day before a deadline; and
 * reports whether appointments issued now reach a year counted on the statute alone (metric + warning).
 */
export const handler = traced(async (_event: ScheduledEvent, _context: Context) => {
  const tableName = requiredEnv(environment.tableName);
  deps ??= { repo: new DossierRepository(dynamo(), tableName), index: new DeadlineIndex(dynamo(), tableName) };
  const province = currentProvince();
  const at = now();
  metrics ??= new Metrics({ namespace: calendarMetric.namespace, serviceName: calendarMetric.service(province.id) });
  const warning = calendarWarning(province.calendar, province.services, at);
  metrics.addMetric(calendarMetric.name, MetricUnit.Count, warning?.statutoryYears.length ?? 0);
  metrics.publishStoredMetrics();
  if (warning) logger.warn(warning.message, { statutoryYears: warning.statutoryYears });
  const result = await sweepDeadlines({ ...deps, province, now: at });
  logger.info('deadline sweep', { ...result });
  return result;
});
