import { describe, expect, inject, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../functions/adapters/clients.js';
import { keys } from '../../functions/adapters/dossier-items.js';
import { MAX_OPEN_DRAFTS } from '../../functions/domain/dossier.js';
import { parseDossierCode } from '../../functions/domain/codes.js';
import { api, tokenFor } from '../support/api.js';
import { burstService, burstSubmissions } from '../support/burst.js';
import { applicant, collectAgencyMessages } from '../support/dossiers.js';
import { samplePdf } from '../support/files.js';

const stack = inject('localStack');

describe('a burst of submissions to one agency', () => {
  // 200 here; `npm run bench` sends 1,000 and prints the figures
  it('answers every one of 200 concurrent submissions, with contiguous codes and one queue message each', { timeout: 300_000 }, async () => {
    const result = await burstSubmissions({ apiUrl: stack.apiUrl, db: DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName: stack.tableName, submissions: 200, runId: `test-${Date.now()}` });
    expect(result.unexpected).toEqual([]);
    expect(result.refusedButStored).toEqual([]);
    // no 5xx but a deliberate 503 with Retry-After for a dossier not stored (checked above)
    expect(Object.keys(result.statuses).filter((s) => Number(s) >= 500 && Number(s) !== 503)).toEqual([]);
    expect(result.codes.size).toBe(200);
    const codes = [...result.codes.values()];
    expect(new Set(codes).size).toBe(200);
    // every number of the agency's day up to its counter belongs to a stored dossier: none skipped, none twice
    expect(result.holes).toEqual([]);
    expect(result.counter).toBeGreaterThanOrEqual(200);
    const messages = await collectAgencyMessages(stack.agencyQueueUrls[burstService.agencyId]!, codes, { timeoutMs: 120_000 });
    for (const code of codes) expect(messages.get(code), code).toHaveLength(1);
  });
});

describe('drafts', () => {
  const body = (n: number) => ({ serviceId: '2.000488', applicant: applicant(60_000 + n), fields: { purpose: 'Xin việc', copies: 1 } });

  it(`take no number of the agency's day, and a citizen holds at most ${MAX_OPEN_DRAFTS} open at once`, { timeout: 120_000 }, async () => {
    const token = await tokenFor('citizen', { subject: `drafts-${Date.now()}` });
    const day = async (yyMMdd: string) => {
      const { Item } = await dynamo().get({ TableName: stack.tableName, Key: keys.sequence('so-tu-phap', yyMMdd), ConsistentRead: true });
      return Number(Item?.value ?? 0);
    };
    // the day is fixed at the start: a run across midnight in Vietnam must not compare two days' counters
    const today = codeDay();
    const before = await day(today);
    // concurrent, so the limit must hold under a race, not only one request after another
    const answers = await Promise.all(Array.from({ length: MAX_OPEN_DRAFTS + 5 }, (_, i) => api('/dossiers', { token, body: body(i) })));
    const created = answers.filter((a) => a.status === 201);
    const refused = answers.filter((a) => a.status !== 201);
    expect(created).toHaveLength(MAX_OPEN_DRAFTS);
    expect(refused.map((a) => a.status)).toEqual(Array(5).fill(429));
    expect(refused[0]!.json.error).toMatchObject({ code: 'too_many_drafts', message: expect.any(String), messageVi: expect.any(String) });
    expect(created.every((a) => /^draft-/.test(a.json.code))).toBe(true);
    expect(await day(today)).toBe(before);
    const mine = await api('/dossiers?limit=100', { token });
    expect(mine.json.items.filter((i: { draft?: boolean }) => i.draft)).toHaveLength(MAX_OPEN_DRAFTS);

    // submitting one frees its place, and only then is a number taken
    const code = await submitWithFiles(token, created[0]!.json.code as string);
    expect(code).toMatch(/^000\.00\.14\.H37-\d{6}-\d{4}$/);
    const numberedOn = parseDossierCode(code)!.day;
    expect(await day(numberedOn)).toBe(numberedOn === today ? before + 1 : 1);
    expect((await api('/dossiers', { token, body: body(100) })).status).toBe(201);
  });
});

/** yyMMdd of today in Vietnam, as the codes of the run's stack are dated (its clock is not moved). */
function codeDay(): string {
  const local = new Date(Date.now() + 7 * 3600_000);
  return `${String(local.getUTCFullYear() % 100).padStart(2, '0')}${String(local.getUTCMonth() + 1).padStart(2, '0')}${String(local.getUTCDate()).padStart(2, '0')}`;
}

/** Uploads a real file for each required component of a draft of 2.000488, waits for the verifier, and submits. */
async function submitWithFiles(token: string, draftId: string): Promise<string> {
  for (const component of ['to-khai', 'ban-sao-cccd']) {
    const slot = await api(`/dossiers/${draftId}/documents`, { token, body: { component, fileName: `${component}.pdf`, contentType: 'application/pdf', size: samplePdf.length } });
    expect(slot.status, slot.text).toBe(201);
    const put = await fetch(slot.json.upload.url, { method: 'PUT', body: samplePdf });
    await put.arrayBuffer();
  }
  const deadline = Date.now() + 60_000;
  for (;;) {
    const docs = ((await api(`/dossiers/${draftId}`, { token })).json.documents ?? []) as { status: string }[];
    if (docs.length === 2 && docs.every((d) => d.status === 'verified')) break;
    if (Date.now() > deadline) throw new Error(`documents of ${draftId} not verified in time`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const submitted = await api(`/dossiers/${draftId}/submit`, { token, method: 'POST' });
  expect(submitted.status, submitted.text).toBe(200);
  return submitted.json.code;
}
