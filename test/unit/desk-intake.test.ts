import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { handler as registerDesk } from '../../functions/handlers/agency-dossiers-register.js';
import { handler as createDossier } from '../../functions/handlers/dossiers-create.js';
import { setClockSource } from '../../functions/adapters/clock.js';
import { intakeDossier, validateIntake, type IntakeSource } from '../../functions/domain/intake.js';
import { authorize, can, deskActions, type Caller } from '../../functions/domain/access.js';
import { citizenClaims, errorOf, httpEvent, lambdaContext, officialClaims } from '../fixtures/events.js';
import { fixtureProvince, useFixtureHandlerEnvironment } from '../fixtures/province.js';
import { httpStatusOf } from '../../functions/http/error-status.js';
import type { AppError } from '../../functions/domain/errors.js';
import { fakeTable as ddb } from '../support/table-fake.js';

vi.mock('../../functions/adapters/dynamo-client.js', async () => {
  const { fakeTable } = await import('../support/table-fake.js');
  return { dynamo: () => fakeTable };
});
const commune = 'ubnd-xa-mai-pha';
const applicant = { fullName: 'Nguyễn Văn An', idNumber: '020090001234', phone: '0912345678', address: 'Xã Mai Pha, Lạng Sơn' };
// "Thông tin về chứng thực": level 2, so it is never filed online, but the desk receives it
const counterBody = { serviceId: '2.000001', applicant, channel: 'counter', fields: {} };

function register(agencyId: string, body: unknown, claims: Record<string, string>, headers: Record<string, string> = {}) {
  return registerDesk(
    httpEvent({ method: 'POST', path: `/agencies/${agencyId}/dossiers`, routeKey: 'POST /agencies/{id}/dossiers', pathParameters: { id: agencyId }, body: typeof body === 'string' ? body : JSON.stringify(body), headers, claims }),
    lambdaContext,
  ) as Promise<APIGatewayProxyStructuredResultV2>;
}

beforeAll(() => {
  useFixtureHandlerEnvironment({ POWERTOOLS_DEV: 'false' });
  setClockSource(() => new Date('2026-03-02T02:00:00Z'));
});

beforeEach(() => {
  ddb.reset();
});

describe('POST /agencies/{id}/dossiers: an official registers a dossier received at the desk or by post', () => {
  it('stores a status-1 dossier of the channel it came through, filed by the official, with a PIN for the receipt', async () => {
    ddb.on('update').resolves({ Attributes: { value: 12 } });
    ddb.on('transactWrite').resolves({});
    const res = await register(commune, counterBody, officialClaims(commune, 'desk-officer'));
    expect(res.statusCode, res.body).toBe(201);
    const body = JSON.parse(res.body ?? '{}');
    expect(body.code).toBe('000.21.31.H37-260302-0012');
    expect(body.trackingPin).toMatch(/^\d{6}$/);
    expect(body.dossier).toMatchObject({ channel: 'counter', status: { code: 1 }, agency: { id: commune } });
    const items = ddb.calls('transactWrite')[0]!.TransactItems!;
    expect(items[0]!.Put!.Item).toMatchObject({ channel: 'counter', agencyId: commune, applicantSubject: `desk:${commune}:${body.code}` });
    expect(items[1]!.Put!.Item).toMatchObject({ type: 'dossier.submitted', actor: { kind: 'official', subject: 'desk-officer', agencyId: commune } });
  });

  const refusals: [string, string, unknown, Record<string, string>, number, string, string | undefined][] = [
    ['a missing applicant field', commune, { ...counterBody, applicant: { ...applicant, phone: undefined } }, officialClaims(commune), 400, 'invalid_input', 'applicant.phone'],
    ['a channel that is not the desk', commune, { ...counterBody, channel: 'online' }, officialClaims(commune), 400, 'invalid_input', 'channel'],
    ['no channel', commune, { ...counterBody, channel: undefined }, officialClaims(commune), 400, 'invalid_input', 'channel'],
    ['an unknown form field', commune, { ...counterBody, fields: { extra: 1 } }, officialClaims(commune), 400, 'invalid_input', 'fields.extra'],
    ['a procedure the agency does not process', 'so-tu-phap', counterBody, officialClaims('so-tu-phap'), 400, 'invalid_input', 'agencyId'],
    ['an unknown procedure', commune, { ...counterBody, serviceId: '9.999999' }, officialClaims(commune), 404, 'not_found', undefined],
    ['malformed JSON', commune, '{"serviceId":', officialClaims(commune), 400, 'invalid_json', 'body'],
    ['an official of another agency', commune, counterBody, officialClaims('so-tu-phap'), 404, 'not_found', undefined],
    ['an agency that does not exist', 'khong-co', counterBody, officialClaims('khong-co'), 404, 'not_found', undefined],
    ['a citizen', commune, counterBody, citizenClaims(), 403, 'forbidden', undefined],
    ['an administrator', commune, counterBody, { sub: 'admin-1', 'cognito:groups': '[admin]' }, 403, 'forbidden', undefined],
  ];
  it.each(refusals)('refuses %s and stores nothing', async (_name, agencyId, body, claims, status, code, field) => {
    const res = await register(agencyId, body, claims);
    expect(res.statusCode, res.body).toBe(status);
    expect(errorOf(res).code).toBe(code);
    if (field) expect(errorOf(res).details?.map((d) => d.field)).toContain(field);
    expect(ddb.calls('transactWrite')).toHaveLength(0);
    expect(ddb.calls('update')).toHaveLength(0);
  });

  it("answers another agency's official exactly as for an agency that does not exist", async () => {
    const other = errorOf(await register(commune, counterBody, officialClaims('so-tu-phap')));
    const missing = errorOf(await register('khong-co', counterBody, officialClaims('so-tu-phap')));
    expect(other.message.replace(commune, '<id>')).toBe(missing.message.replace('khong-co', '<id>'));
  });

  it('keeps citizens to the online channel: a postal dossier is the receiving agency’s to register', async () => {
    const res = (await createDossier(
      httpEvent({ method: 'POST', path: '/dossiers', routeKey: 'POST /dossiers', body: JSON.stringify({ serviceId: '1.001023', applicant, channel: 'post', fields: { purpose: 'Xin việc', copies: 1 } }), claims: citizenClaims() }),
      lambdaContext,
    )) as APIGatewayProxyStructuredResultV2;
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).details?.map((d) => d.field)).toContain('channel');
    expect(ddb.calls('transactWrite')).toHaveLength(0);
  });
});

