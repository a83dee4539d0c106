import middy from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import * as z from 'zod/mini';
import '../domain/zod-setup.js';
import type { RouteInput } from '../contracts/routes.js';
import { callerFromClaims, type Caller } from '../adapters/identity.js';
import { AppError, invalidInput } from '../domain/errors.js';
import { issuesToDetails } from '../domain/dossier.js';
import { logger, withInvocationLogger } from './logger.js';
import { httpStatusOf } from './error-status.js';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type HttpResult = APIGatewayProxyStructuredResultV2;

/** JSON bodies are small: forms and metadata only, documents go straight to S3. */
export const MAX_JSON_BODY_BYTES = 64 * 1024;

type Parsed<S> = S extends z.core.$ZodType ? z.output<S> : undefined;

export interface HttpRequest<C extends RouteInput> {
  readonly caller: Caller;
  readonly params: Parsed<C['params']>;
  readonly query: Parsed<C['query']>;
  readonly body: Parsed<C['body']>;
  /** a request header, case-insensitive */
  header(name: string): string | undefined;
  readonly event: HttpEvent;
  /** epoch ms at which the function times out: work that cannot finish by then should refuse first */
  readonly deadline: number;
}

export interface HttpReply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

const jsonHeaders = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return { statusCode: status, headers: { ...jsonHeaders, ...headers }, body: JSON.stringify(body) };
}

const retryAfterOf = (err: AppError): number | undefined => {
  const value = err.details && !Array.isArray(err.details) ? (err.details as Record<string, unknown>).retryAfterSeconds : undefined;
  return typeof value === 'number' ? value : undefined;
};

/** A 503 or 429 that says when to come back: the service refusing load on purpose, not failing. */
export const isDeliberateRefusal = (err: AppError): boolean => (httpStatusOf(err) === 503 || httpStatusOf(err) === 429) && retryAfterOf(err) !== undefined;

export function errorResult(err: AppError): HttpResult {
  // a refusal that says when to come back (429, 503, a request still in progress) says it in HTTP too
  const retryAfter = retryAfterOf(err);
  return json(
    httpStatusOf(err),
    { error: { code: err.code, message: err.message, ...(err.messageVi ? { messageVi: err.messageVi } : {}), ...(err.details ? { details: err.details } : {}) } },
    typeof retryAfter === 'number' ? { 'retry-after': String(Math.ceil(retryAfter)) } : {},
  );
}

function validate<S extends z.core.$ZodType | undefined>(schema: S, value: unknown, prefix: string | undefined): Parsed<S> {
  if (!schema) return undefined as Parsed<S>;
  const result = z.safeParse(schema, value);
  if (!result.success) throw invalidInput(issuesToDetails(result.error.issues, prefix));
  return result.data as Parsed<S>;
}

function readJsonBody(event: HttpEvent): unknown {
  if (event.body === undefined || event.body === null || event.body === '') {
    throw invalidInput([{ field: 'body', message: 'a JSON body is required' }]);
  }
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (raw.byteLength > MAX_JSON_BODY_BYTES) {
    throw new AppError('too_large', 'payload_too_large', `body is ${raw.byteLength} bytes, the limit is ${MAX_JSON_BODY_BYTES}`, 'Dữ liệu gửi lên quá lớn.');
  }
  const type = event.headers['content-type'] ?? '';
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    throw new AppError('unsupported_media_type', 'unsupported_media_type', 'body must be application/json', 'Dữ liệu phải ở định dạng JSON.');
  }
  const text = raw.toString('utf8');
  // A "__proto__" key parses as an own property, but any object built from it by assignment (zod's records
  // and objects) takes it as the prototype: it would vanish unseen instead of being refused like any
  // unknown key. The reviver runs only where the key can be (spelled plainly or with escapes).
  let prototypeKey = false;
  const reviver = text.includes('__proto__') || text.includes('\\u') ? (key: string, value: unknown) => ((prototypeKey ||= key === '__proto__'), value) : undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, reviver);
  } catch (err) {
    throw new AppError('invalid', 'invalid_json', `body is not valid JSON: ${(err as Error).message}`, 'Dữ liệu gửi lên không đúng định dạng JSON.', [
      { field: 'body', message: 'not valid JSON' },
    ]);
  }
  if (prototypeKey) throw invalidInput([{ field: 'body', message: 'the key "__proto__" is not accepted' }]);
  return parsed;
}

