import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type * as z from 'zod/mini';

/** A stream record whose new image does not have the shape its schema describes. */
export class StreamRecordShapeError extends Error {}

/** `path: code` of each issue: enough to find the fault, and no value of the item (values may be personal). */
export const describeIssues = (issues: readonly z.core.$ZodIssue[]): string => issues.map((i) => `${i.path.map(String).join('.') || '(item)'}: ${i.code}`).join('; ');

/**
 * The item a stream record's new image holds, decoded as the document client wrote it and parsed with
 * `schema`: the one decoding every stream consumer uses, so that what reaches an agency queue or the
 * national portal is what the table holds (empty maps and lists included, see
 * test/integration/stream-images.test.ts), and an item of another shape is refused (StreamRecordShapeError,
 * naming the record's keys and the failed paths only) instead of being cast. Undefined for a record
 * without a new image (a removal).
 */
export function newImageOf<T>(record: DynamoDBRecord, schema: z.ZodMiniType<T>): T | undefined {
  const image = record.dynamodb?.NewImage;
  if (!image) return undefined;
  // aws-lambda's AttributeValue type predates the SDK's; the wire format is the same.
  const parsed = schema.safeParse(unmarshall(image as Record<string, AttributeValue>));
  if (parsed.success) return parsed.data;
  const keys = record.dynamodb?.Keys;
  const where = `${keys?.pk?.S ?? '?'} ${keys?.sk?.S ?? '?'}`;
  throw new StreamRecordShapeError(`stream record ${record.eventID ?? '?'} (${where}) does not fit its schema: ${describeIssues(parsed.error.issues)}`);
}
