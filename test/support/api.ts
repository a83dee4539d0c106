import { inject } from 'vitest';
import type { Role } from '../../functions/declaration.js';

export interface ApiAnswer<T> {
  readonly status: number;
  readonly headers: Headers;
  /** the parsed body; undefined when it is empty or not JSON */
  readonly json: T;
  readonly text: string;
}

export interface ApiRequest {
  readonly method?: string;
  /** sent as JSON unless it is already a string or a Buffer */
  readonly body?: unknown;
  readonly token?: string;
  readonly headers?: Record<string, string>;
}

export function apiUrl(): string {
  return inject('localStack').apiUrl;
}

/**
 * One HTTP call to the run's local API. `json` defaults to `any` on purpose: tests read answers field by
 * field and assert on them, and a cast at every access would only hide what is being checked.
 */
export function api<T = any>(path: string, request: ApiRequest = {}): Promise<ApiAnswer<T>> {
  return apiAt(apiUrl())<T>(path, request);
}

/** The same calls against another stack, such as one a test file starts for itself. */
export function apiAt(baseUrl: string) {
  return async <T = any>(path: string, request: ApiRequest = {}): Promise<ApiAnswer<T>> => {
    const headers: Record<string, string> = { ...request.headers };
    let body: string | Buffer | undefined;
    if (request.body !== undefined) {
      if (typeof request.body === 'string' || Buffer.isBuffer(request.body)) {
        body = request.body;
      } else {
        body = JSON.stringify(request.body);
        headers['content-type'] ??= 'application/json';
      }
    }
    if (request.token) headers.authorization = `Bearer ${request.token}`;
    const res = await fetch(`${baseUrl}${path}`, { method: request.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json: json as T, text };
  };
}

/** A token from the local identity provider (POST /local/token). */
export async function tokenFor(role: Role, options: { subject?: string; agencyId?: string } = {}): Promise<string> {
  const answer = await api<{ token: string }>('/local/token', { method: 'POST', body: { role, ...options } });
  if (answer.status !== 200) throw new Error(`POST /local/token answered ${answer.status}: ${answer.text}`);
  return answer.json.token;
}

/** The refusal's Retry-After in seconds, when the API asked for the request again later; undefined otherwise. */
const retryAfterOf = (answer: ApiAnswer<unknown>, statuses: readonly number[] | undefined): number | undefined => {
  const seconds = Number(answer.headers.get('retry-after'));
  const refusal = statuses ? statuses.includes(answer.status) : answer.status >= 400;
  return refusal && Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
};

/**
 * Sends a request, and again while the API refuses it with Retry-After, as the contract asks of a client:
 * after at least that long, spread so that the refused do not all come back at the same instant. At most
 * `attempts` sends, of refusals with one of `statuses` only if given; the last answer, accepted or not,
 * with how many sends were retries.
 */
export async function honouringRetryAfter<T>(
  send: () => Promise<ApiAnswer<T>>,
  options: { readonly attempts?: number; readonly statuses?: readonly number[] } = {},
): Promise<{ answer: ApiAnswer<T>; retries: number; refused: boolean }> {
  const attempts = options.attempts ?? 20;
  for (let attempt = 1; ; attempt++) {
    const answer = await send();
    const seconds = retryAfterOf(answer, options.statuses);
    if (seconds === undefined || attempt >= attempts) return { answer, retries: attempt - 1, refused: seconds !== undefined };
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000 * (1 + Math.random())));
  }
}
