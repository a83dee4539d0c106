import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { handler } from '../../functions/handlers/route-events.js';
import { eventItem, EVENT_ITEM_SCHEMA_VERSION } from '../../functions/adapters/event-item.js';
import type { DossierEvent } from '../../functions/domain/dossier.js';
import type { WorkflowDossier } from '../../functions/domain/workflow.js';
import { agencyMessageV1Schema } from '../../functions/contracts/agency-message.js';
import { lambdaContext, streamRecord } from '../fixtures/events.js';

/**
 * The router's two calls are signed JSON requests: the dossier item's GetItem (dynamo-http.ts, sent with
 * `nodePost`) and one SendMessage per event (sqs-client.ts, sent with fetch), told apart by their target
 * and both answered here.
 */
vi.mock('../../functions/adapters/http-post.js', () => ({ nodePost: (url: unknown, init: { body?: unknown; headers?: unknown }) => fetchStub(url, init) }));
let dossierItem: Record<string, unknown> = {};
const reads: Record<string, unknown>[] = [];
interface SentMessage {
  readonly QueueUrl: string;
  readonly MessageBody: string;
  readonly MessageAttributes: Record<string, { DataType: string; StringValue: string }>;
}
const sent: SentMessage[] = [];
/** what SQS answers to the next sends, in order; undefined (and once they are used up): 200 with the message id */
let sqsAnswers: ((() => Response) | undefined)[] = [];
const fetchStub = vi.fn(async (_url: unknown, init?: { body?: unknown; headers?: unknown }) => {
  const body = JSON.parse(String(init?.body)) as Record<string, unknown>;
  if ((init?.headers as Record<string, string>)['x-amz-target'] === 'AmazonSQS.SendMessage') {
    sent.push(body as unknown as SentMessage);
    const scripted = sqsAnswers.shift();
    if (scripted) return scripted();
    const md5 = createHash('md5').update(String(body.MessageBody)).digest('hex');
    return new Response(JSON.stringify({ MessageId: `m${sent.length}`, MD5OfMessageBody: md5 }), { status: 200 });
  }
  reads.push(body);
  return new Response(JSON.stringify({ Item: marshall(dossierItem) }), { status: 200 });
});
const applicant = { fullName: 'Nguyễn Văn An', idNumber: '020090001234', phone: '0912345678', address: 'Lạng Sơn' };
const fields = { purpose: 'Xin việc', copies: 2 };

function dossierOf(code: string, agencyId: string): WorkflowDossier {
  return {
    code, serviceId: '1.001023', serviceCode: '1.001023.000.00.00.H37', serviceName: 'Cấp Phiếu lý lịch tư pháp', agencyId, agencyCode: '000.00.14.H37',
    agencyName: 'Sở Tư pháp', applicantSubject: 'citizen-a', applicant, fields, channel: 'online', status: 1, version: 1, submittedAt: '2026-03-02T02:00:00.000Z', updatedAt: '2026-03-02T02:00:00.000Z',
  };
}

/** An event item as the repository writes it: the dossier's view only, no applicant. */
function storedEvent(code: string, agencyId: string): Record<string, unknown> & { pk: string; sk: string } {
  const dossier = dossierOf(code, agencyId);
  const event: DossierEvent = { eventId: `evt-${code}`, type: 'dossier.submitted', dossierCode: code, version: 1, at: dossier.submittedAt, actor: { kind: 'citizen', subject: 'citizen-a' }, from: null, to: 1, agencyId };
  return eventItem({ pk: `DOSSIER#${code}`, sk: 'EVENT#000001' }, event, dossier);
}

function streamEvent(items: (Record<string, unknown> & { pk: string; sk: string })[]): DynamoDBStreamEvent {
  return {
    Records: items.map((item, i) => {
      const record = streamRecord(item, 100 + i, String(i));
      return {
        ...record,
        awsRegion: 'ap-southeast-1',
        eventSourceARN: 'arn:aws:dynamodb:ap-southeast-1:000000000000:table/motcua-test/stream/x',
        dynamodb: { ...record.dynamodb, SizeBytes: 100 },
      };
    }),
  };
}

beforeAll(() => {
  process.env.PROVINCE_ID = 'lang-son';
  process.env.QUEUE_URL_BASE = 'http://127.0.0.1:9324/000000000000';
  process.env.PUBLIC_BASE_URL = 'https://api.example.test';
  process.env.TABLE_NAME = 'motcua-test';
  process.env.LOG_LEVEL = 'SILENT';
  vi.stubGlobal('fetch', fetchStub);
});
afterAll(() => vi.unstubAllGlobals());

beforeEach(() => {
  sent.length = 0;
  sqsAnswers = [];
  reads.length = 0;
  // the dossier item, with the attributes the router asks for
  dossierItem = { schemaVersion: 1, applicant, fields };
});

