import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { OutgoingEmail, OutgoingSms } from '../domain/notifications.js';
import { ProviderError, type EmailSender, type SmsSender } from '../app/ports.js';

// The channels' interfaces are ports of the use cases (functions/app/ports.ts).
export { ProviderError, type EmailSender, type SmsSender } from '../app/ports.js';

/** An SDK error is permanent when the service refused the request itself (4xx other than throttling). */
function fromSdkError(err: unknown): ProviderError {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const throttled = e.name === 'TooManyRequestsException' || e.name === 'ThrottlingException' || e.name === 'Throttling' || status === 429;
  return new ProviderError(`${e.name ?? 'Error'}: ${e.message ?? String(err)}`, status !== undefined && status >= 400 && status < 500 && !throttled);
}

/** Amazon SES v2. `from` must be a verified identity of the account (see README, Notifications). */
export class SesEmailSender implements EmailSender {
  constructor(
    private readonly ses: SESv2Client,
    private readonly from: string,
  ) {}

  async send(message: OutgoingEmail, reference: string): Promise<{ providerId: string }> {
    try {
      const answer = await this.ses.send(
        new SendEmailCommand({
          FromEmailAddress: this.from,
          Destination: { ToAddresses: [message.to] },
          Content: { Simple: { Subject: { Data: message.subject, Charset: 'UTF-8' }, Body: { Text: { Data: message.text, Charset: 'UTF-8' } } } },
          // SES tags allow letters, digits, _ and - only: the marker key names the event and channel
          EmailTags: [{ Name: 'notification', Value: reference.replace(/[^A-Za-z0-9_-]/g, '_') }],
        }),
      );
      return { providerId: answer.MessageId ?? '' };
    } catch (err) {
      throw fromSdkError(err);
    }
  }
}

/** Amazon SNS direct SMS, transactional (delivered even to numbers that opted out of promotions). */
export class SnsSmsSender implements SmsSender {
  constructor(
    private readonly sns: SNSClient,
    private readonly senderId?: string,
  ) {}

  async send(message: OutgoingSms): Promise<{ providerId: string }> {
    try {
      const answer = await this.sns.send(
        new PublishCommand({
          PhoneNumber: message.to,
          Message: message.text,
          MessageAttributes: {
            'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
            ...(this.senderId ? { 'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: this.senderId } } : {}),
          },
        }),
      );
      return { providerId: answer.MessageId ?? '' };
    } catch (err) {
      throw fromSdkError(err);
    }
  }
}

/**
 * An SMS gateway reached over HTTP with JSON `{to, text, reference}` → `{messageId}`: the shape of the
 * Vietnamese brand-name SMS and Zalo ZNS APIs once their vendor-specific fields are mapped in a small
 * proxy, and of the local outbox (`/local/sms`). `reference` lets a gateway that deduplicates do so too.
 */
export class HttpSmsSender implements SmsSender {
  constructor(
    private readonly url: string,
    private readonly timeoutMs = 5000,
  ) {}

  async send(message: OutgoingSms, reference: string): Promise<{ providerId: string }> {
    let answer: Response;
    try {
      answer = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ to: message.to, text: message.text, reference }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new ProviderError(`SMS gateway unreachable: ${err instanceof Error ? err.message : String(err)}`, false);
    }
    const body = await answer.text();
    if (!answer.ok) throw new ProviderError(`SMS gateway answered ${answer.status}: ${body.slice(0, 200)}`, answer.status >= 400 && answer.status < 500 && answer.status !== 429);
    try {
      const parsed = JSON.parse(body) as { messageId?: unknown };
      return { providerId: typeof parsed.messageId === 'string' ? parsed.messageId : '' };
    } catch {
      return { providerId: '' };
    }
  }
}
