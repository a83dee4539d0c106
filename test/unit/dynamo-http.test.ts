import { afterEach, describe, expect, it, vi } from 'vitest';
import { DynamoHttpError, signedReads, signedTable } from '../../functions/adapters/dynamo-http.js';
import { cancellationReasons, isConditionFailed } from '../../functions/adapters/dynamo-table.js';
import { observeRequests, type ObservedRequest } from '../../functions/adapters/request-observer.js';

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
      Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) }),
    ]);

    const failure = await signedReads({ ...options, fetch: fake })
      .query({ TableName: 't', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'x' }, Select: 'COUNT' })
      .catch((err: unknown) => err);

    expect(sent).toHaveLength(3);
    expect(failure).toBeInstanceOf(DynamoHttpError);
    expect(failure).toMatchObject({ name: 'NetworkError', retryable: true, code: 'ECONNRESET', status: undefined });
  });

  it('answers after a throttled attempt, and does not retry an error of the request itself', async () => {
    const throttled = scripted([reply(400, { __type: 'x#ProvisionedThroughputExceededException' }), reply(200, { Count: 3, ScannedCount: 3 })]);
    const counted = await signedReads({ ...options, fetch: throttled.fake }).query({ TableName: 't', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'x' }, Select: 'COUNT' });
    expect(counted).toEqual({ Count: 3, ScannedCount: 3 });
    expect(throttled.sent).toHaveLength(2);

    const invalid = scripted([reply(400, { __type: 'com.amazon.coral.validate#ValidationException', message: 'bad key' })]);
    const failure = await signedReads({ ...options, fetch: invalid.fake })
      .get({ TableName: 't', Key: { pk: 'x' } })
      .catch((err: unknown) => err);
    expect(invalid.sent).toHaveLength(1);
    expect(failure).toMatchObject({ name: 'ValidationException', message: 'bad key', status: 400, retryable: false });
  });
});

const query = { TableName: 't', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'x' } };
const credentials = () => {
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
};
/** What one failed first attempt leads to: how many attempts in all, and the delays slept between them. */
async function afterFailure(first: Response | Error) {
  credentials();
  const { fake, sent } = scripted([first, reply(200, { Count: 0, ScannedCount: 0 })]);
  const delays: number[] = [];
  const outcome = await signedTable({ ...options, fetch: fake, random: () => 1, sleep: async (ms) => void delays.push(ms) })
    .query(query)
    .then(
      () => 'answered',
      (err: unknown) => err,
    );
  return { attempts: sent.length, delays, outcome };
}
const networkError = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(`connect ${code}`), { code }) });
const named = (name: string) => Object.assign(new Error(name), { name });

