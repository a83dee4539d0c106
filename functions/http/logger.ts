import { Logger } from '@aws-lambda-powertools/logger';
import { PrivacyLogFormatter } from './log-privacy.js';

/** One structured logger per function; the service name groups a province's logs. */
export const logger = new Logger({
  serviceName: `motcua-${process.env.PROVINCE_ID ?? 'local'}`,
  logLevel: (process.env.LOG_LEVEL as 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT' | undefined) ?? 'INFO',
  // ID numbers, phone numbers and e-mail addresses are scrubbed from every line (see log-privacy.ts)
  logFormatter: new PrivacyLogFormatter(),
});
