import { SignatureV4 } from '@smithy/signature-v4';
import { environmentCredentials, Sha256 } from './sigv4.js';
import { activeObserver, observedFunctionName } from './request-observer.js';
import { activeCallTracer, requestIdsOf } from './call-tracing.js';
import { BASE_DELAY_MS, MAX_ATTEMPTS, MAX_DELAY_MS, THROTTLING_BASE_DELAY_MS, throttlingCodes, transientCodes, transientStatuses } from './retry-classes.js';

/**
 * One signed request to an AWS API, sent with Node's fetch: what the functions need of SQS, S3, SES v2,
 * SNS and Secrets Manager without their SDK clients (~195 KB minified for one client with one command:
 * protocols, endpoint rules, retry strategies, event streams). The wire requests are the ones the SDK
 * sends; the endpoint comes from the same variables it reads (AWS_ENDPOINT_URL_<SERVICE ID>, then
 * AWS_ENDPOINT_URL), which is how the local runtime points functions at its emulators; credentials are
 * the role's, from the environment (sigv4.ts).
 *
 * Retries follow the SDK's standard mode (@smithy/core retry, service-error-classification): throttling
 * (HTTP 429 or a throttling code) and transient failures (500, 502, 503, 504, timeouts, no answer) are
 * tried again, up to 3 attempts, with full-jitter exponential backoff from 50 ms (1 s after throttling),
 * never shorter than a Retry-After the service asked for (capped 5 s above the computed delay). Every
 * other answer fails at once.
 */

export interface AwsService {
  /** the SDK's service id: names the endpoint variable, and the service the request observer counts */
  readonly id: string;
  /** the SigV4 signing name */
  readonly signingName: string;
  /** the regional endpoint's first label */
  readonly endpointPrefix: string;
  /** the name of its X-Ray subsegments (call-tracing.ts), which the service map shows */
  readonly traceName: string;
}

export const SQS: AwsService = { id: 'SQS', signingName: 'sqs', endpointPrefix: 'sqs', traceName: 'SQS' };
export const S3: AwsService = { id: 'S3', signingName: 's3', endpointPrefix: 's3', traceName: 'S3' };
export const SESV2: AwsService = { id: 'SESv2', signingName: 'ses', endpointPrefix: 'email', traceName: 'SES' };
export const SNS: AwsService = { id: 'SNS', signingName: 'sns', endpointPrefix: 'sns', traceName: 'SNS' };
export const SECRETS_MANAGER: AwsService = { id: 'Secrets Manager', signingName: 'secretsmanager', endpointPrefix: 'secretsmanager', traceName: 'SecretsManager' };

const RETRY_AFTER_CAP_MS = 5000;
const DEFAULT_TIMEOUT_MS = 5000;


/** An AWS error answer, named by the service's error code, with the HTTP status where the SDK puts it. */
export class AwsCallError extends Error {
  readonly $metadata: { readonly httpStatusCode?: number };
  constructor(
    /** the service's error code, e.g. QueueDoesNotExist, NoSuchKey, MessageRejected; NetworkError when nothing answered */
    override readonly name: string,
    message: string,
    readonly status: number | undefined,
    readonly throttling: boolean,
    readonly retryable: boolean,
  ) {
    super(message);
    this.$metadata = status === undefined ? {} : { httpStatusCode: status };
  }
}

/** The SDK's classification of one failed attempt (throttling, then transient; anything else is final). */
export function classify(code: string, status: number | undefined, message = ''): { throttling: boolean; retryable: boolean } {
  const throttling = status === 429 || throttlingCodes.has(code);
  const transient =
    status === undefined || transientCodes.has(code) || transientStatuses.has(status) || (code === 'InvalidSignatureException' && message.includes('Signature expired'));
  return { throttling, retryable: throttling || transient };
}

/** The error code and message of an error answer, in any of the protocols here (JSON, REST JSON, XML, none). */
export function errorOf(status: number, headers: Headers, text: string): { code: string; message: string } {
  let code: string | undefined;
  let message: string | undefined;
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const body = JSON.parse(trimmed) as Record<string, unknown>;
      const found = body.code ?? body.Code ?? body.__type;
      if (typeof found === 'string') code = found;
      const said = body.message ?? body.Message;
      if (typeof said === 'string') message = said;
    } catch {
      // not JSON after all: named by its status below
    }
  } else if (trimmed.startsWith('<')) {
    code = /<Code>([^<]*)<\/Code>/.exec(trimmed)?.[1];
    const said = /<Message>([^<]*)<\/Message>/.exec(trimmed)?.[1];
    if (said !== undefined) message = unescapeXml(said);
  }
  code = headers.get('x-amzn-errortype') ?? code;
  // "com.amazonaws.sqs#QueueDoesNotExist", "ThrottlingException:http://internal.amazon.com/…": the SDK keeps the name only
  code = code?.split(':')[0]?.split('#').pop()?.trim() || (status === 404 ? 'NotFound' : 'UnknownError');
  return { code, message: message ?? `HTTP ${status}` };
}

