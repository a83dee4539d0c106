import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { handler as createDossier } from '../../functions/handlers/dossiers-create.js';
import { handler as getDossier } from '../../functions/handlers/dossiers-get.js';
import { setClockSource } from '../../functions/adapters/clock.js';
import { canonicalHash } from '../../functions/app/dossiers.js';
import { citizenClaims, errorOf, httpEvent, lambdaContext, officialClaims } from '../fixtures/events.js';
import { useFixtureHandlerEnvironment } from '../fixtures/province.js';
import { fakeTable as ddb, conditionFailed, transactionCanceled } from '../support/table-fake.js';

vi.mock('../../functions/adapters/dynamo-client.js', async () => {
  const { fakeTable } = await import('../support/table-fake.js');
  return { dynamo: () => fakeTable };
});

const validBody = {
  serviceId: '1.001023',
  applicant: { fullName: 'Nguyễn Văn An', idNumber: '020090001234', phone: '0912345678', address: 'Phường Chi Lăng, TP Lạng Sơn' },
  fields: { purpose: 'Xin việc', copies: 2 },
};

function post(body: string, headers: Record<string, string> = {}, claims: Record<string, string> = citizenClaims()) {
  return createDossier(httpEvent({ method: 'POST', path: '/dossiers', routeKey: 'POST /dossiers', body, headers, claims }), lambdaContext) as Promise<APIGatewayProxyStructuredResultV2>;
}

beforeAll(() => {
  useFixtureHandlerEnvironment({ POWERTOOLS_DEV: 'false' });
  setClockSource(() => new Date('2026-03-02T02:00:00Z'));
});

beforeEach(() => {
  ddb.reset();
});

