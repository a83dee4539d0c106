import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';

/**
 * The item a stream record's new image holds, as the document client wrote it: the one decoding every
 * stream consumer uses, so that what reaches an agency queue or the national portal is what the table
 * holds (empty maps and lists included, see test/integration/stream-images.test.ts). Undefined for a
 * record without a new image (a removal).
 */
export function newImageOf<T>(record: DynamoDBRecord): T | undefined {
  const image = record.dynamodb?.NewImage;
  if (!image) return undefined;
  // aws-lambda's AttributeValue type predates the SDK's; the wire format is the same.
  return unmarshall(image as Record<string, AttributeValue>) as T;
}
