import { environment } from '../declaration.js';
import type { DeadLetters, EmailSender } from '../app/ports.js';
import { dynamo } from './dynamo-client.js';
import { requiredEnv } from './env.js';
import { sqsClient } from './sqs-client.js';
import { now } from './clock.js';
import { NotificationLog } from './notification-log.js';
import { HttpSmsSender, SesEmailSender, SnsSmsSender, type SmsSender } from './notification-senders.js';
import { SqsDeadLetters } from './notification-dead-letters.js';

/**
 * The senders and stores a notification function uses, from its environment, once per container.
 * Endpoints come from the SDK's variables (AWS_ENDPOINT_URL_SESV2, AWS_ENDPOINT_URL_SNS), set locally.
 */
let cached: { log: NotificationLog; email: EmailSender | undefined; sms: SmsSender; deadLetters: DeadLetters } | undefined;

export function smsSenderFromEnv(env: NodeJS.ProcessEnv = process.env): SmsSender {
  const provider = env[environment.smsProvider] ?? 'sns';
  if (provider === 'http') {
    const url = env[environment.smsHttpUrl];
    if (!url) throw new Error(`${environment.smsProvider}=http needs ${environment.smsHttpUrl}`);
    return new HttpSmsSender(url);
  }
  if (provider === 'sns') return new SnsSmsSender(env.SMS_SENDER_ID || undefined, { env });
  throw new Error(`${environment.smsProvider} must be sns or http, got "${provider}"`);
}

export function notificationDeps() {
  if (!cached) {
    const from = process.env[environment.notifyFromEmail];
    cached = {
      log: new NotificationLog(dynamo(), requiredEnv(environment.tableName)),
      email: from ? new SesEmailSender(from) : undefined,
      sms: smsSenderFromEnv(),
      deadLetters: new SqsDeadLetters(sqsClient(), requiredEnv(environment.notifyDeadLetterUrl)),
    };
  }
  return { ...cached, now, sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)) };
}