/** The names of the offending fields of a refusal; messages and values stay out of the logs. */
function fieldsOf(err: AppError): string[] | undefined {
  if (!Array.isArray(err.details)) return undefined;
  const fields = err.details.map((d: { field?: unknown }) => (typeof d.field === 'string' ? d.field : undefined)).filter((f): f is string => f !== undefined);
  return fields.length ? fields : undefined;
}

/**
 * Wraps a route implementation: who may call it comes from the declaration, what it accepts from its
 * input contract (functions/contracts/inputs.ts, the handler's own: no other route's schemas are bundled),
 * and every refusal leaves in the one error shape. The implementation sees only valid input.
 */
export function httpRoute<I extends RouteInput>(contract: I, impl: (req: HttpRequest<I>) => Promise<HttpReply>) {
  const route = contract.route;
  const id = route.id;

  const base = async (event: HttpEvent, context: Context): Promise<HttpResult> => {
    const caller = callerFromClaims(event.requestContext.authorizer?.jwt?.claims, route.access === 'public' ? undefined : route.access);
    if (route.access !== 'public') {
      // The authorizer already refuses missing or bad tokens; this guards a misconfigured route.
      if (caller.kind === 'anonymous') throw new AppError('unauthenticated', 'unauthorized', 'a valid token is required', 'Vui lòng đăng nhập.');
      if (!(route.access as readonly string[]).includes(caller.kind)) {
        throw new AppError('forbidden', 'forbidden', `this action is not available to the ${caller.kind} role`, 'Bạn không có quyền thực hiện thao tác này.');
      }
    }
    const request = {
      caller,
      params: validate(contract.params, event.pathParameters ?? {}, undefined),
      query: validate(contract.query, event.queryStringParameters ?? {}, 'query'),
      body: validate(contract.body, contract.body ? readJsonBody(event) : undefined, undefined),
      header: (name: string) => event.headers[name.toLowerCase()],
      event,
      deadline: Date.now() + context.getRemainingTimeInMillis(),
    } as HttpRequest<I>;
    const reply = await impl(request);
    if (reply.body === undefined) return { statusCode: reply.status, headers: reply.headers ?? {} };
    return json(reply.status, reply.body, reply.headers);
  };

  const handler = middy(base)
    .use({
      onError: (request) => {
        const err = request.error;
        if (err instanceof AppError) {
          // load shed on purpose (503, 429 with Retry-After): not our fault, so no ERROR and no stack, which
          // would page whoever watches the 5xx alarm for a client that was only told to come back later
          if (isDeliberateRefusal(err)) logger.warn('shed', { route: id, status: httpStatusOf(err), code: err.code, retryAfterSeconds: retryAfterOf(err) });
          else if (httpStatusOf(err) >= 500) logger.error('refused', { code: err.code, error: err });
          // a refusal leaves a trace (probing shows), with what was refused but never what was sent
          else logger.info('refused', { route: id, status: httpStatusOf(err), code: err.code, ...(fieldsOf(err) ? { fields: fieldsOf(err) } : {}) });
          request.response = errorResult(err);
          return;
        }
        logger.error('unhandled error', { error: err as Error, route: id });
        request.response = json(500, { error: { code: 'internal', message: 'internal error', messageVi: 'Đã có lỗi xảy ra, vui lòng thử lại sau.' } });
      },
    });
  // Each invocation logs through a logger of its own, errors included (see logger.ts).
  return (event: HttpEvent, context: Context): Promise<HttpResult> => withInvocationLogger(context, () => handler(event, context));
}
