import { createHash, randomUUID } from 'node:crypto';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { agencyQueue } from '../../functions/declaration.js';
import { awsCaller, AwsCallError, formBody, SNS, xmlText } from '../../functions/adapters/aws-call.js';
import { AgencyQueues } from '../../functions/adapters/agency-queues.js';
import { SqsDeadLetters } from '../../functions/adapters/notification-dead-letters.js';
import { ProviderError, SesEmailSender, SnsSmsSender } from '../../functions/adapters/notification-senders.js';
import { signedSqs } from '../../functions/adapters/sqs-client.js';
import { signedS3 } from '../../functions/adapters/s3-objects.js';
import { DocumentStore } from '../../functions/adapters/document-store.js';
import { observeRequests, type ObservedRequest } from '../../functions/adapters/request-observer.js';
import { agencyMessage } from '../../functions/app/route-events.js';
import type { DeadLetterEntry } from '../../functions/app/ports.js';
import { samplePdf } from '../support/files.js';

/**
 * The signed calls (aws-call.ts) against the run's emulators, reached through the same AWS_ENDPOINT_URL_*
 * variables the local runtime gives the functions: fauxqs for SQS and SNS, s3rver for S3, aws-ses-v2-local
 * for SES v2. The SDK's own clients set up and read back what was sent. s3rver answers a request signed
 * with a wrong secret as any other, so the signatures are checked in test/unit/aws-call.test.ts, against
 * SigV4 computed from its specification.
 */
const stack = inject('localStack');
const sqs = new SQSClient({});
const sns = new SNSClient({ endpoint: stack.endpoints.sqs });
const s3 = new S3Client({ forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
afterAll(() => {
  for (const client of [sqs, sns, s3]) client.destroy();
});
let stop: (() => void) | undefined;
afterEach(() => stop?.());

async function receiveAll(queueUrl: string, expected: number) {
  const got: Message[] = [];
  for (let i = 0; i < 10 && got.length < expected; i++) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }));
    got.push(...(out.Messages ?? []));
  }
  return got;
}

describe('SQS SendMessage against fauxqs', () => {
  it('publishes an agency message with its filterable attributes, as the SDK client did', async () => {
    // Prepare: a queue of an agency of its own, named by the declaration's rule
    const agencyId = `signed-${randomUUID().slice(0, 8)}`;
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: agencyQueue.name(stack.provinceId, agencyId) }));
    const queues = new AgencyQueues(signedSqs(), stack.provinceId, stack.queueUrlBase);
    const at = new Date().toISOString();
    const message = agencyMessage(
      stack.provinceId,
      stack.apiUrl,
      {
        eventId: randomUUID(), type: 'dossier.submitted', dossierCode: 'X-260302-0001', version: 1, at, actor: { kind: 'citizen' }, from: null, to: 1, agencyId,
        dossier: { code: 'X-260302-0001', serviceId: 's', serviceCode: 'c', serviceName: 'Cấp phép', agencyId, agencyCode: '000.00.99.H37', agencyName: 'Sở Thử', channel: 'online', status: 1, version: 1, submittedAt: at, updatedAt: at },
      },
      { applicant: { fullName: 'Nguyễn Thị Bình', idNumber: '020090001111', phone: '0912000222', address: 'Lạng Sơn' }, fields: {} },
    );

    // Act
    await queues.publish(message);

    // Assess
    expect(QueueUrl).toBe(queues.urlOf(agencyId));
    const [received] = await receiveAll(QueueUrl!, 1);
    expect(JSON.parse(received!.Body!)).toEqual(message);
    expect(received!.MessageAttributes).toMatchObject({
      type: { DataType: 'String', StringValue: 'dossier.submitted' },
      schemaVersion: { DataType: 'Number', StringValue: '1' },
      dossierCode: { DataType: 'String', StringValue: 'X-260302-0001' },
      eventId: { DataType: 'String', StringValue: message.eventId },
    });
  });

  it('parks a notification dead letter on its queue', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `signed-dlq-${randomUUID().slice(0, 8)}` }));
    const entry: DeadLetterEntry = {
      key: 'NOTIFY#evt-1#sms', template: 'received', message: { channel: 'sms', to: '+84912000333', text: 'Hồ sơ đã được tiếp nhận' }, error: 'gateway down', attempts: 3, failedAt: new Date().toISOString(),
    };
    await new SqsDeadLetters(signedSqs(), QueueUrl!).park(entry);
    const [received] = await receiveAll(QueueUrl!, 1);
    expect(JSON.parse(received!.Body!)).toEqual(entry);
    expect(received!.MessageAttributes).toMatchObject({ key: { StringValue: entry.key }, channel: { StringValue: 'sms' }, template: { StringValue: 'received' } });
  });

  it('names a refused send by the SQS error code, once, without retrying it', async () => {
    // Prepare
    const seen: ObservedRequest[] = [];
    stop = observeRequests({ request: (r) => seen.push(r) });

    // Act
    const failure = await signedSqs()
      .sendMessage({ QueueUrl: `${stack.queueUrlBase}/motcua-no-such-queue-${randomUUID().slice(0, 8)}`, MessageBody: 'x' })
      .catch((err: unknown) => err);

    // Assess
    expect(failure).toBeInstanceOf(AwsCallError);
    expect(failure).toMatchObject({ name: 'QueueDoesNotExist', status: 400, retryable: false });
    expect(seen).toEqual([{ service: 'SQS', operation: 'SendMessage', failed: true }]);
  });
});

