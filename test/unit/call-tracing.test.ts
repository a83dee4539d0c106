import xray from 'aws-xray-sdk-core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { awsCaller, SQS } from '../../functions/adapters/aws-call.js';
import { subsegmentTracer } from '../../functions/adapters/call-subsegments.js';
import { activeCallTracer, setCallTracer } from '../../functions/adapters/call-tracing.js';
import { signedSqs } from '../../functions/adapters/sqs-client.js';
import { signedTable } from '../../functions/adapters/dynamo-http.js';

/**
 * What an AWS call leaves in X-Ray: the subsegments the two signed callers open through the call tracer,
 * read from a segment of the X-Ray SDK (no daemon: a segment outside Lambda streams nothing), with fetch
 * scripted as in dynamo-http.test.ts and aws-call.test.ts.
 */

interface Sent {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

function scripted(answers: readonly (Response | Error)[]) {
  const sent: Sent[] = [];
  let i = 0;
  const fake = (async (url: URL | string, init?: RequestInit) => {
    sent.push({ url: String(url), headers: { ...(init?.headers as Record<string, string>) }, body: String(init?.body ?? '') });
    const answer = answers[Math.min(i++, answers.length - 1)]!;
    if (answer instanceof Error) throw answer;
    return answer.clone();
  }) as typeof fetch;
  return { fake, sent };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/x-amz-json-1.0', ...headers } });

const region = 'ap-southeast-1';
const noWait = { sleep: async () => {}, random: () => 0.5 };
const table = 'motcua-lang-son';
/** personal data a request may carry: none of it may reach a trace */
const idNumber = '001099012345';
const phone = '0912345678';

/** A subsegment as X-Ray receives it. */
type Document = Record<string, unknown> & { aws?: Record<string, unknown>; http?: { response?: { status?: number } }; cause?: { exceptions: { type: string; message: string; remote: boolean }[] } };

let segment: InstanceType<typeof xray.Segment>;
let stop: (() => void) | undefined;
beforeEach(() => {
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
  segment = new xray.Segment('motcua-test', '1-5f84c7a3-2b9bd2f1c0e8a7d6e5f4a3b2');
  stop = setCallTracer(subsegmentTracer(() => segment));
});
afterEach(() => {
  stop?.();
  vi.unstubAllEnvs();
});

const documents = (): Document[] => (segment.subsegments ?? []).map((s) => JSON.parse(JSON.stringify(s)) as Document);

describe('AWS calls in X-Ray', () => {
  it('records a DynamoDB write as the X-Ray SDK records an SDK command, and sends the trace header', async () => {
    // Prepare
    const { fake, sent } = scripted([json(200, {}, { 'x-amzn-requestid': 'REQ-PUT-1' })]);
    const db = signedTable({ region, endpoint: `https://dynamodb.${region}.amazonaws.com`, fetch: fake, ...noWait });

    // Act
    await db.put({ TableName: table, Item: { pk: 'DOSSIER#000.00.05.H37-260424-0001', sk: 'PERSONAL', idNumber, phone } });

    // Assess
    const [call, ...others] = documents();
    expect(others).toEqual([]);
    expect(call).toMatchObject({ name: 'DynamoDB', namespace: 'aws', aws: { operation: 'PutItem', region, request_id: 'REQ-PUT-1', table_name: table, retries: 0 }, http: { response: { status: 200 } } });
    expect(call).not.toHaveProperty('error');
    expect(call).not.toHaveProperty('fault');
    expect(call).not.toHaveProperty('throttle');
    expect(call).not.toHaveProperty('in_progress');
    expect(sent[0]!.headers['X-Amzn-Trace-Id']).toBe(`Root=${segment.trace_id};Parent=${String(call!.id)};Sampled=1`);
    // the header is not signed: SigV4 leaves it out, so a proxy that rewrites it breaks nothing
    expect(sent[0]!.headers.authorization).not.toMatch(/x-amzn-trace-id/i);
    // the item went out, and stayed out of the trace
    expect(sent[0]!.body).toContain(idNumber);
    expect(JSON.stringify(segment)).not.toContain(idNumber);
    expect(JSON.stringify(segment)).not.toContain(phone);
  });

  it('names every table of a transaction', async () => {
    const { fake } = scripted([json(200, {})]);
    const db = signedTable({ region, endpoint: `https://dynamodb.${region}.amazonaws.com`, fetch: fake, ...noWait });

    await db.transactWrite({
      TransactItems: [{ Put: { TableName: table, Item: { pk: 'a', sk: 'b' } } }, { ConditionCheck: { TableName: `${table}-locks`, Key: { pk: 'a', sk: 'c' }, ConditionExpression: 'attribute_exists(pk)' } }],
    });

    expect(documents()[0]?.aws).toMatchObject({ operation: 'TransactWriteItems', table_names: [table, `${table}-locks`] });
  });

  it('records an SQS send with its queue and request id', async () => {
    // Prepare: SQS checks the body's MD5, as the SDK does
    const queueUrl = `https://sqs.${region}.amazonaws.com/000000000000/motcua-lang-son-agency-sxd`;
    const body = JSON.stringify({ applicant: { idNumber, phone } });
    const md5 = (await import('node:crypto')).createHash('md5').update(body).digest('hex');
    const { fake, sent } = scripted([json(200, { MessageId: 'm-1', MD5OfMessageBody: md5 }, { 'x-amzn-requestid': 'REQ-SQS-1' })]);

    // Act
    await signedSqs({ region, fetch: fake, ...noWait }).sendMessage({ QueueUrl: queueUrl, MessageBody: body });

    // Assess
    const [call] = documents();
    expect(call).toMatchObject({ name: 'SQS', namespace: 'aws', aws: { operation: 'SendMessage', region, request_id: 'REQ-SQS-1', queue_url: queueUrl, retries: 0 }, http: { response: { status: 200 } } });
    expect(sent[0]!.headers['X-Amzn-Trace-Id']).toBe(`Root=${segment.trace_id};Parent=${String(call!.id)};Sampled=1`);
    expect(JSON.stringify(segment)).not.toContain(idNumber);
  });

  it('records a call throttled on every attempt as one subsegment: its retries, the throttle and error flags, the code but not the message', async () => {
    // Prepare
    const throttled = () => json(400, { __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: `Rate exceeded for ${phone}` }, { 'x-amzn-requestid': 'REQ-THROTTLED' });
    const { fake, sent } = scripted([throttled(), throttled(), throttled()]);
    const db = signedTable({ region, endpoint: `https://dynamodb.${region}.amazonaws.com`, fetch: fake, ...noWait });

    // Act
    await expect(db.get({ TableName: table, Key: { pk: 'a', sk: 'b' } })).rejects.toThrow('Rate exceeded');

    // Assess
    const [call, ...others] = documents();
    expect(others).toEqual([]);
    expect(call).toMatchObject({ name: 'DynamoDB', aws: { operation: 'GetItem', request_id: 'REQ-THROTTLED', retries: 2 }, http: { response: { status: 400 } }, throttle: true, error: true });
    expect(call).not.toHaveProperty('fault');
    expect(call!.cause!.exceptions).toEqual([expect.objectContaining({ type: 'ThrottlingException', message: 'ThrottlingException (HTTP 400)', remote: true })]);
    expect(JSON.stringify(segment)).not.toContain(phone);
    // every attempt joins the trace under the same subsegment, as the SDK's retries do
    expect(new Set(sent.map((s) => s.headers['X-Amzn-Trace-Id']))).toEqual(new Set([`Root=${segment.trace_id};Parent=${String(call!.id)};Sampled=1`]));
  });

  it('flags a refusal of the request (4xx) as an error, not a fault, and a call nothing answered as a fault', async () => {
    // Prepare: a failed condition is final; SQS unreachable three times
    const db = signedTable({ region, endpoint: `https://dynamodb.${region}.amazonaws.com`, fetch: scripted([json(400, { __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException', message: 'The conditional request failed' })]).fake, ...noWait });
    const unreachable = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    const sqs = awsCaller(SQS, { region, fetch: scripted([unreachable]).fake, ...noWait });

    // Act
    await expect(db.put({ TableName: table, Item: { pk: 'a', sk: 'b' }, ConditionExpression: 'attribute_not_exists(pk)' })).rejects.toThrow();
    await expect(sqs({ operation: 'SendMessage', method: 'POST', body: '{}' })).rejects.toThrow('ECONNREFUSED');

    // Assess
    const [refused, lost] = documents();
    expect(refused).toMatchObject({ name: 'DynamoDB', aws: { operation: 'PutItem', retries: 0 }, http: { response: { status: 400 } }, error: true });
    expect(refused).not.toHaveProperty('fault');
    expect(refused).not.toHaveProperty('throttle');
    expect(refused!.cause!.exceptions[0]).toMatchObject({ type: 'ConditionalCheckFailedException' });
    expect(lost).toMatchObject({ name: 'SQS', aws: { operation: 'SendMessage', retries: 2 }, fault: true });
    expect(lost).not.toHaveProperty('http');
    expect(lost!.cause!.exceptions[0]).toMatchObject({ type: 'NetworkError', message: 'NetworkError: no answer' });
  });

  it('records a 5xx as a fault and says Sampled=0 downstream when the trace is not sampled', async () => {
    segment.notTraced = true;
    const { fake, sent } = scripted([json(503, { __type: 'ServiceUnavailable', message: 'try later' })]);
    const db = signedTable({ region, endpoint: `https://dynamodb.${region}.amazonaws.com`, fetch: fake, ...noWait });

    await expect(db.get({ TableName: table, Key: { pk: 'a', sk: 'b' } })).rejects.toThrow();

    const [call] = documents();
    expect(call).toMatchObject({ aws: { retries: 2 }, http: { response: { status: 503 } }, fault: true });
    expect(call).not.toHaveProperty('error');
    expect(sent[0]!.headers['X-Amzn-Trace-Id']).toMatch(/;Sampled=0$/);
  });

  it('sends no trace header and records nothing when no tracer is registered', async () => {
    stop?.();
    expect(activeCallTracer()).toBeUndefined();
    const { fake, sent } = scripted([json(200, {})]);

    await signedTable({ region, endpoint: `https://dynamodb.${region}.amazonaws.com`, fetch: fake, ...noWait }).get({ TableName: table, Key: { pk: 'a', sk: 'b' } });

    expect(Object.keys(sent[0]!.headers).map((h) => h.toLowerCase())).not.toContain('x-amzn-trace-id');
    expect(documents()).toEqual([]);
  });

  it('never fails a call because its subsegment could not be written', async () => {
    stop?.();
    const warnings: string[] = [];
    stop = setCallTracer(
      subsegmentTracer(
        () => {
          throw new Error('no context');
        },
        (message) => warnings.push(message),
      ),
    );
    const { fake } = scripted([json(200, { Item: { pk: { S: 'a' } } })]);

    const out = await signedTable({ region, endpoint: `https://dynamodb.${region}.amazonaws.com`, fetch: fake, ...noWait }).get({ TableName: table, Key: { pk: 'a', sk: 'b' } });

    expect(out.Item).toEqual({ pk: 'a' });
    expect(warnings).toEqual(['call subsegment not opened']);
  });
});
