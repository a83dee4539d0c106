import { afterEach, describe, expect, it, vi } from 'vitest';
import { DynamoHttpError, signedReads } from '../../functions/adapters/dynamo-http.js';

/** A fetch that answers from a list and keeps what it was sent. */
function scripted(answers: readonly (Response | Error)[]) {
  const sent: { url: string; init: RequestInit }[] = [];
  let i = 0;
  const fake = (async (url: URL | string, init?: RequestInit) => {
    sent.push({ url: String(url), init: init ?? {} });
    const answer = answers[Math.min(i++, answers.length - 1)]!;
    if (answer instanceof Error) throw answer;
    return answer.clone();
  }) as typeof fetch;
  return { fake, sent };
}

const reply = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/x-amz-json-1.0' } });
const options = { region: 'ap-southeast-1', endpoint: 'https://dynamodb.ap-southeast-1.amazonaws.com', sleep: async () => {}, random: () => 0.5 };

describe('signed DynamoDB reads', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('sends one SigV4-signed JSON request per read and converts values both ways', async () => {
    // Prepare
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    vi.stubEnv('AWS_SESSION_TOKEN', 'token');
    const { fake, sent } = scripted([reply(200, { Item: { pk: { S: 'STATS#province#2026' }, received: { N: '14' } } })]);

    // Act
    const out = await signedReads({ ...options, fetch: fake }).get({ TableName: 't', Key: { pk: 'STATS#province#2026', sk: 'SHARD#00' }, ConsistentRead: true });

    // Assess
    expect(out.Item).toEqual({ pk: 'STATS#province#2026', received: 14 });
    expect(sent).toHaveLength(1);
    const headers = sent[0]!.init.headers as Record<string, string>;
    expect(headers['x-amz-target']).toBe('DynamoDB_20120810.GetItem');
    expect(headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/ap-southeast-1\/dynamodb\/aws4_request, SignedHeaders=[^,]*host[^,]*x-amz-target/);
    expect(headers['x-amz-security-token']).toBe('token');
    // fetch sets Host from the URL, the value that was signed
    expect(Object.keys(headers).map((h) => h.toLowerCase())).not.toContain('host');
    expect(JSON.parse(String(sent[0]!.init.body))).toEqual({ TableName: 't', Key: { pk: { S: 'STATS#province#2026' }, sk: { S: 'SHARD#00' } }, ConsistentRead: true });
  });

  it('retries throttling and failures of the service, three attempts in all, then reports the error', async () => {
    const { fake, sent } = scripted([
      reply(400, { __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'slow down' }),
      reply(500, { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'oops' }),
      new TypeError('fetch failed'),
    ]);

    const failure = await signedReads({ ...options, fetch: fake })
      .query({ TableName: 't', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'x' }, Select: 'COUNT' })
      .catch((err: unknown) => err);

    expect(sent).toHaveLength(3);
    expect(failure).toBeInstanceOf(DynamoHttpError);
    expect(failure).toMatchObject({ name: 'NetworkError', retryable: true });
  });

  it('answers after a throttled attempt, and does not retry an error of the request itself', async () => {
    const throttled = scripted([reply(400, { __type: 'x#ProvisionedThroughputExceededException' }), reply(200, { Count: 3, ScannedCount: 3 })]);
    const counted = await signedReads({ ...options, fetch: throttled.fake }).query({ TableName: 't', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'x' }, Select: 'COUNT' });
    expect(counted).toEqual({ Count: 3 });
    expect(throttled.sent).toHaveLength(2);

    const invalid = scripted([reply(400, { __type: 'com.amazon.coral.validate#ValidationException', message: 'bad key' })]);
    const failure = await signedReads({ ...options, fetch: invalid.fake })
      .get({ TableName: 't', Key: { pk: 'x' } })
      .catch((err: unknown) => err);
    expect(invalid.sent).toHaveLength(1);
    expect(failure).toMatchObject({ name: 'ValidationException', message: 'bad key', status: 400, retryable: false });
  });
});
