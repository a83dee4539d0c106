import { LogFormatter, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';

/**
 * Personal data never reaches the logs. Log calls name codes and ids, never applicants; this formatter
 * is the net under them: every string of every log line (messages, attributes, error messages and
 * stacks, whatever an SDK or a parser put in them) has ID numbers (CMND 9 / CCCD 12 digits), Vietnamese
 * phone numbers and e-mail addresses replaced before the line is written.
 */

const patterns: readonly RegExp[] = [
  // e-mail addresses
  /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g,
  // phone numbers: 0 or +84 then 9-10 digits (before the ID rule, which would leave a stub); next to
  // letters too: `sđt0912345678`, `CCCD079123456789.pdf` are how people write and name files
  /(?<!\d)(?:\+84|0)\d{9,10}(?!\d)/g,
  // CMND (9 digits) and CCCD (12 digits)
  /(?<!\d)(?:\d{12}|\d{9})(?!\d)/g,
];

/**
 * Ids the logs must keep whole to be followed, whose digit runs are no one's number: UUIDs (event,
 * request and document ids; their last group is twelve decimal digits about once in 280), X-Ray trace ids
 * and hex digests (SHA-256 of a document) with at least one letter among their digits.
 */
const keptIds = /(?<![0-9A-Za-z-])(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|1-[0-9a-f]{8}-[0-9a-f]{24}|(?=[0-9a-f]*[a-f])[0-9a-f]{32,})(?![0-9A-Za-z])/gi;

export const REDACTED = '[redacted]';

const scrubPlain = (text: string): string => patterns.reduce((t, p) => t.replace(p, REDACTED), text);

export function scrub(text: string): string {
  let out = '';
  let from = 0;
  for (const match of text.matchAll(keptIds)) {
    out += scrubPlain(text.slice(from, match.index)) + match[0];
    from = match.index + match[0].length;
  }
  return out + scrubPlain(text.slice(from));
}

function scrubValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrub(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { name: value.name, message: scrub(value.message), ...(value.stack ? { stack: scrub(value.stack) } : {}) };
  }
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubValue(v, depth + 1)]));
}

/** Powertools' own record (its formatter is not exported), every string scrubbed. */
export class PrivacyLogFormatter extends LogFormatter {
  override formatAttributes(attributes: UnformattedAttributes, additionalLogAttributes: LogAttributes): LogItem {
    const base: LogAttributes = {
      level: attributes.logLevel,
      message: attributes.message,
      timestamp: this.formatTimestamp(attributes.timestamp),
      service: attributes.serviceName,
      cold_start: attributes.lambdaContext?.coldStart,
      function_arn: attributes.lambdaContext?.invokedFunctionArn,
      function_memory_size: attributes.lambdaContext?.memoryLimitInMB,
      function_name: attributes.lambdaContext?.functionName,
      function_request_id: attributes.lambdaContext?.awsRequestId,
      sampling_rate: attributes.sampleRateValue,
      xray_trace_id: attributes.xRayTraceId,
    };
    // the Lambda context (function ARN with the account id, request and trace ids) is ours, not a person's
    const message = typeof base.message === 'string' ? scrub(base.message) : base.message;
    return new LogItem({ attributes: { ...base, message } }).addAttributes(scrubValue(additionalLogAttributes, 0) as LogAttributes);
  }

  override formatError(error: Error): LogAttributes {
    return scrubValue(super.formatError(error), 0) as LogAttributes;
  }
}
