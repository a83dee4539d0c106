import { describe, expect, inject, it } from 'vitest';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { api, tokenFor } from '../support/api.js';
import { collectAgencyMessages, enterpriseRegistration, fileDossier } from '../support/dossiers.js';

const stack = inject('localStack');
const agencyId = 'so-ke-hoach-va-dau-tu';
const queueUrl = () => stack.agencyQueueUrls[agencyId]!;

describe('a citizen finds a procedure in the catalog', () => {
  it('searches without accents, filters by level and tier, and reads one procedure with its form', async () => {
    const found = await api('/services?q=ly%20lich%20tu%20phap');
    expect(found.status).toBe(200);
    expect(found.json.items.map((s: { id: string }) => s.id)).toContain('2.000488');
    const level4 = await api('/services?level=4&tier=province');
    expect(level4.json.total).toBeGreaterThan(0);
    expect(level4.json.items.every((s: { level: number; tier: string }) => s.level === 4 && s.tier === 'province')).toBe(true);
    const service = await api('/services/2.001610');
    expect(service.status).toBe(200);
    expect(service.json.agencies).toEqual([expect.objectContaining({ id: agencyId, code: '000.00.05.H37' })]);
    expect(service.json.fields.map((f: { name: string }) => f.name)).toEqual(['enterpriseName', 'investedCapitalVnd', 'mainBusinessLine', 'headOfficeAddress']);
    expect((await api('/services/9.999999')).status).toBe(404);
    expect((await api('/services?level=7')).json.error.details[0].field).toBe('query.level');
    const agencies = await api('/agencies');
    // the two-tier structure since 1/7/2025: departments and communes, no district People's Committee
    expect(agencies.json.items.length).toBeGreaterThan(15);
    expect(agencies.json.items.filter((a: { tier: string }) => a.tier === 'district')).toEqual([]);
  });

  it('serves an OpenAPI 3.1 document that lists the submission route', async () => {
    const doc = await api('/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.json.openapi).toBe('3.1.0');
    expect(doc.json.paths['/dossiers'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Submission' });
  });
});

describe('a citizen submits a dossier and the agency receives it on its queue', () => {
  it('answers 201 with a code and tracking link, shows the status, and puts one valid message on the agency queue', async () => {
    const token = await tokenFor('citizen', { subject: 'intake-citizen-1' });
    // the procedure requires documents: it starts as a draft, the files are uploaded and verified, then submitted
    const { created, submitted, code, draftId } = await fileDossier(api, token, enterpriseRegistration(1));
    expect(created.status).toBe(201);
    expect(created.json.dossier.draft).toBe(true);
    // a draft has its own id and no number of the agency's day; the code comes with submission
    expect(created.json.code).toMatch(/^draft-[0-9a-f-]{36}$/);
    expect(created.json.trackingPin).toBeUndefined();
    expect(submitted?.json.dossier.draft).toBeUndefined();
    expect(code).toMatch(/^000\.00\.05\.H37-\d{6}-\d{4}$/);
    expect(submitted?.json.trackingPin).toMatch(/^\d{6}$/);
    expect(submitted?.json.status).toEqual({ code: 1, label: 'Mới đăng ký' });
    expect(submitted?.json.trackingUrl).toBe(`${stack.apiUrl}/track/${code}`);

    const tracked = await api(`/dossiers/${code}`, { token });
    expect(tracked.status).toBe(200);
    expect(tracked.json).toMatchObject({ code, status: { code: 1 }, agency: { id: agencyId }, history: [{ type: 'dossier.submitted', to: 1 }] });
    // the documents filed under the draft are the dossier's, and the draft id still leads to it
    expect(tracked.json.documents.map((d: { status: string }) => d.status)).toEqual(['verified', 'verified']);
    expect((await api(`/dossiers/${draftId}`, { token })).json.code).toBe(code);
    const again = await api(`/dossiers/${draftId}/submit`, { token, method: 'POST' });
    expect(again.status).toBe(200);
    expect(again.json.code).toBe(code);

    const messages = await collectAgencyMessages(queueUrl(), [code]);
    const [message] = messages.get(code)!;
    expect(messages.get(code)).toHaveLength(1);
    expect(message).toMatchObject({ schemaVersion: 1, type: 'dossier.submitted', province: 'lang-son', agency: { id: agencyId, code: '000.00.05.H37' } });
    expect(message!.dossier.applicant.fullName).toBe('Hoàng Thị Lan');
  });

  // 20 portals at once, each uploading and verifying two files: about 15 s on an idle 2-core machine
  it('gives 20 concurrent submissions for one agency 20 distinct consecutive codes', { timeout: 240_000 }, async () => {
    const token = await tokenFor('citizen', { subject: 'intake-citizen-2' });
    const filed = await Promise.all(Array.from({ length: 20 }, (_, i) => fileDossier(api, token, enterpriseRegistration(100 + i))));
    expect(filed.map((f) => f.created.status)).toEqual(Array(20).fill(201));
    const codes = filed.map((f) => f.code);
    expect(new Set(codes).size).toBe(20);
    const prefixes = new Set(codes.map((c) => c.slice(0, -5)));
    expect(prefixes.size).toBe(1);
    const sequences = codes.map((c) => Number(c.slice(-4))).sort((a, b) => a - b);
    expect(sequences.at(-1)! - sequences[0]!).toBe(19);
    const messages = await collectAgencyMessages(queueUrl(), codes);
    for (const code of codes) expect(messages.get(code), code).toHaveLength(1);
  });

  it('turns a retried request with the same Idempotency-Key into the same dossier and one queue message', async () => {
    const token = await tokenFor('citizen', { subject: 'intake-citizen-3' });
    const key = `retry-${Date.now()}`;
    const body = enterpriseRegistration(7);
    const [first, second] = await Promise.all([api('/dossiers', { token, body, headers: { 'idempotency-key': key } }), api('/dossiers', { token, body, headers: { 'idempotency-key': key } })]);
    // a third retry goes on to upload the documents and submit, as a portal would
    const third = await fileDossier(api, token, body, { 'idempotency-key': key });
    const fourth = await api('/dossiers', { token, body, headers: { 'idempotency-key': key } });
    expect([first.status, second.status, third.created.status, fourth.status]).toEqual([201, 201, 201, 201]);
    expect(new Set([first.json.code, second.json.code, third.draftId]).size).toBe(1);
    // after submission the key leads to the submitted dossier
    expect(fourth.json.code).toBe(third.code);
    expect(fourth.headers.get('idempotent-replayed')).toBe('true');
    const messages = await collectAgencyMessages(queueUrl(), [third.code]);
    expect(messages.get(third.code)).toHaveLength(1);
    const changed = await api('/dossiers', { token, body: { ...body, fields: { ...body.fields, investedCapitalVnd: 1 } }, headers: { 'idempotency-key': key } });
    expect(changed.status).toBe(422);
    expect(changed.json.error.code).toBe('idempotency_key_reused');
  });

  it('refuses bad input in the one error shape, naming the field, and stores nothing', async () => {
    const token = await tokenFor('citizen', { subject: 'intake-citizen-bad' });
    const db = new DynamoDBClient({});
    const countMine = async () =>
      (await db.send(new ScanCommand({ TableName: stack.tableName, FilterExpression: 'applicantSubject = :s', ExpressionAttributeValues: { ':s': { S: 'intake-citizen-bad' } }, Select: 'COUNT' }))).Count;
    const good = enterpriseRegistration(9);
    const attempts: [unknown, number, string | undefined][] = [
      ['{"serviceId": ', 400, 'body'],
      [{ ...good, serviceId: 'no-such-service' }, 404, undefined],
      [{ ...good, applicant: { ...good.applicant, phone: undefined } }, 400, 'applicant.phone'],
      [{ ...good, fields: { ...good.fields, investedCapitalVnd: 'nhiều' } }, 400, 'fields.investedCapitalVnd'],
      [{ ...good, applicant: { ...good.applicant, idNumber: '123' } }, 400, 'applicant.idNumber'],
      [{ ...good, notes: 'x'.repeat(70_000) }, 413, undefined],
    ];
    for (const [body, status, field] of attempts) {
      const answer = await api('/dossiers', { token, body, headers: { 'content-type': 'application/json' } });
      expect(answer.status, JSON.stringify(answer.json)).toBe(status);
      expect(answer.json.error).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String) }));
      if (field) expect(answer.json.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    expect(await countMine()).toBe(0);
    db.destroy();
  });

  it('needs a token to submit and hides a dossier from other citizens', async () => {
    expect((await api('/dossiers', { body: enterpriseRegistration(11) })).status).toBe(401);
    const owner = await tokenFor('citizen', { subject: 'intake-owner' });
    const other = await tokenFor('citizen', { subject: 'intake-other' });
    const { code } = await fileDossier(api, owner, enterpriseRegistration(12));
    expect((await api(`/dossiers/${code}`, { token: other })).status).toBe(404);
    const official = await tokenFor('official', { agencyId });
    expect((await api(`/dossiers/${code}`, { token: official })).status).toBe(200);
    await collectAgencyMessages(queueUrl(), [code]);
  });
});
