import { SignatureV4 } from '@smithy/signature-v4';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { environmentCredentials, Sha256 } from './sigv4.js';
import { activeObserver, consumedUnits, itemsWritten, observedFunctionName, writeFacts } from './request-observer.js';
import { activeCallTracer, requestIdsOf } from './call-tracing.js';
import type { DynamoTable } from './dynamo-table.js';
import { nodePost, type Post } from './http-post.js';
import type { TableReads } from './table-reads.js';
import { BASE_DELAY_MS, MAX_ATTEMPTS, MAX_DELAY_MS, THROTTLING_BASE_DELAY_MS, throttlingCodes, transientCodes, transientStatuses } from './retry-classes.js';

/**
 * DynamoDB's JSON protocol for the operations of `DynamoTable`, signed by the SDK's SigV4 signer and sent
 * with Node's http module (`http-post.ts`). The SDK's DynamoDB client and document client are ~180 KB
 * minified of protocol, endpoint rules, retry strategies and event streams; this is ~20 KB with the
 * signer. Same wire requests, same marshalling as the document client of `dynamo()` used to be, same
 * endpoint variables (AWS_ENDPOINT_URL_DYNAMODB, which the local runtime sets), same role credentials
 * from the environment as the SDK inside a function bundle, same retries as the SDK's standard strategy.
 */

// Retries as the SDK's standard strategy (retry-classes.ts); its retry quota (a token bucket per client)
// is left out: a container makes one request at a time.
/**
 * An attempt that hangs longer is abandoned and retried. A write gets longer: a write whose first attempt
 * landed after all is applied twice when retried (conditions protect most, not a counter's ADD).
 */
const READ_TIMEOUT_MS = 3000;
const WRITE_TIMEOUT_MS = 6000;

/**
 * Node's timeout and network error codes, which the SDK's HTTP handler sees on a dead or refused
 * connection; Node's fetch (undici, which unit tests may inject) reports the same events with its own
 * codes, listed after them.
 */
const networkCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

type Retry = 'throttling' | 'transient' | undefined;

/** How the SDK's standard strategy treats an error DynamoDB answered: throttling, transient (5xx included), or final. */
export function classifyAnswer(type: string, status: number, message: string): Retry {
  if (status === 429 || throttlingCodes.has(type)) return 'throttling';
  if (transientCodes.has(type) || transientStatuses.has(status) || (status >= 500 && status <= 599)) return 'transient';
  if (type === 'InvalidSignatureException' && message.includes('Signature expired')) return 'transient';
  return undefined;
}

