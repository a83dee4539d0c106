import { afterEach, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { handler as createDossier } from '../../functions/handlers/dossiers-create.js';
import { handler as trackDossier } from '../../functions/handlers/dossiers-track.js';
import { AppError } from '../../functions/domain/errors.js';
import { setClockSource } from '../../functions/adapters/clock.js';
import { businessMetrics } from '../../functions/declaration.js';
import { countMetric, countRefusal, withMetrics } from '../../functions/http/metrics.js';
import { citizenClaims, httpEvent, lambdaContext } from '../fixtures/events.js';
import { useFixtureHandlerEnvironment } from '../fixtures/province.js';
import { fakeTable as ddb, conditionFailed } from '../support/table-fake.js';

vi.mock('../../functions/adapters/dynamo-client.js', async () => {
  const { fakeTable } = await import('../support/table-fake.js');
  return { dynamo: () => fakeTable };
});

/** One EMF document as CloudWatch reads it from a log line. */
interface Emf {
  readonly _aws: { readonly CloudWatchMetrics: readonly { readonly Namespace: string; readonly Dimensions: readonly (readonly string[])[]; readonly Metrics: readonly { Name: string; Unit: string }[] }[] };
  readonly [key: string]: unknown;
}

// Powertools' documented way to test metrics: POWERTOOLS_DEV sends them to the global console, where a spy
// reads them; POWERTOOLS_METRICS_DISABLED=false keeps dev mode from silencing them.
let log: MockInstance<typeof console.log>;
const emitted = (): Emf[] =>
  log.mock.calls
    .map(([line]) => String(line))
    .filter((line) => line.startsWith('{"_aws"'))
    .map((line) => JSON.parse(line) as Emf);

beforeAll(() => {
  useFixtureHandlerEnvironment({ POWERTOOLS_DEV: 'true', POWERTOOLS_METRICS_DISABLED: 'false', PROVINCE_ID: 'lang-son' });
  setClockSource(() => new Date('2026-03-02T02:00:00Z'));
});
beforeEach(() => {
  ddb.reset();
  log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => log.mockRestore());

const birth = {
  serviceId: '1.001193',
  agencyId: 'ubnd-xa-mai-pha',
  applicant: { fullName: 'Nguyễn Văn An', idNumber: '020090001234', phone: '0912345678', address: 'Phường Chi Lăng, TP Lạng Sơn' },
  fields: { childName: 'Hoàng Minh An', birthDate: '2026-02-20' },
};
const post = (body: unknown) =>
  createDossier(httpEvent({ method: 'POST', path: '/dossiers', routeKey: 'POST /dossiers', body: JSON.stringify(body), claims: citizenClaims() }), lambdaContext) as Promise<APIGatewayProxyStructuredResultV2>;

describe('business metrics leave as EMF once per invocation', () => {
  it('counts an online submission under the declared namespace, service and channel', async () => {
    ddb.on('update').resolves({ Attributes: { value: 3 } });
    ddb.on('transactWrite').resolves({});

    const res = await post(birth);

    expect(res.statusCode).toBe(201);
    const [doc, ...more] = emitted();
    expect(more).toHaveLength(0);
    expect(doc!._aws.CloudWatchMetrics).toEqual([
      { Namespace: businessMetrics.namespace, Dimensions: [['service', 'channel']], Metrics: [{ Name: businessMetrics.submissions, Unit: 'Count' }] },
    ]);
    expect(doc).toMatchObject({ service: businessMetrics.service('lang-son'), channel: 'online', [businessMetrics.submissions]: 1 });
  });

  it('counts nothing for a draft (it is filed later) nor for a refused request', async () => {
    ddb.on('transactWrite').resolves({});
    const draft = await post({ ...birth, draft: true });
    const refused = await post({ ...birth, serviceId: '9.999999' });

    expect([draft.statusCode, refused.statusCode]).toEqual([201, 404]);
    expect(emitted()).toEqual([]);
    // nor Powertools' warning about an empty flush
    expect(log).not.toHaveBeenCalled();
  });

  it('flushes when the handler ends, throwing or not, one document per set of dimensions', async () => {
    const failing = withMetrics(async (_event: unknown, _context: unknown) => {
      countMetric(businessMetrics.paymentsSettled, { source: 'reconciliation' });
      countMetric(businessMetrics.paymentsSettled, { source: 'reconciliation' });
      countMetric(businessMetrics.versionConflicts);
      expect(emitted()).toEqual([]);
      throw new Error('after counting');
    });

    await expect(failing({}, {})).rejects.toThrow('after counting');

    const docs = emitted();
    expect(docs).toHaveLength(2);
    expect(docs.find((d) => d.source === 'reconciliation')).toMatchObject({ [businessMetrics.paymentsSettled]: [1, 1] });
    expect(docs.find((d) => d.source === undefined)).toMatchObject({ [businessMetrics.versionConflicts]: 1 });
  });

  it('keeps overlapping invocations apart: each flushes only what it counted', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = withMetrics(async () => {
      countMetric(businessMetrics.pinLockouts);
      await gate;
    });
    const fast = withMetrics(async () => countMetric(businessMetrics.dossiersRefused));

    const pending = slow(undefined, undefined);
    await fast(undefined, undefined);
    const afterFast = emitted();
    release();
    await pending;

    expect(afterFast.map((d) => Object.keys(d).filter((k) => k !== '_aws' && k !== 'service'))).toEqual([[businessMetrics.dossiersRefused]]);
    expect(emitted()).toHaveLength(2);
  });
});

describe('refusals counted on their way out', () => {
  it('counts a tracking lookup refused by a locked receipt, and answers the same 429', async () => {
    const code = '000.21.31.H37-260302-0118';
    ddb.on('update').rejects(conditionFailed());
    ddb.on('get').resolves({ Item: { failures: 5, windowStart: '2026-03-02T01:55:00.000Z' } });

    const res = (await trackDossier(
      httpEvent({ method: 'GET', path: `/track/${code}`, routeKey: 'GET /track/{code}', pathParameters: { code }, query: { pin: '123456' } }),
      lambdaContext,
    )) as APIGatewayProxyStructuredResultV2;

    expect(res.statusCode).toBe(429);
    expect(emitted().map((d) => d[businessMetrics.pinLockouts])).toEqual([1]);
  });

  it('counts only the refusal named, and rethrows every error unchanged', async () => {
    const conflict = new AppError('conflict', 'version_conflict', 'changed', 'Đã thay đổi.');
    const other = new AppError('conflict', 'already_submitted', 'submitted', 'Đã nộp.');
    const run = withMetrics(async (err: Error) => countRefusal('version_conflict', businessMetrics.versionConflicts, () => Promise.reject(err)));

    await expect(run(conflict, undefined)).rejects.toBe(conflict);
    await expect(run(other, undefined)).rejects.toBe(other);

    expect(emitted().map((d) => d[businessMetrics.versionConflicts])).toEqual([1]);
  });
});
