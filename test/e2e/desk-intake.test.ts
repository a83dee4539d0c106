import { inject, beforeAll, describe, expect, it } from 'vitest';
import { api, tokenFor } from '../support/api.js';
import { collectAgencyMessages, enterpriseRegistration } from '../support/dossiers.js';
import { samplePdf } from '../support/files.js';

/**
 * A dossier handed in at the one-stop desk: the official registers it for the citizen, scans its papers
 * onto it, and receives it; it reaches the agency queue like any other, and the access policy keeps it
 * from everyone else exactly as it does an online one.
 */
const planning = 'so-ke-hoach-va-dau-tu';
const justice = 'so-tu-phap';
const tokens: Record<string, string> = {};

beforeAll(async () => {
  tokens.desk = await tokenFor('official', { agencyId: planning, subject: 'desk-e2e-planning' });
  tokens.other = await tokenFor('official', { agencyId: justice, subject: 'desk-e2e-justice' });
  tokens.citizen = await tokenFor('citizen', { subject: 'desk-e2e-citizen' });
  tokens.admin = await tokenFor('admin', { subject: 'desk-e2e-admin' });
});

/** A slot for one scanned page, its PUT, and the verifier's verdict. */
async function scan(code: string, component: string, fileName: string): Promise<{ status: number; id?: string; verdict?: string; error?: string }> {
  const slot = await api(`/dossiers/${code}/documents`, { token: tokens.desk, body: { component, fileName, contentType: 'application/pdf', size: samplePdf.length } });
  if (slot.status !== 201) return { status: slot.status, error: slot.json.error?.code };
  const put = await fetch(slot.json.upload.url, { method: 'PUT', body: samplePdf });
  await put.arrayBuffer();
  expect(put.status).toBe(200);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const doc = ((await api(`/dossiers/${code}`, { token: tokens.desk })).json.documents ?? []).find((d: { id: string }) => d.id === slot.json.document.id);
    if (doc && doc.status !== 'pending') return { status: 201, id: doc.id, verdict: doc.status };
    if (Date.now() > deadline) throw new Error(`scan of ${code}: still ${doc?.status ?? 'missing'}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('a dossier received at the counter', () => {
  it('is registered by the official, takes scanned papers from them, is received and reaches the agency queue once', { timeout: 120_000 }, async () => {
    const registered = await api(`/agencies/${planning}/dossiers`, { token: tokens.desk, body: { ...enterpriseRegistration(951), channel: 'counter' }, headers: { 'idempotency-key': 'desk-e2e-0001' } });
    expect(registered.status, registered.text).toBe(201);
    const code: string = registered.json.code;
    expect(registered.json.trackingPin).toMatch(/^\d{6}$/);
    expect(registered.json.dossier).toMatchObject({ channel: 'counter', status: { code: 1 } });
    // the same key again (the answer was lost at the desk): the same dossier, no second number
    const again = await api(`/agencies/${planning}/dossiers`, { token: tokens.desk, body: { ...enterpriseRegistration(951), channel: 'counter' }, headers: { 'idempotency-key': 'desk-e2e-0001' } });
    expect([again.status, again.json.code]).toEqual([201, code]);

    // nobody else learns it exists; the role pre-filter answers the rest
    for (const who of ['citizen', 'other'] as const) expect((await api(`/dossiers/${code}`, { token: tokens[who] })).status, who).toBe(404);
    const slotBody = { component: 'giay-de-nghi', fileName: 'de-nghi-scan.pdf', contentType: 'application/pdf', size: samplePdf.length };
    for (const who of ['citizen', 'other'] as const) expect((await api(`/dossiers/${code}/documents`, { token: tokens[who], body: slotBody })).status, who).toBe(404);
    expect((await api(`/dossiers/${code}/documents`, { token: tokens.admin, body: slotBody })).status).toBe(403);
    expect((await api(`/agencies/${planning}/dossiers`, { token: tokens.other, body: { ...enterpriseRegistration(952), channel: 'post' } })).status).toBe(404);
    expect((await api(`/agencies/${planning}/dossiers`, { token: tokens.citizen, body: { ...enterpriseRegistration(953), channel: 'post' } })).status).toBe(403);

    // the official scans the papers onto the dossier: a slot, a PUT, verified like any upload
    expect(await scan(code, slotBody.component, slotBody.fileName)).toMatchObject({ status: 201, verdict: 'verified' });
    const received = await api(`/dossiers/${code}/actions`, { token: tokens.desk, body: { action: 'receive', documentsReceived: ['Giấy đề nghị đăng ký doanh nghiệp (bản scan)'] } });
    expect(received.status, received.text).toBe(200);
    expect(received.json.status.code).toBe(2);

    const messages = await collectAgencyMessages(inject('localStack').agencyQueueUrls[planning]!, [code], { timeoutMs: 30_000 });
    const mine = messages.get(code)!;
    expect(mine.filter((m) => m.type === 'dossier.submitted')).toHaveLength(1);
    expect(mine[0]!.dossier.channel).toBe('counter');
  });
});

describe('a supplement to a dossier received by post', () => {
  it('is answered by the receiving agency with the new scans, once each component asked for has a verified one', { timeout: 120_000 }, async () => {
    const registered = await api(`/agencies/${planning}/dossiers`, { token: tokens.desk, body: { ...enterpriseRegistration(954), channel: 'post' } });
    expect(registered.status, registered.text).toBe(201);
    const code: string = registered.json.code;
    const pin: string = registered.json.trackingPin;
    expect(await scan(code, 'giay-de-nghi', 'de-nghi-ban-dau.pdf')).toMatchObject({ status: 201, verdict: 'verified' });
    const act = (body: Record<string, unknown>) => api(`/dossiers/${code}/actions`, { token: tokens.desk, body });
    expect((await act({ action: 'receive' })).status).toBe(200);
    const asked = await act({ action: 'request-supplement', reason: 'Giấy đề nghị chưa có chữ ký', missing: ['Giấy đề nghị có chữ ký'], components: ['giay-de-nghi'] });
    expect(asked.status, asked.text).toBe(200);

    // the citizen, who has no account, reads what is asked for with the code and PIN of the receipt
    const tracked = await api(`/track/${code}?pin=${pin}`);
    expect(tracked.status, tracked.text).toBe(200);
    expect(tracked.json).toMatchObject({ status: { code: 5 }, pendingSupplement: { missing: ['Giấy đề nghị có chữ ký'] } });

    // nothing new yet: refused, naming the component; nobody but the agency answers for the citizen
    const early = await api(`/dossiers/${code}/supplement`, { token: tokens.desk, body: { note: 'Công dân gửi bổ sung qua bưu điện' } });
    expect(early.status).toBe(409);
    expect(early.json.error).toMatchObject({ code: 'documents_missing', details: [{ field: 'documents.giay-de-nghi', component: 'giay-de-nghi' }] });
    for (const who of ['citizen', 'other'] as const) expect((await api(`/dossiers/${code}/supplement`, { token: tokens[who], body: {} })).status, who).toBe(404);

    // only the component asked for takes a file; its one file is replaced by the signed scan
    expect(await scan(code, 'ban-sao-cccd', 'cccd.pdf')).toMatchObject({ status: 409, error: 'component_not_requested' });
    expect(await scan(code, 'giay-de-nghi', 'de-nghi-co-chu-ky.pdf')).toMatchObject({ status: 201, verdict: 'verified' });
    const answered = await api(`/dossiers/${code}/supplement`, { token: tokens.desk, body: { note: 'Công dân gửi bổ sung qua bưu điện' } });
    expect(answered.status, answered.text).toBe(200);
    expect(answered.json.status.code).toBe(2);
    expect(answered.json.history.at(-1)).toMatchObject({ type: 'dossier.supplement', actor: { kind: 'official' } });
    expect((await api(`/track/${code}?pin=${pin}`)).json.status.code).toBe(2);
  });
});
