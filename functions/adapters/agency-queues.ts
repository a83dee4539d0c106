import type { AgencyMessageV1 } from '../contracts/agency-message.js';
import { agencyQueue } from '../declaration.js';
import type { QueueSender } from './sqs-client.js';

/** Sends to the queue of the message's agency; queue URLs are derived from the shared naming rule. */
export class AgencyQueues {
  constructor(
    private readonly sqs: QueueSender,
    private readonly provinceId: string,
    private readonly queueUrlBase: string,
  ) {}

  urlOf(agencyId: string): string {
    return `${this.queueUrlBase.replace(/\/$/, '')}/${agencyQueue.name(this.provinceId, agencyId)}`;
  }

  async publish(message: AgencyMessageV1): Promise<void> {
    await this.sqs.sendMessage({
      QueueUrl: this.urlOf(message.agency.id),
      MessageBody: JSON.stringify(message),
      MessageAttributes: {
        type: { DataType: 'String', StringValue: message.type },
        schemaVersion: { DataType: 'Number', StringValue: String(message.schemaVersion) },
        dossierCode: { DataType: 'String', StringValue: message.dossier.code },
        eventId: { DataType: 'String', StringValue: message.eventId },
      },
    });
  }
}
