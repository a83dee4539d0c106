import { SignatureV4 } from '@smithy/signature-v4';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { environmentCredentials, Sha256 } from './sigv4.js';
import { activeObserver, consumedUnits, observedFunctionName } from './request-observer.js';
import type { BatchGetInput, BatchGetOutput, GetInput, Item, QueryInput, QueryOutput, TableReads } from './table-reads.js';

/**
 * DynamoDB's JSON protocol for the three reads of `TableReads`, signed by the SDK's SigV4 signer and sent
 * with Node's fetch. The SDK's DynamoDB client is ~195 KB minified of protocol, endpoint rules, retry
 * strategies and event streams a public read never uses; this is ~20 KB with the signer, so the public
 * statistics reads fit their cold-start budget. Same wire requests, same endpoint variables
 * (AWS_ENDPOINT_URL_DYNAMODB, which the local runtime sets), same role credentials from the environment
 * as the SDK inside a function bundle. Anything that writes keeps the SDK client.
 */

/** The SDK's default too: three attempts, exponential backoff with full jitter from 100 ms. */
const MAX_ATTEMPTS = 3;
const BASE_DELAY_MS = 100;
/** a read of at most 100 small counter items; a connection that hangs longer is retried, not awaited */
const ATTEMPT_TIMEOUT_MS = 3000;

/** Errors DynamoDB answers that the SDK retries: throttling and the service's own failures. */
const retryableTypes = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded', 'InternalServerError', 'ServiceUnavailable']);

export class DynamoHttpError extends Error {
  constructor(
    /** DynamoDB's error type without its namespace, e.g. ResourceNotFoundException */
    override readonly name: string,
    message: string,
    readonly status: number | undefined,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export interface SignedReadsOptions {
  readonly region?: string;
  readonly endpoint?: string;
  /** injected by unit tests; Node's fetch otherwise */
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

type Json = Record<string, unknown>;

const typeOf = (body: Json): string => String(body.__type ?? 'UnknownError').split('#').pop() ?? 'UnknownError';

export function signedReads(options: SignedReadsOptions = {}): TableReads {
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new Error('AWS_REGION is not set');
  const endpoint = new URL(options.endpoint ?? process.env.AWS_ENDPOINT_URL_DYNAMODB ?? process.env.AWS_ENDPOINT_URL ?? `https://dynamodb.${region}.amazonaws.com`);
  const signer = new SignatureV4({ service: 'dynamodb', region, credentials: environmentCredentials, sha256: Sha256, uriEscapePath: true });
  const send = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;

  async function attempt(operation: string, body: string): Promise<{ status: number; json: Json }> {
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
    // fetch sets Host itself from the URL, the same value that was signed
    const headers = Object.fromEntries(Object.entries(signed.headers).filter(([name]) => name.toLowerCase() !== 'host'));
    const response = await send(new URL('/', endpoint), { method: 'POST', headers, body, signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS) });
    const text = await response.text();
    let json: Json;
    try {
      json = text ? (JSON.parse(text) as Json) : {};
    } catch {
      json = { __type: 'InvalidResponse', message: `not JSON (HTTP ${response.status})` };
    }
    return { status: response.status, json };
  }

  async function call(operation: string, input: Json): Promise<Json> {
    const observer = activeObserver();
    const body = JSON.stringify(observer ? { ...input, ReturnConsumedCapacity: 'INDEXES' } : input);
    const functionName = observedFunctionName();
    const by = functionName ? { functionName } : {};
    for (let n = 1; ; n++) {
      let error: DynamoHttpError;
      try {
        const { status, json } = await attempt(operation, body);
        if (status === 200) {
          const units = observer ? consumedUnits(operation, json.ConsumedCapacity as Parameters<typeof consumedUnits>[1]) : undefined;
          observer?.request?.({ service: 'DynamoDB', operation, failed: false, ...by, ...(units ? { units } : {}) });
          return json;
        }
        observer?.request?.({ service: 'DynamoDB', operation, failed: true, ...by });
        const type = typeOf(json);
        error = new DynamoHttpError(type, String(json.message ?? json.Message ?? `HTTP ${status}`), status, status >= 500 || retryableTypes.has(type));
      } catch (err) {
        // no answer (connection refused or reset, timeout): the SDK retries these too
        error = new DynamoHttpError('NetworkError', (err as Error).message, undefined, true);
      }
      if (!error.retryable || n >= MAX_ATTEMPTS) throw error;
      await sleep(random() * BASE_DELAY_MS * 2 ** (n - 1));
    }
  }

  const marshalling = { removeUndefinedValues: true, convertClassInstanceToMap: false } as const;
  const toWire = (item: Item) => marshall(item, marshalling);
  const fromWire = (item: unknown) => unmarshall(item as Parameters<typeof unmarshall>[0]) as Item;
  const values = (v: Item | undefined) => (v ? { ExpressionAttributeValues: toWire(v) } : {});

  return {
    async get(input: GetInput) {
      const out = await call('GetItem', { ...input, Key: toWire(input.Key) });
      return out.Item ? { Item: fromWire(out.Item) } : {};
    },
    async batchGet(input: BatchGetInput): Promise<BatchGetOutput> {
      const requestItems = Object.fromEntries(Object.entries(input.RequestItems).map(([table, r]) => [table, { ...r, Keys: r.Keys.map(toWire) }]));
      const out = await call('BatchGetItem', { RequestItems: requestItems });
      const responses = (out.Responses ?? {}) as Record<string, unknown[]>;
      const unprocessed = (out.UnprocessedKeys ?? {}) as Record<string, { Keys?: unknown[] }>;
      return {
        Responses: Object.fromEntries(Object.entries(responses).map(([table, items]) => [table, items.map(fromWire)])),
        UnprocessedKeys: Object.fromEntries(Object.entries(unprocessed).map(([table, r]) => [table, { Keys: (r.Keys ?? []).map(fromWire) }])),
      };
    },
    async query(input: QueryInput): Promise<QueryOutput> {
      const { ExpressionAttributeValues, ExclusiveStartKey, ...rest } = input;
      const out = await call('Query', { ...rest, ...values(ExpressionAttributeValues), ...(ExclusiveStartKey ? { ExclusiveStartKey: toWire(ExclusiveStartKey) } : {}) });
      return {
        ...(Array.isArray(out.Items) ? { Items: out.Items.map(fromWire) } : {}),
        ...(typeof out.Count === 'number' ? { Count: out.Count } : {}),
        ...(out.LastEvaluatedKey ? { LastEvaluatedKey: fromWire(out.LastEvaluatedKey) } : {}),
      };
    },
  };
}