describe('SNS Publish against fauxqs', () => {
  it('form-encodes Publish with its message attributes and reads the MessageId from the XML answer', async () => {
    // Prepare: a topic that delivers raw to a queue, so that what SNS received can be read back
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `signed-${randomUUID().slice(0, 8)}` }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `signed-sns-${randomUUID().slice(0, 8)}` }));
    const queueArn = `arn:aws:sqs:${stack.region}:000000000000:${QueueUrl!.split('/').pop()}`;
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: queueArn, Attributes: { RawMessageDelivery: 'true' } }));
    const call = awsCaller(SNS, { env: { ...process.env, AWS_ENDPOINT_URL_SNS: stack.endpoints.sqs } });
    const text = 'Hồ sơ X-260302-0001 đã được tiếp nhận & đang xử lý (100%)';

    // Act
    const answer = await call({
      operation: 'Publish',
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: formBody({
        Action: 'Publish', Version: '2010-03-31', TopicArn: TopicArn!, Message: text,
        'MessageAttributes.entry.1.Name': 'kind', 'MessageAttributes.entry.1.Value.DataType': 'String', 'MessageAttributes.entry.1.Value.StringValue': 'Transactional',
      }),
    });

    // Assess
    expect(xmlText(answer.text, 'MessageId')).toMatch(/^[0-9a-f-]{36}$/);
    const [received] = await receiveAll(QueueUrl!, 1);
    expect(received!.Body).toBe(text);
    expect(received!.MessageAttributes).toMatchObject({ kind: { DataType: 'String', StringValue: 'Transactional' } });
  });

  it("takes an SNS refusal of an SMS as permanent, by its status, as the SDK's error did", async () => {
    // fauxqs publishes to topics only: a phone number is refused as SNS refuses a bad parameter
    const sender = new SnsSmsSender('MOTCUA', { env: { ...process.env, AWS_ENDPOINT_URL_SNS: stack.endpoints.sqs } });
    const failure = await sender.send({ channel: 'sms', to: '+84912000444', text: 'x' }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ProviderError);
    expect(failure).toMatchObject({ permanent: true });
    expect((failure as Error).message).toMatch(/^InvalidParameter: /);
  });
});

