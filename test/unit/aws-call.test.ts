import { createHash, createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { awsCaller, AwsCallError, classify, endpointOf, errorOf, S3, SECRETS_MANAGER, SESV2, SNS, SQS, uriEncode } from '../../functions/adapters/aws-call.js';
import { observeRequests, runObserved, type ObservedRequest } from '../../functions/adapters/request-observer.js';

interface Sent {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
}

/** A fetch that answers from a list (the last one repeats) and keeps what it was sent. */
function scripted(answers: readonly (Response | Error | (() => Promise<Response>))[]) {
  const sent: Sent[] = [];
  let i = 0;
  const fake = (async (url: URL | string, init?: RequestInit) => {
    sent.push({ url: String(url), method: init?.method ?? 'GET', headers: { ...(init?.headers as Record<string, string>) }, body: init?.body === undefined ? undefined : String(init.body) });
    const answer = answers[Math.min(i++, answers.length - 1)]!;
    if (answer instanceof Error) throw answer;
    if (typeof answer === 'function') return answer();
    return answer.clone();
  }) as typeof fetch;
  return { fake, sent };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/x-amz-json-1.0', ...headers } });
const xml = (status: number, body: string) => new Response(body, { status, headers: { 'content-type': 'application/xml' } });

const region = 'ap-southeast-1';
const noWait = { sleep: async () => {}, random: () => 0.5 };

/**
 * SigV4 as AWS documents it (canonical request, string to sign, derived key), written out here with
 * node:crypto so that the signer's output is checked against the specification, not against itself.
 */
function expectedAuthorization(sent: Sent, service: string, secret: string, doubleEncodePath: boolean): string {
  const url = new URL(sent.url);
  const headers: Record<string, string> = { host: url.host };
  for (const [k, v] of Object.entries(sent.headers)) if (k.toLowerCase() !== 'authorization') headers[k.toLowerCase()] = v.trim();
  const signed = sent.headers.authorization!.match(/SignedHeaders=([^,]+)/)![1]!.split(';');
  const date = headers['x-amz-date']!;
  const scope = `${date.slice(0, 8)}/${region}/${service}/aws4_request`;
  const path = doubleEncodePath ? url.pathname.split('/').map(uriEncode).join('/') : url.pathname;
  const query = [...url.searchParams.entries()]
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonical = [sent.method, path, query, ...signed.map((h) => `${h}:${headers[h]}`), '', signed.join(';'), createHash('sha256').update(sent.body ?? '').digest('hex')].join('\n');
  const toSign = ['AWS4-HMAC-SHA256', date, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
  let key: Buffer = Buffer.from(`AWS4${secret}`);
  for (const part of [date.slice(0, 8), region, service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  return `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/${scope}, SignedHeaders=${signed.join(';')}, Signature=${createHmac('sha256', key).update(toSign).digest('hex')}`;
}

beforeEach(() => {
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY');
  vi.stubEnv('AWS_SESSION_TOKEN', 'session-token');
});
afterEach(() => vi.unstubAllEnvs());

describe('signed AWS calls', () => {
  it('signs a JSON request as SigV4 specifies and sends it to the endpoint the environment names', async () => {
    // Prepare
    const { fake, sent } = scripted([json(200, { MessageId: 'm-1' })]);
    const call = awsCaller(SQS, { region, env: { AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:4566', AWS_ENDPOINT_URL: 'http://elsewhere' }, fetch: fake, ...noWait });

    // Act
    const answer = await call({ operation: 'SendMessage', method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessage' }, body: '{"QueueUrl":"q"}' });

    // Assess
    expect(JSON.parse(answer.text)).toEqual({ MessageId: 'm-1' });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.url).toBe('http://127.0.0.1:4566/');
    expect(sent[0]!.headers['x-amz-security-token']).toBe('session-token');
    expect(sent[0]!.headers.authorization).toContain('SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target');
    expect(sent[0]!.headers.authorization).toBe(expectedAuthorization(sent[0]!, 'sqs', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', true));
    // fetch sets Host from the URL, the value that was signed
    expect(Object.keys(sent[0]!.headers).map((h) => h.toLowerCase())).not.toContain('host');
  });

  it('signs an S3 request over its path as sent, with the payload hash, an encoded key and a version query', async () => {
    // Prepare: a key with the characters encodeURIComponent leaves alone, which SigV4 encodes
    const { fake, sent } = scripted([new Response('', { status: 200, headers: { 'content-length': '5' } })]);
    const call = awsCaller(S3, { region, env: { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4569' }, fetch: fake, ...noWait });
    const key = `dossiers/X-1/đơn (bản sao)!*'.pdf`;

    // Act
    await call({ operation: 'HeadObject', method: 'HEAD', path: `/bucket/${key.split('/').map(uriEncode).join('/')}`, query: { versionId: 'v+1/2' } });

    // Assess
    expect(sent[0]!.url).toBe('http://127.0.0.1:4569/bucket/dossiers/X-1/%C4%91%C6%A1n%20%28b%E1%BA%A3n%20sao%29%21%2A%27.pdf?versionId=v%2B1%2F2');
    expect(sent[0]!.headers['x-amz-content-sha256']).toBe(createHash('sha256').update('').digest('hex'));
    expect(sent[0]!.headers.authorization).toBe(expectedAuthorization(sent[0]!, 's3', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', false));
  });

  it('resolves endpoints from the variables the SDK reads, then the regional endpoint', () => {
    expect(endpointOf(SECRETS_MANAGER, region, { AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:1' }).url.href).toBe('http://127.0.0.1:1/');
    expect(endpointOf(SESV2, region, { AWS_ENDPOINT_URL_SESV2: 'http://127.0.0.1:2' })).toEqual({ url: new URL('http://127.0.0.1:2'), custom: true });
    expect(endpointOf(SNS, region, { AWS_ENDPOINT_URL: 'http://127.0.0.1:3' }).url.href).toBe('http://127.0.0.1:3/');
    // another service's variable is not this one's
    expect(endpointOf(SNS, region, { AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:4' })).toEqual({ url: new URL('https://sns.ap-southeast-1.amazonaws.com'), custom: false });
    expect(endpointOf(SESV2, region, {}).url.href).toBe('https://email.ap-southeast-1.amazonaws.com/');
    expect(endpointOf(SECRETS_MANAGER, 'cn-north-1', {}).url.href).toBe('https://secretsmanager.cn-north-1.amazonaws.com.cn/');
  });

  it('retries throttling and transient failures with full-jitter backoff, three attempts in all', async () => {
    // Prepare
    const { fake, sent } = scripted([
      json(400, { __type: 'com.amazonaws.sqs#ThrottlingException', message: 'slow down' }),
      json(503, { __type: 'com.amazonaws.sqs#ServiceUnavailable', message: 'busy' }),
      json(200, { MessageId: 'm-3' }),
    ]);
    const delays: number[] = [];
    const call = awsCaller(SQS, { region, env: {}, fetch: fake, sleep: async (ms) => void delays.push(ms), random: () => 0.5 });

    // Act
    const answer = await call({ operation: 'SendMessage', method: 'POST', body: '{}' });

    // Assess: half of 1 s (throttled, first retry), then half of 100 ms (transient, second retry)
    expect(JSON.parse(answer.text)).toEqual({ MessageId: 'm-3' });
    expect(sent).toHaveLength(3);
    expect(delays).toEqual([500, 50]);
  });

  it('waits at least what Retry-After asks, at most 5 s more than its own delay', async () => {
    const { fake } = scripted([json(429, { message: 'later' }, { 'retry-after': '2' }), json(429, { message: 'later' }, { 'retry-after': '60' }), json(200, {})]);
    const delays: number[] = [];
    await awsCaller(SNS, { region, env: {}, fetch: fake, sleep: async (ms) => void delays.push(ms), random: () => 0 })({ operation: 'Publish', method: 'POST', body: '' });
    expect(delays).toEqual([2000, 5000]);
  });

  it('fails at once on what the service refused, named by its error code, with the HTTP status', async () => {
    // Prepare
    const { fake, sent } = scripted([json(400, { __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' })]);

    // Act
    const failure = await awsCaller(SQS, { region, env: {}, fetch: fake, ...noWait })({ operation: 'SendMessage', method: 'POST', body: '{}' }).catch((err: unknown) => err);

    // Assess
    expect(sent).toHaveLength(1);
    expect(failure).toBeInstanceOf(AwsCallError);
    expect(failure).toMatchObject({ name: 'QueueDoesNotExist', message: 'The specified queue does not exist.', status: 400, retryable: false, $metadata: { httpStatusCode: 400 } });
  });

  it('gives up after three attempts without an answer, and names a timeout as the SDK does', async () => {
    // Prepare: the second attempt hangs until its per-attempt timeout aborts it
    const hang = () => new Promise<Response>(() => {});
    const { fake, sent } = scripted([new TypeError('fetch failed'), new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') })]);
    const timing = scripted([hang]);
    const realFetch = (async (url: URL | string, init?: RequestInit) => {
      const answer = timing.fake(url, init);
      return Promise.race([answer, new Promise<never>((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)))]);
    }) as typeof fetch;

    // Act
    const refused = await awsCaller(SECRETS_MANAGER, { region, env: {}, fetch: fake, ...noWait })({ operation: 'GetSecretValue', method: 'POST', body: '{}' }).catch((err: unknown) => err);
    const timedOut = await awsCaller(SECRETS_MANAGER, { region, env: {}, fetch: realFetch, ...noWait })({ operation: 'GetSecretValue', method: 'POST', body: '{}', timeoutMs: 20 }).catch((err: unknown) => err);

    // Assess
    expect(sent).toHaveLength(3);
    expect(refused).toMatchObject({ name: 'NetworkError', status: undefined, retryable: true, $metadata: {} });
    expect((refused as Error).message).toContain('ECONNREFUSED');
    expect(timing.sent).toHaveLength(3);
    expect(timedOut).toMatchObject({ name: 'TimeoutError', retryable: true });
  });

  it("reads an S3 copy's 200 that ends in <Error> as a failure, retried like a 503", async () => {
    const failed = xml(200, '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>');
    const { fake, sent } = scripted([failed, xml(200, '<CopyObjectResult><ETag>"e"</ETag></CopyObjectResult>')]);
    const call = awsCaller(S3, { region, env: {}, fetch: fake, ...noWait });

    const answer = await call({ operation: 'CopyObject', method: 'PUT', path: '/b/k', errorIn200: true });
    expect(sent).toHaveLength(2);
    expect(answer.text).toContain('CopyObjectResult');

    const always = scripted([failed]);
    const failure = await awsCaller(S3, { region, env: {}, fetch: always.fake, ...noWait })({ operation: 'CopyObject', method: 'PUT', path: '/b/k', errorIn200: true }).catch((err: unknown) => err);
    expect(always.sent).toHaveLength(3);
    expect(failure).toMatchObject({ name: 'InternalError', status: 503 });
  });

  it('reports every attempt that was answered to the request observer, with the function that made it', async () => {
    // Prepare
    const seen: ObservedRequest[] = [];
    const stop = observeRequests({ request: (r) => seen.push(r) });
    const { fake } = scripted([json(500, { __type: 'InternalFailure' }), json(200, {})]);
    try {
      // Act
      await runObserved('motcua-lang-son-NotifyEvents', () => awsCaller(SESV2, { region, env: {}, fetch: fake, ...noWait })({ operation: 'SendEmail', method: 'POST', path: '/v2/email/outbound-emails', body: '{}' }));
    } finally {
      stop();
    }

    // Assess
    expect(seen).toEqual([
      { service: 'SESv2', operation: 'SendEmail', failed: true, functionName: 'motcua-lang-son-NotifyEvents' },
      { service: 'SESv2', operation: 'SendEmail', failed: false, functionName: 'motcua-lang-son-NotifyEvents' },
    ]);
  });
});

describe('error classification', () => {
  it('is the SDK standard mode: throttling and transient retried, everything else final', () => {
    expect(classify('ThrottlingException', 400)).toEqual({ throttling: true, retryable: true });
    expect(classify('Throttling', 400)).toEqual({ throttling: true, retryable: true });
    expect(classify('TooManyRequestsException', 429)).toEqual({ throttling: true, retryable: true });
    expect(classify('SlowDown', 503)).toEqual({ throttling: true, retryable: true });
    expect(classify('UnknownError', 429)).toEqual({ throttling: true, retryable: true });
    expect(classify('RequestTimeout', 400)).toEqual({ throttling: false, retryable: true });
    for (const status of [500, 502, 503, 504]) expect(classify('InternalError', status).retryable).toBe(true);
    expect(classify('NotImplemented', 501).retryable).toBe(false);
    expect(classify('InvalidSignatureException', 400, 'Signature expired: 20260101T000000Z is now earlier than …').retryable).toBe(true);
    expect(classify('InvalidSignatureException', 400, 'The request signature we calculated does not match').retryable).toBe(false);
    expect(classify('MessageRejected', 400).retryable).toBe(false);
    expect(classify('AccessDeniedException', 403).retryable).toBe(false);
  });

  it('names errors by the code of each protocol', () => {
    const none = new Headers();
    expect(errorOf(400, none, '{"__type":"com.amazonaws.secretsmanager#ResourceNotFoundException","Message":"no such secret"}')).toEqual({ code: 'ResourceNotFoundException', message: 'no such secret' });
    expect(errorOf(400, new Headers({ 'x-amzn-errortype': 'BadRequestException:http://internal.amazon.com/coral/com.amazon.ses/' }), '{"message":"bad"}')).toEqual({ code: 'BadRequestException', message: 'bad' });
    expect(errorOf(400, none, '<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>Invalid parameter: PhoneNumber &amp; more</Message></Error></ErrorResponse>')).toEqual({ code: 'InvalidParameter', message: 'Invalid parameter: PhoneNumber & more' });
    expect(errorOf(404, none, '')).toEqual({ code: 'NotFound', message: 'HTTP 404' });
    expect(errorOf(403, none, '')).toEqual({ code: 'UnknownError', message: 'HTTP 403' });
  });
});
