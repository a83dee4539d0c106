import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { GetBucketCorsCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { agencyQueue, routes, table } from '../../functions/declaration.js';
import { loadProvince } from '../../provinces/load.js';
import { createLocalClock } from '../../local/clock.js';
import { answerFromResult, buildEvent, createApiListener, createAuthorizer } from '../../local/http.js';
import { createLocalIdentity } from '../../local/identity.js';
import { ensureTable } from '../../local/resources.js';
import { startLocalSqs } from '../../local/sqs.js';
import { startStreamPoller, type StreamHandler } from '../../local/streams.js';
import { sleep, type Logger } from '../../local/support.js';
import { api, tokenFor } from '../support/api.js';
import { createKeyTable } from '../support/tables.js';

const stack = inject('localStack');
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const dynamo = new DynamoDBClient({ region: stack.region, endpoint: stack.endpoints.dynamodb, credentials });
const sqs = new SQSClient({ region: stack.region, endpoint: stack.endpoints.sqs, credentials });
const silent: Logger = { info: () => undefined, error: () => undefined };

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'motcua-local-runtime-'));
}

async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(50);
  }
}

describe('the local stack creates what the declaration describes', () => {
  it('has the table with its keys, indexes (the declared projections), stream and TTL', async () => {
    // Act
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: stack.tableName }));
    const ttl = await dynamo.send(new DescribeTimeToLiveCommand({ TableName: stack.tableName }));

    // Assess
    expect(Table?.KeySchema).toEqual([
      { AttributeName: table.partitionKey, KeyType: 'HASH' },
      { AttributeName: table.sortKey, KeyType: 'RANGE' },
    ]);
    for (const index of table.indexes) {
      const found = Table?.GlobalSecondaryIndexes?.find((i) => i.IndexName === index.name);
      expect(found?.KeySchema).toEqual([
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ]);
      expect(found?.Projection?.ProjectionType).toBe('INCLUDE');
      expect(new Set(found?.Projection?.NonKeyAttributes)).toEqual(new Set(index.projected));
    }
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: table.stream });
    expect(ttl.TimeToLiveDescription?.AttributeName).toBe(table.timeToLiveAttribute);
  });

  it('makes again an index that an older data folder created with another projection, keeping its items', async () => {
    // Prepare: the table as it was created before the projections were narrowed
    const tableName = `motcua-old-${randomUUID().slice(0, 8)}`;
    const keyNames = [table.partitionKey, table.sortKey, ...table.indexes.flatMap((i) => [i.partitionKey, i.sortKey])];
    await dynamo.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: keyNames.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: table.partitionKey, KeyType: 'HASH' },
          { AttributeName: table.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: table.indexes.map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
        StreamSpecification: { StreamEnabled: true, StreamViewType: table.stream },
      }),
    );
    await dynamo.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'DOSSIER#x' }, sk: { S: 'DOSSIER' }, gsi2pk: { S: 'APPLICANT#s' }, gsi2sk: { S: 'a#x' }, code: { S: 'x' }, fields: { S: 'form' } } }));
    // Act
    await ensureTable(dynamo, tableName);
    // Assess
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    for (const index of table.indexes) expect(Table?.GlobalSecondaryIndexes?.find((i) => i.IndexName === index.name)?.Projection?.ProjectionType).toBe('INCLUDE');
    const listed = await dynamo.send(new QueryCommand({ TableName: tableName, IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'APPLICANT#s' } } }));
    expect(listed.Items?.map((i) => [i.code?.S, i.fields])).toEqual([['x', undefined]]);
    await dynamo.send(new DeleteTableCommand({ TableName: tableName }));
  });

  it('has the documents bucket with CORS for browser uploads', async () => {
    const s3 = new S3Client({ region: stack.region, endpoint: stack.endpoints.s3, credentials, forcePathStyle: true });
    await expect(s3.send(new HeadBucketCommand({ Bucket: stack.bucketName }))).resolves.toBeDefined();
    const cors = await s3.send(new GetBucketCorsCommand({ Bucket: stack.bucketName }));
    expect(cors.CORSRules?.[0]?.AllowedMethods).toContain('PUT');
  });

  it('has a queue and a dead-letter queue per agency, at QUEUE_URL_BASE/<name>, and the events DLQ', async () => {
    const province = loadProvince(stack.provinceId);
    expect(stack.agencyIds).toEqual(province.agencies.map((a) => a.id));
    for (const agency of province.agencies) {
      const name = agencyQueue.name(province.id, agency.id);
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
      expect(QueueUrl).toBe(`${process.env.QUEUE_URL_BASE}/${name}`);
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
      expect(Attributes?.VisibilityTimeout).toBe(String(agencyQueue.visibilityTimeoutSeconds));
      const redrive = JSON.parse(Attributes?.RedrivePolicy ?? '{}') as { deadLetterTargetArn?: string; maxReceiveCount?: number };
      expect(redrive.maxReceiveCount).toBe(agencyQueue.maxReceiveCount);
      expect(redrive.deadLetterTargetArn).toMatch(new RegExp(`:${agencyQueue.deadLetterName(province.id, agency.id)}$`));
    }
    const dlq = await sqs.send(new GetQueueUrlCommand({ QueueName: `motcua-${province.id}-events-dlq` }));
    expect(dlq.QueueUrl).toBe(stack.eventsDlqUrl);
  });

  it('sets the environment names of the declaration for in-process handlers', () => {
    expect(process.env.TABLE_NAME).toBe(`motcua-${stack.provinceId}`);
    expect(process.env.BUCKET_NAME).toBe(`motcua-${stack.provinceId}-documents`);
    expect(process.env.PROVINCE_ID).toBe(stack.provinceId);
    expect(process.env.PROVINCE_FILE).toMatch(new RegExp(`provinces/${stack.provinceId}\\.json$`));
    expect(process.env.PUBLIC_BASE_URL).toBe(stack.apiUrl);
    expect(process.env.AWS_ENDPOINT_URL_SQS).toBe(stack.endpoints.sqs);
  });
});

