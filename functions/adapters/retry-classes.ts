/**
 * The SDK's standard retry strategy (@smithy/core retry and @smithy/service-error-classification, 2026
 * defaults), shared by the signed callers (dynamo-http.ts, aws-call.ts): three attempts, full-jitter
 * exponential backoff from 50 ms, from 1 s after throttling, at most 20 s.
 */
export const MAX_ATTEMPTS = 3;
export const BASE_DELAY_MS = 50;
export const THROTTLING_BASE_DELAY_MS = 1000;
export const MAX_DELAY_MS = 20_000;

export const throttlingCodes: ReadonlySet<string> = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);
export const transientCodes: ReadonlySet<string> = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
export const transientStatuses: ReadonlySet<number> = new Set([500, 502, 503, 504]);