export function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|quot|apos|amp|#\d+|#x[0-9a-fA-F]+);/g, (entity, name: string) => {
    switch (name) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      case 'amp':
        return '&';
      default:
        return String.fromCodePoint(name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10));
    }
  });
}

/** RFC 3986 percent-encoding, as SigV4 canonicalises: only A-Z a-z 0-9 - _ . ~ stay as they are. */
export const uriEncode = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * The service's endpoint as the SDK resolves it: AWS_ENDPOINT_URL_<SERVICE ID> (words upper-cased, joined
 * by `_`), then AWS_ENDPOINT_URL, then the regional endpoint. `custom` tells an emulator's (or a proxy's).
 */
export function endpointOf(service: AwsService, region: string, env: NodeJS.ProcessEnv = process.env): { url: URL; custom: boolean } {
  const variable = ['AWS_ENDPOINT_URL', ...service.id.split(' ').map((w) => w.toUpperCase())].join('_');
  const configured = env[variable] || env.AWS_ENDPOINT_URL;
  if (configured) return { url: new URL(configured), custom: true };
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return { url: new URL(`https://${service.endpointPrefix}.${region}.${suffix}`), custom: false };
}

export interface AwsRequest {
  /** the API's operation name, as the observer counts it: SendMessage, GetObject… */
  readonly operation: string;
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
  /** already percent-encoded (uriEncode each segment); `/` when absent */
  readonly path?: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** instead of the service's endpoint: an S3 bucket's virtual host, an SQS queue URL's origin */
  readonly endpoint?: URL;
  /** per attempt, reading the answer included */
  readonly timeoutMs?: number;
  /**
   * S3's copy (and multipart completion) answers 200 before it is done and may then fail in the body: a
   * 2xx ending in `</Error>` or empty is a failure, retried as the SDK does (as a 503).
   */
  readonly errorIn200?: boolean;
  /** a success's body is not read: the caller streams it (S3 GetObject) */
  readonly stream?: boolean;
  /** what the call acts on, for its X-Ray subsegment: `{ queue_url }`, `{ bucket_name }` (X-Ray's names) */
  readonly resource?: Readonly<Record<string, string>>;
}

export interface AwsAnswer {
  readonly status: number;
  readonly headers: Headers;
  /** the body as text; empty for a streamed answer */
  readonly text: string;
  /** the unread body of a streamed answer */
  readonly body: ReadableStream<Uint8Array> | null;
}

