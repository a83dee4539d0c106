import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { s3Client } from '../../functions/adapters/clients.js';
import { api, tokenFor } from '../support/api.js';
import { applicant, fileDossier } from '../support/dossiers.js';
import { renamedExe, sampleJpeg, samplePdf, samplePng } from '../support/files.js';

const stack = inject('localStack');
/** Cấp bản sao văn bằng (Sở Giáo dục và Đào tạo): a PDF form and one or two ID copies as PDF, JPEG or PNG */
const serviceId = '2.001914';
const agencyId = 'so-giao-duc-va-dao-tao';
const submission = (n: number) => ({
  serviceId,
  applicant: applicant(700 + n),
  fields: { diplomaType: 'Chứng chỉ tin học', graduationYear: 2015, schoolName: 'Trường THPT Chuyên Chu Văn An', copies: 1 },
  draft: true,
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A plain PUT of the raw bytes, as curl -T would send them: no SDK, no extra headers. */
async function put(url: string, bytes: Buffer): Promise<number> {
  const res = await fetch(url, { method: 'PUT', body: bytes });
  await res.arrayBuffer();
  return res.status;
}

/** Polls the dossier until the document has left `pending` (the verifier runs after the PUT). */
async function settled(code: string, token: string, id: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const dossier = await api(`/dossiers/${code}`, { token });
    const doc = (dossier.json.documents ?? []).find((d: { id: string }) => d.id === id);
    if (doc && doc.status !== 'pending') return doc;
    if (Date.now() > deadline) throw new Error(`document ${id} still ${doc?.status ?? 'missing'}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function inbox(token: string): Promise<string[]> {
  const page = await api(`/agencies/${agencyId}/dossiers?status=1&limit=100`, { token });
  expect(page.status).toBe(200);
  return page.json.items.map((i: { code: string }) => i.code);
}

describe('a supplement replaces the documents asked for', () => {
  it('opens exactly the named components to new files, and accepts the answer only once each has a verified one', { timeout: 90_000 }, async () => {
    const citizen = await tokenFor('citizen', { subject: 'documents-supplement' });
    const official = await tokenFor('official', { subject: 'documents-official-s', agencyId });
    const { code } = await fileDossier(api, citizen, submission(50));
    const act = (body: Record<string, unknown>) => api(`/dossiers/${code}/actions`, { token: official, body });
    expect((await act({ action: 'receive' })).status).toBe(200);

    const unknown = await act({ action: 'request-supplement', reason: 'Đơn chưa ký', missing: ['Đơn đề nghị có chữ ký'], components: ['giay-phep'] });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.details[0].field).toBe('components');
    const asked = await act({ action: 'request-supplement', reason: 'Đơn chưa ký', missing: ['Đơn đề nghị có chữ ký'], components: ['don-de-nghi'] });
    expect(asked.status, asked.text).toBe(200);
    expect(asked.json.pendingSupplement).toMatchObject({ components: ['don-de-nghi'] });

    // No new file yet: the answer is refused, naming the component.
    const empty = await api(`/dossiers/${code}/supplement`, { token: citizen, body: { note: 'Đã bổ sung' } });
    expect(empty.status).toBe(409);
    expect(empty.json.error).toMatchObject({ code: 'documents_missing', details: [{ field: 'documents.don-de-nghi' }] });

    const slot = (component: string) => api(`/dossiers/${code}/documents`, { token: citizen, body: { component, fileName: `${component}.pdf`, contentType: 'application/pdf', size: samplePdf.length } });
    expect((await slot('ban-sao-cccd')).json.error.code).toBe('component_not_requested');
    // don-de-nghi takes one file and already has one: during the supplement it can be replaced.
    const replacement = await slot('don-de-nghi');
    expect(replacement.status, replacement.text).toBe(201);
    expect(await put(replacement.json.upload.url, samplePdf)).toBe(200);
    expect(await settled(code, citizen, replacement.json.document.id)).toMatchObject({ status: 'verified' });

    const answered = await api(`/dossiers/${code}/supplement`, { token: citizen, body: { note: 'Đã bổ sung đơn có chữ ký' } });
    expect(answered.status, JSON.stringify(answered.json)).toBe(200);
    expect(answered.json.status.code).toBe(2);
  });
});

describe('documents go in and results come out online', () => {
  it('uploads PDF, JPEG and PNG, rejects a renamed binary, submits once complete, and returns a result', { timeout: 120_000 }, async () => {
    const citizen = await tokenFor('citizen', { subject: 'documents-citizen-1' });
    const official = await tokenFor('official', { subject: 'documents-official-1', agencyId });

    // A draft: the agency does not see it yet.
    const created = await api('/dossiers', { token: citizen, body: submission(1) });
    expect(created.status).toBe(201);
    const draftId: string = created.json.code;
    expect(created.json.dossier.draft).toBe(true);
    expect(await inbox(official)).not.toContain(draftId);

    const slot = (body: Record<string, unknown>) => api(`/dossiers/${draftId}/documents`, { token: citizen, body });

    // A renamed executable, declared as a PDF, is rejected after upload with the reason.
    const fake = await slot({ component: 'don-de-nghi', fileName: 'don-de-nghi.pdf', contentType: 'application/pdf', size: renamedExe.length });
    expect(fake.status).toBe(201);
    expect(await put(fake.json.upload.url, renamedExe)).toBe(200);
    expect(await settled(draftId, citizen, fake.json.document.id)).toMatchObject({ status: 'rejected', reason: expect.stringContaining('executable') });

    // Not submittable yet: both required components are listed.
    const early = await api(`/dossiers/${draftId}/submit`, { token: citizen, method: 'POST' });
    expect(early.status).toBe(409);
    expect(early.json.error.code).toBe('documents_missing');
    expect(early.json.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['documents.ban-sao-cccd', 'documents.don-de-nghi']);

    // The rejected file frees its place; the real ones are verified with their hashes.
    const uploads: [string, string, string, Buffer][] = [
      ['don-de-nghi', 'Đơn đề nghị.pdf', 'application/pdf', samplePdf],
      ['ban-sao-cccd', 'cccd-mat-truoc.jpg', 'image/jpeg', sampleJpeg],
      ['ban-sao-cccd', 'cccd-mat-sau.png', 'image/png', samplePng],
    ];
    for (const [component, fileName, contentType, bytes] of uploads) {
      const answer = await slot({ component, fileName, contentType, size: bytes.length });
      expect(answer.status, `${fileName}: ${answer.text}`).toBe(201);
      expect(answer.json.upload.url).not.toContain(encodeURIComponent(fileName));
      expect(await put(answer.json.upload.url, bytes)).toBe(200);
      expect(await settled(draftId, citizen, answer.json.document.id)).toMatchObject({ status: 'verified', type: contentType, size: bytes.length, sha256: sha256(bytes), fileName });
    }

    // Refused before any URL: a third ID copy, an unknown component, a path as name, an empty or huge file.
    const refusals: [Record<string, unknown>, number, string][] = [
      [{ component: 'ban-sao-cccd', fileName: 'x.png', contentType: 'image/png', size: 10 }, 409, 'component'],
      [{ component: 'giay-phep', fileName: 'x.pdf', contentType: 'application/pdf', size: 10 }, 400, 'component'],
      [{ component: 'don-de-nghi', fileName: '../../x.pdf', contentType: 'application/pdf', size: 10 }, 400, 'fileName'],
      [{ component: 'don-de-nghi', fileName: 'x.pdf', contentType: 'application/pdf', size: 0 }, 400, 'size'],
      [{ component: 'don-de-nghi', fileName: 'x.pdf', contentType: 'application/pdf', size: 6_000_000 }, 400, 'size'],
      [{ component: 'don-de-nghi', fileName: 'x.exe', contentType: 'application/x-msdownload', size: 10 }, 400, 'contentType'],
    ];
    for (const [body, status, field] of refusals) {
      const answer = await slot(body);
      expect(answer.status, JSON.stringify(body)).toBe(status);
      expect(answer.json.error.details.map((d: { field: string }) => d.field)).toContain(field);
      expect(answer.json.upload).toBeUndefined();
    }

    // Complete: submitted to the agency, status 1, in its inbox.
    const submitted = await api(`/dossiers/${draftId}/submit`, { token: citizen, method: 'POST' });
    expect(submitted.status, submitted.text).toBe(200);
    const code: string = submitted.json.code;
    expect(code).toMatch(/^000\.00\.08\.H37-\d{6}-\d{4}$/);
    expect(submitted.json).toMatchObject({ code, status: { code: 1 }, dossier: { version: 1, history: [{ type: 'dossier.submitted', to: 1 }] } });
    expect(await inbox(official)).toContain(code);
    expect((await api(`/dossiers/${code}/submit`, { token: citizen, method: 'POST' })).json.error.code).toBe('already_submitted');

    // The agency receives it and returns a result document the same way.
    expect((await api(`/dossiers/${code}/actions`, { token: official, body: { action: 'receive' } })).status).toBe(200);
    const resultSlot = await api(`/dossiers/${code}/results`, { token: official, body: { fileName: 'Bản sao văn bằng.pdf.cmd', contentType: 'application/pdf', size: samplePdf.length } });
    expect(resultSlot.status, resultSlot.text).toBe(201);
    expect(await put(resultSlot.json.upload.url, samplePdf)).toBe(200);
    const resultId: string = resultSlot.json.document.id;
    expect(await settled(code, citizen, resultId)).toMatchObject({ kind: 'result', status: 'verified' });

    // The applicant downloads it; strangers and other agencies learn nothing.
    const download = await api(`/dossiers/${code}/results/${resultId}`, { token: citizen });
    expect(download.status).toBe(200);
    expect(download.json).toMatchObject({ fileName: 'Bản sao văn bằng.pdf.cmd', contentType: 'application/pdf', size: samplePdf.length, sha256: sha256(samplePdf) });
    const file = await fetch(download.json.url);
    expect(file.status).toBe(200);
    // saved as what its bytes were verified as, not as the script its name says
    expect(file.headers.get('content-disposition')).toBe(`attachment; filename="B_n sao v_n b_ng.pdf.cmd.pdf"; filename*=UTF-8''${encodeURIComponent('Bản sao văn bằng.pdf.cmd.pdf')}`);
    expect(Buffer.from(await file.arrayBuffer()).equals(samplePdf)).toBe(true);
    expect((await api(`/dossiers/${code}/results/${resultId}`, { token: official })).status).toBe(200);
    const stranger = await tokenFor('citizen', { subject: 'documents-stranger' });
    const otherAgency = await tokenFor('official', { subject: 'documents-official-2', agencyId: 'so-tu-phap' });
    expect((await api(`/dossiers/${code}/results/${resultId}`, { token: stranger })).status).toBe(404);
    expect((await api(`/dossiers/${code}/results/${resultId}`, { token: otherAgency })).status).toBe(404);
    expect((await api(`/dossiers/${code}/results`, { token: otherAgency, body: { fileName: 'x.pdf', contentType: 'application/pdf', size: 10 } })).status).toBe(404);

    // S3 holds the verified objects under the dossier, and the rejected one only in quarantine.
    const keysUnder = async (prefix: string) =>
      ((await s3Client().send(new ListObjectsV2Command({ Bucket: stack.bucketName, Prefix: prefix }))).Contents ?? []).map((o) => o.Key ?? '');
    // (the application files were filed under the draft id, the result under the dossier code)
    expect(await keysUnder(`dossiers/${draftId}/`)).toHaveLength(3);
    expect(await keysUnder(`dossiers/${code}/`)).toHaveLength(1);
    expect((await keysUnder(`dossiers/${draftId}/`)).some((k) => k.includes(fake.json.document.id))).toBe(false);
    expect((await keysUnder(`rejected/dossiers/${draftId}/`)).some((k) => k.includes(fake.json.document.id))).toBe(true);

    // The real AWS CLI, where it is installed, lists the same objects.
    const listing = await awsS3Ls(`s3://${stack.bucketName}/dossiers/${draftId}/`);
    if (listing !== undefined) {
      expect(listing.match(/\d+ dossiers\//g)?.length ?? 0).toBe(3);
      expect(listing).not.toContain(fake.json.document.id);
      expect(await awsS3Ls(`s3://${stack.bucketName}/rejected/dossiers/${draftId}/`)).toContain(fake.json.document.id);
    }
  });
});

/** `aws s3 ls --recursive` against the local S3, or undefined when no AWS CLI is installed. */
async function awsS3Ls(uri: string): Promise<string | undefined> {
  try {
    const { stdout } = await promisify(execFile)('aws', ['s3', 'ls', '--recursive', '--endpoint-url', stack.endpoints.s3, '--region', stack.region, uri], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_PAGER: '' },
      timeout: 20_000,
    });
    return stdout;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

describe('upload slots', () => {
  it('hold each component to its number of files when many are asked for at the same moment', { timeout: 60_000 }, async () => {
    // Prepare: ban-sao-cccd takes two files, don-de-nghi one
    const citizen = await tokenFor('citizen', { subject: 'documents-citizen-burst' });
    const created = await api('/dossiers', { token: citizen, body: submission(3) });
    const draftId: string = created.json.code;
    const ask = (component: string, key?: string) =>
      api(`/dossiers/${draftId}/documents`, { token: citizen, body: { component, fileName: 'Bản sao.pdf', contentType: 'application/pdf', size: samplePdf.length }, headers: key ? { 'idempotency-key': key } : {} });

    // Act: 12 + 6 requests at once
    const answers = await Promise.all([
      ...Array.from({ length: 12 }, () => ask('ban-sao-cccd')),
      ...Array.from({ length: 6 }, () => ask('don-de-nghi')),
    ]);

    // Assess: one 201 per place, 409 for the rest, and the dossier holds exactly those slots
    expect(answers.map((a) => a.status).filter((s) => s !== 201 && s !== 409), answers.map((a) => a.text).join('\n')).toEqual([]);
    expect(answers.filter((a) => a.status === 201).map((a) => a.json.document.component).sort()).toEqual(['ban-sao-cccd', 'ban-sao-cccd', 'don-de-nghi']);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(15);
    const stored = ((await api(`/dossiers/${draftId}`, { token: citizen })).json.documents ?? []).map((d: { component: string }) => d.component).sort();
    expect(stored).toEqual(['ban-sao-cccd', 'ban-sao-cccd', 'don-de-nghi']);

    // the same key sent four times at once is one slot, answered to each
    const other = await api('/dossiers', { token: citizen, body: submission(4) });
    const keyed = await Promise.all(Array.from({ length: 4 }, () => api(`/dossiers/${other.json.code}/documents`, { token: citizen, body: { component: 'don-de-nghi', fileName: 'Đơn.pdf', contentType: 'application/pdf', size: samplePdf.length }, headers: { 'idempotency-key': 'slot-burst-key-1' } })));
    expect(keyed.map((a) => a.status)).toEqual([201, 201, 201, 201]);
    expect(new Set(keyed.map((a) => a.json.document.id)).size).toBe(1);
  });

  it('answer the same slot for the same Idempotency-Key, refuse the key with another body, and can be cancelled', async () => {
    const citizen = await tokenFor('citizen', { subject: 'documents-citizen-slots' });
    const created = await api('/dossiers', { token: citizen, body: submission(2) });
    const draftId: string = created.json.code;
    const form = { component: 'don-de-nghi', fileName: 'Đơn.pdf', contentType: 'application/pdf', size: samplePdf.length };
    const ask = (body: Record<string, unknown>, key?: string) => api(`/dossiers/${draftId}/documents`, { token: citizen, body, headers: key ? { 'idempotency-key': key } : {} });

    // the first answer is lost: the retry gets the same slot (the component takes one file) and a working URL
    const first = await ask(form, 'slot-key-0001');
    const retry = await ask(form, 'slot-key-0001');
    expect([first.status, retry.status]).toEqual([201, 201]);
    expect(retry.json.document.id).toBe(first.json.document.id);
    expect((await ask({ ...form, fileName: 'Khác.pdf' }, 'slot-key-0001')).status).toBe(422);
    expect((await ask(form)).status).toBe(409);

    // cancelled: its place is free at once
    const cancel = await api(`/dossiers/${draftId}/documents/${first.json.document.id}`, { token: citizen, method: 'DELETE' });
    expect(cancel.status).toBe(204);
    expect(((await api(`/dossiers/${draftId}`, { token: citizen })).json.documents ?? []).map((d: { id: string }) => d.id)).not.toContain(first.json.document.id);
    const again = await ask(form);
    expect(again.status).toBe(201);
    expect(await put(again.json.upload.url, samplePdf)).toBe(200);
    expect(await settled(draftId, citizen, again.json.document.id)).toMatchObject({ status: 'verified' });
    // a file that arrived is not cancelled; someone else's slot is not found
    expect((await api(`/dossiers/${draftId}/documents/${again.json.document.id}`, { token: citizen, method: 'DELETE' })).status).toBe(409);
    const stranger = await tokenFor('citizen', { subject: 'documents-slot-stranger' });
    expect((await api(`/dossiers/${draftId}/documents/${again.json.document.id}`, { token: stranger, method: 'DELETE' })).status).toBe(404);
  });
});
