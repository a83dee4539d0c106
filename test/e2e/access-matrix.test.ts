import { beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../functions/declaration.js';
import { api, tokenFor } from '../support/api.js';
import { enterpriseRegistration, fileDossier } from '../support/dossiers.js';
import { samplePdf } from '../support/files.js';

/**
 * The access policy through HTTP: every route that names a dossier × who asks (its applicant, another
 * citizen, an official of the responsible agency, one of another agency, an administrator, no token) ×
 * a submitted dossier or a draft, with the exact status each must answer. Requests are built so that an
 * allowed caller is stopped by a rule that writes nothing (a stale expectedVersion, a step not allowed in
 * the status, an unknown component), so the matrix can run in any order; the end checks that nothing
 * moved. A 500 is never an acceptable answer.
 */

type Who = 'applicant' | 'other citizen' | 'own agency' | 'other agency' | 'admin' | 'anonymous';
const everyone: readonly Who[] = ['applicant', 'other citizen', 'own agency', 'other agency', 'admin', 'anonymous'];
const ownAgency = 'so-ke-hoach-va-dau-tu';
const otherAgency = 'so-tu-phap';
const tokens: Partial<Record<Who, string>> = {};

/** The submitted dossier (with an open payment of its fees), a received one with a verified result, and a draft with a verified file. */
const fixture = { submitted: '', received: '', draft: '', submittedDoc: '', draftDoc: '', result: '', payment: '' };
const unknownId = '00000000-0000-4000-8000-000000000000';

async function waitVerified(code: string, id: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const docs = ((await api(`/dossiers/${code}`, { token: tokens.applicant })).json.documents ?? []) as { id: string; status: string }[];
    const status = docs.find((d) => d.id === id)?.status;
    if (status === 'verified') return;
    if (status === 'rejected' || Date.now() > deadline) throw new Error(`document ${id} of ${code}: ${status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function putPdf(slot: { status: number; json: any; text: string }): Promise<string> {
  if (slot.status !== 201) throw new Error(`upload slot: ${slot.status} ${slot.text}`);
  const put = await fetch(slot.json.upload.url, { method: 'PUT', body: samplePdf });
  await put.arrayBuffer();
  if (put.status !== 200) throw new Error(`PUT: ${put.status}`);
  return slot.json.document.id as string;
}

beforeAll(async () => {
  tokens.applicant = await tokenFor('citizen', { subject: 'matrix-applicant' });
  tokens['other citizen'] = await tokenFor('citizen', { subject: 'matrix-other-citizen' });
  tokens['own agency'] = await tokenFor('official', { agencyId: ownAgency, subject: 'matrix-official' });
  tokens['other agency'] = await tokenFor('official', { agencyId: otherAgency, subject: 'matrix-other-official' });
  tokens.admin = await tokenFor('admin', { subject: 'matrix-admin' });

  const [submitted, received, draft] = await Promise.all([
    fileDossier(api, tokens.applicant, enterpriseRegistration(901)),
    fileDossier(api, tokens.applicant, enterpriseRegistration(902)),
    api('/dossiers', { token: tokens.applicant, body: enterpriseRegistration(903) }),
  ]);
  fixture.submitted = submitted.code;
  fixture.received = received.code;
  expect(draft.status).toBe(201);
  expect(draft.json.dossier.draft).toBe(true);
  fixture.draft = draft.json.code;

  const docs = (await api(`/dossiers/${fixture.submitted}`, { token: tokens.applicant })).json.documents as { id: string; status: string }[];
  fixture.submittedDoc = docs.find((d) => d.status === 'verified')!.id;
  fixture.draftDoc = await putPdf(
    await api(`/dossiers/${fixture.draft}/documents`, { token: tokens.applicant, body: { component: 'giay-de-nghi', fileName: 'de-nghi.pdf', contentType: 'application/pdf', size: samplePdf.length } }),
  );
  const receive = await api(`/dossiers/${fixture.received}/actions`, { token: tokens['own agency'], body: { action: 'receive' } });
  expect(receive.status, receive.text).toBe(200);
  fixture.result = await putPdf(
    await api(`/dossiers/${fixture.received}/results`, { token: tokens['own agency'], body: { fileName: 'giay-chung-nhan.pdf', contentType: 'application/pdf', size: samplePdf.length } }),
  );
  await Promise.all([waitVerified(fixture.draft, fixture.draftDoc), waitVerified(fixture.received, fixture.result)]);
  // opened now, so that the matrix's own request is a retry answering the same open payment (nothing is
  // written); it is never paid, so this file adds nothing to the run's payment statistics
  const payment = await api(`/dossiers/${fixture.submitted}/payments`, { method: 'POST', token: tokens.applicant });
  expect(payment.status, payment.text).toBe(201);
  fixture.payment = payment.json.ref;
}, 120_000);

type Expect = Record<Exclude<Who, 'anonymous'>, number>;
interface Row {
  readonly route: string;
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: (d: 'submitted' | 'draft') => string;
  readonly body?: unknown;
  readonly submitted: Expect;
  readonly draft: Expect;
}

const code = (d: 'submitted' | 'draft') => fixture[d];

/** The policy table (README "Access policy"), route by route. */
const rows: readonly Row[] = [
  {
    route: 'GetDossier',
    method: 'GET',
    path: (d) => `/dossiers/${code(d)}`,
    submitted: { applicant: 200, 'other citizen': 404, 'own agency': 200, 'other agency': 404, admin: 200 },
    draft: { applicant: 200, 'other citizen': 404, 'own agency': 404, 'other agency': 404, admin: 404 },
  },
  {
    route: 'ActOnDossier (an agency step)',
    method: 'POST',
    path: (d) => `/dossiers/${code(d)}/actions`,
    // a stale version: the one allowed caller gets 409 and nothing is written
    body: { action: 'receive', expectedVersion: 999 },
    submitted: { applicant: 403, 'other citizen': 404, 'own agency': 409, 'other agency': 404, admin: 403 },
    draft: { applicant: 403, 'other citizen': 404, 'own agency': 404, 'other agency': 404, admin: 403 },
  },
  {
    route: 'ActOnDossier (withdraw)',
    method: 'POST',
    path: (d) => `/dossiers/${code(d)}/actions`,
    body: { action: 'withdraw', expectedVersion: 999 },
    submitted: { applicant: 409, 'other citizen': 404, 'own agency': 403, 'other agency': 404, admin: 403 },
    draft: { applicant: 409, 'other citizen': 404, 'own agency': 404, 'other agency': 404, admin: 403 },
  },
  {
    route: 'SupplementDossier',
    method: 'POST',
    path: (d) => `/dossiers/${code(d)}/supplement`,
    body: { note: 'đã bổ sung' },
    submitted: { applicant: 409, 'other citizen': 404, 'own agency': 403, 'other agency': 404, admin: 403 },
    draft: { applicant: 409, 'other citizen': 404, 'own agency': 404, 'other agency': 404, admin: 403 },
  },
  {
    route: 'RateDossier',
    method: 'POST',
    path: (d) => `/dossiers/${code(d)}/rating`,
    body: { rating: 'satisfied' },
    submitted: { applicant: 409, 'other citizen': 404, 'own agency': 403, 'other agency': 403, admin: 403 },
    draft: { applicant: 409, 'other citizen': 404, 'own agency': 403, 'other agency': 403, admin: 403 },
  },
  {
    route: 'UploadDocument',
    method: 'POST',
    path: (d) => `/dossiers/${code(d)}/documents`,
    // an unknown component: refused after the policy, before any slot is stored
    body: { component: 'khong-co', fileName: 'a.pdf', contentType: 'application/pdf', size: 10 },
    submitted: { applicant: 400, 'other citizen': 404, 'own agency': 403, 'other agency': 404, admin: 403 },
    draft: { applicant: 400, 'other citizen': 404, 'own agency': 404, 'other agency': 404, admin: 403 },
  },
  {
    route: 'CancelDocument',
    method: 'DELETE',
    // a verified file: only a slot still waiting for its file can be cancelled (409, nothing changed)
    path: (d) => `/dossiers/${code(d)}/documents/${d === 'submitted' ? fixture.submittedDoc : fixture.draftDoc}`,
    submitted: { applicant: 409, 'other citizen': 404, 'own agency': 403, 'other agency': 404, admin: 403 },
    draft: { applicant: 409, 'other citizen': 404, 'own agency': 404, 'other agency': 404, admin: 403 },
  },
  {
    route: 'SubmitDossier',
    method: 'POST',
    path: (d) => `/dossiers/${code(d)}/submit`,
    // submitted: already submitted; draft: one required component has no file yet
    submitted: { applicant: 409, 'other citizen': 404, 'own agency': 403, 'other agency': 403, admin: 403 },
    draft: { applicant: 409, 'other citizen': 404, 'own agency': 403, 'other agency': 403, admin: 403 },
  },
  {
    route: 'UploadResult',
    method: 'POST',
    path: (d) => `/dossiers/${code(d)}/results`,
    // status 1: results follow reception (409, nothing stored)
    body: { fileName: 'kq.pdf', contentType: 'application/pdf', size: 10 },
    submitted: { applicant: 403, 'other citizen': 403, 'own agency': 409, 'other agency': 404, admin: 403 },
    draft: { applicant: 403, 'other citizen': 403, 'own agency': 404, 'other agency': 404, admin: 403 },
  },
  {
    route: 'GetDocument',
    method: 'GET',
    path: (d) => `/dossiers/${code(d)}/documents/${d === 'submitted' ? fixture.submittedDoc : fixture.draftDoc}`,
    submitted: { applicant: 200, 'other citizen': 404, 'own agency': 200, 'other agency': 404, admin: 403 },
    draft: { applicant: 200, 'other citizen': 404, 'own agency': 404, 'other agency': 404, admin: 403 },
  },
  {
    route: 'CancelDocument',
    method: 'DELETE',
    // a verified file is no slot to cancel: the applicant gets 409 and nothing is removed
    path: (d) => `/dossiers/${code(d)}/documents/${d === 'submitted' ? fixture.submittedDoc : fixture.draftDoc}`,
    submitted: { applicant: 409, 'other citizen': 404, 'own agency': 403, 'other agency': 404, admin: 403 },
    draft: { applicant: 409, 'other citizen': 404, 'own agency': 404, 'other agency': 404, admin: 403 },
  },
  {
    route: 'GetResult',
    method: 'GET',
    // the received dossier carries the verified result; a draft has none, and is nobody else's to ask about
    path: (d) => (d === 'submitted' ? `/dossiers/${fixture.received}/results/${fixture.result}` : `/dossiers/${fixture.draft}/results/${unknownId}`),
    submitted: { applicant: 200, 'other citizen': 404, 'own agency': 200, 'other agency': 404, admin: 403 },
    draft: { applicant: 404, 'other citizen': 404, 'own agency': 404, 'other agency': 404, admin: 403 },
  },
  {
    route: 'CreatePayment',
    method: 'POST',
    path: (d) => `/dossiers/${code(d)}/payments`,
    // submitted: the open payment again (200, nothing written); draft: nothing is due before submission (409)
    submitted: { applicant: 200, 'other citizen': 404, 'own agency': 403, 'other agency': 403, admin: 403 },
    draft: { applicant: 409, 'other citizen': 404, 'own agency': 403, 'other agency': 403, admin: 403 },
  },
  {
    route: 'GetPaymentReceipt',
    method: 'GET',
    // the payment is open, not settled: whoever the policy lets through learns that it has no receipt yet
    // (a 404 naming the receipt, checked below); everyone else gets the dossier's 404
    path: (d) => `/dossiers/${code(d)}/payments/${fixture.payment}/receipt`,
    submitted: { applicant: 404, 'other citizen': 404, 'own agency': 404, 'other agency': 404, admin: 404 },
    draft: { applicant: 404, 'other citizen': 404, 'own agency': 404, 'other agency': 404, admin: 404 },
  },
];

describe('the access policy through HTTP', () => {
  const cases = rows.flatMap((row) => (['submitted', 'draft'] as const).flatMap((d) => everyone.map((who) => [row.route, d, who, row] as const)));

  it.each(cases)('%s on a %s dossier, as %s', async (_route, d, who, row) => {
    const token = tokens[who];
    const answer = await api(row.path(d), { method: row.method, ...(row.body !== undefined ? { body: row.body } : {}), ...(token ? { token } : {}) });
    const want = who === 'anonymous' ? 401 : row[d][who];
    expect(answer.status, answer.text).toBe(want);
    if (want >= 400 && want !== 401) {
      expect(answer.json?.error?.code, answer.text).toEqual(expect.any(String));
      expect(answer.json.error.message, answer.text).toEqual(expect.any(String));
    }
  });

  it('answers a hidden dossier exactly like a code never issued, on every route', async () => {
    const never = '000.00.05.H37-990101-9999';
    const shape = (text: string, c: string) => text.replaceAll(c, '<code>');
    for (const row of rows) {
      for (const who of ['other citizen', 'other agency'] as const) {
        const hidden = await api(row.path('submitted'), { method: row.method, ...(row.body !== undefined ? { body: row.body } : {}), token: tokens[who]! });
        if (hidden.status !== 404) continue; // refused by role before any dossier is read: same for every code
        const c = row.route === 'GetResult' ? fixture.received : fixture.submitted;
        const missing = await api(row.path('submitted').replace(c, never), { method: row.method, ...(row.body !== undefined ? { body: row.body } : {}), token: tokens[who]! });
        expect(missing.status, `${row.route} as ${who}`).toBe(404);
        expect(shape(hidden.text, c), `${row.route} as ${who}`).toBe(shape(missing.text, never));
      }
    }
  });

  it('lets the applicant, the responsible agency and the administrators through to a receipt, and nobody else', async () => {
    const receipt = (who: Who) => api(`/dossiers/${fixture.submitted}/payments/${fixture.payment}/receipt`, { token: tokens[who]! });
    for (const who of ['applicant', 'own agency', 'admin'] as const) {
      const answer = await receipt(who);
      expect(answer.status, `${who}: ${answer.text}`).toBe(404);
      expect(answer.json.error.message, who).toBe(`receipt of payment ${fixture.payment} not found`);
    }
    for (const who of ['other citizen', 'other agency'] as const) {
      const answer = await receipt(who);
      expect(answer.json.error.message, who).toBe(`dossier ${fixture.submitted} not found`);
    }
  });

  it('shows an agency inbox to its officials and the administrators only, and never a draft', async () => {
    const inbox = (who: Who, agency = ownAgency) => api(`/agencies/${agency}/dossiers?status=open&limit=100`, { ...(tokens[who] ? { token: tokens[who] } : {}) });
    const own = await inbox('own agency');
    expect(own.status).toBe(200);
    const codes = (own.json.items as { code: string }[]).map((i) => i.code);
    expect(codes).toContain(fixture.submitted);
    expect(codes).not.toContain(fixture.draft);
    expect((await inbox('admin')).status).toBe(200);
    expect((await inbox('other agency')).status).toBe(404);
    const missingAgency = await inbox('other agency', 'khong-co-co-quan');
    expect((await inbox('other agency')).text).toBe(missingAgency.text.replaceAll('khong-co-co-quan', ownAgency));
    expect((await inbox('applicant')).status).toBe(403);
    expect((await inbox('anonymous')).status).toBe(401);
  });

  it("lists a citizen's own dossiers, drafts included, and nobody else's", async () => {
    const mine = await api('/dossiers?limit=100', { token: tokens.applicant });
    expect(mine.status).toBe(200);
    expect((mine.json.items as { code: string }[]).map((i) => i.code)).toEqual(expect.arrayContaining([fixture.submitted, fixture.draft]));
    const theirs = await api('/dossiers?limit=100', { token: tokens['other citizen'] });
    expect(theirs.status).toBe(200);
    expect((theirs.json.items as { code: string }[]).map((i) => i.code)).not.toContain(fixture.submitted);
    for (const who of ['own agency', 'admin'] as const) expect((await api('/dossiers', { token: tokens[who]! })).status).toBe(403);
  });

  it('leaves every dossier as it was', async () => {
    const submitted = await api(`/dossiers/${fixture.submitted}`, { token: tokens.applicant });
    expect([submitted.json.status.code, submitted.json.version]).toEqual([1, 1]);
    const draft = await api(`/dossiers/${fixture.draft}`, { token: tokens.applicant });
    expect([draft.json.draft, draft.json.version, draft.json.documents.length]).toEqual([true, 0, 1]);
  });

  it('covers every declared route that names a dossier', () => {
    const covered = new Set(rows.map((r) => r.route.split(' ')[0]));
    const dossierRoutes = routes.filter((r) => r.path.startsWith('/dossiers/{code}')).map((r) => r.id);
    expect(dossierRoutes.filter((id) => !covered.has(id))).toEqual([]);
  });

  it('refuses a role the declaration does not name with 403, and a missing token with 401, on every other route', async () => {
    const roleOnly = routes.filter((r) => r.access !== 'public' && !r.path.startsWith('/dossiers/{code}'));
    for (const route of roleOnly) {
      for (const who of everyone) {
        const role = who === 'applicant' || who === 'other citizen' ? 'citizen' : who === 'own agency' || who === 'other agency' ? 'official' : who;
        const path = route.path.replace('{id}', ownAgency);
        const answer = await api(path, { method: route.method, ...(route.method === 'POST' ? { body: {} } : {}), ...(tokens[who] ? { token: tokens[who] } : {}) });
        if (who === 'anonymous') expect(answer.status, `${route.id} as ${who}`).toBe(401);
        else if (!(route.access as readonly string[]).includes(role)) expect(answer.status, `${route.id} as ${who}`).toBe(403);
        else expect(answer.status, `${route.id} as ${who}: ${answer.text}`).toBeLessThan(500);
      }
    }
  });

  it("lets no one's token through the national portal's route: it takes the portal's signature only", async () => {
    const route = routes.find((r) => r.id === 'ReceiveNationalDossier');
    expect(route?.access).toBe('public');
    const body = { nationalCode: 'G22.99-matrix-1', ...enterpriseRegistration(904) };
    for (const who of everyone) {
      const answer = await api(route!.path, { method: route!.method, body, ...(tokens[who] ? { token: tokens[who] } : {}) });
      expect(answer.status, `${who}: ${answer.text}`).toBe(401);
      expect(answer.json?.error?.code, answer.text).toBe('unauthorized');
    }
  });
});