/** The code of a request that got no answer (its cause chain, as the SDK looks through it), if one the SDK retries. */
function networkFailure(err: unknown): string | undefined {
  for (let e = err as { name?: unknown; code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth <= 10; e = e.cause as typeof e, depth++) {
    if (e.name === 'AbortError') return undefined;
    if (e.name === 'TimeoutError') return 'TimeoutError';
    if (typeof e.code === 'string' && networkCodes.has(e.code)) return e.code;
  }
  return undefined;
}

export class DynamoHttpError extends Error {
  constructor(
    /** DynamoDB's error type without its namespace, e.g. ConditionalCheckFailedException; NetworkError or TimeoutError without an answer */
    override readonly name: string,
    message: string,
    /** the HTTP status of DynamoDB's answer; undefined when none came */
    readonly status: number | undefined,
    readonly retryable: boolean,
    /** the error's other members as DynamoDB sent them (CancellationReasons, Item), values unmarshalled */
    details: Record<string, unknown> = {},
  ) {
    super(message);
    Object.assign(this, details);
  }
}

export interface SignedTableOptions {
  readonly region?: string;
  readonly endpoint?: string;
  /** injected by unit tests (Node's fetch is one); Node's http module otherwise */
  readonly fetch?: Post;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

type Json = Record<string, unknown>;
type Call = (operation: string, input: Json) => Promise<Json>;

const marshalling = { removeUndefinedValues: true, convertClassInstanceToMap: false } as const;
const toWire = (item: unknown) => marshall(item as Json, marshalling);

/** Binary values travel as base64 in DynamoDB's JSON (the SDK's serializer does the same). */
function toJson(body: Json): string {
  return JSON.stringify(body, function (this: Record<string, unknown>, key: string, value: unknown) {
    // the value before Buffer's toJSON turned it into {type, data}
    const original = this[key];
    return original instanceof Uint8Array ? Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString('base64') : value;
  });
}
type Wire = Record<string, unknown>;
const bytes = (base64: unknown) => new Uint8Array(Buffer.from(String(base64), 'base64'));
function decoded(value: Wire): Wire {
  if ('B' in value) return { B: bytes(value.B) };
  if ('BS' in value) return { BS: (value.BS as unknown[]).map(bytes) };
  if ('M' in value) return { M: decodedMap(value.M as Record<string, Wire>) };
  if ('L' in value) return { L: (value.L as Wire[]).map(decoded) };
  return value;
}
const decodedMap = (item: Record<string, Wire>) => Object.fromEntries(Object.entries(item).map(([k, v]) => [k, decoded(v)]));
const fromWire = (item: unknown) => unmarshall(decodedMap(item as Record<string, Wire>) as unknown as Parameters<typeof unmarshall>[0]) as Json;
const nativeMembers = ['Key', 'Item', 'ExpressionAttributeValues', 'ExclusiveStartKey'] as const;

/** One request's native members (Key, Item, values, start key) in DynamoDB's JSON, as lib-dynamodb marshals them. */
function wire(input: Json): Json {
  const out: Json = { ...input };
  for (const member of nativeMembers) if (out[member] !== undefined) out[member] = toWire(out[member]);
  return out;
}

/** An answer's items back to native values, as lib-dynamodb unmarshals them. */
function native(answer: Json): Json {
  const out: Json = { ...answer };
  for (const member of ['Item', 'Attributes', 'LastEvaluatedKey'] as const) if (out[member]) out[member] = fromWire(out[member]);
  if (Array.isArray(out.Items)) out.Items = out.Items.map(fromWire);
  const metrics = out.ItemCollectionMetrics as { ItemCollectionKey?: unknown } | undefined;
  if (metrics?.ItemCollectionKey) out.ItemCollectionMetrics = { ...metrics, ItemCollectionKey: fromWire(metrics.ItemCollectionKey) };
  return out;
}

const typeOf = (body: Json): string => String(body.__type ?? 'UnknownError').split('#').pop() ?? 'UnknownError';

/** The members of an error answer besides its type and message, items unmarshalled. */
function errorDetails(body: Json): Json {
  const details: Json = {};
  if (Array.isArray(body.CancellationReasons)) details.CancellationReasons = (body.CancellationReasons as Json[]).map((r) => (r.Item ? { ...r, Item: fromWire(r.Item) } : r));
  if (body.Item) details.Item = fromWire(body.Item);
  return details;
}

/** The tables a request names, under X-Ray's attribute names (table_name, or table_names for a batch or a transaction). */
function tablesOf(input: Json): Record<string, string | string[]> {
  if (typeof input.TableName === 'string') return { table_name: input.TableName };
  const names = new Set<string>(Object.keys((input.RequestItems as Json | undefined) ?? {}));
  for (const item of (input.TransactItems as Json[] | undefined) ?? []) {
    for (const request of Object.values(item)) {
      const table = (request as Json | undefined)?.TableName;
      if (typeof table === 'string') names.add(table);
    }
  }
  return names.size > 0 ? { table_names: [...names] } : {};
}

function transport(options: SignedTableOptions): Call {
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new Error('AWS_REGION is not set');
  const endpoint = new URL(options.endpoint ?? process.env.AWS_ENDPOINT_URL_DYNAMODB ?? process.env.AWS_ENDPOINT_URL ?? `https://dynamodb.${region}.amazonaws.com`);
  const signer = new SignatureV4({ service: 'dynamodb', region, credentials: environmentCredentials, sha256: Sha256, uriEscapePath: true });
  const send = options.fetch ?? nodePost;
  const url = new URL('/', endpoint);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;

  async function attempt(operation: string, body: string, timeoutMs: number, traceHeader: string | undefined): Promise<{ status: number; headers: Headers; json: Json }> {
    const signed = await signer.sign({
      method: 'POST',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
      path: '/',
      query: {},
      headers: { host: endpoint.host, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${operation}` },
      body,
    });
    // the client sets Host itself from the URL, the same value that was signed
    const headers = Object.fromEntries(Object.entries(signed.headers).filter(([name]) => name.toLowerCase() !== 'host'));
    // added after signing, as SigV4 never signs it
    if (traceHeader) headers['X-Amzn-Trace-Id'] = traceHeader;
    const response = await send(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    let json: Json;
    try {
      json = text ? (JSON.parse(text) as Json) : {};
    } catch {
      json = { __type: 'InvalidResponse', message: `not JSON (HTTP ${response.status})` };
    }
    return { status: response.status, headers: response.headers, json };
  }

  return async function call(operation: string, input: Json): Promise<Json> {
    const observer = activeObserver();
    const body = toJson(observer ? { ...input, ReturnConsumedCapacity: 'INDEXES' } : input);
    const functionName = observedFunctionName();
    const facts = observer ? writeFacts(operation, input) : {};
    const counted = { ...(functionName ? { functionName } : {}), ...facts };
    const timeoutMs = itemsWritten(operation, input) === undefined ? READ_TIMEOUT_MS : WRITE_TIMEOUT_MS;
    // one subsegment for the call and its retries, as the X-Ray SDK's middleware records an SDK command
    const trace = activeCallTracer()?.start({ service: 'DynamoDB', operation, region, resource: tablesOf(input) });
    for (let n = 1; ; n++) {
      let error: DynamoHttpError;
      let retry: Retry;
      let answered: Headers | undefined;
      try {
        const { status, headers, json } = await attempt(operation, body, timeoutMs, trace?.traceHeader);
        answered = headers;
        if (status === 200) {
          const units = observer ? consumedUnits(operation, json.ConsumedCapacity as Parameters<typeof consumedUnits>[1]) : undefined;
          observer?.request?.({ service: 'DynamoDB', operation, failed: false, ...counted, ...(units ? { units } : {}) });
          trace?.end({ attempts: n, status, ...requestIdsOf(headers) });
          return json;
        }
        observer?.request?.({ service: 'DynamoDB', operation, failed: true, ...counted });
        const type = typeOf(json);
        const message = String(json.message ?? json.Message ?? `HTTP ${status}`);
        retry = classifyAnswer(type, status, message);
        error = new DynamoHttpError(type, message, status, retry !== undefined, errorDetails(json));
      } catch (err) {
        // no answer: retried when the SDK would (a timeout, a reset or refused connection), final otherwise
        const code = networkFailure(err);
        const cause = (err as { cause?: { message?: string } }).cause?.message;
        retry = code ? 'transient' : undefined;
        const message = `network error: ${(err as Error).message}${cause ? `: ${cause}` : ''}${code ? ` (${code})` : ''}`;
        error = new DynamoHttpError(code === 'TimeoutError' ? 'TimeoutError' : 'NetworkError', message, undefined, retry !== undefined, code ? { code } : {});
      }
      if (!retry || n >= MAX_ATTEMPTS) {
        trace?.end({
          attempts: n,
          ...(error.status !== undefined ? { status: error.status } : {}),
          ...requestIdsOf(answered),
          error: { code: error.name, throttling: retry === 'throttling' },
        });
        throw error;
      }
      await sleep(Math.floor(random() * Math.min((retry === 'throttling' ? THROTTLING_BASE_DELAY_MS : BASE_DELAY_MS) * 2 ** (n - 1), MAX_DELAY_MS)));
    }
  };
}

function reads(call: Call): TableReads {
  return {
    get: async (input) => native(await call('GetItem', wire(input as Json))),
    query: async (input) => native(await call('Query', wire(input as Json))),
    async batchGet(input) {
      const requests = Object.entries(input.RequestItems ?? {}).map(([table, r]) => [table, { ...r, Keys: (r.Keys ?? []).map(toWire) }]);
      const out = await call('BatchGetItem', { ...input, RequestItems: Object.fromEntries(requests) });
      const responses = out.Responses as Record<string, unknown[]> | undefined;
      const unprocessed = out.UnprocessedKeys as Record<string, { Keys?: unknown[] }> | undefined;
      return {
        ...out,
        ...(responses ? { Responses: Object.fromEntries(Object.entries(responses).map(([table, list]) => [table, list.map(fromWire)])) } : {}),
        ...(unprocessed ? { UnprocessedKeys: Object.fromEntries(Object.entries(unprocessed).map(([table, r]) => [table, { ...r, Keys: (r.Keys ?? []).map(fromWire) }])) } : {}),
      };
    },
  };
}

function writes(call: Call): Pick<DynamoTable, 'put' | 'update' | 'delete' | 'transactWrite'> {
  return {
    put: async (input) => native(await call('PutItem', wire(input as Json))),
    update: async (input) => native(await call('UpdateItem', wire(input as Json))),
    delete: async (input) => native(await call('DeleteItem', wire(input as Json))),
    async transactWrite(input) {
      // each item is one operation ({Put}, {Update}, {Delete} or {ConditionCheck}) with its own native members
      const items = (input.TransactItems ?? []).map((item) => Object.fromEntries(Object.entries(item).map(([op, request]) => [op, request && wire(request as Json)])));
      return call('TransactWriteItems', { ...input, TransactItems: items });
    },
  };
}

/** The public statistics' reads only: what a function that never writes needs (the writes are left out of its bundle). */
export function signedReads(options: SignedTableOptions = {}): TableReads {
  return reads(transport(options));
}

/** Every operation of `DynamoTable` over one signer and one retry loop. */
export function signedTable(options: SignedTableOptions = {}): DynamoTable {
  const call = transport(options);
  return { ...reads(call), ...writes(call) };
}