export interface AwsCallerOptions {
  readonly region?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** injected by unit tests; Node's fetch otherwise */
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export type AwsCall = (request: AwsRequest) => Promise<AwsAnswer>;

function retryAfterMs(headers: Headers): number | undefined {
  const value = headers.get('retry-after') ?? headers.get('x-amz-retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : at - Date.now();
}

/** A caller for one service in one region; the endpoint is resolved once, as a client does at construction. */
export function awsCaller(service: AwsService, options: AwsCallerOptions = {}): AwsCall & { readonly endpoint: URL; readonly custom: boolean; readonly region: string } {
  const env = options.env ?? process.env;
  const configured = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!configured) throw new Error('AWS_REGION is not set');
  const region: string = configured;
  const { url: endpoint, custom } = endpointOf(service, region, env);
  const isS3 = service.signingName === 's3';
  // S3 signs the path as sent (its keys are encoded once, by the caller) and always carries the payload hash
  const signer = new SignatureV4({ service: service.signingName, region, credentials: environmentCredentials, sha256: Sha256, uriEscapePath: !isS3, applyChecksum: isS3 });
  const send = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;

  async function attempt(request: AwsRequest, traceHeader: string | undefined): Promise<{ status: number; headers: Headers; text: string; body: ReadableStream<Uint8Array> | null }> {
    const base = request.endpoint ?? endpoint;
    const path = `${base.pathname.replace(/\/$/, '')}${request.path ?? '/'}` || '/';
    const query = request.query ?? {};
    const signed = await signer.sign({
      method: request.method,
      protocol: base.protocol,
      hostname: base.hostname,
      ...(base.port ? { port: Number(base.port) } : {}),
      path,
      query: { ...query },
      headers: { ...request.headers, host: base.host },
      ...(request.body !== undefined ? { body: request.body } : {}),
    });
    // fetch sets Host itself from the URL, the same value that was signed
    const headers = Object.fromEntries(Object.entries(signed.headers).filter(([name]) => name.toLowerCase() !== 'host'));
    // added after signing, as SigV4 never signs it: a proxy may rewrite it without breaking the signature
    if (traceHeader) headers['X-Amzn-Trace-Id'] = traceHeader;
    const search = Object.entries(query)
      .map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`)
      .join('&');
    const url = `${base.protocol}//${base.host}${path}${search ? `?${search}` : ''}`;
    const response = await send(url, {
      method: request.method,
      headers,
      ...(request.body !== undefined ? { body: request.body } : {}),
      signal: AbortSignal.timeout(request.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
    const ok = response.status >= 200 && response.status < 300;
    if (ok && request.stream) return { status: response.status, headers: response.headers, text: '', body: response.body };
    const text = await response.text();
    if (ok && request.errorIn200 && (text.length === 0 || text.trimEnd().endsWith('</Error>'))) {
      // the SDK's throw200Exceptions: an aborted copy (empty) is InternalError, an <Error> body is read as a 503
      return { status: 503, headers: response.headers, text: text || '<Error><Code>InternalError</Code><Message>S3 aborted request</Message></Error>', body: null };
    }
    return { status: response.status, headers: response.headers, text, body: null };
  }

  async function call(request: AwsRequest): Promise<AwsAnswer> {
    const observer = activeObserver();
    const functionName = observedFunctionName();
    const by = functionName ? { functionName } : {};
    // one subsegment for the call and its retries, as the X-Ray SDK's middleware records an SDK command
    const trace = activeCallTracer()?.start({ service: service.traceName, operation: request.operation, region, ...(request.resource ? { resource: request.resource } : {}) });
    for (let n = 1; ; n++) {
      let error: AwsCallError;
      let hint: number | undefined;
      let answered: Headers | undefined;
      try {
        const answer = await attempt(request, trace?.traceHeader);
        answered = answer.headers;
        const failed = answer.status < 200 || answer.status >= 300;
        observer?.request?.({ service: service.id, operation: request.operation, failed, ...by });
        if (!failed) {
          trace?.end({ attempts: n, status: answer.status, ...requestIdsOf(answer.headers) });
          return answer;
        }
        const { code, message } = errorOf(answer.status, answer.headers, answer.text);
        const { throttling, retryable } = classify(code, answer.status, message);
        error = new AwsCallError(code, message, answer.status, throttling, retryable);
        hint = retryAfterMs(answer.headers);
      } catch (err) {
        // no answer: refused, reset, timed out (TimeoutError); the SDK retries these too
        const name = (err as Error).name === 'TimeoutError' ? 'TimeoutError' : 'NetworkError';
        const cause = (err as { cause?: { message?: string } }).cause?.message;
        error = new AwsCallError(name, `${service.id} ${request.operation}: ${(err as Error).message}${cause ? ` (${cause})` : ''}`, undefined, false, true);
      }
      if (!error.retryable || n >= MAX_ATTEMPTS) {
        trace?.end({
          attempts: n,
          ...(error.status !== undefined ? { status: error.status } : {}),
          ...requestIdsOf(answered),
          error: { code: error.name, throttling: error.throttling },
        });
        throw error;
      }
      const computed = Math.floor(random() * Math.min((error.throttling ? THROTTLING_BASE_DELAY_MS : BASE_DELAY_MS) * 2 ** (n - 1), MAX_DELAY_MS));
      await sleep(hint === undefined ? computed : Math.max(computed, Math.min(hint, computed + RETRY_AFTER_CAP_MS)));
    }
  }

  return Object.assign(call, { endpoint, custom, region });
}

/** The awsQuery form encoding (SNS): `Name.1.Key=…`, keys and values percent-encoded as the SDK does. */
export function formBody(params: Readonly<Record<string, string>>): string {
  return Object.entries(params)
    .map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`)
    .join('&');
}

/** The text of the first `<name>` element of an XML answer, unescaped; undefined when absent. */
export function xmlText(xml: string, name: string): string | undefined {
  const found = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
  return found === undefined ? undefined : unescapeXml(found);
}
