import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  StartMessageMoveTaskCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { agencyQueue } from '../functions/declaration.js';

/**
 * Queue operations for a province's agency queues, the same calls against the cloud and `npm start`.
 * Two things differ: the age of the oldest message is a CloudWatch metric in the cloud (SQS has no
 * attribute for it) and a look at the queue's content locally; and fauxqs has no StartMessageMoveTask, so
 * locally a redrive moves the messages itself (receive from the dead-letter queue, send to the queue,
 * then delete), which has the same effect for a standard queue.
 */

export interface AgencyQueueStatus {
  readonly agencyId: string;
  readonly depth: number;
  readonly inFlight: number;
  /** seconds; undefined when the queue is empty or the age cannot be known */
  readonly oldestAgeSeconds: number | undefined;
  readonly deadLetters: number;
}

/** How old the oldest message of a queue is, in seconds. */
export type OldestAge = (queueName: string, queueUrl: string) => Promise<number | undefined>;

export async function queueUrlOf(sqs: SQSClient, name: string): Promise<string> {
  const answer = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
  if (!answer.QueueUrl) throw new Error(`no queue named ${name}`);
  return answer.QueueUrl;
}

async function counts(sqs: SQSClient, url: string): Promise<{ visible: number; inFlight: number; arn: string }> {
  const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'QueueArn'] }))).Attributes ?? {};
  return { visible: Number(a.ApproximateNumberOfMessages ?? 0), inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0), arn: a.QueueArn ?? '' };
}

export async function agencyQueueStatus(sqs: SQSClient, provinceId: string, agencyIds: readonly string[], oldestAge: OldestAge): Promise<AgencyQueueStatus[]> {
  const out: AgencyQueueStatus[] = [];
  for (const agencyId of agencyIds) {
    const name = agencyQueue.name(provinceId, agencyId);
    const url = await queueUrlOf(sqs, name);
    const dlqUrl = await queueUrlOf(sqs, agencyQueue.deadLetterName(provinceId, agencyId));
    const [queue, dlq] = await Promise.all([counts(sqs, url), counts(sqs, dlqUrl)]);
    const age = queue.visible + queue.inFlight > 0 ? await oldestAge(name, url) : undefined;
    out.push({ agencyId, depth: queue.visible, inFlight: queue.inFlight, oldestAgeSeconds: age, deadLetters: dlq.visible + dlq.inFlight });
  }
  return out;
}

/** Locally: fauxqs's inspection endpoint shows every message without receiving it (no receive count spent). */
export function fauxqsOldestAge(endpoint: string, now: () => number = Date.now): OldestAge {
  return async (queueName) => {
    const res = await fetch(`${endpoint.replace(/\/$/, '')}/_fauxqs/queues/${encodeURIComponent(queueName)}`);
    if (!res.ok) return undefined;
    const state = (await res.json()) as { messages?: { ready?: { sentTimestamp: number }[]; delayed?: { sentTimestamp: number }[]; inflight?: { message: { sentTimestamp: number } }[] } };
    const sent = [...(state.messages?.ready ?? []), ...(state.messages?.delayed ?? []), ...(state.messages?.inflight ?? []).map((e) => e.message)].map((m) => m.sentTimestamp);
    return sent.length === 0 ? undefined : Math.max(0, Math.round((now() - Math.min(...sent)) / 1000));
  };
}

export type RedriveResult = { kind: 'move-task'; taskHandle: string } | { kind: 'moved'; moved: number };

/** In the cloud: SQS's own message-move task from the dead-letter queue back to the agency queue. */
export async function startRedriveTask(sqs: SQSClient, provinceId: string, agencyId: string): Promise<RedriveResult> {
  const [queue, dlq] = await Promise.all([
    queueUrlOf(sqs, agencyQueue.name(provinceId, agencyId)).then((u) => counts(sqs, u)),
    queueUrlOf(sqs, agencyQueue.deadLetterName(provinceId, agencyId)).then((u) => counts(sqs, u)),
  ]);
  const answer = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, DestinationArn: queue.arn }));
  return { kind: 'move-task', taskHandle: answer.TaskHandle ?? '' };
}

/** Locally: the same effect by hand, batch by batch, each message sent before it is deleted (at least once). */
export async function moveDeadLetters(sqs: SQSClient, provinceId: string, agencyId: string): Promise<RedriveResult> {
  const queueUrl = await queueUrlOf(sqs, agencyQueue.name(provinceId, agencyId));
  const dlqUrl = await queueUrlOf(sqs, agencyQueue.deadLetterName(provinceId, agencyId));
  let moved = 0;
  for (;;) {
    const batch = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 60, MessageAttributeNames: ['All'] }))).Messages ?? [];
    if (batch.length === 0) return { kind: 'moved', moved };
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((m, i) => ({ Id: String(i), MessageBody: m.Body ?? '', ...(m.MessageAttributes ? { MessageAttributes: m.MessageAttributes } : {}) })),
      }),
    );
    const ok = new Set((sent.Successful ?? []).map((s) => s.Id));
    const done = batch.filter((_, i) => ok.has(String(i)));
    if (done.length > 0) await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: dlqUrl, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
    moved += done.length;
    if (done.length < batch.length) throw new Error(`redrive: ${batch.length - done.length} messages could not be sent back; they stay in the dead-letter queue`);
  }
}