describe('retries as the SDK standard strategy classifies errors', () => {
  afterEach(() => vi.unstubAllEnvs());

  it.each([
    ['a throttling error', reply(400, { __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException' }), 1000],
    ['exceeded throughput', reply(400, { __type: 'x#ProvisionedThroughputExceededException' }), 1000],
    ['the account request limit', reply(400, { __type: 'x#RequestLimitExceeded' }), 1000],
    ['a transaction still in progress', reply(400, { __type: 'x#TransactionInProgressException' }), 1000],
    ['HTTP 429', reply(429, { __type: 'x#Unknown' }), 1000],
    ['an internal error', reply(500, { __type: 'x#InternalServerError' }), 50],
    ['HTTP 503', reply(503, {}), 50],
    ['any other 5xx', reply(507, { __type: 'x#Whatever' }), 50],
    ['an expired signature', reply(400, { __type: 'x#InvalidSignatureException', message: 'Signature expired: 20260302T020000Z is now earlier than …' }), 50],
    ['a reset connection', networkError('ECONNRESET'), 50],
    ['a refused connection', networkError('ECONNREFUSED'), 50],
    ['an unknown host', networkError('ENOTFOUND'), 50],
    ["fetch's closed socket", networkError('UND_ERR_SOCKET'), 50],
    ['an attempt past its timeout', named('TimeoutError'), 50],
  ])('retries %s, after a full-jitter delay from the right base', async (_what, first, base) => {
    const { attempts, delays, outcome } = await afterFailure(first);
    expect(outcome).toBe('answered');
    expect(attempts).toBe(2);
    expect(delays).toEqual([base]);
  });

  it.each([
    ['a failed condition', reply(400, { __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException', message: 'The conditional request failed' }), 'ConditionalCheckFailedException'],
    ['a cancelled transaction', reply(400, { __type: 'x#TransactionCanceledException', Message: 'Transaction cancelled', CancellationReasons: [{ Code: 'TransactionConflict' }] }), 'TransactionCanceledException'],
    ['a transaction conflict', reply(400, { __type: 'x#TransactionConflictException' }), 'TransactionConflictException'],
    ['an invalid request', reply(400, { __type: 'com.amazon.coral.validate#ValidationException', message: 'bad' }), 'ValidationException'],
    ['a refused signature', reply(400, { __type: 'x#InvalidSignatureException', message: 'The request signature we calculated does not match' }), 'InvalidSignatureException'],
    ['an aborted request', named('AbortError'), 'NetworkError'],
    ['a fetch failure of no known cause', new TypeError('fetch failed'), 'NetworkError'],
  ])('does not retry %s, and names it', async (_what, first, name) => {
    const { attempts, delays, outcome } = await afterFailure(first);
    expect(attempts).toBe(1);
    expect(delays).toEqual([]);
    expect(outcome).toBeInstanceOf(DynamoHttpError);
    expect(outcome).toMatchObject({ name, retryable: false });
  });

  it('gives up after three attempts, the backoff doubling', async () => {
    credentials();
    const { fake, sent } = scripted([reply(500, { __type: 'x#InternalServerError' })]);
    const delays: number[] = [];
    const failure = await signedTable({ ...options, fetch: fake, random: () => 1, sleep: async (ms) => void delays.push(ms) })
      .put({ TableName: 't', Item: { pk: 'a', sk: 'b' } })
      .catch((err: unknown) => err);
    expect(sent).toHaveLength(3);
    expect(delays).toEqual([50, 100]);
    expect(failure).toMatchObject({ name: 'InternalServerError', status: 500, retryable: true });
  });
});

describe('signed writes', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('sends a transaction with each item marshalled as the document client does, binary values as base64', async () => {
    credentials();
    const { fake, sent } = scripted([reply(200, {})]);
    await signedTable({ ...options, fetch: fake }).transactWrite({
      TransactItems: [
        { Put: { TableName: 't', Item: { pk: 'a', sk: 'b', tags: new Set(['x']), gone: undefined, file: new Uint8Array([1, 2, 3]) }, ConditionExpression: 'attribute_not_exists(pk)' } },
        { Update: { TableName: 't', Key: { pk: 'a', sk: 'c' }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } } },
        { Delete: { TableName: 't', Key: { pk: 'a', sk: 'd' } } },
        { ConditionCheck: { TableName: 't', Key: { pk: 'a', sk: 'e' }, ConditionExpression: 'v = :v', ExpressionAttributeValues: { ':v': 'ok' } } },
      ],
      ClientRequestToken: 'token-1',
    });
    const headers = sent[0]!.init.headers as Record<string, string>;
    expect(headers['x-amz-target']).toBe('DynamoDB_20120810.TransactWriteItems');
    expect(JSON.parse(String(sent[0]!.init.body))).toEqual({
      TransactItems: [
        { Put: { TableName: 't', Item: { pk: { S: 'a' }, sk: { S: 'b' }, tags: { SS: ['x'] }, file: { B: 'AQID' } }, ConditionExpression: 'attribute_not_exists(pk)' } },
        { Update: { TableName: 't', Key: { pk: { S: 'a' }, sk: { S: 'c' } }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } } } },
        { Delete: { TableName: 't', Key: { pk: { S: 'a' }, sk: { S: 'd' } } } },
        { ConditionCheck: { TableName: 't', Key: { pk: { S: 'a' }, sk: { S: 'e' } }, ConditionExpression: 'v = :v', ExpressionAttributeValues: { ':v': { S: 'ok' } } } },
      ],
      ClientRequestToken: 'token-1',
    });
  });

  it('answers the returned attributes in native values, binary included', async () => {
    credentials();
    const { fake } = scripted([reply(200, { Attributes: { value: { N: '7' }, file: { B: 'AQID' }, holders: { M: { h: { L: [{ N: '1' }, { BS: ['AQ=='] }] } } } } })]);
    const out = await signedTable({ ...options, fetch: fake }).update({ TableName: 't', Key: { pk: 'a', sk: 'b' }, UpdateExpression: 'SET #v = :v', ReturnValues: 'ALL_NEW' });
    expect(out).toEqual({ Attributes: { value: 7, file: new Uint8Array([1, 2, 3]), holders: { h: [1, new Set([new Uint8Array([1])])] } } });
  });

  it('carries a refusal’s reasons and item, unmarshalled, where the adapters read them', async () => {
    credentials();
    const cancelled = scripted([
      reply(400, {
        __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
        Message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]',
        CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', Item: { version: { N: '3' } } }],
      }),
    ]);
    const failure = await signedTable({ ...options, fetch: cancelled.fake })
      .transactWrite({ TransactItems: [] })
      .catch((err: unknown) => err);
    expect(failure).toMatchObject({ name: 'TransactionCanceledException', message: expect.stringContaining('Transaction cancelled'), status: 400 });
    expect(cancellationReasons(failure)).toEqual([{ Code: 'None' }, { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', Item: { version: 3 } }]);

    const refused = scripted([reply(400, { __type: 'x#ConditionalCheckFailedException', message: 'The conditional request failed', Item: { owner: { S: 'other' } } })]);
    const conditional = await signedTable({ ...options, fetch: refused.fake })
      .put({ TableName: 't', Item: { pk: 'a' }, ConditionExpression: 'attribute_not_exists(pk)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' })
      .catch((err: unknown) => err);
    expect(isConditionFailed(conditional)).toBe(true);
    expect(cancellationReasons(conditional)).toBeUndefined();
    expect(conditional).toMatchObject({ Item: { owner: 'other' } });
  });

  it('asks for consumed capacity only while observed, and reports each attempt with the items written', async () => {
    credentials();
    const { fake, sent } = scripted([reply(400, { __type: 'x#ThrottlingException' }), reply(200, { ConsumedCapacity: [{ TableName: 't', CapacityUnits: 4, Table: { CapacityUnits: 4 } }] })]);
    const table = signedTable({ ...options, fetch: fake });
    const write = { TransactItems: [{ Put: { TableName: 't', Item: { pk: 'a' } } }, { Delete: { TableName: 't', Key: { pk: 'b' } } }] };
    const seen: ObservedRequest[] = [];
    const stop = observeRequests({ request: (r) => seen.push(r) });
    try {
      await table.transactWrite(write);
    } finally {
      stop();
    }
    // the items as sent, for the bench to bill (bench/capacity.ts)
    const transactItems = [{ Put: { TableName: 't', Item: { pk: { S: 'a' } } } }, { Delete: { TableName: 't', Key: { pk: { S: 'b' } } } }];
    expect(seen).toEqual([
      { service: 'DynamoDB', operation: 'TransactWriteItems', failed: true, items: 2, transactItems },
      { service: 'DynamoDB', operation: 'TransactWriteItems', failed: false, items: 2, transactItems, units: { read: 0, write: 4, indexWrite: 0 } },
    ]);
    expect(JSON.parse(String(sent[1]!.init.body)).ReturnConsumedCapacity).toBe('INDEXES');
    await table.transactWrite(write);
    expect(JSON.parse(String(sent[2]!.init.body))).not.toHaveProperty('ReturnConsumedCapacity');
  });
});