describe('the JWT authorizer checks tokens as API Gateway does', () => {
  const issuer = 'http://127.0.0.1:1/local/identity';
  const audience = 'motcua-local';
  let authorize: ReturnType<typeof createAuthorizer>;
  let sign: (claims: JWTPayload, options?: { expiresIn?: string; audience?: string; issuer?: string }) => Promise<string>;
  let signWithOtherKey: () => Promise<string>;

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const other = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
    authorize = createAuthorizer({ jwks: { keys: [jwk] }, issuer, audience });
    sign = (claims, options = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer(options.issuer ?? issuer)
        .setAudience(options.audience ?? audience)
        .setSubject('citizen-1')
        .setIssuedAt(typeof claims.iat === 'number' ? claims.iat : undefined)
        .setExpirationTime(options.expiresIn ?? '1h')
        .sign(privateKey);
    // Same kid, another key: what a forged token looks like.
    signWithOtherKey = () => new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuer(issuer).setAudience(audience).setExpirationTime('1h').sign(other.privateKey);
  });

  it('passes the claims of a valid token through as jose returns them', async () => {
    const token = await sign({ 'cognito:groups': ['official'], 'custom:agencyId': 'so-tu-phap', scope: 'a b' });
    const verdict = await authorize(`Bearer ${token}`);
    expect(verdict).toMatchObject({ ok: true, scopes: ['a', 'b'], claims: { sub: 'citizen-1', 'cognito:groups': ['official'], 'custom:agencyId': 'so-tu-phap', aud: audience } });
  });

  it.each([
    ['no header', async () => undefined],
    ['not a Bearer header', async () => `Basic ${Buffer.from('a:b').toString('base64')}`],
    ['an expired token', async () => `Bearer ${await sign({}, { expiresIn: '-1m' })}`],
    ['a wrong audience', async () => `Bearer ${await sign({}, { audience: 'someone-else' })}`],
    ['a wrong issuer', async () => `Bearer ${await sign({}, { issuer: 'https://evil.example' })}`],
    ['a token signed by another key', async () => `Bearer ${await signWithOtherKey()}`],
    [
      'alg none',
      async () => {
        const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
        return `Bearer ${part({ alg: 'none', typ: 'JWT' })}.${part({ iss: issuer, aud: audience, sub: 'x', exp: Math.floor(Date.now() / 1000) + 600 })}.`;
      },
    ],
    ['garbage', async () => 'Bearer not.a.jwt'],
    ['a token issued an hour from now', async () => `Bearer ${await sign({ iat: Math.floor(Date.now() / 1000) + 3600 }, { expiresIn: '2h' })}`],
    ['a token valid only from an hour from now', async () => `Bearer ${await sign({ nbf: Math.floor(Date.now() / 1000) + 3600 }, { expiresIn: '2h' })}`],
  ])('refuses %s', async (_name, header) => {
    const verdict = await authorize(await header());
    expect(verdict.ok).toBe(false);
  });

  it('issues tokens only for subjects the API takes, so a typed name is refused where it is typed', async () => {
    for (const subject of ['Nguyễn Văn A', 'cong dan', 'desk:so-tu-phap:x', 'dvcqg']) {
      const answer = await api('/local/token', { body: { role: 'citizen', subject } });
      expect(answer.status, subject).toBe(400);
      expect(answer.json.error.details.map((d: { field: string }) => d.field)).toEqual(['subject']);
    }
    expect((await api('/local/token', { body: { role: 'citizen', subject: 'cong-dan-1' } })).status).toBe(200);
  });

  it('answers 401 with API Gateway\'s body on a protected route, before any handler runs', async () => {
    const protectedRoute = routes.find((r) => r.access !== 'public' && r.method === 'GET');
    expect(protectedRoute).toBeDefined();
    const path = protectedRoute!.path.replace(/\{[^}]+\}/g, 'NO-SUCH-CODE');
    expect(await api(path)).toMatchObject({ status: 401, json: { message: 'Unauthorized' } });
    expect(await api(path, { token: 'abc' })).toMatchObject({ status: 401, json: { message: 'Unauthorized' } });
    const valid = await api(path, { token: await tokenFor('citizen') });
    expect(valid.status).not.toBe(401);
  });
});

