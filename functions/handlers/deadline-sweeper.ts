import type { Context, ScheduledEvent } from 'aws-lambda';
import { environment } from '../declaration.js';
import { dynamo, requiredEnv } from '../adapters/clients.js';
import { currentProvince } from '../adapters/province.js';
import { now } from '../adapters/clock.js';
import { DossierRepository } from '../adapters/dossier-repository.js';
import { DeadlineIndex } from '../adapters/deadline-index.js';
import { sweepDeadlines } from '../app/deadlines.js';
import { logger } from '../http/logger.js';

let deps: { repo: DossierRepository; index: DeadlineIndex } | undefined;

/** Every 15 minutes: marks overdue dossiers and reminds agencies one working day before a deadline. */
export const handler = async (_event: ScheduledEvent, _context: Context) => {
  const tableName = requiredEnv(environment.tableName);
  deps ??= { repo: new DossierRepository(dynamo(), tableName), index: new DeadlineIndex(dynamo(), tableName) };
  const result = await sweepDeadlines({ ...deps, province: currentProvince(), now: now() });
  logger.info('deadline sweep', { ...result });
  return result;
};
