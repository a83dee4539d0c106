import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { nodePost } from '../../functions/adapters/http-post.js';

/**
 * The DynamoDB caller's HTTP client against a real local server: what it sends, what it answers, and
 * that it fails as Node's fetch does (the signal's reason on a timeout, Node's error codes on a broken
 * connection), which is what dynamo-http.ts classifies for its retries.
 */
let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<{ url: URL; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  server.on('connection', (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`), sockets };
}

const post = (url: URL, body: string, signal = AbortSignal.timeout(2000)) => nodePost(url, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' }, body, signal });

describe('nodePost', () => {
  it('sends the body and headers with its length, and answers the status, headers and text', async () => {
    const seen: { method?: string; headers?: IncomingMessage['headers']; body?: string } = {};
    const { url } = await serve((req, res, body) => {
      Object.assign(seen, { method: req.method, headers: req.headers, body });
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'REQ1' });
      res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException', message: 'Tiếng Việt: điều kiện' }));
    });
    const body = JSON.stringify({ TableName: 't', Key: { pk: { S: 'hồ sơ' } } });
    const answer = await post(url, body);
    expect(answer.status).toBe(400);
    expect(answer.headers.get('x-amzn-requestid')).toBe('REQ1');
    expect(JSON.parse(await answer.text())).toMatchObject({ message: 'Tiếng Việt: điều kiện' });
    expect(seen).toMatchObject({ method: 'POST', body, headers: { 'x-amz-target': 'DynamoDB_20120810.GetItem', 'content-length': String(Buffer.byteLength(body)), host: url.host } });
  });

  it('keeps the connection for the next request', async () => {
    const { url, sockets } = await serve((_req, res) => res.end('{}'));
    for (let i = 0; i < 3; i++) expect((await post(url, '{}')).status).toBe(200);
    expect(sockets.size).toBe(1);
  });

  it("rejects with the signal's reason when it fires: a timeout is a TimeoutError", async () => {
    const { url } = await serve(() => undefined);
    const failure = await post(url, '{}', AbortSignal.timeout(100)).catch((err: unknown) => err);
    expect(failure).toMatchObject({ name: 'TimeoutError' });
    const aborted = new AbortController();
    aborted.abort(new Error('given up'));
    await expect(post(url, '{}', aborted.signal)).rejects.toThrow('given up');
  });

  it("rejects with Node's code when the connection is refused or cut during the answer", async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"half":');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const cut = await post(url, '{}').catch((err: unknown) => err);
    expect(cut).toMatchObject({ code: 'ECONNRESET' });
    server!.closeAllConnections();
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
    const refused = await post(url, '{}').catch((err: unknown) => err);
    expect(refused).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('sends a request again on a new connection when its kept-alive socket was closed while the process was frozen', async () => {
    // a server in another process, which closes each connection 300 ms after its answer and counts the
    // connections it saw
    const source = `
      const { createServer } = require('node:http');
      let connections = 0;
      const s = createServer((req, res) => { req.resume(); req.on('end', () => res.end(JSON.stringify({ connections }), () => setTimeout(() => req.socket.end(), 300))); });
      s.on('connection', () => connections++);
      s.listen(0, '127.0.0.1', () => console.log(s.address().port));`;
    const child = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const port = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(String(d).trim())));
      const url = new URL(`http://127.0.0.1:${port}/`);
      expect(JSON.parse(await (await post(url, '{}')).text())).toEqual({ connections: 1 });
      // this process sleeps as a frozen Lambda container does: the server closes the socket meanwhile,
      // and nothing here sees it before the next request takes the socket from the pool
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
      const again = await post(url, '{}');
      expect(again.status).toBe(200);
      expect(JSON.parse(await again.text())).toEqual({ connections: 2 });
    } finally {
      child.kill();
    }
  });
});
