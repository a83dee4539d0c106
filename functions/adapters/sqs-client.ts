import { SQSClient } from '@aws-sdk/client-sqs';
import { observed } from './request-observer.js';

let sqs: SQSClient | undefined;

export function sqsClient(): SQSClient {
  sqs ??= observed(new SQSClient({}), 'SQS');
  return sqs;
}
