import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type {
  APIGatewayEventRequestContextJWTAuthorizer,
  APIGatewayProxyEventV2,
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import * as z from 'zod';
import type { RouteDeclaration } from '../functions/declaration.js';
import type { Province } from '../provinces/schema.js';
import type { LocalClock } from './clock.js';
import { localSubject, type Authorizer, type LocalIdentity } from './identity.js';
import { securityHeaders } from './web.js';
import { lambdaContext, loadHandler, MissingEntryError } from './lambda.js';
import type { Logger } from './support.js';

export { createAuthorizer, type Authorizer, type AuthorizerResult } from './identity.js';

/**
 * A node:http listener that behaves, for the handler modules, like API Gateway's HTTP API in front of
 * Lambda: it builds payload format 2.0 events, runs the JWT authorizer on non-public routes, maps the
 * handler's answer back, and answers with API Gateway's own bodies where API Gateway answers by itself
 * (404 for an unknown route or method, 401 from the authorizer, 413, 500, 503).
 */

/** HTTP API's payload limit */
export const maxBodyBytes = 10 * 1024 * 1024;
/** HTTP API's maximum integration timeout */
export const integrationTimeoutMs = 30_000;

export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer | APIGatewayProxyEventV2;

export interface ApiOptions {
  readonly routes: readonly RouteDeclaration[];
  readonly province: Province;
  readonly identity: LocalIdentity;
  readonly clock: LocalClock;
  readonly logger: Logger;
  readonly region: string;
  /** the web portal served from this origin (local/web.ts); absent, only the API answers */
  readonly web?: WebRoutes;
  /** more local-only pages under /local/ (the simulated payment platform); undefined = not theirs */
  readonly localExtras?: (method: string, url: string, body: Buffer, contentType: string | undefined) => Promise<Answer | undefined>;
  /**
   * The portal's Content-Security-Policy (lib/portal-csp.ts), sent with every answer but those of the
   * local-only pages under /local/, as CloudFront's headers policy sends it on the portal and the API.
   */
  readonly contentSecurityPolicy?: string;
}

export interface WebRoutes {
  handle(method: string, path: string, rawQuery: string, body: Buffer): Promise<Answer | undefined>;
}

interface CompiledRoute {
  readonly route: RouteDeclaration;
  readonly pattern: RegExp;
  readonly names: readonly string[];
  /** literal segments win over parameters, as in API Gateway's route selection */
  readonly literals: number;
}

function compile(route: RouteDeclaration): CompiledRoute {
  const names: string[] = [];
  let literals = 0;
  const source = route.path
    .split('/')
    .map((segment) => {
      const param = /^\{([A-Za-z0-9_]+)(\+?)\}$/.exec(segment);
      if (!param?.[1]) {
        literals++;
        return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      }
      names.push(param[1]);
      return param[2] ? '(.+)' : '([^/]+)';
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}$`), names, literals };
}

export function matchRoute(
  compiled: readonly CompiledRoute[],
  method: string,
  path: string,
): { route: RouteDeclaration; pathParameters: Record<string, string> } | undefined {
  let best: { route: RouteDeclaration; pathParameters: Record<string, string>; literals: number } | undefined;
  for (const candidate of compiled) {
    if (candidate.route.method !== method) continue;
    const match = candidate.pattern.exec(path);
    if (!match) continue;
    if (best && best.literals >= candidate.literals) continue;
    const pathParameters: Record<string, string> = {};
    candidate.names.forEach((name, i) => {
      const raw = match[i + 1] ?? '';
      try {
        pathParameters[name] = decodeURIComponent(raw);
      } catch {
        pathParameters[name] = raw;
      }
    });
    best = { route: candidate.route, pathParameters, literals: candidate.literals };
  }
  return best;
}

const textTypes = /^(text\/|application\/(json|.*\+json|xml|.*\+xml|javascript|x-www-form-urlencoded|graphql|yaml|x-yaml)\b)/i;

function isText(contentType: string | undefined, body: Buffer): boolean {
  if (contentType) return textTypes.test(contentType.trim());
  // No content type: text when it decodes as UTF-8 without replacement characters.
  return !body.toString('utf8').includes('\uFFFD');
}

class BodyTooLarge extends Error {}
/** The client went away before its body was read: there is no one to answer and nothing was done. */
class ClientGone extends Error {}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBodyBytes) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        reject(new BodyTooLarge());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => reject(new ClientGone()));
    req.on('aborted', () => reject(new ClientGone()));
  });
}

function apiGatewayTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

export interface RawRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string[]>;
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly protocol: string;
}

/** Payload format 2.0, field by field as HTTP API sends it. */
export function buildEvent(
  raw: RawRequest,
  routeKey: string,
  pathParameters: Record<string, string> | undefined,
  authorizer: { claims: Record<string, unknown>; scopes: string[] } | undefined,
  requestTime: Date,
): ApiEvent {
  const questionMark = raw.url.indexOf('?');
  const rawPath = questionMark === -1 ? raw.url : raw.url.slice(0, questionMark);
  const rawQueryString = questionMark === -1 ? '' : raw.url.slice(questionMark + 1);
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, values] of Object.entries(raw.headers)) {
    if (name === 'cookie') {
      cookies = values.flatMap((v) => v.split(';')).map((c) => c.trim()).filter(Boolean);
      continue;
    }
    headers[name] = values.join(',');
  }
  let queryStringParameters: Record<string, string> | undefined;
  if (rawQueryString) {
    queryStringParameters = {};
    for (const [key, value] of new URLSearchParams(rawQueryString)) {
      queryStringParameters[key] = key in queryStringParameters ? `${queryStringParameters[key]},${value}` : value;
    }
  }
  const requestId = randomUUID();
  const host = headers.host ?? 'localhost';
  const requestContext = {
    accountId: '000000000000',
    apiId: 'local',
    domainName: host,
    domainPrefix: host.split('.')[0] ?? host,
    http: {
      method: raw.method,
      path: rawPath,
      protocol: raw.protocol,
      sourceIp: raw.sourceIp,
      userAgent: headers['user-agent'] ?? '',
    },
    requestId,
    routeKey,
    stage: '$default',
    time: apiGatewayTime(requestTime),
    timeEpoch: requestTime.getTime(),
  };
  const text = raw.body.length === 0 || isText(headers['content-type'], raw.body);
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString,
    ...(cookies ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    ...(pathParameters && Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
    requestContext,
    ...(raw.body.length > 0 ? { body: text ? raw.body.toString('utf8') : raw.body.toString('base64') } : {}),
    isBase64Encoded: !text,
  };
  if (!authorizer) return event;
  const jwtAuthorizer: APIGatewayEventRequestContextJWTAuthorizer = {
    principalId: '',
    integrationLatency: 0,
    // jose returns JSON values; API Gateway's type narrows them to what its flattened claims look like.
    jwt: { claims: authorizer.claims as APIGatewayEventRequestContextJWTAuthorizer['jwt']['claims'], scopes: authorizer.scopes },
  };
  return { ...event, requestContext: { ...requestContext, authorizer: jwtAuthorizer } };
}

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

const json = (status: number, value: unknown, headers: Record<string, string> = {}): Answer => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: Buffer.from(JSON.stringify(value)),
});

/** API Gateway's own answers, body for body */
const gateway = {
  notFound: (): Answer => json(404, { message: 'Not Found' }),
  unauthorized: (): Answer => json(401, { message: 'Unauthorized' }),
  tooLarge: (): Answer => json(413, { message: 'Request Entity Too Large' }),
  internalError: (): Answer => json(500, { message: 'Internal Server Error' }),
  unavailable: (): Answer => json(503, { message: 'Service Unavailable' }),
};

/** The HTTP API rules for turning what a payload 2.0 function returned into a response. */
export function answerFromResult(result: unknown): Answer {
  if (result === undefined || result === null) return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.alloc(0) };
  if (typeof result === 'string') return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(result) };
  if (typeof result !== 'object' || !('statusCode' in result)) return json(200, result);
  const structured = result as APIGatewayProxyStructuredResultV2 & { multiValueHeaders?: Record<string, (string | number | boolean)[]> };
  if (typeof structured.statusCode !== 'number' || (structured.body !== undefined && typeof structured.body !== 'string')) {
    throw new Error('malformed Lambda proxy response: statusCode must be a number and body a string');
  }
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(structured.headers ?? {})) headers[name.toLowerCase()] = String(value);
  for (const [name, values] of Object.entries(structured.multiValueHeaders ?? {})) headers[name.toLowerCase()] = values.map(String);
  if (structured.cookies?.length) headers['set-cookie'] = structured.cookies;
  const body = structured.body === undefined ? Buffer.alloc(0) : Buffer.from(structured.body, structured.isBase64Encoded ? 'base64' : 'utf8');
  return { status: structured.statusCode, headers, body };
}

const localOrigin = /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?$/;

function corsHeaders(req: IncomingMessage, province: Province): Record<string, string> {
  const origin = req.headers.origin;
  if (!origin || !(province.portalOrigins.includes(origin) || localOrigin.test(origin))) return {};
  return { 'access-control-allow-origin': origin, vary: 'origin', 'access-control-expose-headers': 'location' };
}

const tokenRequestSchema = z
  .object({
    role: z.enum(['citizen', 'official', 'admin']),
    subject: localSubject.optional(),
    agencyId: z.string().min(1).max(40).optional(),
  })
  .strict();

const clockRequestSchema = z
  .object({
    set: z.iso.datetime({ offset: true }).optional(),
    advance: z
      .object({
        days: z.number().int().min(-3650).max(3650).optional(),
        hours: z.number().int().min(-87600).max(87600).optional(),
        minutes: z.number().int().min(-5256000).max(5256000).optional(),
      })
      .strict()
      .optional(),
    reset: z.literal(true).optional(),
  })
  .strict();

function invalidInput(issues: readonly { path: readonly PropertyKey[]; message: string }[]): Answer {
  const details = issues.map((issue) => ({ field: issue.path.map(String).join('.'), message: issue.message }));
  return json(400, {
    error: {
      code: 'invalid_input',
      message: `Invalid input: ${details.map((d) => (d.field ? `${d.field}: ${d.message}` : d.message)).join('; ')}`,
      details,
    },
  });
}

function parseJsonBody(body: Buffer): { ok: true; value: unknown } | { ok: false; answer: Answer } {
  try {
    return { ok: true, value: body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as unknown) };
  } catch {
    return { ok: false, answer: invalidInput([{ path: [], message: 'the body is not valid JSON' }]) };
  }
}

async function localRoute(method: string, path: string, body: Buffer, options: ApiOptions): Promise<Answer | undefined> {
  const { identity, clock, province } = options;
  if (path === '/local/token' && method === 'POST') {
    const parsed = parseJsonBody(body);
    if (!parsed.ok) return parsed.answer;
    const input = tokenRequestSchema.safeParse(parsed.value);
    if (!input.success) return invalidInput(input.error.issues);
    const { role, subject, agencyId } = input.data;
    if (role === 'official' && !agencyId) return invalidInput([{ path: ['agencyId'], message: 'required for an official' }]);
    if (role === 'citizen' && agencyId) return invalidInput([{ path: ['agencyId'], message: 'a citizen is bound to no agency' }]);
    if (agencyId && !province.agencies.some((a) => a.id === agencyId)) {
      return invalidInput([{ path: ['agencyId'], message: `not an agency of ${province.id} (GET /agencies lists them)` }]);
    }
    const defaultSubject = role === 'official' ? `official-demo-${agencyId}` : `${role}-demo-1`;
    return json(200, await identity.issue({ role, subject: subject ?? defaultSubject, ...(agencyId ? { agencyId } : {}) }));
  }
  if (path === '/local/clock' && (method === 'GET' || method === 'POST')) {
    if (method === 'POST') {
      const parsed = parseJsonBody(body);
      if (!parsed.ok) return parsed.answer;
      const input = clockRequestSchema.safeParse(parsed.value);
      if (!input.success) return invalidInput(input.error.issues);
      if (!input.data.set && !input.data.advance && !input.data.reset) return invalidInput([{ path: [], message: 'give set, advance or reset' }]);
      if (input.data.reset) clock.reset();
      if (input.data.set) clock.set(new Date(input.data.set));
      if (input.data.advance) clock.advance(input.data.advance);
    }
    return json(200, { now: clock.now().toISOString(), offsetMs: clock.offsetMs(), realNow: new Date().toISOString() });
  }
  if (path === '/local/identity/.well-known/jwks.json' && method === 'GET') return json(200, identity.jwks);
  if (path === '/local/identity/.well-known/openid-configuration' && method === 'GET') {
    return json(200, { issuer: identity.issuer, jwks_uri: `${identity.issuer}/.well-known/jwks.json`, id_token_signing_alg_values_supported: ['ES256'] });
  }
  return undefined;
}

function rawRequest(req: IncomingMessage, body: Buffer): RawRequest {
  const headers: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) if (values) headers[name] = values;
  return {
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    headers,
    body,
    sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
    protocol: `HTTP/${req.httpVersion}`,
  };
}

async function invoke(route: RouteDeclaration, event: ApiEvent, options: ApiOptions): Promise<Answer> {
  let handler;
  try {
    handler = await loadHandler<ApiEvent, unknown>(route.entry);
  } catch (err) {
    options.logger.error(`route ${route.id} (${route.method} ${route.path}): ${err instanceof MissingEntryError ? err.message : 'cannot load its handler'}`, err instanceof MissingEntryError ? undefined : err);
    return gateway.internalError();
  }
  const functionName = `motcua-${options.province.id}-${route.id}`;
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = await Promise.race([
      handler(event, lambdaContext(functionName, integrationTimeoutMs, options.region)),
      new Promise<typeof timeout>((resolve) => {
        timer = setTimeout(() => resolve(timeout), integrationTimeoutMs);
      }),
    ]);
    if (result === timeout) {
      options.logger.error(`route ${route.id}: no answer within ${integrationTimeoutMs / 1000} s`);
      return gateway.unavailable();
    }
    return answerFromResult(result);
  } catch (err) {
    options.logger.error(`route ${route.id} (${route.method} ${route.path}) failed`, err);
    return gateway.internalError();
  } finally {
    clearTimeout(timer);
  }
}

const timeout = Symbol('timeout');

async function respond(req: IncomingMessage, options: ApiOptions, compiled: readonly CompiledRoute[], authorize: Authorizer): Promise<Answer> {
  const method = req.method ?? 'GET';
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  let body: Buffer;
  try {
    body = await readBody(req);
  } catch (err) {
    if (err instanceof BodyTooLarge) return gateway.tooLarge();
    throw err;
  }
  if (options.web) {
    const answer = await options.web.handle(method, path, (req.url ?? '').split('?')[1] ?? '', body);
    if (answer) return answer;
  }
  if (path.startsWith('/local/')) return (await options.localExtras?.(method, req.url ?? '/', body, req.headers['content-type'])) ?? (await localRoute(method, path, body, options)) ?? gateway.notFound();
  if (method === 'OPTIONS' && req.headers['access-control-request-method']) {
    const methods = [...new Set(compiled.filter((c) => c.pattern.test(path)).map((c) => c.route.method))];
    if (methods.length === 0) return gateway.notFound();
    const cors = corsHeaders(req, options.province);
    return {
      status: 204,
      headers: {
        ...cors,
        ...(cors['access-control-allow-origin']
          ? {
              'access-control-allow-methods': methods.join(','),
              'access-control-allow-headers': req.headers['access-control-request-headers'] ?? 'authorization,content-type',
              'access-control-max-age': '600',
            }
          : {}),
      },
      body: Buffer.alloc(0),
    };
  }
  const match = matchRoute(compiled, method, path);
  if (!match) return gateway.notFound();
  const { route, pathParameters } = match;
  let authorizer: { claims: Record<string, unknown>; scopes: string[] } | undefined;
  if (route.access !== 'public') {
    const verdict = await authorize(req.headers.authorization);
    if (!verdict.ok) return gateway.unauthorized();
    authorizer = { claims: verdict.claims, scopes: verdict.scopes };
  }
  const event = buildEvent(rawRequest(req, body), `${route.method} ${route.path}`, pathParameters, authorizer, options.clock.now());
  return invoke(route, event, options);
}

export function createApiListener(options: ApiOptions): RequestListener {
  const compiled = options.routes.map(compile);
  return (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    respond(req, options, compiled, options.identity.authorize)
      .catch((err: unknown) => {
        if (err instanceof ClientGone) return undefined;
        options.logger.error(`${req.method} ${req.url}: the local API failed`, err);
        return gateway.internalError();
      })
      .then((answer) => {
        if (!answer) {
          options.logger.info(`${req.method} ${(req.url ?? '/').split('?')[0]}: the client closed the connection before its body arrived`);
          res.destroy();
          return;
        }
        const cloudOnly = options.contentSecurityPolicy && !(req.url ?? '/').startsWith('/local/') ? { ...securityHeaders, 'content-security-policy': options.contentSecurityPolicy } : {};
        const headers = { ...cloudOnly, ...corsHeaders(req, options.province), ...answer.headers, 'apigw-requestid': randomUUID(), 'content-length': String(answer.body.length) };
        res.writeHead(answer.status, headers);
        res.end(answer.body);
        options.logger.info(`${req.method} ${(req.url ?? '/').split('?')[0]} ${answer.status} ${Math.round(performance.now() - started)}ms`);
      })
      .catch(() => res.destroy());
  };
}
