import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { APIGatewayProxyStructuredResultV2, S3Event } from 'aws-lambda';
import { setClockSource } from '../../functions/adapters/clock.js';
import {
  checkSlot,
  MAX_PENDING_SLOTS,
  missingComponents,
  objectKey,
  parseObjectKey,
  sanitiseFileName,
  downloadName,
  sniffType,
  supplementBringsNothing,
  supplementLacking,
  supplementSlotFiles,
  verdict,
  type DocumentRecord,
} from '../../functions/domain/documents.js';
import { handler as uploadDocument } from '../../functions/handlers/documents-upload.js';
import { handler as submitDossier } from '../../functions/handlers/dossiers-submit.js';
import { handler as getResult } from '../../functions/handlers/results-get.js';
import { handler as verifyDocuments } from '../../functions/handlers/verify-documents.js';
import { citizenClaims, httpEvent, lambdaContext, officialClaims } from '../fixtures/events.js';
import { fixtureProvince, useFixtureHandlerEnvironment } from '../fixtures/province.js';
import { renamedElf, renamedExe, sampleJpeg, samplePdf, samplePng } from '../support/files.js';
import { fakeTable as ddb, transactionCanceled } from '../support/table-fake.js';

const now = new Date('2026-03-02T02:00:00Z');
const code = '000.00.14.H37-260302-0001';
const pdfRules = { allowedTypes: ['application/pdf' as const], maxSizeBytes: 1000, maxFiles: 1 };

function doc(overrides: Partial<DocumentRecord> = {}): DocumentRecord {
  const id = overrides.id ?? '3f0c2a8e-4b7d-4c1e-9a55-0d2f6b8e9c10';
  return {
    id,
    dossierCode: code,
    kind: 'application',
    component: 'to-khai',
    fileName: 'to-khai.pdf',
    objectKey: objectKey(code, overrides.component ?? 'to-khai', id),
    declaredType: 'application/pdf',
    declaredSize: 500,
    allowedTypes: ['application/pdf'],
    maxSizeBytes: 1000,
    status: 'pending',
    uploadedBy: { kind: 'citizen', subject: 'citizen-a' },
    uploadedAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + 3600,
    ...overrides,
  };
}

describe('content sniffing looks at the bytes, never the name', () => {
  it('recognises PDF, JPEG and PNG by their signatures', () => {
    expect(sniffType(samplePdf)).toBe('application/pdf');
    expect(sniffType(sampleJpeg)).toBe('image/jpeg');
    expect(sniffType(samplePng)).toBe('image/png');
  });

  it('recognises nothing in executables, text or an empty file', () => {
    expect(sniffType(renamedExe)).toBeUndefined();
    expect(sniffType(renamedElf)).toBeUndefined();
    expect(sniffType(Buffer.from('%PD'))).toBeUndefined();
    expect(sniffType(new Uint8Array())).toBeUndefined();
  });
});

describe('the verdict on an uploaded object', () => {
  const slot = { declaredType: 'application/pdf' as const, declaredSize: 300, allowedTypes: ['application/pdf' as const, 'image/png' as const], maxSizeBytes: 1000 };
  const cases: [string, { size: number; head: Uint8Array }, string | undefined][] = [
    ['a PDF within the limit', { size: 300, head: samplePdf }, undefined],
    ['an empty file', { size: 0, head: new Uint8Array() }, 'empty'],
    ['a file over the limit', { size: 1001, head: samplePdf }, 'the limit is 1000'],
    ['a renamed Windows executable', { size: 128, head: renamedExe }, 'Windows executable'],
    ['a renamed ELF binary', { size: 64, head: renamedElf }, 'ELF'],
    ['a JPEG where the component takes PDF or PNG', { size: 100, head: sampleJpeg }, 'this component accepts'],
    ['a PNG declared as PDF', { size: 100, head: samplePng }, 'was declared'],
    ['a PDF one byte shorter than declared', { size: 299, head: samplePdf }, 'the file is 299 bytes but 300 were declared'],
    ['a PDF one byte longer than declared', { size: 301, head: samplePdf }, 'the file is 301 bytes but 300 were declared'],
  ];
  it.each(cases)('%s', (_name, object, reason) => {
    const result = verdict(slot, object);
    if (reason === undefined) expect(result).toEqual({ status: 'verified', type: 'application/pdf' });
    else expect(result).toMatchObject({ status: 'rejected', reason: expect.stringContaining(reason), reasonVi: expect.any(String) });
  });
});

