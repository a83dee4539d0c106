import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured logger per function; the service name groups a province's logs. Its Lambda context and
 * temporary keys belong to the invocation: Powertools keeps them per invocation in Lambda's InvokeStore
 * where invocations run concurrently (AWS_LAMBDA_MAX_CONCURRENCY: managed instances, and the local runtime).
 */
export const logger = new Logger({
  serviceName: `motcua-${process.env.PROVINCE_ID ?? 'local'}`,
  logLevel: (process.env.LOG_LEVEL as 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT' | undefined) ?? 'INFO',
});