describe('route-events', () => {
  it('publishes each event to its agency queue as a valid AgencyMessageV1 with filterable attributes', async () => {
    const result = await handler(streamEvent([storedEvent('000.00.14.H37-260302-0001', 'so-tu-phap')]), lambdaContext);
    expect(result.batchItemFailures).toEqual([]);
    const input = sent[0]!;
    expect(input.QueueUrl).toBe('http://127.0.0.1:9324/000000000000/motcua-lang-son-agency-so-tu-phap');
    const message = agencyMessageV1Schema.parse(JSON.parse(input.MessageBody));
    expect(message).toMatchObject({ schemaVersion: 1, type: 'dossier.submitted', eventId: 'evt-000.00.14.H37-260302-0001', dossier: { status: { code: 1, label: 'Mới đăng ký' }, previousStatus: null } });
    expect(message.dossier.trackingUrl).toBe('https://api.example.test/track/000.00.14.H37-260302-0001');
    expect(input.MessageAttributes).toMatchObject({ type: { StringValue: 'dossier.submitted' }, schemaVersion: { StringValue: '1' }, dossierCode: { StringValue: '000.00.14.H37-260302-0001' } });
  });

  it('reports the record that failed so that Lambda retries from it, not the whole batch blindly', async () => {
    // the second send is refused (a queue that is not there is not retried)
    sqsAnswers = [undefined, () => new Response(JSON.stringify({ __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' }), { status: 400 })];
    const result = await handler(
      streamEvent([storedEvent('000.00.14.H37-260302-0001', 'so-tu-phap'), storedEvent('000.00.14.H37-260302-0002', 'so-tu-phap'), storedEvent('000.00.14.H37-260302-0003', 'so-tu-phap')]),
      lambdaContext,
    );
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '101' }]);
  });

  it("carries the dossier but not the citizen's login id", async () => {
    await handler(streamEvent([storedEvent('000.00.14.H37-260302-0001', 'so-tu-phap')]), lambdaContext);
    const input = sent[0]!;
    const message = agencyMessageV1Schema.parse(JSON.parse(input.MessageBody));
    expect(message.actor).toEqual({ kind: 'citizen' });
    expect(message.dossier.applicant.fullName).toBe('Nguyễn Văn An');
    expect(JSON.stringify(input)).not.toContain('citizen-a');
  });

  it("keeps an official's subject and agency on their steps", async () => {
    const event = { ...storedEvent('000.00.14.H37-260302-0001', 'so-tu-phap'), type: 'dossier.receive', actor: { kind: 'official', subject: 'official-1', agencyId: 'so-tu-phap' } };
    await handler(streamEvent([event]), lambdaContext);
    const message = agencyMessageV1Schema.parse(JSON.parse(sent[0]!.MessageBody));
    expect(message.actor).toEqual({ kind: 'official', subject: 'official-1', agencyId: 'so-tu-phap' });
  });

  it('takes the applicant and the form from the dossier item by key, asking for those attributes only', async () => {
    // Prepare
    const code = '000.00.14.H37-260302-0001';

    // Act
    const result = await handler(streamEvent([storedEvent(code, 'so-tu-phap')]), lambdaContext);

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({ TableName: 'motcua-test', Key: marshall({ pk: `DOSSIER#${code}`, sk: 'DOSSIER' }), ConsistentRead: true });
    expect(Object.values(reads[0]!.ExpressionAttributeNames as Record<string, string>).sort()).toEqual(['applicant', 'fields', 'schemaVersion']);
    const message = agencyMessageV1Schema.parse(JSON.parse(sent[0]!.MessageBody));
    expect(message.dossier).toMatchObject({ applicant, fields });
  });

  it('still routes an event item written with the whole dossier, before items had a schema version', async () => {
    // Prepare: the dossier item is of that time too (no schemaVersion)
    dossierItem = { applicant, fields };
    const code = '000.00.14.H37-260302-0009';
    const { schemaVersion: _, ...v1 } = storedEvent(code, 'so-tu-phap');
    const old = { ...v1, dossier: dossierOf(code, 'so-tu-phap') };

    // Act
    const result = await handler(streamEvent([old]), lambdaContext);

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    const message = agencyMessageV1Schema.parse(JSON.parse(sent[0]!.MessageBody));
    expect(message).toMatchObject({ eventId: `evt-${code}`, dossier: { code, applicant, fields } });
  });

  it('routes the events of a dossier item written as layout 2, as dossier items were for a while', async () => {
    // Prepare
    dossierItem = { schemaVersion: 2, applicant, fields };
    const code = '000.00.14.H37-260302-0010';

    // Act
    const result = await handler(streamEvent([storedEvent(code, 'so-tu-phap')]), lambdaContext);

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(agencyMessageV1Schema.parse(JSON.parse(sent[0]!.MessageBody)).dossier).toMatchObject({ code, applicant, fields });
  });

  it('reports a record that does not fit the event schema as a failed item and routes the others', async () => {
    // Prepare: the second item lacks its agency, the third is of a version this code does not know
    const good = storedEvent('000.00.14.H37-260302-0001', 'so-tu-phap');
    const { agencyId: _, ...withoutAgency } = storedEvent('000.00.14.H37-260302-0002', 'so-tu-phap');
    const future = { ...storedEvent('000.00.14.H37-260302-0003', 'so-tu-phap'), schemaVersion: EVENT_ITEM_SCHEMA_VERSION + 1 };

    // Act
    const result = await handler(streamEvent([good, { ...withoutAgency, pk: good.pk.replace('0001', '0002'), sk: 'EVENT#000001' }, future]), lambdaContext);

    // Assess
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '101' }, { itemIdentifier: '102' }]);
    expect(sent).toHaveLength(1);
  });
});