describe('one intake for every channel', () => {
  const province = fixtureProvince();
  const request = { serviceId: '1.001023', applicant, fields: { purpose: 'Xin việc', copies: 1 } };
  const at = new Date('2026-03-02T02:00:00Z');
  const sources: [IntakeSource, string, string, string][] = [
    [{ kind: 'online', subject: 'lan' }, 'online', 'lan', 'citizen'],
    [{ kind: 'desk', channel: 'post', official: { subject: 'o1', agencyId: 'so-tu-phap' } }, 'post', 'desk:so-tu-phap:X-1', 'official'],
    [{ kind: 'national', nationalCode: 'G22.1' }, 'online', 'dvcqg:G22.1', 'system'],
  ];
  it.each(sources)('builds the same status-1 dossier and first event from %j', (source, channel, subject, actor) => {
    const valid = validateIntake(province, request, source);
    const { dossier, event } = intakeDossier(valid, source, { code: 'X-1', at, eventId: 'e1' });
    expect(dossier).toMatchObject({ code: 'X-1', status: 1, version: 1, channel, applicantSubject: subject, agencyId: 'so-tu-phap', serviceId: '1.001023' });
    expect(event).toMatchObject({ type: 'dossier.submitted', from: null, to: 1, version: 1, actor: { kind: actor } });
  });

  it('refuses a level-2 procedure online and from the national portal, and takes it at the desk', () => {
    const level2 = { serviceId: '2.000001', agencyId: commune, applicant, fields: {} };
    expect(() => validateIntake(province, level2, { kind: 'online', subject: 'lan' })).toThrow(expect.objectContaining({ code: 'service_not_online' }));
    expect(() => validateIntake(province, level2, { kind: 'national', nationalCode: 'G22.2' })).toThrow(expect.objectContaining({ code: 'service_not_online' }));
    expect(validateIntake(province, level2, { kind: 'desk', channel: 'counter', official: { subject: 'o1', agencyId: commune } }).channel).toBe('counter');
  });
});

describe('the access policy on a dossier received at the desk', () => {
  const desk = { code: '000.00.05.H37-260424-0001', applicantSubject: 'desk:so-tu-phap:000.00.05.H37-260424-0001', agencyId: 'so-tu-phap', channel: 'counter' };
  const online = { ...desk, applicantSubject: 'lan', channel: 'online' };
  const own: Caller = { kind: 'official', subject: 'o1', agencyId: 'so-tu-phap' };
  const other: Caller = { kind: 'official', subject: 'o2', agencyId: 'so-xay-dung' };
  const statusOf = (caller: Caller, action: Parameters<typeof can>[1], d: typeof desk) => {
    try {
      authorize(caller, action, d, d.code);
      return 200;
    } catch (err) {
      return httpStatusOf(err as AppError);
    }
  };

  it.each(deskActions)('lets its own agency %s for the citizen, and only on a desk dossier', (action) => {
    expect(statusOf(own, action, desk)).toBe(200);
    expect(statusOf({ ...own }, action, { ...desk, channel: 'post' })).toBe(200);
    expect(statusOf(own, action, online)).toBe(403);
    expect(statusOf(other, action, desk)).toBe(404);
    expect(statusOf({ kind: 'citizen', subject: 'lan' }, action, desk)).toBe(404);
    expect(statusOf({ kind: 'admin', subject: 'a1' }, action, desk)).toBe(403);
  });

  it('leaves the applicant-only steps (withdraw, rate, pay) to no one on a desk dossier', () => {
    for (const action of ['withdraw', 'rate', 'pay', 'submit'] as const) expect(statusOf(own, action, desk)).toBe(403);
  });
});