describe('file names are metadata, never paths', () => {
  it.each([
    ['../../etc/passwd', 'not a path'],
    ['C:\\Windows\\x.pdf', 'not a path'],
    ['a/b.pdf', 'not a path'],
    ['..', 'not a path'],
    ['to\u0000khai.pdf', 'control'],
    ['to khai\n.pdf', 'control'],
    ['hoa-don\u202Efdp.exe', 'control'],
    ['   ', 'empty'],
  ])('refuses %j', (name, message) => {
    const result = sanitiseFileName(name);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toContain(message);
  });

  it.each([
    ['Giay de nghi.pdf.cmd', 'application/pdf', 'Giay de nghi.pdf.cmd.pdf'],
    ['CCCD hai mat.html', 'image/png', 'CCCD hai mat.html.png'],
    ['don.cmd. . ', 'application/pdf', 'don.cmd.pdf'],
    ['Tờ khai.PDF', 'application/pdf', 'Tờ khai.PDF'],
    ['anh.jpeg', 'image/jpeg', 'anh.jpeg'],
    ['anh.jpg', 'image/png', 'anh.jpg.png'],
    ['...', 'application/pdf', 'tep.pdf'],
  ] as const)('saves %j, verified as %s, as %j', (name, type, saved) => {
    expect(downloadName(name, type)).toBe(saved);
  });

  it('keeps a Vietnamese name, trimmed and in NFC', () => {
    expect(sanitiseFileName('  To\u0302\u0300 khai.pdf ')).toEqual({ ok: true, name: 'Tồ khai.pdf' });
  });

  it('builds object keys from the dossier, component and a uuid only, and reads them back', () => {
    const key = objectKey(code, 'to-khai', '3f0c2a8e-4b7d-4c1e-9a55-0d2f6b8e9c10');
    expect(key).toBe(`dossiers/${code}/to-khai/3f0c2a8e-4b7d-4c1e-9a55-0d2f6b8e9c10`);
    expect(parseObjectKey(key)).toEqual({ dossierCode: code, component: 'to-khai', id: '3f0c2a8e-4b7d-4c1e-9a55-0d2f6b8e9c10' });
    expect(parseObjectKey(`dossiers/${code}/_result/3f0c2a8e-4b7d-4c1e-9a55-0d2f6b8e9c10`)?.component).toBe('_result');
    for (const bad of [`dossiers/${code}/to-khai/x.pdf`, `dossiers/${code}/../3f0c2a8e-4b7d-4c1e-9a55-0d2f6b8e9c10`, `rejected/dossiers/${code}/to-khai/3f0c2a8e-4b7d-4c1e-9a55-0d2f6b8e9c10`, 'dossiers/x']) {
      expect(parseObjectKey(bad)).toBeUndefined();
    }
  });
});

describe('slot rules, checked before any URL is issued', () => {
  const request = { component: 'to-khai', fileName: 'to-khai.pdf', contentType: 'application/pdf', size: 500 };
  it('accepts a declared file within the rules', () => {
    expect(checkSlot(pdfRules, request, [], now)).toEqual({ fileName: 'to-khai.pdf', type: 'application/pdf' });
  });

  it.each([
    ['a type the component does not take', { contentType: 'image/png' }, 'contentType'],
    ['an executable type', { contentType: 'application/x-msdownload' }, 'contentType'],
    ['a zero size', { size: 0 }, 'size'],
    ['a size over the maximum', { size: 1001 }, 'size'],
    ['a path-like name', { fileName: '../x.pdf' }, 'fileName'],
  ])('refuses %s with 400 naming the field', (_name, change, field) => {
    expect(() => checkSlot(pdfRules, { ...request, ...change }, [], now)).toThrowError(expect.objectContaining({ kind: 'invalid', details: [expect.objectContaining({ field })] }));
  });

  it('refuses a file beyond maxFiles while the first is pending or verified, not once it expired or was rejected', () => {
    expect(() => checkSlot(pdfRules, request, [doc()], now)).toThrowError(expect.objectContaining({ kind: 'conflict', code: 'too_many_files' }));
    expect(() => checkSlot(pdfRules, request, [doc({ status: 'verified', expiresAt: undefined })], now)).toThrowError(expect.objectContaining({ kind: 'conflict' }));
    expect(() => checkSlot(pdfRules, request, [doc({ expiresAt: Math.floor(now.getTime() / 1000) - 1 })], now)).not.toThrow();
    expect(() => checkSlot(pdfRules, request, [doc({ status: 'rejected' })], now)).not.toThrow();
  });

  it(`refuses an eleventh pending upload of a dossier, whatever its component, until one arrives or expires`, () => {
    // Prepare: MAX_PENDING_SLOTS live slots of other components
    const others = Array.from({ length: MAX_PENDING_SLOTS }, (_, i) => doc({ id: `slot-${i}`, component: `other-${i}` }));
    const expired = doc({ id: 'old', component: 'other-x', expiresAt: Math.floor(now.getTime() / 1000) - 1 });
    // Act / Assert
    expect(() => checkSlot(pdfRules, request, others, now)).toThrowError(expect.objectContaining({ kind: 'conflict', code: 'too_many_pending_uploads' }));
    expect(() => checkSlot(pdfRules, request, [...others.slice(1), expired], now)).not.toThrow();
    expect(() => checkSlot(pdfRules, request, [...others.slice(1), doc({ id: 'done', component: 'other-y', status: 'verified' })], now)).not.toThrow();
  });

  it('lists required components without a verified file', () => {
    const service = fixtureProvince().services.find((s) => s.id === '1.001023')!;
    expect(missingComponents(service, [doc()]).map((c) => c.id)).toEqual(['to-khai']);
    expect(missingComponents(service, [doc({ status: 'verified' })])).toEqual([]);
  });
});

