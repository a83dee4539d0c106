import type { Context, ScheduledEvent } from 'aws-lambda';
import { currentProvince } from '../adapters/province.js';
import { notificationDeps } from '../adapters/notification-deps.js';
import { sendDigests } from '../app/notifications.js';
import { logger } from '../http/logger.js';
import { traced } from '../adapters/tracing.js';

/** Every 15 minutes: one mail per agency for each closed hour that filed new, due-tomorrow or overdue dossiers. */
export const handler = traced(async (_event: ScheduledEvent, _context: Context) => {
  const deps = notificationDeps();
  const result = await sendDigests({ ...deps, digests: deps.log, province: currentProvince() });
  if (result.withoutAddress.length > 0) logger.warn('digest not sent: these agencies have no email in the province file', { agencies: result.withoutAddress });
  if (result.sent > 0) logger.info('digests sent', { sent: result.sent });
  return result;
});
