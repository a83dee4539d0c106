import { afterEach, describe, expect, it, vi } from 'vitest';
import { httpRoute } from '../../functions/http/route.js';
import * as input from '../../functions/contracts/inputs.js';
import { AppError } from '../../functions/domain/errors.js';
import { httpEvent, lambdaContext } from '../fixtures/events.js';

/** The JSON log lines a call writes. */
async function logsOf(err: Error): Promise<{ status: number; lines: Record<string, unknown>[] }> {
  const written: string[] = [];
  const spies = [process.stdout, process.stderr].map((stream) =>
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }),
  );
  const handler = httpRoute(input.ListServices, async () => {
    throw err;
  });
  const result = await handler(httpEvent({ method: 'GET', path: '/services', routeKey: 'GET /services' }), { ...lambdaContext, getRemainingTimeInMillis: () => 10_000 } as never);
  for (const spy of spies) spy.mockRestore();
  const lines = written
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { status: result.statusCode ?? 0, lines };
}

describe('how refusals are logged', () => {
  afterEach(() => vi.restoreAllMocks());

  it('a deliberate 503 with Retry-After (load shedding) is a WARN without a stack', async () => {
    const { status, lines } = await logsOf(new AppError('unavailable', 'busy', 'too many submissions', 'Hệ thống đang bận', { retryAfterSeconds: 3 }));
    expect(status).toBe(503);
    expect(lines).toEqual([expect.objectContaining({ level: 'WARN', message: 'shed', status: 503, code: 'busy', retryAfterSeconds: 3 })]);
    expect(JSON.stringify(lines)).not.toContain('stack');
  });

  it('a 429 with Retry-After is a WARN too', async () => {
    const { lines } = await logsOf(new AppError('rate_limited', 'too_many_attempts', 'too many', 'Nhiều quá', { retryAfterSeconds: 60 }));
    expect(lines.map((l) => l.level)).toEqual(['WARN']);
  });

  it('a real 5xx stays an ERROR with its stack', async () => {
    const refused = await logsOf(new AppError('upstream', 'upstream', 'the portal failed', 'Lỗi'));
    expect(refused.lines).toEqual([expect.objectContaining({ level: 'ERROR', error: expect.objectContaining({ stack: expect.any(String) }) })]);
    const unhandled = await logsOf(new Error('boom'));
    expect(unhandled.status).toBe(500);
    expect(unhandled.lines).toEqual([expect.objectContaining({ level: 'ERROR', error: expect.objectContaining({ stack: expect.any(String) }) })]);
  });
});