vi.mock('../../functions/adapters/dynamo-client.js', async () => {
  const { fakeTable } = await import('../support/table-fake.js');
  return { dynamo: () => fakeTable };
});
/**
 * The bucket as the verifier reaches it: signed REST calls sent with fetch (s3-objects.ts), answered here
 * from objects by key, as S3 answers them (path-style: the tests' environment names an S3 endpoint).
 */
interface S3Request {
  readonly operation: 'HeadObject' | 'GetObject' | 'CopyObject' | 'DeleteObject';
  readonly key: string;
  readonly versionId?: string;
  readonly copySource?: string;
}
const s3 = {
  objects: new Map<string, { bytes: Buffer; size: number }>(),
  requests: [] as S3Request[],
  put(key: string, bytes: Buffer, size = bytes.length) {
    this.objects.set(key, { bytes, size });
  },
  calls(operation: S3Request['operation']) {
    return this.requests.filter((r) => r.operation === operation);
  },
  reset() {
    this.objects.clear();
    this.requests.length = 0;
  },
};
const noSuchKey = () => new Response('<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>', { status: 404 });
async function s3Fetch(url: string, init: RequestInit): Promise<Response> {
  const target = new URL(url);
  const key = target.pathname.split('/').slice(2).map(decodeURIComponent).join('/');
  const versionId = target.searchParams.get('versionId') ?? undefined;
  const copySource = (init.headers as Record<string, string>)['x-amz-copy-source'];
  const operation = ({ HEAD: 'HeadObject', GET: 'GetObject', PUT: 'CopyObject', DELETE: 'DeleteObject' } as const)[init.method as 'HEAD' | 'GET' | 'PUT' | 'DELETE'];
  s3.requests.push({ operation, key, ...(versionId ? { versionId } : {}), ...(copySource ? { copySource } : {}) });
  const object = s3.objects.get(key);
  switch (operation) {
    case 'HeadObject':
      return object ? new Response(null, { status: 200, headers: { 'content-length': String(object.size) } }) : new Response(null, { status: 404 });
    case 'GetObject':
      return object ? new Response(object.bytes, { status: 200 }) : noSuchKey();
    case 'CopyObject': {
      const source = s3.objects.get(decodeURIComponent(copySource!.split('?')[0]!.split('/').slice(1).join('/')));
      if (!source) return noSuchKey();
      s3.objects.set(key, source);
      return new Response('<CopyObjectResult><ETag>"e"</ETag></CopyObjectResult>', { status: 200 });
    }
    case 'DeleteObject':
      s3.objects.delete(key);
      return new Response(null, { status: 204 });
  }
}

const dossierItem = (overrides: Record<string, unknown> = {}) => ({
  pk: `DOSSIER#${code}`, sk: 'DOSSIER', code, serviceId: '1.001023', serviceCode: 'c', serviceName: 'n', agencyId: 'so-tu-phap', agencyCode: '000.00.14.H37',
  agencyName: 'Sở Tư pháp', applicantSubject: 'citizen-a', applicant: { fullName: 'A', idNumber: '020090001234', phone: '0912345678', address: 'x' }, fields: {},
  channel: 'online', status: 1, version: 0, draft: true, submittedAt: now.toISOString(), updatedAt: now.toISOString(), ...overrides,
});
const docItem = (d: DocumentRecord) => ({ pk: `DOSSIER#${code}`, sk: `DOC#${d.id}`, entity: 'document', ...d });

type Result = APIGatewayProxyStructuredResultV2;
const bodyOf = (res: Result) => JSON.parse(res.body ?? '{}');

