import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface PostInit {
  readonly method: 'POST';
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly signal: AbortSignal;
}

export interface PostAnswer {
  readonly status: number;
  readonly headers: Headers;
  text(): Promise<string>;
}

/** What a JSON API caller needs of an HTTP client; Node's fetch is one (unit tests inject fakes of it). */
export type Post = (url: URL, init: PostInit) => Promise<PostAnswer>;

// Kept-alive connections, as the SDK's HTTP handler keeps them: a container's requests share a few sockets.
// An idle socket does not hold the process open (the agent unrefs it).
const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

/**
 * One POST with Node's http module. Node's fetch (undici) costs this process about twice the CPU per
 * request (measured against DynamoDB Local: 1.9 against 1.1 ms per 2 KB PutItem), spent in its web
 * streams and abort machinery; a function makes several DynamoDB requests per invocation. It fails as
 * fetch does: with the signal's reason when the signal fires (a TimeoutError from AbortSignal.timeout),
 * with Node's network error (its `code`: ECONNRESET, ECONNREFUSED…) when the connection fails.
 */
export const nodePost: Post = (url, init) =>
  new Promise<PostAnswer>((resolve, reject) => {
    const { signal } = init;
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const https = url.protocol === 'https:';
    const send = https ? httpsRequest : httpRequest;
    const request = send(url, { method: init.method, headers: { ...init.headers, 'content-length': String(Buffer.byteLength(init.body)) }, agent: https ? agents.https : agents.http });
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      reject(err);
    };
    const onAbort = () => {
      // the reason, not Node's AbortError around it: a timeout must read as a timeout (fetch does the same)
      fail(signal.reason);
      request.destroy();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    request.on('error', fail);
    request.on('response', (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', fail);
      response.on('aborted', () => fail(Object.assign(new Error('the connection closed before the answer ended'), { code: 'ECONNRESET' })));
      response.on('end', () => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        const headers = new Headers();
        const raw = response.rawHeaders;
        for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: response.statusCode ?? 0, headers, text: async () => text });
      });
    });
    request.end(init.body);
  });