describe('SES v2 SendEmail against aws-ses-v2-local', () => {
  it('sends a plain-text email from the configured address', async () => {
    // Prepare
    const to = `citizen-${randomUUID().slice(0, 8)}@example.test`;
    const sender = new SesEmailSender('no-reply@lang-son.motcua.local');

    // Act
    const { providerId } = await sender.send({ channel: 'email', to, subject: 'Hồ sơ đã được tiếp nhận', text: 'Mã hồ sơ: X-260302-0001' }, 'NOTIFY#evt-1#email');

    // Assess
    const store = (await (await fetch(`${stack.notifications.sesUrl}/store`)).json()) as { emails: { messageId: string; from: string; destination: { to: string[] }; subject: string; body: { text?: string } }[] };
    const email = store.emails.find((e) => e.destination.to.includes(to));
    expect(email).toMatchObject({ messageId: providerId, from: 'no-reply@lang-son.motcua.local', subject: 'Hồ sơ đã được tiếp nhận', body: { text: 'Mã hồ sơ: X-260302-0001' } });
  });

  it('takes a refused email as permanent', async () => {
    const failure = await new SesEmailSender('no-reply@lang-son.motcua.local').send({ channel: 'email', to: 'a@example.test', subject: '', text: 'x' }, 'r').catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ProviderError);
    expect(failure).toMatchObject({ permanent: true });
  });
});

describe('S3 object calls against s3rver', () => {
  const bucket = stack.bucketName;

  it('sizes, streams, copies and deletes an object whose key needs encoding', async () => {
    // Prepare: a key with spaces, Vietnamese letters and the characters encodeURIComponent leaves alone
    const key = `signed-calls/X-${randomUUID().slice(0, 8)}/Đơn đề nghị (bản sao) !'*.pdf`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: samplePdf, ContentType: 'application/pdf' }));
    const objects = signedS3(bucket);

    // Act
    const head = await objects.head(key);
    const chunks: Uint8Array[] = [];
    for await (const chunk of await objects.get(key)) chunks.push(chunk);
    await objects.copy(key, `rejected/${key}`);
    await objects.delete(key);

    // Assess
    expect(head).toEqual({ contentLength: samplePdf.length });
    expect(Buffer.concat(chunks).equals(samplePdf)).toBe(true);
    const copied = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `rejected/${key}` }));
    expect(Buffer.from(await copied.Body!.transformToByteArray()).equals(samplePdf)).toBe(true);
    expect(await objects.head(key)).toBeUndefined();
    await expect(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).rejects.toMatchObject({ name: 'NotFound' });
  });

  it('quarantines a rejected document and measures it the way the verifier does', async () => {
    // Prepare
    const key = `signed-calls/X-${randomUUID().slice(0, 8)}/doc/file.pdf`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: samplePdf }));
    const store = new DocumentStore(signedS3(bucket));

    // Act
    const inspection = await store.inspect(key);
    const target = await store.quarantine(key);

    // Assess
    expect(inspection).toMatchObject({ size: samplePdf.length, sha256: createHash('sha256').update(samplePdf).digest('hex') });
    expect(Buffer.from(inspection!.head.slice(0, 5)).toString('latin1')).toBe('%PDF-');
    expect(target).toBe(`rejected/${key}`);
    expect(await store.size(key)).toBeUndefined();
    expect(await store.size(target!)).toBe(samplePdf.length);
    // a second delivery finds the object gone: nothing to read, nothing to move
    expect(await store.inspect(key)).toBeUndefined();
    expect(await store.quarantine(key)).toBeUndefined();
  });

  it('names a missing object NoSuchKey with its 404, without retrying', async () => {
    const seen: ObservedRequest[] = [];
    stop = observeRequests({ request: (r) => seen.push(r) });
    const failure = await signedS3(bucket).get(`dossiers/none-${randomUUID()}`).catch((err: unknown) => err);
    expect(failure).toMatchObject({ name: 'NoSuchKey', status: 404, $metadata: { httpStatusCode: 404 } });
    expect(seen).toEqual([{ service: 'S3', operation: 'GetObject', failed: true }]);
  });
});
