import type { DeadLetterEntry, DeadLetters } from '../app/ports.js';
import type { QueueSender } from './sqs-client.js';

/** Notifications that failed every attempt, kept 14 days with what is needed to send them again. */
export class SqsDeadLetters implements DeadLetters {
  constructor(
    private readonly sqs: QueueSender,
    private readonly queueUrl: string,
  ) {}

  async park(entry: DeadLetterEntry): Promise<void> {
    await this.sqs.sendMessage({
      QueueUrl: this.queueUrl,
      MessageBody: JSON.stringify(entry),
      MessageAttributes: {
        key: { DataType: 'String', StringValue: entry.key },
        channel: { DataType: 'String', StringValue: entry.message.channel },
        template: { DataType: 'String', StringValue: entry.template },
      },
    });
  }
}
