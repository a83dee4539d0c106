import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { loopback } from './support.js';

// A CommonJS package whose `default` export is the server factory; required as such, because Node and
// vite disagree on what a default import of it gives.
const { default: sesServer } = createRequire(import.meta.url)('aws-ses-v2-local') as typeof import('aws-ses-v2-local');

/**
 * The two notification stand-ins of `npm start`:
 * - email: `aws-ses-v2-local`, a real SES v2 API (SendEmail over HTTP, signed like the real one), whose web
 *   page lists every message and whose `/store` answers them as JSON. It keeps messages in memory only.
 * - SMS: an outbox speaking the HTTP gateway shape of functions/adapters/notification-senders.ts
 *   (`POST /messages {to, text, reference}` → `{messageId}`), listing what it received at `GET /`
 *   (HTML for a browser, JSON otherwise), kept in `<dataDir>/sms-outbox.jsonl` across restarts.
 *   `POST /outage {"down": true}` makes it answer 503, to watch retries and the dead-letter queue.
 */

function listen(server: Server, port: number, what: string, variable: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE' ? new Error(`port ${port} (${what}) is in use: set ${variable} to another port`) : err));
    server.listen(port, loopback, () => {
      const address = server.address();
      resolvePort(typeof address === 'object' && address ? address.port : port);
    });
  });
}

export interface LocalSes {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export async function startLocalSes(port: number): Promise<LocalSes> {
  // The package listens on the port it is given; asking for 0 would leave us not knowing which one it took.
  const free = port === 0 ? await freePort() : port;
  const server = await sesServer({ host: loopback, port: free });
  return {
    endpoint: `http://${loopback}:${free}`,
    stop: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

async function freePort(): Promise<number> {
  const probe = createServer();
  const port = await listen(probe, 0, 'probe', 'MOTCUA_SES_PORT');
  await new Promise<void>((done) => probe.close(() => done()));
  return port;
}

export interface SmsMessage {
  readonly messageId: string;
  readonly to: string;
  readonly text: string;
  readonly reference?: string;
  readonly at: string;
}

export interface SmsOutbox {
  readonly url: string;
  /** where the SMS adapter posts */
  readonly sendUrl: string;
  messages(): readonly SmsMessage[];
  stop(): Promise<void>;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 64 * 1024) req.destroy(new Error('too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startSmsOutbox(options: { port: number; dataDir: string; now: () => Date }): Promise<SmsOutbox> {
  const file = join(options.dataDir, 'sms-outbox.jsonl');
  const messages: SmsMessage[] = [];
  try {
    for (const line of readFileSync(file, 'utf8').split('\n')) if (line.trim()) messages.push(JSON.parse(line) as SmsMessage);
  } catch {
    // no outbox yet
  }
  let down = false;
  const send = (res: ServerResponse, status: number, body: unknown, type = 'application/json') => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    void (async () => {
      if (req.method === 'GET' && (path === '/' || path === '/messages')) {
        if ((req.headers.accept ?? '').includes('text/html')) {
          const rows = [...messages].reverse().map((m) => `<tr><td>${escapeHtml(m.at)}</td><td>${escapeHtml(m.to)}</td><td>${escapeHtml(m.text)}</td><td>${escapeHtml(m.reference ?? '')}</td></tr>`);
          return send(res, 200, `<!doctype html><meta charset="utf-8"><title>motcua SMS outbox</title><h1>SMS outbox (${messages.length})</h1>${down ? '<p><b>outage: sends answer 503</b></p>' : ''}<table border="1" cellpadding="4"><tr><th>at</th><th>to</th><th>text</th><th>reference</th></tr>${rows.join('')}</table>`, 'text/html');
        }
        return send(res, 200, { down, messages });
      }
      if (req.method === 'POST' && path === '/messages') {
        if (down) return send(res, 503, { error: 'outage' });
        let input: { to?: unknown; text?: unknown; reference?: unknown };
        try {
          input = JSON.parse(await readBody(req)) as typeof input;
        } catch {
          return send(res, 400, { error: 'body is not JSON' });
        }
        if (typeof input.to !== 'string' || !/^\+\d{8,15}$/.test(input.to) || typeof input.text !== 'string' || input.text.length === 0) {
          return send(res, 400, { error: 'to (E.164) and text are required' });
        }
        const message: SmsMessage = {
          messageId: randomUUID(),
          to: input.to,
          text: input.text,
          ...(typeof input.reference === 'string' ? { reference: input.reference } : {}),
          at: options.now().toISOString(),
        };
        messages.push(message);
        appendFileSync(file, `${JSON.stringify(message)}\n`);
        return send(res, 200, { messageId: message.messageId });
      }
      if (req.method === 'POST' && path === '/outage') {
        try {
          down = (JSON.parse(await readBody(req)) as { down?: unknown }).down === true;
        } catch {
          return send(res, 400, { error: 'body is not JSON' });
        }
        return send(res, 200, { down });
      }
      return send(res, 404, { error: 'not found' });
    })().catch(() => res.destroy());
  });
  const port = await listen(server, options.port, 'the SMS outbox', 'MOTCUA_SMS_PORT');
  const url = `http://${loopback}:${port}`;
  return {
    url,
    sendUrl: `${url}/messages`,
    messages: () => messages,
    stop: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