describe('document handlers', () => {
  beforeAll(() => {
    useFixtureHandlerEnvironment({ BUCKET_NAME: 'motcua-test-documents' });
    setClockSource(() => now);
  });
  beforeEach(() => {
    ddb.reset();
    s3.reset();
  });

  const upload = (body: unknown, claims = citizenClaims('citizen-a')) =>
    uploadDocument(
      httpEvent({ method: 'POST', path: `/dossiers/${code}/documents`, routeKey: 'POST /dossiers/{code}/documents', pathParameters: { code }, body: JSON.stringify(body), claims }),
      lambdaContext,
    ) as Promise<Result>;

  it('stores a pending slot with an expiry and answers a PUT URL for a key under the dossier', async () => {
    ddb.on('query').resolves({ Items: [dossierItem()] });
    ddb.on('transactWrite').resolves({});
    const res = await upload({ component: 'to-khai', fileName: 'Tờ khai.pdf', contentType: 'application/pdf', size: 1234 });
    expect(res.statusCode).toBe(201);
    const body = bodyOf(res);
    expect(body.document).toMatchObject({ component: 'to-khai', fileName: 'Tờ khai.pdf', status: 'pending', declaredSize: 1234 });
    const url = new URL(body.upload.url);
    expect(decodeURIComponent(url.pathname)).toMatch(new RegExp(`/dossiers/${code}/to-khai/[0-9a-f-]{36}$`));
    expect(url.pathname).not.toContain('khai.pdf');
    const [slot, count] = ddb.calls('transactWrite')[0]!.TransactItems!;
    const item = slot!.Put!.Item!;
    expect(item).toMatchObject({ pk: `DOSSIER#${code}`, sk: `DOC#${body.document.id}`, status: 'pending', maxSizeBytes: 5242880, allowedTypes: ['application/pdf'] });
    expect(item.expiresAt).toBeGreaterThan(now.getTime() / 1000 + 600);
    // the first slot of the partition: the count must not exist yet, and lives as long as the slot
    expect(count!.Update).toMatchObject({ Key: { pk: `DOSSIER#${code}`, sk: 'DOC!COUNT' }, ConditionExpression: 'attribute_not_exists(issued)', ExpressionAttributeValues: { ':next': 1, ':e': item.expiresAt } });
  });

  it('moves the count on only from the value read with the dossier, and reads again when another slot came first', async () => {
    // Prepare: two slots issued, one of them pending; the first write finds the count moved on
    const count = { pk: `DOSSIER#${code}`, sk: 'DOC!COUNT', issued: 2 };
    ddb.on('query').resolvesOnce({ Items: [dossierItem(), count, docItem(doc({ expiresAt: Math.floor(Date.now() / 1000) + 60, component: 'giay-khac' }))] }).resolves({ Items: [dossierItem(), { ...count, issued: 3 }] });
    ddb.on('transactWrite').rejectsOnce(transactionCanceled('None', 'ConditionalCheckFailed')).resolves({});

    // Act
    const res = await upload({ component: 'to-khai', fileName: 'x.pdf', contentType: 'application/pdf', size: 100 });

    // Assess
    expect(res.statusCode, JSON.stringify(bodyOf(res))).toBe(201);
    const writes = ddb.calls('transactWrite').map((w) => w.TransactItems![1]!.Update!);
    expect(writes.map((u) => [u.ConditionExpression, u.ExpressionAttributeValues?.[':before'], u.ExpressionAttributeValues?.[':next']])).toEqual([
      ['issued = :before', 2, 3],
      ['issued = :before', 3, 4],
    ]);
    expect(ddb.calls('query')).toHaveLength(2);
  });

  it('does not bring a lapsed slot back through its Idempotency-Key: its place may be taken', async () => {
    // Prepare: the keyed slot is issued, then its URL lapses
    ddb.on('query').resolves({ Items: [dossierItem()] });
    ddb.on('transactWrite').resolves({});
    const keyed = (claims = citizenClaims('citizen-a')) =>
      uploadDocument(
        httpEvent({ method: 'POST', path: `/dossiers/${code}/documents`, routeKey: 'POST /dossiers/{code}/documents', pathParameters: { code }, headers: { 'idempotency-key': 'slot-key-lapsed-1' }, body: JSON.stringify({ component: 'to-khai', fileName: 'x.pdf', contentType: 'application/pdf', size: 100 }), claims }),
        lambdaContext,
      ) as Promise<Result>;
    const first = bodyOf(await keyed());
    const slot = ddb.calls('transactWrite')[0]!.TransactItems![0]!.Put!.Item! as unknown as DocumentRecord;
    ddb.reset();
    ddb.on('query').resolves({ Items: [dossierItem(), docItem({ ...slot, expiresAt: Math.floor(now.getTime() / 1000) - 60 })] });

    // Act
    const again = await keyed();

    // Assess
    expect(slot.id).toBe(first.document.id);
    expect(again.statusCode).toBe(409);
    expect(bodyOf(again).error.code).toBe('slot_expired');
    expect(ddb.calls('update')).toHaveLength(0);
    expect(ddb.calls('transactWrite')).toHaveLength(0);
  });

  it('does not take throttling for a lost race', async () => {
    ddb.on('query').resolves({ Items: [dossierItem()] });
    ddb.on('transactWrite').rejects(transactionCanceled('ThrottlingError', 'None'));
    const res = await upload({ component: 'to-khai', fileName: 'x.pdf', contentType: 'application/pdf', size: 100 });
    expect(res.statusCode).not.toBe(409);
    expect(ddb.calls('transactWrite')).toHaveLength(1);
  });

  it('answers 409 after losing the race every time, and stores nothing', async () => {
    ddb.on('query').resolves({ Items: [dossierItem()] });
    ddb.on('transactWrite').rejects(transactionCanceled('None', 'ConditionalCheckFailed'));
    const res = await upload({ component: 'to-khai', fileName: 'x.pdf', contentType: 'application/pdf', size: 100 });
    expect(res.statusCode).toBe(409);
    expect(bodyOf(res).error.code).toBe('conflict');
    expect(ddb.calls('transactWrite')).toHaveLength(4);
  });

  it.each([
    ['an unknown component', { component: 'giay-phep' }, 400],
    ['a PNG for a PDF-only component', { contentType: 'image/png' }, 400],
    ['a size over 5 MiB', { size: 5242881 }, 400],
    ['an empty file', { size: 0 }, 400],
    ['a path as file name', { fileName: '../../x.pdf' }, 400],
  ])('refuses %s and stores nothing', async (_name, change, status) => {
    ddb.on('query').resolves({ Items: [dossierItem()] });
    const res = await upload({ component: 'to-khai', fileName: 'x.pdf', contentType: 'application/pdf', size: 100, ...change });
    expect(res.statusCode).toBe(status);
    expect(ddb.calls('transactWrite')).toHaveLength(0);
  });

  it('answers 404 to another citizen and 409 when the component already has its file', async () => {
    ddb.on('query').resolves({ Items: [dossierItem(), docItem(doc({ status: 'verified', expiresAt: undefined }))] });
    expect((await upload({ component: 'to-khai', fileName: 'x.pdf', contentType: 'application/pdf', size: 100 }, citizenClaims('citizen-b'))).statusCode).toBe(404);
    const full = await upload({ component: 'to-khai', fileName: 'x.pdf', contentType: 'application/pdf', size: 100 });
    expect(full.statusCode).toBe(409);
    expect(bodyOf(full).error.code).toBe('too_many_files');
    expect(ddb.calls('transactWrite')).toHaveLength(0);
  });

  it('lets a slot whose file never arrived lapse: once expired it no longer counts against maxFiles', async () => {
    const lapsed = doc({ expiresAt: Math.floor(Date.now() / 1000) - 60 });
    ddb.on('query').resolves({ Items: [dossierItem(), docItem(lapsed)] });
    ddb.on('transactWrite').resolves({});
    expect((await upload({ component: 'to-khai', fileName: 'x.pdf', contentType: 'application/pdf', size: 100 })).statusCode).toBe(201);
    ddb.on('query').resolves({ Items: [dossierItem(), docItem(doc({ expiresAt: Math.floor(Date.now() / 1000) + 60 }))] });
    expect((await upload({ component: 'to-khai', fileName: 'x.pdf', contentType: 'application/pdf', size: 100 })).statusCode).toBe(409);
  });

  const submit = (claims = citizenClaims('citizen-a')) =>
    submitDossier(httpEvent({ method: 'POST', path: `/dossiers/${code}/submit`, routeKey: 'POST /dossiers/{code}/submit', pathParameters: { code }, claims }), lambdaContext) as Promise<Result>;

  it('keeps a draft from the agency while a required component has no verified file, naming it', async () => {
    ddb.on('query').resolves({ Items: [dossierItem(), docItem(doc({ status: 'rejected', reason: 'the file is empty' }))] });
    const res = await submit();
    expect(res.statusCode).toBe(409);
    expect(bodyOf(res).error).toMatchObject({ code: 'documents_missing', details: [{ field: 'documents.to-khai', component: 'to-khai' }] });
    expect(ddb.calls('transactWrite')).toHaveLength(0);
  });

  it('submits a draft with its documents verified: a code from the counter, status 1, version 1 and the dossier.submitted event, in one transaction', async () => {
    ddb.on('query').resolves({ Items: [dossierItem(), docItem(doc({ status: 'verified', expiresAt: undefined }))] });
    ddb.on('update', { ReturnValues: 'ALL_NEW' }).resolves({ Attributes: { value: 5 } });
    ddb.on('transactWrite').resolves({});
    const res = await submit();
    expect(res.statusCode).toBe(200);
    const allocated = bodyOf(res).code as string;
    expect(allocated).toMatch(/^000\.00\.14\.H37-\d{6}-0005$/);
    expect(bodyOf(res)).toMatchObject({ status: { code: 1 }, trackingPin: expect.stringMatching(/^\d{6}$/), dossier: { code: allocated, version: 1, documents: [{ status: 'verified' }] } });
    expect(bodyOf(res).dossier.draft).toBeUndefined();
    // no claim of the draft: the number's holder is the draft, and the only write to the draft item is the transaction's
    expect(ddb.calls('update').map((c) => c.Key?.pk)).toEqual([expect.stringMatching(/^SEQUENCE#so-tu-phap#/)]);
    const items = ddb.calls('transactWrite')[0]!.TransactItems!;
    expect(items[0]!.Put).toMatchObject({ ConditionExpression: 'attribute_not_exists(pk)' });
    expect(items[0]!.Put!.Item).toMatchObject({ pk: `DOSSIER#${allocated}`, status: 1, version: 1, draftId: code, gsi1pk: 'AGENCY#so-tu-phap#1' });
    expect(items[0]!.Put!.Item!.draft).toBeUndefined();
    expect(items[1]!.Put!.Item).toMatchObject({ pk: `DOSSIER#${allocated}`, sk: 'EVENT#000001', type: 'dossier.submitted', from: null, to: 1 });
    // the draft id now leads to the dossier
    expect(items[2]!.Put!.Item).toMatchObject({ pk: `DOSSIER#${code}`, sk: 'DOSSIER', submittedCode: allocated });
    // only if it is still the draft that was read (version 0, not submitted meanwhile)
    expect(items[2]!.Put).toMatchObject({ ConditionExpression: 'draft = :true AND #v = :v', ExpressionAttributeValues: { ':true': true, ':v': 0 } });
    // and the draft's count of slots moves on, so a slot request that read the draft before reads again
    expect(items[3]!.Update).toMatchObject({ Key: { pk: `DOSSIER#${code}`, sk: 'DOC!COUNT' }, UpdateExpression: 'SET issued = if_not_exists(issued, :zero) + :one' });
    expect(items).toHaveLength(4);
  });

  it('answers a submit that lost the race to another submit of the same draft with the dossier the winner stored', async () => {
    // Prepare: both read the draft; the other one's transaction landed first, so the pointer's condition fails
    const stored = '000.00.14.H37-260302-0005';
    ddb.on('query', { ExpressionAttributeValues: { ':pk': `DOSSIER#${code}` } })
      .resolvesOnce({ Items: [dossierItem(), docItem(doc({ status: 'verified', expiresAt: undefined }))] })
      .resolves({ Items: [{ pk: `DOSSIER#${code}`, sk: 'DOSSIER', entity: 'submitted-draft', submittedCode: stored, applicantSubject: 'citizen-a' }] });
    ddb.on('query', { ExpressionAttributeValues: { ':pk': `DOSSIER#${stored}` } }).resolves({ Items: [dossierItem({ pk: `DOSSIER#${stored}`, code: stored, draft: undefined, version: 1, draftId: code })] });
    ddb.on('update', { ReturnValues: 'ALL_NEW' }).resolves({ Attributes: { value: 5 } });
    ddb.on('transactWrite').rejects(transactionCanceled('ConditionalCheckFailed', 'None', 'ConditionalCheckFailed'));
    // Act
    const res = await submit();
    // Assess
    expect(res.statusCode).toBe(200);
    expect(bodyOf(res)).toMatchObject({ code: stored, dossier: { code: stored } });
  });

  it('refuses to submit twice', async () => {
    ddb.on('query').resolves({ Items: [dossierItem({ draft: undefined, version: 1 })] });
    expect(bodyOf(await submit()).error.code).toBe('already_submitted');
  });

  const result = doc({ id: '9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d', kind: 'result', component: '_result', status: 'verified', actualType: 'application/pdf', actualSize: 321, sha256: 'ab'.repeat(32), versionId: 'v-42', uploadedBy: { kind: 'official', subject: 'o', agencyId: 'so-tu-phap' } });
  const download = (claims: Record<string, string>, id = result.id) =>
    getResult(
      httpEvent({ method: 'GET', path: `/dossiers/${code}/results/${id}`, routeKey: 'GET /dossiers/{code}/results/{id}', pathParameters: { code, id }, claims }),
      lambdaContext,
    ) as Promise<Result>;

  it('saves a verified file under a name ending in its verified type, whatever the uploader named it', async () => {
    ddb.on('query').resolves({ Items: [dossierItem({ draft: undefined, status: 9, version: 5 }), docItem({ ...result, fileName: 'Ket qua.pdf.cmd' })] });
    const url = new URL(bodyOf(await download(citizenClaims('citizen-a'))).url);
    expect(url.searchParams.get('response-content-disposition')).toBe(`attachment; filename="Ket qua.pdf.cmd.pdf"; filename*=UTF-8''Ket%20qua.pdf.cmd.pdf`);
  });

  it('gives the applicant and the agency a short-lived GET URL for a verified result, and 404 to other citizens and agencies', async () => {
    ddb.on('query').resolves({ Items: [dossierItem({ draft: undefined, status: 9, version: 5 }), docItem(result)] });
    const mine = await download(citizenClaims('citizen-a'));
    expect(mine.statusCode).toBe(200);
    const url = new URL(bodyOf(mine).url);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(url.searchParams.get('response-content-disposition')).toContain('attachment');
    // the result's name is to-khai.pdf; one that is not a PDF's is saved as one
    expect(url.searchParams.get('response-content-disposition')).toContain('filename="to-khai.pdf"');
    expect(url.searchParams.get('versionId')).toBe('v-42');
    expect((await download(officialClaims('so-tu-phap'))).statusCode).toBe(200);
    expect((await download(citizenClaims('citizen-b'))).statusCode).toBe(404);
    expect((await download(officialClaims('so-xay-dung'))).statusCode).toBe(404);
    // administrators oversee dossiers but do not open their files: refused by role, whatever the dossier
    expect((await download({ sub: 'admin-1', 'cognito:groups': '[admin]' })).statusCode).toBe(403);
    expect((await download(citizenClaims('citizen-a'), '00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
  });
});

describe('the verifier', () => {
  const slot = doc({ maxSizeBytes: 5242880, declaredType: 'application/pdf', declaredSize: samplePdf.length });
  // the object's size as S3 puts it in the event; null for an event without one
  const event = (key: string, size: number | null | undefined = s3.objects.get(key)?.size): S3Event => ({
    Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'motcua-test-documents' }, object: { key, ...(size == null ? {} : { size }) } } }],
  }) as unknown as S3Event;

  beforeAll(() => vi.stubGlobal('fetch', s3Fetch));
  afterAll(() => vi.unstubAllGlobals());
  beforeEach(() => {
    ddb.reset();
    s3.reset();
    ddb.on('get').resolves({ Item: docItem(slot) });
    ddb.on('update').resolves({});
  });

  it('marks a real PDF verified with its size and SHA-256, and keeps it', async () => {
    s3.put(slot.objectKey, samplePdf);
    await verifyDocuments(event(slot.objectKey));
    const update = ddb.calls('update')[0]!;
    expect(update.ExpressionAttributeValues).toMatchObject({ ':s': 'verified', ':size': samplePdf.length, ':type': 'application/pdf', ':sha': expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(update.UpdateExpression).toContain('REMOVE expiresAt');
    expect(s3.calls('DeleteObject')).toHaveLength(0);
    expect(s3.calls('CopyObject')).toHaveLength(0);
  });

  it('judges the version the event names and records it, so downloads get exactly the verified bytes', async () => {
    s3.put(slot.objectKey, samplePdf);
    const versioned = event(slot.objectKey);
    (versioned.Records[0]!.s3.object as { versionId?: string }).versionId = 'v-7';
    await verifyDocuments(versioned);
    // the event gave the size: no HEAD
    expect(s3.requests.map((r) => r.operation)).toEqual(['GetObject']);
    expect(s3.calls('GetObject')[0]).toEqual({ operation: 'GetObject', key: slot.objectKey, versionId: 'v-7' });
    expect(ddb.calls('update')[0]!.ExpressionAttributeValues).toMatchObject({ ':s': 'verified', ':v': 'v-7' });
  });

  it('rejects a renamed executable with the reason and moves it to quarantine', async () => {
    s3.put(slot.objectKey, renamedExe);
    await verifyDocuments(event(slot.objectKey));
    expect(ddb.calls('update')[0]!.ExpressionAttributeValues).toMatchObject({ ':s': 'rejected', ':reason': expect.stringContaining('Windows executable') });
    expect(s3.calls('CopyObject')[0]).toMatchObject({ key: `rejected/${slot.objectKey}`, copySource: `motcua-test-documents/${slot.objectKey}` });
    expect(s3.calls('DeleteObject')[0]).toEqual({ operation: 'DeleteObject', key: slot.objectKey });
    expect([...s3.objects.keys()]).toEqual([`rejected/${slot.objectKey}`]);
  });

  it('removes the very version it rejected, not the object as it may be by then', async () => {
    // Prepare
    s3.put(slot.objectKey, renamedExe);
    const versioned = event(slot.objectKey);
    (versioned.Records[0]!.s3.object as { versionId?: string }).versionId = 'v+8/a';

    // Act
    await verifyDocuments(versioned);

    // Assess
    expect(s3.calls('CopyObject')[0]).toMatchObject({ key: `rejected/${slot.objectKey}`, copySource: `motcua-test-documents/${slot.objectKey}?versionId=v%2B8%2Fa` });
    expect(s3.calls('DeleteObject')[0]).toEqual({ operation: 'DeleteObject', key: slot.objectKey, versionId: 'v+8/a' });
  });

  it('rejects an oversized object without downloading it', async () => {
    s3.put(slot.objectKey, Buffer.alloc(0), 6_000_000);
    await verifyDocuments(event(slot.objectKey));
    expect(s3.calls('GetObject')).toHaveLength(0);
    expect(ddb.calls('update')[0]!.ExpressionAttributeValues).toMatchObject({ ':s': 'rejected', ':size': 6_000_000 });
  });

  it('asks S3 for the size when the event does not give it', async () => {
    s3.put(slot.objectKey, Buffer.alloc(0), 6_000_000);
    await verifyDocuments(event(slot.objectKey, null));
    expect(s3.requests.map((r) => r.operation)).toEqual(['HeadObject', 'CopyObject', 'DeleteObject']);
    expect(ddb.calls('update')[0]!.ExpressionAttributeValues).toMatchObject({ ':s': 'rejected', ':size': 6_000_000 });
  });

  it('leaves alone an object gone since its event (an earlier delivery moved it), whether it would pass or not', async () => {
    await verifyDocuments(event(slot.objectKey, samplePdf.length));
    await verifyDocuments(event(slot.objectKey, 6_000_000));
    expect(s3.requests.map((r) => r.operation)).toEqual(['GetObject', 'CopyObject']);
    expect(ddb.calls('update')).toHaveLength(0);
  });

  it('quarantines an object that no slot accounts for', async () => {
    ddb.on('get').resolves({});
    s3.put(slot.objectKey, samplePdf);
    await verifyDocuments(event(slot.objectKey));
    expect(s3.calls('CopyObject')).toHaveLength(1);
    expect(ddb.calls('update')).toHaveLength(0);
  });
});

describe('supplement documents', () => {
  const pending = { components: ['don-de-nghi'], requestedAt: '2026-05-04T02:00:00.000Z' };
  const doc = (component: string, uploadedAt: string, status: 'pending' | 'verified' | 'rejected' = 'verified') =>
    ({ id: `${component}-${uploadedAt}`, dossierCode: 'X', kind: 'application', component, fileName: 'f.pdf', objectKey: 'k', declaredType: 'application/pdf', declaredSize: 10, allowedTypes: ['application/pdf'], maxSizeBytes: 100, status, uploadedBy: { kind: 'citizen', subject: 's' }, uploadedAt, expiresAt: 0 }) as DocumentRecord;
  const before = doc('don-de-nghi', '2026-05-01T02:00:00.000Z');

  it('counts only the files filed since the request for a named component, and closes the others', () => {
    expect(supplementSlotFiles(pending, 'don-de-nghi', [before])).toEqual([]);
    expect(supplementSlotFiles(pending, 'ban-sao-cccd', [before])).toBeUndefined();
    const after = doc('don-de-nghi', '2026-05-04T03:00:00.000Z', 'pending');
    expect(supplementSlotFiles(pending, 'don-de-nghi', [before, after])).toEqual([after]);
  });

  it('lacks a named component until a verified file filed since the request exists', () => {
    expect(supplementLacking(pending, [before])).toEqual(['don-de-nghi']);
    expect(supplementLacking(pending, [before, doc('don-de-nghi', '2026-05-04T03:00:00.000Z', 'pending')])).toEqual(['don-de-nghi']);
    expect(supplementLacking(pending, [before, doc('don-de-nghi', '2026-05-04T03:00:00.000Z')])).toEqual([]);
    expect(supplementLacking({ requestedAt: pending.requestedAt }, [])).toEqual([]);
  });

  it('refuses an answer that brings nothing to a request naming no component: a note or a new verified file is needed', () => {
    const information = { requestedAt: pending.requestedAt };
    expect(supplementBringsNothing(information, [before], undefined)).toBe(true);
    expect(supplementBringsNothing(information, [before], '   ')).toBe(true);
    expect(supplementBringsNothing(information, [before, doc('ban-sao-cccd', '2026-05-04T03:00:00.000Z', 'rejected')], undefined)).toBe(true);
    expect(supplementBringsNothing(information, [before], 'Địa chỉ đúng là số 12 Trần Đăng Ninh')).toBe(false);
    expect(supplementBringsNothing(information, [before, doc('ban-sao-cccd', '2026-05-04T03:00:00.000Z')], undefined)).toBe(false);
    // naming components, the files decide (supplementLacking), not the note
    expect(supplementBringsNothing(pending, [], undefined)).toBe(false);
  });
});