describe('the API Gateway adapter', () => {
  it('answers unknown paths and wrong methods with 404 Not Found, and big bodies with 413', async () => {
    expect(await api('/no-such-path')).toMatchObject({ status: 404, json: { message: 'Not Found' } });
    const get = routes.find((r) => r.method === 'GET' && !r.path.includes('{'))!;
    expect(await api(get.path, { method: 'DELETE' })).toMatchObject({ status: 404, json: { message: 'Not Found' } });
    const big = await api('/dossiers', { method: 'POST', body: Buffer.alloc(10 * 1024 * 1024 + 1, 'a') });
    expect(big.status).toBe(413);
  });

  it('builds a payload 2.0 event', () => {
    const event = buildEvent(
      {
        method: 'GET',
        url: '/dossiers/A%2FB?x=1&x=2&y=%C3%A9',
        headers: { host: ['127.0.0.1:3000'], 'x-multi': ['a', 'b'], cookie: ['s=1; t=2'], 'user-agent': ['test'] },
        body: Buffer.alloc(0),
        sourceIp: '127.0.0.1',
        protocol: 'HTTP/1.1',
      },
      'GET /dossiers/{code}',
      { code: 'A/B' },
      { claims: { sub: 'u1', 'cognito:groups': ['admin'] }, scopes: [] },
      new Date('2026-03-02T03:04:05Z'),
    );
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /dossiers/{code}',
      rawPath: '/dossiers/A%2FB',
      rawQueryString: 'x=1&x=2&y=%C3%A9',
      cookies: ['s=1', 't=2'],
      headers: { host: '127.0.0.1:3000', 'x-multi': 'a,b', 'user-agent': 'test' },
      queryStringParameters: { x: '1,2', y: 'é' },
      pathParameters: { code: 'A/B' },
      isBase64Encoded: false,
      requestContext: {
        stage: '$default',
        routeKey: 'GET /dossiers/{code}',
        time: '02/Mar/2026:03:04:05 +0000',
        timeEpoch: Date.parse('2026-03-02T03:04:05Z'),
        http: { method: 'GET', path: '/dossiers/A%2FB', sourceIp: '127.0.0.1', userAgent: 'test' },
        authorizer: { jwt: { claims: { sub: 'u1', 'cognito:groups': ['admin'] }, scopes: [] } },
      },
    });
    expect(event.headers.cookie).toBeUndefined();
    const binary = buildEvent(
      { method: 'POST', url: '/x', headers: { 'content-type': ['image/png'] }, body: Buffer.from([0, 255]), sourceIp: '::1', protocol: 'HTTP/1.1' },
      'POST /x',
      undefined,
      undefined,
      new Date(),
    );
    expect(binary).toMatchObject({ body: Buffer.from([0, 255]).toString('base64'), isBase64Encoded: true });
    expect('authorizer' in binary.requestContext).toBe(false);
  });

  it('maps handler results by the HTTP API rules', () => {
    expect(answerFromResult('hello')).toMatchObject({ status: 200 });
    expect(answerFromResult({ a: 1 }).body.toString()).toBe('{"a":1}');
    const structured = answerFromResult({ statusCode: 201, headers: { Location: '/x' }, cookies: ['a=1'], body: Buffer.from('hi').toString('base64'), isBase64Encoded: true });
    expect(structured).toMatchObject({ status: 201, headers: { location: '/x', 'set-cookie': ['a=1'] } });
    expect(structured.body.toString()).toBe('hi');
  });

  it('issues local tokens only for known agencies, with the project error shape', async () => {
    const missing = await api('/local/token', { method: 'POST', body: { role: 'official' } });
    expect(missing).toMatchObject({ status: 400, json: { error: { code: 'invalid_input', details: [{ field: 'agencyId' }] } } });
    const unknown = await api('/local/token', { method: 'POST', body: { role: 'official', agencyId: 'no-such-agency' } });
    expect(unknown.status).toBe(400);
    const badRole = await api('/local/token', { method: 'POST', body: { role: 'king' } });
    expect(badRole).toMatchObject({ status: 400, json: { error: { details: [{ field: 'role' }] } } });
    const ok = await api('/local/token', { method: 'POST', body: { role: 'official', agencyId: stack.agencyIds[0] } });
    expect(ok).toMatchObject({ status: 200, json: { expiresIn: 3600 } });
    const claims = JSON.parse(Buffer.from((ok.json as { token: string }).token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ iss: stack.issuer, aud: 'motcua-local', 'cognito:groups': ['official'], 'custom:agencyId': stack.agencyIds[0] });
  });
});

