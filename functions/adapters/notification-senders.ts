import { awsCaller, formBody, SESV2, SNS, xmlText, type AwsCall, type AwsCallerOptions } from './aws-call.js';
import type { OutgoingEmail, OutgoingSms } from '../domain/notifications.js';
import { ProviderError, type EmailSender, type SmsSender } from '../app/ports.js';

// The channels' interfaces are ports of the use cases (functions/app/ports.ts).
export { ProviderError, type EmailSender, type SmsSender } from '../app/ports.js';

/** An AWS error (aws-call.ts names it and gives its status as the SDK does) is permanent when the service refused the request itself (4xx other than throttling). */
function fromSdkError(err: unknown): ProviderError {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const throttled = e.name === 'TooManyRequestsException' || e.name === 'ThrottlingException' || e.name === 'Throttling' || status === 429;
  return new ProviderError(`${e.name ?? 'Error'}: ${e.message ?? String(err)}`, status !== undefined && status >= 400 && status < 500 && !throttled);
}

/** Amazon SES v2 SendEmail (REST JSON, `POST /v2/email/outbound-emails`). `from` must be a verified identity of the account (see README, Notifications). */
export class SesEmailSender implements EmailSender {
  private readonly call: AwsCall;
  constructor(
    private readonly from: string,
    options: AwsCallerOptions = {},
  ) {
    this.call = awsCaller(SESV2, options);
  }

  async send(message: OutgoingEmail, reference: string): Promise<{ providerId: string }> {
    try {
      const answer = await this.call({
        operation: 'SendEmail',
        method: 'POST',
        path: '/v2/email/outbound-emails',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          FromEmailAddress: this.from,
          Destination: { ToAddresses: [message.to] },
          Content: { Simple: { Subject: { Data: message.subject, Charset: 'UTF-8' }, Body: { Text: { Data: message.text, Charset: 'UTF-8' } } } },
          // SES tags allow letters, digits, _ and - only: the marker key names the event and channel
          EmailTags: [{ Name: 'notification', Value: reference.replace(/[^A-Za-z0-9_-]/g, '_') }],
        }),
      });
      const out = (answer.text ? JSON.parse(answer.text) : {}) as { MessageId?: unknown };
      return { providerId: typeof out.MessageId === 'string' ? out.MessageId : '' };
    } catch (err) {
      throw fromSdkError(err);
    }
  }
}

/** Amazon SNS direct SMS (Publish, awsQuery: form-encoded, XML answer), transactional (delivered even to numbers that opted out of promotions). */
export class SnsSmsSender implements SmsSender {
  private readonly call: AwsCall;
  constructor(
    private readonly senderId?: string,
    options: AwsCallerOptions = {},
  ) {
    this.call = awsCaller(SNS, options);
  }

  async send(message: OutgoingSms): Promise<{ providerId: string }> {
    try {
      const attributes: [string, string][] = [['AWS.SNS.SMS.SMSType', 'Transactional'], ...(this.senderId ? [['AWS.SNS.SMS.SenderID', this.senderId] as [string, string]] : [])];
      const answer = await this.call({
        operation: 'Publish',
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body: formBody({
          Action: 'Publish',
          Version: '2010-03-31',
          PhoneNumber: message.to,
          Message: message.text,
          ...Object.fromEntries(
            attributes.flatMap(([name, value], i) => [
              [`MessageAttributes.entry.${i + 1}.Name`, name],
              [`MessageAttributes.entry.${i + 1}.Value.DataType`, 'String'],
              [`MessageAttributes.entry.${i + 1}.Value.StringValue`, value],
            ]),
          ),
        }),
      });
      return { providerId: xmlText(answer.text, 'MessageId') ?? '' };
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
