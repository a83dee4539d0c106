import { createHash } from 'node:crypto';
import { awsCaller, AwsCallError, SQS, type AwsCallerOptions } from './aws-call.js';

/**
 * SQS SendMessage over the JSON protocol (`AmazonSQS.SendMessage`, x-amz-json-1.0), signed and sent by
 * aws-call.ts: the functions only send, and the SDK's SQS client would be most of their bundle.
 */

export interface MessageAttribute {
  readonly DataType: 'String' | 'Number';
  readonly StringValue: string;
}

export interface SendMessageInput {
  readonly QueueUrl: string;
  readonly MessageBody: string;
  readonly MessageAttributes?: Readonly<Record<string, MessageAttribute>>;
}

/** What the functions ask of SQS. */
export interface QueueSender {
  sendMessage(input: SendMessageInput): Promise<{ readonly MessageId: string }>;
}

export function signedSqs(options: AwsCallerOptions = {}): QueueSender {
  const call = awsCaller(SQS, options);
  return {
    async sendMessage(input) {
      // The SDK sends to the queue URL's own host when it differs from the resolved endpoint
      // (useQueueUrlAsEndpoint); so does this: locally both are fauxqs, in the cloud both are regional.
      const queue = new URL(input.QueueUrl);
      const answer = await call({
        operation: 'SendMessage',
        method: 'POST',
        endpoint: new URL(queue.origin),
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessage', 'x-amzn-query-mode': 'true' },
        body: JSON.stringify(input),
        resource: { queue_url: input.QueueUrl },
      });
      const out = JSON.parse(answer.text) as { MessageId?: string; MD5OfMessageBody?: string };
      // as the SDK checks by default: what SQS stored is what was sent
      const md5 = createHash('md5').update(input.MessageBody, 'utf8').digest('hex');
      if (out.MD5OfMessageBody !== md5) throw new AwsCallError('InvalidChecksumError', `SQS answered MD5OfMessageBody ${String(out.MD5OfMessageBody)}, the body's is ${md5}`, answer.status, false, false);
      return { MessageId: out.MessageId ?? '' };
    },
  };
}

let sqs: QueueSender | undefined;

/** One per container, as the SDK client was. */
export function sqsClient(): QueueSender {
  sqs ??= signedSqs();
  return sqs;
}