describe('the local clock endpoint', () => {
  // A private API on its own clock: moving the shared stack's clock would disturb other test files.
  let server: Server;
  let base: string;
  const dataDir = tempDir();

  beforeAll(async () => {
    const clock = createLocalClock({ dataDir, install: false });
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const identity = await createLocalIdentity({ dataDir, apiUrl: base });
    server.on('request', createApiListener({ routes, province: loadProvince(stack.provinceId), identity, clock, logger: silent, region: stack.region }));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lets a client that leaves before its body arrives go, without calling it a failure of the API', async () => {
    // Prepare: a listener whose log is kept
    const lines: { level: string; message: string }[] = [];
    const own = createServer();
    await new Promise<void>((resolve) => own.listen(0, '127.0.0.1', resolve));
    const port = (own.address() as { port: number }).port;
    const identity = await createLocalIdentity({ dataDir, apiUrl: `http://127.0.0.1:${port}` });
    const logger: Logger = { info: (message) => void lines.push({ level: 'info', message }), error: (message) => void lines.push({ level: 'error', message }) };
    own.on('request', createApiListener({ routes, province: loadProvince(stack.provinceId), identity, clock: createLocalClock({ dataDir, install: false }), logger, region: stack.region }));

    // Act: 10 of the 1,000 bytes it announced, then gone
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write('POST /dossiers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"service');
    await sleep(100);
    socket.destroy();
    for (let i = 0; i < 50 && lines.length === 0; i++) await sleep(20);
    await new Promise((resolve) => own.close(resolve));

    // Assess
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
    expect(lines.map((l) => l.message)).toEqual([expect.stringContaining('the client closed the connection')]);
  });

  const call = async (body?: unknown): Promise<{ status: number; json: { now: string; offsetMs: number } }> => {
    const res = await fetch(`${base}/local/clock`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as { now: string; offsetMs: number } };
  };

  it('reads, advances, sets and keeps the offset on disk', async () => {
    const start = await call();
    expect(Math.abs(Date.parse(start.json.now) - Date.now())).toBeLessThan(2000);
    const advanced = await call({ advance: { days: 1, hours: 2 } });
    expect(advanced.json.offsetMs).toBe(26 * 3600_000);
    const set = await call({ set: '2030-01-02T03:00:00+07:00' });
    expect(Math.abs(Date.parse(set.json.now) - Date.parse('2030-01-01T20:00:00Z'))).toBeLessThan(2000);
    // A restart reads the same offset back.
    expect(Math.abs(createLocalClock({ dataDir, install: false }).now().getTime() - Date.parse('2030-01-01T20:00:00Z'))).toBeLessThan(2000);
    expect((await call({ advance: { weeks: 1 } })).status).toBe(400);
    expect((await call({})).status).toBe(400);
  });
});

