import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
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
// An idle socket does not hold the process open (the agent unrefs it), and is closed after 4 s idle (as
// fetch closes its own) rather than reused just as the server closes it.
const agents = { http: new HttpAgent({ keepAlive: true, timeout: 4_000 }), https: new HttpsAgent({ keepAlive: true, timeout: 4_000 }) };

/** a kept-alive socket the server had closed (idle, or while a Lambda container was frozen) */
const staleSocketCodes = new Set(['ECONNRESET', 'EPIPE']);

/**
 * One POST with Node's http module. Node's fetch (undici) costs this process about twice the CPU per
 * request (measured against DynamoDB Local: 1.9 against 1.1 ms per 2 KB PutItem), spent in its web
 * streams and abort machinery; a function makes several DynamoDB requests per invocation. It fails as
 * fetch does: with the signal's reason when the signal fires (a TimeoutError from AbortSignal.timeout),
 * with Node's network error (its `code`: ECONNRESET, ECONNREFUSED…) when the connection fails. A request
 * whose reused socket turns out closed before any answer is sent once more at once on a new connection, as
 * Node's documentation advises, rather than spending one of the caller's attempts and its backoff on the
 * first call after a thaw (the caller would send it again anyway: it retries these codes, writes included).
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
    const options = { method: init.method, headers: { ...init.headers, 'content-length': String(Buffer.byteLength(init.body)) }, agent: https ? agents.https : agents.http };
    let settled = false;
    let current: ClientRequest | undefined;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      reject(err);
    };
    const onAbort = () => {
      // the reason, not Node's AbortError around it: a timeout must read as a timeout (fetch does the same)
      fail(signal.reason);
      current?.destroy();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const attempt = (resent: boolean) => {
      let request: ClientRequest;
      try {
        request = send(url, options);
      } catch (err) {
        // a header Node refuses to send
        fail(err);
        return;
      }
      current = request;
      let answered = false;
      request.on('error', (err: NodeJS.ErrnoException) => {
        if (!answered && !resent && !settled && request.reusedSocket && staleSocketCodes.has(err.code ?? '')) attempt(true);
        else fail(err);
      });
      request.on('response', (response: IncomingMessage) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        // a connection cut before the answer's end: an ECONNRESET ('aborted') error on the response
        response.on('error', fail);
        response.on('end', () => {
          if (settled) return;
          try {
            const headers = new Headers();
            const raw = response.rawHeaders;
            for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
            const text = Buffer.concat(chunks).toString('utf8');
            settled = true;
            signal.removeEventListener('abort', onAbort);
            resolve({ status: response.statusCode ?? 0, headers, text: async () => text });
          } catch (err) {
            fail(err);
          }
        });
      });
      request.end(init.body);
    };
    attempt(false);
  });