describe('POST /dossiers refuses bad input and stores nothing', () => {
  const cases: [string, string, Record<string, string>, number, string, string | undefined][] = [
    ['malformed JSON', '{"serviceId":', {}, 400, 'invalid_json', 'body'],
    ['an unknown service', JSON.stringify({ ...validBody, serviceId: '9.999999' }), {}, 404, 'not_found', undefined],
    ['a missing applicant field', JSON.stringify({ ...validBody, applicant: { ...validBody.applicant, idNumber: undefined } }), {}, 400, 'invalid_input', 'applicant.idNumber'],
    ['a wrong form field type', JSON.stringify({ ...validBody, fields: { purpose: 'Xin việc', copies: 'two' } }), {}, 400, 'invalid_input', 'fields.copies'],
    ['a missing required form field', JSON.stringify({ ...validBody, fields: { copies: 1 } }), {}, 400, 'invalid_input', 'fields.purpose'],
    ['an unknown form field', JSON.stringify({ ...validBody, fields: { ...validBody.fields, extra: 1 } }), {}, 400, 'invalid_input', 'fields.extra'],
    // an object built by assignment would take these as its prototype and lose them unseen
    ['a "__proto__" form field', JSON.stringify(validBody).replace('"fields":{', '"fields":{"__proto__":{"x":1},'), {}, 400, 'invalid_input', 'body'],
    ['a "__proto__" key spelled with escapes', JSON.stringify(validBody).replace('"applicant":{', '"applicant":{"\\u005f_proto__":1,'), {}, 400, 'invalid_input', 'body'],
    ['malformed JSON with an escape', '{"serviceId":"\\u00', {}, 400, 'invalid_json', 'body'],
    ['an enum value not offered', JSON.stringify({ ...validBody, fields: { ...validBody.fields, formType: '3' } }), {}, 400, 'invalid_input', 'fields.formType'],
    ['a body over 64 KiB', JSON.stringify({ ...validBody, padding: 'x'.repeat(70_000) }), {}, 413, 'payload_too_large', undefined],
    ['a body that is not JSON', 'serviceId=1', { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'unsupported_media_type', undefined],
    ['a level-2 service', JSON.stringify({ ...validBody, serviceId: '2.000001', agencyId: 'ubnd-xa-mai-pha', fields: {} }), {}, 422, 'service_not_online', undefined],
    ['a malformed Idempotency-Key', JSON.stringify(validBody), { 'idempotency-key': 'x' }, 400, 'invalid_input', 'Idempotency-Key'],
  ];
  it.each(cases)('%s', async (_name, body, headers, status, code, field) => {
    const res = await post(body, headers);
    expect(res.statusCode).toBe(status);
    const error = errorOf(res);
    expect(error.code).toBe(code);
    if (field) expect(error.details?.map((d) => d.field)).toContain(field);
    expect(ddb.calls('transactWrite')).toHaveLength(0);
  });

  it('refuses an official: dossiers are filed by citizens', async () => {
    const res = await post(JSON.stringify(validBody), {}, officialClaims('so-tu-phap'));
    expect(res.statusCode).toBe(403);
    expect(ddb.calls('transactWrite')).toHaveLength(0);
  });
});

describe('POST /dossiers stores a dossier with the next code of the agency day', () => {
  const seqKey = { pk: 'SEQUENCE#ubnd-xa-mai-pha#260302', sk: 'SEQUENCE' };
  const idemKey = { pk: 'IDEMPOTENCY#citizen-a#key-0001-abc', sk: 'IDEMPOTENCY' };
  // birth registration at a commune: no document is required, so it goes to the agency at once
  const birth = { ...validBody, serviceId: '1.001193', agencyId: 'ubnd-xa-mai-pha', fields: { childName: 'Hoàng Minh An', birthDate: '2026-02-20' } };

  it('takes the number with one atomic ADD, then writes dossier, event and the key’s answer in one transaction', async () => {
    ddb.on('update', { Key: seqKey }).resolves({ Attributes: { value: 118 } });
    ddb.on('update', { Key: idemKey }).resolves({ Attributes: {} });
    ddb.on('transactWrite').resolves({});
    const res = await post(JSON.stringify(birth), { 'idempotency-key': 'key-0001-abc' });
    expect(res.statusCode).toBe(201);
    const body = JSON.parse(res.body ?? '{}');
    // 02:00 UTC on 2 March 2026 is 09:00 in Vietnam
    expect(body.code).toBe('000.21.31.H37-260302-0118');
    expect(body.status).toEqual({ code: 1, label: 'Mới đăng ký' });
    expect(body.trackingUrl).toBe('https://api.example.test/track/000.21.31.H37-260302-0118');
    const add = ddb.calls('update', { Key: seqKey });
    // taken; the holder is released by the next allocation of the day (see test/unit/day-sequence.test.ts)
    expect(add).toHaveLength(1);
    expect(add[0]).toMatchObject({ UpdateExpression: expect.stringContaining('SET #v = if_not_exists(#v, :zero) + :one'), ReturnValues: 'ALL_NEW' });
    // the key was claimed before the number was taken, so a duplicate never spends one
    expect(ddb.calls('update').map((c) => c.Key)).toEqual([idemKey, seqKey]);
    // the only read is the day's counter (who holds which number)
    expect(ddb.calls('get').map((c) => c.Key)).toEqual([seqKey]);
    const items = ddb.calls('transactWrite')[0]!.TransactItems!;
    expect(items).toHaveLength(3);
    expect(items.some((i) => i.Update?.Key?.pk === seqKey.pk)).toBe(false);
    expect(items[0]!.Put!.Item).toMatchObject({ pk: 'DOSSIER#000.21.31.H37-260302-0118', status: 1, agencyId: 'ubnd-xa-mai-pha', applicantSubject: 'citizen-a' });
    expect(items[1]!.Put!.Item).toMatchObject({ sk: 'EVENT#000001', type: 'dossier.submitted', to: 1 });
    expect(items[2]!.Update).toMatchObject({ Key: idemKey, ExpressionAttributeValues: expect.objectContaining({ ':code': '000.21.31.H37-260302-0118' }) });
  });

  it('retries a conflicting write with the same number instead of taking another', async () => {
    ddb.on('update', { Key: seqKey }).resolves({ Attributes: { value: 7 } });
    ddb.on('transactWrite')
      .rejectsOnce(transactionCanceled('TransactionConflict', 'None'))
      .resolves({});
    const res = await post(JSON.stringify(birth));
    expect(res.statusCode).toBe(201);
    expect(JSON.parse(res.body ?? '{}').code).toBe('000.21.31.H37-260302-0007');
    expect(ddb.calls('update', { Key: seqKey }).filter((c) => c.ReturnValues === 'ALL_NEW')).toHaveLength(1);
    const writes = ddb.calls('transactWrite');
    expect(writes).toHaveLength(2);
    // the same token: a retry of a write that did land is a no-op, not a second dossier
    expect(writes[0]!.ClientRequestToken).toBeDefined();
    expect(writes[1]!.ClientRequestToken).toBe(writes[0]!.ClientRequestToken);
  });

  it('goes on past 9,999 with a five-digit sequence instead of refusing the dossier', async () => {
    ddb.on('update', { Key: seqKey }).resolves({ Attributes: { value: 10_000 } });
    ddb.on('transactWrite').resolves({});
    const res = await post(JSON.stringify(birth));
    expect(res.statusCode).toBe(201);
    expect(JSON.parse(res.body ?? '{}').code).toBe('000.21.31.H37-260302-10000');
  });

  it('starts a procedure with required documents as a draft under its own id, taking no number', async () => {
    ddb.on('transactWrite').resolves({});
    const res = await post(JSON.stringify(validBody));
    expect(res.statusCode).toBe(201);
    const body = JSON.parse(res.body ?? '{}');
    expect(body.dossier.draft).toBe(true);
    expect(body.code).toMatch(/^draft-[0-9a-f-]{36}$/);
    expect(body.trackingPin).toBeUndefined();
    expect(ddb.calls('update')).toHaveLength(0);
    const items = ddb.calls('transactWrite')[0]!.TransactItems!;
    expect(items).toHaveLength(2);
    expect(items[0]!.Put!.Item).toMatchObject({ pk: `DOSSIER#${body.code}`, draft: true, version: 0 });
    expect(items[1]!.Update).toMatchObject({ Key: { pk: 'DRAFTS#citizen-a', sk: 'DRAFTS' }, ConditionExpression: 'attribute_not_exists(drafts) OR size(drafts) < :max' });
    expect(items.some((i) => String(i.Put?.Item?.sk).startsWith('EVENT#'))).toBe(false);
  });

  it('refuses a draft past the open-draft limit with 429 in the error shape', async () => {
    const open = new Set(Array.from({ length: 20 }, (_, i) => `draft-00000000-0000-4000-8000-${String(i).padStart(12, '0')}`));
    ddb.on('transactWrite').rejects(transactionCanceled('None', 'ConditionalCheckFailed'));
    ddb.on('get', { Key: { pk: 'DRAFTS#citizen-a', sk: 'DRAFTS' } }).resolves({ Item: { drafts: open } });
    ddb.on('get').resolves({ Item: { draft: true } });
    const res = await post(JSON.stringify(validBody));
    expect(res.statusCode).toBe(429);
    expect(errorOf(res).code).toBe('too_many_drafts');
    expect(ddb.calls('transactWrite')).toHaveLength(1);
  });

  it('replays the earlier dossier for a repeated Idempotency-Key, and refuses the key with another body', async () => {
    const { applicant, fields } = validBody;
    const stored = {
      pk: 'DOSSIER#000.00.14.H37-260302-0001', sk: 'DOSSIER', code: '000.00.14.H37-260302-0001', serviceId: '1.001023', serviceCode: 'c', serviceName: 'n',
      agencyId: 'so-tu-phap', agencyCode: '000.00.14.H37', agencyName: 'Sở Tư pháp', applicantSubject: 'citizen-a', applicant, fields,
      channel: 'online', status: 1, version: 1, submittedAt: '2026-03-02T02:00:00.000Z', updatedAt: '2026-03-02T02:00:00.000Z',
    };
    // this procedure starts as a draft: draft, open-draft set, idempotency record
    ddb.on('transactWrite').rejects(
      transactionCanceled('None', 'None', 'ConditionalCheckFailed'),
    );
    ddb.on('get', { Key: idemKey }).resolves({ Item: { dossierCode: stored.code, requestHash: canonicalHash({ ...validBody, channel: 'online' }) } });
    ddb.on('query').resolves({ Items: [stored] });
    const replay = await post(JSON.stringify(validBody), { 'idempotency-key': 'key-0001-abc' });
    expect(replay.statusCode).toBe(201);
    expect(replay.headers?.['idempotent-replayed']).toBe('true');
    expect(JSON.parse(replay.body ?? '{}').code).toBe(stored.code);

    const reusedKey = await post(JSON.stringify({ ...validBody, fields: { purpose: 'Du học', copies: 1 } }), { 'idempotency-key': 'key-0001-abc' });
    expect(reusedKey.statusCode).toBe(422);
    expect(errorOf(reusedKey).code).toBe('idempotency_key_reused');
  });

  it('answers 409 with Retry-After while the same key is still being processed, and takes no number', async () => {
    ddb.on('update', { Key: idemKey }).rejects(conditionFailed());
    ddb.on('get', { Key: idemKey }).resolves({ Item: { requestHash: canonicalHash({ ...birth, channel: 'online' }), owner: 'another-request', claimedAt: Date.now() } });
    const res = await post(JSON.stringify(birth), { 'idempotency-key': 'key-0001-abc' });
    expect(res.statusCode).toBe(409);
    expect(errorOf(res).code).toBe('request_in_progress');
    expect(res.headers?.['retry-after']).toBe('2');
    expect(ddb.calls('update', { Key: seqKey })).toHaveLength(0);
    expect(ddb.calls('transactWrite')).toHaveLength(0);
  });
});

describe('GET /dossiers/{code}', () => {
  const code = '000.00.14.H37-260302-0001';
  const item = {
    pk: `DOSSIER#${code}`, sk: 'DOSSIER', code, serviceId: '1.001023', serviceCode: 'c', serviceName: 'n', agencyId: 'so-tu-phap', agencyCode: '000.00.14.H37',
    agencyName: 'Sở Tư pháp', applicantSubject: 'citizen-a', applicant: validBody.applicant, fields: validBody.fields, channel: 'online', status: 1, version: 1,
    submittedAt: '2026-03-02T02:00:00.000Z', updatedAt: '2026-03-02T02:00:00.000Z',
  };
  const get = (claims: Record<string, string>) =>
    getDossier(httpEvent({ method: 'GET', path: `/dossiers/${code}`, routeKey: 'GET /dossiers/{code}', pathParameters: { code }, claims }), lambdaContext) as Promise<APIGatewayProxyStructuredResultV2>;

  beforeEach(() => {
    ddb.on('query').resolves({ Items: [item, { pk: `DOSSIER#${code}`, sk: 'EVENT#000001', type: 'dossier.submitted', at: item.submittedAt, actor: { kind: 'citizen', subject: 'citizen-a' }, from: null, to: 1, version: 1 }] });
  });

  it('shows the applicant the status label, the agency and the history', async () => {
    const res = await get(citizenClaims('citizen-a'));
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(res.body ?? '{}');
    expect(body).toMatchObject({ code, status: { code: 1, label: 'Mới đăng ký' }, agency: { id: 'so-tu-phap', code: '000.00.14.H37' } });
    expect(body.history).toEqual([{ at: item.submittedAt, type: 'dossier.submitted', actor: { kind: 'citizen' }, from: null, to: 1 }]);
  });

  it('answers 404 to another citizen and to another agency, as if the dossier did not exist', async () => {
    expect((await get(citizenClaims('citizen-b'))).statusCode).toBe(404);
    expect((await get(officialClaims('so-xay-dung'))).statusCode).toBe(404);
    expect((await get(officialClaims('so-tu-phap'))).statusCode).toBe(200);
  });
});