describe('the stream poller feeds a consumer with Lambda semantics', () => {
  const streams = new DynamoDBStreamsClient({ region: stack.region, endpoint: stack.endpoints.dynamodb, credentials });
  const tableName = `poller-test-${randomUUID().slice(0, 8)}`;
  let streamArn: string;
  let dlqUrl: string;

  beforeAll(async () => {
    streamArn = await createKeyTable(dynamo, tableName, { stream: true });
    dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${tableName}-dlq` }))).QueueUrl ?? '';
  });
  afterAll(async () => {
    await dynamo.send(new DeleteTableCommand({ TableName: tableName }));
  });

  const put = (pk: string, sk: string, extra: Record<string, string> = {}) =>
    dynamo.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { pk: { S: pk }, sk: { S: sk }, data: { B: Buffer.from('hi') }, ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, { S: v }])) },
      }),
    );

  it('delivers inserted history events only, retries from the first reported failure, dead-letters after maxRetries, checkpoints', async () => {
    // Prepare
    const dataDir = tempDir();
    const pk = `DOSSIER#${randomUUID()}`;
    const calls: DynamoDBRecord[][] = [];
    const failOnce = new Set(['EVENT#2']);
    let handler: StreamHandler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
      calls.push(event.Records);
      const failures = event.Records.filter((r) => {
        const sk = r.dynamodb?.NewImage?.sk?.S ?? '';
        if (sk === 'EVENT#4') return true;
        if (failOnce.delete(sk)) return true;
        return false;
      });
      return { batchItemFailures: failures.map((r) => ({ itemIdentifier: r.dynamodb?.SequenceNumber ?? '' })) };
    };
    const start = () =>
      startStreamPoller({
        consumer: { id: 'test-consumer', batchSize: 10, maxRetries: 2 },
        handler: async () => (event, context) => handler(event, context),
        streams,
        streamArn,
        dataDir,
        region: stack.region,
        logger: silent,
        deadLetter: { sqs, queueUrl: dlqUrl },
        pollIntervalMs: 50,
        retryDelayMs: 10,
      });

    // Act: written before the poller starts, so that they arrive in one batch (it reads from the trim horizon).
    await put(pk, 'META');
    // an EVENT# sort key outside a dossier's partition is not a history event either
    await put(`OTHER#${randomUUID()}`, 'EVENT#1');
    await put(pk, 'EVENT#1');
    await put(pk, 'EVENT#2');
    await put(pk, 'EVENT#3');
    await put(pk, 'EVENT#4');
    let poller = start();
    const dead = await eventually(async () => {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10 }));
      return Messages?.[0];
    });
    await poller.settled();
    await poller.stop();

    // Assess: the first batch holds the four events (not META, not the other partition's), in order, in Lambda's record shape.
    const sks = (records: DynamoDBRecord[]) => records.map((r) => r.dynamodb?.NewImage?.sk?.S);
    const first = calls[0] ?? [];
    expect(sks(first)).toEqual(['EVENT#1', 'EVENT#2', 'EVENT#3', 'EVENT#4']);
    expect(first[0]).toMatchObject({
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      eventSourceARN: streamArn,
      awsRegion: stack.region,
      dynamodb: { Keys: { pk: { S: pk }, sk: { S: 'EVENT#1' } }, StreamViewType: 'NEW_IMAGE', NewImage: { data: { B: Buffer.from('hi').toString('base64') } } },
    });
    expect(typeof first[0]?.dynamodb?.ApproximateCreationDateTime).toBe('number');
    // Retries resume at the first failure (EVENT#2, then EVENT#4); 1 + maxRetries attempts in all.
    expect(calls.slice(1).map(sks)).toEqual([['EVENT#2', 'EVENT#3', 'EVENT#4'], ['EVENT#4']]);
    const body = JSON.parse(dead.Body ?? '{}') as { requestContext: { condition: string }; DDBStreamBatchInfo: { batchSize: number }; records: DynamoDBRecord[] };
    expect(body.requestContext.condition).toBe('RetryAttemptsExhausted');
    expect(body.DDBStreamBatchInfo.batchSize).toBe(1);
    expect(sks(body.records)).toEqual(['EVENT#4']);
    expect(readdirSync(join(dataDir, 'failed-events'))).toHaveLength(1);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: dead.ReceiptHandle }));

    // Act again: a restart on the same checkpoint delivers only what is new.
    const checkpoint = JSON.parse(readFileSync(join(dataDir, 'streams', 'test-consumer.json'), 'utf8')) as { shards: Record<string, { sequenceNumber?: string }> };
    expect(Object.values(checkpoint.shards).some((s) => s.sequenceNumber)).toBe(true);
    const afterRestart: DynamoDBRecord[][] = [];
    handler = async (event) => {
      afterRestart.push(event.Records);
      return { batchItemFailures: [] };
    };
    poller = start();
    await put(pk, 'EVENT#5');
    await eventually(() => (afterRestart.length > 0 ? true : undefined));
    await poller.settled();
    await poller.stop();
    expect(afterRestart.map(sks)).toEqual([['EVENT#5']]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A poller of one partition's inserts with a batching window, recording each batch's sort keys. */
  const windowedPoller = (consumer: { id: string; batchSize: number; batchWindowSeconds: number }, pk: string, dataDir: string, calls: string[][]) =>
    startStreamPoller({
      consumer: { ...consumer, maxRetries: 0 },
      handler: async () => async (event) => {
        calls.push(event.Records.map((r) => r.dynamodb?.NewImage?.sk?.S ?? ''));
      },
      streams,
      streamArn,
      dataDir,
      region: stack.region,
      logger: silent,
      filter: (r) => r.eventName === 'INSERT' && r.dynamodb?.Keys?.pk?.S === pk,
      pollIntervalMs: 50,
    });

  it('gathers records written apart into one batch within the window, and sends a full batch without waiting for it', async () => {
    // Prepare: a window longer than the test may last, so only a full batch can be delivered
    const dataDir = tempDir();
    const pk = `W#${randomUUID()}`;
    const calls: string[][] = [];
    const poller = windowedPoller({ id: 'windowed', batchSize: 3, batchWindowSeconds: 600 }, pk, dataDir, calls);
    // Act: three events, each after the poller has had several chances to deliver the one before
    for (const sk of ['EVENT#1', 'EVENT#2', 'EVENT#3']) {
      await put(pk, sk);
      await sleep(400);
    }
    await eventually(() => (calls.length > 0 ? true : undefined));
    await poller.stop();
    // Assess: one invocation for the three
    expect(calls).toEqual([['EVENT#1', 'EVENT#2', 'EVENT#3']]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers a partial batch once its first record has waited the window, and checkpoints only what was delivered', async () => {
    const dataDir = tempDir();
    const pk = `P#${randomUUID()}`;
    const calls: string[][] = [];
    const start = (windowSeconds: number) => windowedPoller({ id: 'partial', batchSize: 25, batchWindowSeconds: windowSeconds }, pk, dataDir, calls);
    // Act: a record held by a long window when the poller stops is not lost; a short window delivers it
    let poller = start(600);
    await put(pk, 'EVENT#1');
    await sleep(500);
    await poller.stop();
    const held = [...calls];
    poller = start(1);
    await eventually(() => (calls.length > 0 ? true : undefined));
    await poller.stop();
    // Assess
    expect(held).toEqual([]);
    expect(calls).toEqual([['EVENT#1']]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('retries a batch whose handler throws, from its first record', async () => {
    const dataDir = tempDir();
    const pk = `T#${randomUUID()}`;
    let attempts = 0;
    const seen: string[][] = [];
    const poller = startStreamPoller({
      consumer: { id: 'throwing', batchSize: 5, maxRetries: 3 },
      handler: async () => async (event) => {
        seen.push(event.Records.map((r) => r.dynamodb?.NewImage?.pk?.S ?? ''));
        attempts++;
        if (attempts === 1) throw new Error('boom');
      },
      streams,
      streamArn,
      dataDir,
      region: stack.region,
      logger: silent,
      filter: (r) => r.eventName === 'INSERT' && r.dynamodb?.Keys?.pk?.S === pk,
      pollIntervalMs: 50,
      retryDelayMs: 10,
    });
    await put(pk, 'EVENT#x');
    await eventually(() => (attempts >= 2 ? true : undefined));
    await poller.stop();
    expect(seen).toEqual([[pk], [pk]]);
    rmSync(dataDir, { recursive: true, force: true });
  });
});

describe('queue snapshots', () => {
  it('put every message back after a stop and a start: ready, delayed and in flight, with attributes', async () => {
    // Prepare
    const dataDir = tempDir();
    let local = await startLocalSqs({ port: 0, region: stack.region, dataDir, logger: silent });
    let client = new SQSClient({ region: stack.region, endpoint: local.endpoint, credentials });
    const name = 'snapshot-test';
    let url = (await client.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '300' } }))).QueueUrl;
    const ready = await client.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'ready', MessageAttributes: { kind: { DataType: 'String', StringValue: 'a' } } }),
    );
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'delayed', DelaySeconds: 600 }));
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'in-flight' }));
    // Receive both visible messages, then hand 'ready' back, so that only 'in-flight' stays in flight.
    const received = await client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }));
    const inFlight = received.Messages?.find((m) => m.Body === 'in-flight');
    const back = received.Messages?.find((m) => m.Body === 'ready');
    expect(inFlight && back).toBeTruthy();
    const { ChangeMessageVisibilityCommand } = await import('@aws-sdk/client-sqs');
    await client.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: back?.ReceiptHandle, VisibilityTimeout: 0 }));

    // Act
    await local.stop();
    client.destroy();
    local = await startLocalSqs({ port: 0, region: stack.region, dataDir, logger: silent });
    client = new SQSClient({ region: stack.region, endpoint: local.endpoint, credentials });
    url = (await client.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;

    // Assess
    expect(local.restoredMessages).toBe(3);
    expect(url).toBe(`${local.queueUrlBase}/${name}`);
    const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
    expect(Attributes).toMatchObject({ VisibilityTimeout: '300', ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesNotVisible: '1', ApproximateNumberOfMessagesDelayed: '1' });
    const again = await client.send(new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }));
    expect(again.Messages?.[0]).toMatchObject({ MessageId: ready.MessageId, Body: 'ready', MessageAttributes: { kind: { StringValue: 'a' } } });
    expect(again.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
    // The receipt handle given out before the restart still deletes the in-flight message.
    await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: inFlight?.ReceiptHandle }));
    const after = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessagesNotVisible'] }));
    expect(after.Attributes?.ApproximateNumberOfMessagesNotVisible).toBe('1');
    await local.stop();
    client.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });
});

describe('a busy port', () => {
  it('stops the start with one line naming the port and the variable that moves it', async () => {
    const { createServer } = await import('node:net');
    const { assertPortFree } = await import('../../local/support.js');
    const holder = createServer();
    await new Promise<void>((done) => holder.listen(0, '127.0.0.1', () => done()));
    const port = (holder.address() as { port: number }).port;
    await expect(assertPortFree(port, 'S3 (s3rver)', 'MOTCUA_S3_PORT')).rejects.toThrow(`port ${port} for S3 (s3rver) is already in use: stop what holds it or set MOTCUA_S3_PORT`);
    await new Promise<void>((done) => holder.close(() => done()));
    await expect(assertPortFree(port, 'S3 (s3rver)', 'MOTCUA_S3_PORT')).resolves.toBeUndefined();
  });
});
