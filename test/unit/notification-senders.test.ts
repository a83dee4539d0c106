import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProviderError, SesEmailSender, SnsSmsSender } from '../../functions/adapters/notification-senders.js';
import { signedSqs } from '../../functions/adapters/sqs-client.js';
import { signedSecrets } from '../../functions/adapters/secrets-client.js';
import type { OutgoingEmail, OutgoingSms } from '../../functions/domain/notifications.js';

const region = 'ap-southeast-1';
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
const noWait = { region, env: {}, sleep: async () => {}, random: () => 0 };

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** A fetch that answers from a list (the last one repeats) and keeps what it was sent. */
function scripted(answers: readonly (() => Response)[]) {
  const sent: Seen[] = [];
  let i = 0;
  const fake = (async (url: string, init: RequestInit) => {
    const headers = Object.fromEntries(Object.entries(init.headers as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    sent.push({ method: init.method ?? 'GET', path: new URL(url).pathname, headers, body: String(init.body ?? '') });
    return answers[Math.min(i++, answers.length - 1)]!();
  }) as typeof fetch;
  return { fake, sent };
}

/** What an SDK client would put on the wire for a command: its request handler keeps the request and answers `body`. */
async function sdkRequest(make: (requestHandler: unknown) => { send(command: unknown): Promise<unknown> }, command: unknown, body: string): Promise<Seen> {
  let seen: Seen | undefined;
  const requestHandler = {
    handle: async (request: { method: string; path: string; headers: Record<string, string>; body?: unknown }) => {
      seen = { method: request.method, path: request.path, headers: request.headers, body: request.body instanceof Uint8Array ? Buffer.from(request.body).toString('utf8') : String(request.body ?? '') };
      return { response: { statusCode: 200, headers: {}, body: Readable.from([Buffer.from(body)]) } };
    },
  };
  await make(requestHandler).send(command);
  return seen!;
}

const email: OutgoingEmail = { channel: 'email', to: 'citizen@example.test', subject: 'Hồ sơ đã được tiếp nhận', text: 'Mã hồ sơ: X-260302-0001' };
const sms: OutgoingSms = { channel: 'sms', to: '+84912000111', text: 'Hồ sơ X đã có kết quả & sẵn sàng trả (100%)' };
const sesOk = () => new Response(JSON.stringify({ MessageId: 'ses-1' }), { status: 200, headers: { 'content-type': 'application/json' } });
const snsOk = () => new Response('<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>sns-1</MessageId></PublishResult></PublishResponse>', { status: 200, headers: { 'content-type': 'text/xml' } });
const params = (body: string) => [...new URLSearchParams(body).entries()].sort(([a], [b]) => (a < b ? -1 : 1));

beforeEach(() => {
  vi.stubEnv('AWS_ACCESS_KEY_ID', credentials.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', credentials.secretAccessKey);
});
afterEach(() => vi.unstubAllEnvs());

describe('the SES v2 and SNS senders', () => {
  it("send the same SendEmail request as the SDK's SES v2 client", async () => {
    // Prepare
    const { fake, sent } = scripted([sesOk]);
    const theirs = await sdkRequest(
      (requestHandler) => new SESv2Client({ region, credentials, requestHandler: requestHandler as never }),
      new SendEmailCommand({
        FromEmailAddress: 'no-reply@lang-son.motcua.local',
        Destination: { ToAddresses: [email.to] },
        Content: { Simple: { Subject: { Data: email.subject, Charset: 'UTF-8' }, Body: { Text: { Data: email.text, Charset: 'UTF-8' } } } },
        EmailTags: [{ Name: 'notification', Value: 'NOTIFY_evt-1_email' }],
      }),
      '{"MessageId":"x"}',
    );

    // Act
    const out = await new SesEmailSender('no-reply@lang-son.motcua.local', { ...noWait, fetch: fake }).send(email, 'NOTIFY#evt-1#email');

    // Assess
    expect(out).toEqual({ providerId: 'ses-1' });
    expect([sent[0]!.method, sent[0]!.path, sent[0]!.headers['content-type']]).toEqual([theirs.method, theirs.path, theirs.headers['content-type']]);
    expect(JSON.parse(sent[0]!.body)).toEqual(JSON.parse(theirs.body));
  });

  it("send the same Publish request as the SDK's SNS client, and read the message id from the XML", async () => {
    // Prepare
    const { fake, sent } = scripted([snsOk]);
    const theirs = await sdkRequest(
      (requestHandler) => new SNSClient({ region, credentials, requestHandler: requestHandler as never }),
      new PublishCommand({
        PhoneNumber: sms.to,
        Message: sms.text,
        MessageAttributes: {
          'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
          'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: 'MOTCUA' },
        },
      }),
      '<PublishResponse><PublishResult><MessageId>x</MessageId></PublishResult></PublishResponse>',
    );

    // Act
    const out = await new SnsSmsSender('MOTCUA', { ...noWait, fetch: fake }).send(sms);

    // Assess
    expect(out).toEqual({ providerId: 'sns-1' });
    expect([sent[0]!.method, sent[0]!.path]).toEqual([theirs.method, theirs.path]);
    expect(sent[0]!.headers['content-type']).toContain('application/x-www-form-urlencoded');
    expect(params(sent[0]!.body)).toEqual(params(theirs.body));
  });

  it('take a refusal as permanent and throttling or a failing service as worth retrying later', async () => {
    const refused = scripted([() => new Response(JSON.stringify({ message: 'Email address is not verified.' }), { status: 400, headers: { 'x-amzn-errortype': 'MessageRejected:http://internal.amazon.com/coral/com.amazonaws.sesv2/' } })]);
    const throttled = scripted([() => new Response(JSON.stringify({ message: 'Maximum sending rate exceeded.' }), { status: 429, headers: { 'x-amzn-errortype': 'TooManyRequestsException' } })]);
    const snsThrottled = scripted([() => new Response('<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>', { status: 400 })]);
    const snsDown = scripted([() => new Response('<ErrorResponse><Error><Code>InternalError</Code><Message>oops</Message></Error></ErrorResponse>', { status: 500 })]);
    const snsBadNumber = scripted([() => new Response('<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>Invalid parameter: PhoneNumber</Message></Error></ErrorResponse>', { status: 400 })]);

    const failures = await Promise.all([
      new SesEmailSender('a@b.test', { ...noWait, fetch: refused.fake }).send(email, 'r').catch((err: unknown) => err),
      new SesEmailSender('a@b.test', { ...noWait, fetch: throttled.fake }).send(email, 'r').catch((err: unknown) => err),
      new SnsSmsSender(undefined, { ...noWait, fetch: snsThrottled.fake }).send(sms).catch((err: unknown) => err),
      new SnsSmsSender(undefined, { ...noWait, fetch: snsDown.fake }).send(sms).catch((err: unknown) => err),
      new SnsSmsSender(undefined, { ...noWait, fetch: snsBadNumber.fake }).send(sms).catch((err: unknown) => err),
    ]);

    for (const failure of failures) expect(failure).toBeInstanceOf(ProviderError);
    expect(failures.map((f) => (f as ProviderError).permanent)).toEqual([true, false, false, false, true]);
    expect((failures[0] as Error).message).toBe('MessageRejected: Email address is not verified.');
    expect((failures[2] as Error).message).toBe('Throttling: Rate exceeded');
    // refused once; throttled and failing answers were tried three times before the use case's own retry
    expect([refused, throttled, snsThrottled, snsDown, snsBadNumber].map((s) => s.sent.length)).toEqual([1, 3, 3, 3, 1]);
  });
});

describe('SQS and Secrets Manager requests', () => {
  it("are the SDK clients' requests for SendMessage and GetSecretValue", async () => {
    // Prepare
    const body = '{"eventId":"e-1"}';
    const md5 = createHash('md5').update(body).digest('hex');
    const attributes = { type: { DataType: 'String' as const, StringValue: 'dossier.submitted' }, schemaVersion: { DataType: 'Number' as const, StringValue: '1' } };
    const queueUrl = 'https://sqs.ap-southeast-1.amazonaws.com/123456789012/motcua-lang-son-agency-so-tu-phap';
    const sqsTheirs = await sdkRequest(
      (requestHandler) => new SQSClient({ region, credentials, requestHandler: requestHandler as never, md5: false, endpoint: 'https://sqs.ap-southeast-1.amazonaws.com' }),
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, MessageAttributes: attributes }),
      '{"MessageId":"x"}',
    );
    const smTheirs = await sdkRequest(
      (requestHandler) => new SecretsManagerClient({ region, credentials, requestHandler: requestHandler as never }),
      new GetSecretValueCommand({ SecretId: 'motcua/stack' }),
      '{"SecretString":"x"}',
    );
    const sqs = scripted([() => new Response(JSON.stringify({ MessageId: 'm-1', MD5OfMessageBody: md5 }), { status: 200 })]);
    const sm = scripted([() => new Response(JSON.stringify({ SecretString: 's' }), { status: 200 })]);

    // Act
    const sentMessage = await signedSqs({ ...noWait, fetch: sqs.fake }).sendMessage({ QueueUrl: queueUrl, MessageBody: body, MessageAttributes: attributes });
    const secret = await signedSecrets({ ...noWait, fetch: sm.fake }).getSecretValue('motcua/stack');

    // Assess
    expect(sentMessage).toEqual({ MessageId: 'm-1' });
    expect(secret).toEqual({ SecretString: 's' });
    for (const [ours, theirs] of [
      [sqs.sent[0]!, sqsTheirs],
      [sm.sent[0]!, smTheirs],
    ] as const) {
      expect([ours.method, ours.path]).toEqual([theirs.method, theirs.path]);
      for (const header of ['content-type', 'x-amz-target', 'x-amzn-query-mode']) expect(ours.headers[header], header).toBe(theirs.headers[header]);
      expect(JSON.parse(ours.body)).toEqual(JSON.parse(theirs.body));
    }
  });

  it('refuses an SQS answer whose body checksum is not the message sent', async () => {
    const sqs = scripted([() => new Response(JSON.stringify({ MessageId: 'm-1', MD5OfMessageBody: '00000000000000000000000000000000' }), { status: 200 })]);
    await expect(signedSqs({ ...noWait, fetch: sqs.fake }).sendMessage({ QueueUrl: 'https://sqs.ap-southeast-1.amazonaws.com/1/q', MessageBody: 'x' })).rejects.toMatchObject({ name: 'InvalidChecksumError' });
  });
});
