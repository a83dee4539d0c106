import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RouteDeclaration } from '../../functions/declaration.js';
import { loadProvince } from '../../provinces/load.js';
import { createLocalClock } from '../../local/clock.js';
import { createApiListener } from '../../local/http.js';
import { createLocalIdentity } from '../../local/identity.js';
import type { Logger } from '../../local/support.js';
import { captureLines } from '../support/output.js';

const stack = inject('localStack');
const silent: Logger = { info: () => undefined, error: () => undefined };
const entry = 'test/fixtures/handlers/log-after-pause.ts';
const fixtureRoutes: RouteDeclaration[] = [
  { id: 'SlowFirst', method: 'GET', path: '/slow-first', entry, access: 'public', grants: {}, summary: 'logs after a pause' },
  { id: 'FastSecond', method: 'GET', path: '/fast-second', entry, access: 'public', grants: {}, summary: 'logs after a pause' },
];

describe('the local runtime gives each invocation its own logger context', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'motcua-logger-'));
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const identity = await createLocalIdentity({ dataDir, apiUrl: base });
    const province = loadProvince(stack.provinceId);
    server.on('request', createApiListener({ routes: fixtureRoutes, province, identity, clock: createLocalClock({ dataDir, install: false }), logger: silent, region: stack.region }));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('logs concurrent requests to two routes each under its own function name and request id', async () => {
    // Prepare: Powertools writes a warning as one JSON line to stderr; keep ours, let the rest through.
    const { lines, restore } = captureLines(process.stderr, (line) => line.includes('"after pause"'));

    // Act: each slow invocation starts first and logs after a fast one of the other route has begun and ended.
    const call = (path: string, tag: string, pauseMs: number) => fetch(`${base}${path}`, { headers: { 'x-tag': tag, 'x-pause-ms': String(pauseMs) } }).then((r) => r.status);
    const statuses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => [call('/slow-first', `slow-${i}`, 150), call('/fast-second', `fast-${i}`, 10 + i * 5)]).flat(),
    );
    restore();

    // Assess
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(lines).toHaveLength(20);
    const functionOf = (tag: string) => (tag.startsWith('slow') ? `motcua-${stack.provinceId}-SlowFirst` : `motcua-${stack.provinceId}-FastSecond`);
    for (const line of lines) expect({ tag: line.tag, function_name: line.function_name }).toEqual({ tag: line.tag, function_name: functionOf(String(line.tag)) });
    // one request id per invocation, none shared
    expect(new Set(lines.map((l) => l.function_request_id)).size).toBe(20);
  });
});
