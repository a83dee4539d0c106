import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { enterpriseRegistration, fileDossier } from '../support/dossiers.js';
import { apiAt } from '../support/api.js';
import { eventually } from '../support/eventually.js';

/**
 * The one-stop workflow walked through the local HTTP API with the local clock moved across a weekend,
 * Hùng Kings' day given back on Monday 27/4/2026, and 30/4–1/5. This file runs its own stack so that
 * moving the clock cannot disturb other test files.
 */
let stack: LocalStack;
let dataDir: string;
const agencyId = 'so-ke-hoach-va-dau-tu';
const vn = (local: string) => new Date(`${local}+07:00`).toISOString();
/**
 * The local clock keeps running after it is set, so an instant it produced is off by the seconds the
 * steps took (in either direction, once pauses subtract them): compare within a minute.
 */
const expectNear = (actual: unknown, expected: string) =>
  expect(Math.abs(Date.parse(String(actual)) - Date.parse(expected)), `${String(actual)} vs ${expected}`).toBeLessThan(60_000);

/** Calls this file's own stack (its `stack` is assigned in beforeAll). */
const call: ReturnType<typeof apiAt> = (path, init) => apiAt(stack.apiUrl)(path, init);

const token = async (role: string, extra: Record<string, string> = {}) => (await call('/local/token', { body: { role, ...extra } })).json.token as string;
const setClock = (iso: string) => call('/local/clock', { body: { set: iso } });

interface InboxRow {
  code: string;
  dueAt?: string;
  legalDueAt?: string;
  workingDaysLeft?: number;
  standing: string;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'motcua-workflow-'));
  stack = await startLocalStack({ dataDir, ports: { api: 0, dynamodb: 0, s3: 0, sqs: 0, ses: 0, sms: 0 }, quiet: true });
}, 90_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a dossier through the one-stop workflow, with deadlines in working days', () => {
  // the dossier's files are uploaded and verified first, which takes a while on a busy machine
  it('is received, supplemented, processed, apologised for, finished late with the apology, returned and rated', { timeout: 120_000 }, async () => {
    const citizen = await token('citizen', { subject: 'workflow-citizen' });
    const official = await token('official', { agencyId, subject: 'mot-cua-1' });

    await setClock(vn('2026-04-24T15:30:00')); // Friday afternoon
    const { created, code } = await fileDossier(call, citizen, enterpriseRegistration(1));
    expect(created.status).toBe(201);
    expect(code).toMatch(/-260424-\d{4}$/);
    const act = (body: Record<string, unknown>, who = official) => call(`/dossiers/${code}/actions`, { token: who, body });

    // Received Friday 16:00; 3 working days skip the weekend, Monday 27/4 (given back for Hùng Kings' day
    // on Sunday 26/4), and 30/4–1/5: Tue 28, Wed 29, Mon 4/5 at 16:00.
    await setClock(vn('2026-04-24T16:00:00'));
    const received = await act({ action: 'receive', documentsReceived: ['Giấy đề nghị đăng ký doanh nghiệp', 'Bản sao CCCD'] });
    expect(received.status).toBe(200);
    expect(received.json.status).toEqual({ code: 2, label: 'Được tiếp nhận' });
    expectNear(received.json.dueAt, vn('2026-05-04T16:00:00'));
    expect(received.json.receipt).toMatchObject({ code, appointmentAt: received.json.dueAt, calendarBasis: 'confirmed' });
    expect(received.json.calendarBasis).toBe('confirmed');

    // Supplement requested Tuesday 09:00, answered Wednesday 09:00: one working day paused.
    await setClock(vn('2026-04-28T09:00:00'));
    const asked = await act({ action: 'request-supplement', reason: 'Thiếu bản sao điều lệ', missing: ['Bản sao CCCD còn hiệu lực'] });
    expect(asked.json.status.code).toBe(5);
    const twice = await act({ action: 'request-supplement', reason: 'again', missing: ['x'] });
    expect(twice.status).toBe(409);
    expect((await act({ action: 'start-processing' })).status).toBe(409);

    await setClock(vn('2026-04-29T09:00:00'));
    // the request named no document: an answer bringing neither a note nor a new file is refused
    const empty = await call(`/dossiers/${code}/supplement`, { token: citizen, body: {} });
    expect(empty.status).toBe(422);
    expect(empty.json.error).toMatchObject({ code: 'supplement_empty', details: [{ field: 'note' }] });
    const supplemented = await call(`/dossiers/${code}/supplement`, { token: citizen, body: { note: 'Đã bổ sung' } });
    expect(supplemented.status).toBe(200);
    expect(supplemented.json.status.code).toBe(2);
    expectNear(supplemented.json.dueAt, vn('2026-05-05T16:00:00'));

    expect((await act({ action: 'start-processing' })).json.status.code).toBe(4);

    // The inbox lists it among the open dossiers, soonest appointment first.
    const inbox = await call(`/agencies/${agencyId}/dossiers?status=open`, { token: official });
    expect(inbox.status).toBe(200);
    expect(inbox.json.items.map((i: { code: string }) => i.code)).toContain(code);
    const row = async (): Promise<InboxRow> => (await call(`/agencies/${agencyId}/dossiers?status=4`, { token: official })).json.items.find((i: InboxRow) => i.code === code);
    // Wednesday 09:00 to the legal appointment Tuesday 5/5 16:00: 6 h, 30/4–1/5 and the weekend off, Monday
    // 8 h, Tuesday 7 h = 21 office hours, 2.6 working days
    const beforeApology = await row();
    expect(beforeApology).toMatchObject({ standing: 'not-yet-due', workingDaysLeft: 2.6 });
    expectNear(beforeApology.legalDueAt, vn('2026-05-05T16:00:00'));

    // An apology (form 04) on the morning of the appointment moves it to Thursday 7/5.
    await setClock(vn('2026-05-05T10:00:00'));
    const apologized = await act({ action: 'apologize', reason: 'Cần xác minh thông tin trụ sở', newDueAt: vn('2026-05-07T16:00:00') });
    expect(apologized.status).toBe(200);
    expectNear(apologized.json.dueAt, vn('2026-05-07T16:00:00'));
    expectNear(apologized.json.legalDueAt, vn('2026-05-05T16:00:00'));

    // Wednesday 6/5 10:00: the apology's date is tomorrow, but the legal appointment passed yesterday at
    // 16:00. The inbox and the dossier say overdue, half a working day past it (1 h on Tuesday, 3 h this
    // morning). (This file's clock moves back from today, so its sweeper does not fire: the overdue mark of
    // an apologised dossier is checked in statistics.test.ts.)
    await setClock(vn('2026-05-06T10:00:00'));
    const afterLegal = await row();
    expect(afterLegal).toMatchObject({ standing: 'overdue', workingDaysLeft: -0.5 });
    expectNear(afterLegal.dueAt, vn('2026-05-07T16:00:00'));
    expectNear(afterLegal.legalDueAt, vn('2026-05-05T16:00:00'));
    expect((await call(`/dossiers/${code}`, { token: citizen })).json.standing).toBe('overdue');

    // Finished Thursday 11:00, before the apology's new date but after the legal appointment (Tuesday
    // 16:00): an apology says the dossier is late, it does not make it on time.
    await setClock(vn('2026-05-07T11:00:00'));
    const finished = await act({ action: 'finish' });
    expect(finished.json).toMatchObject({ status: { code: 9 }, standing: 'late', lateApology: 'with-apology' });
    // and the figures count it late, with apology, in the agency's day and in the month's report
    await eventually('the late result in the figures', async () => {
      const day = await call(`/stats?scope=agency:${agencyId}&day=2026-05-07`);
      expect(day.json.figures.resolved).toMatchObject({ total: 1, early: 0, onTime: 0, late: 1, lateWithApology: 1, lateWithoutApology: 0 });
      const may = await call(`/stats?scope=agency:${agencyId}&month=2026-05&shape=report`);
      expect(may.json.report).toMatchObject({ carriedOver: 1, received: 0, toHandle: 1, resolved: { total: 1, late: 1, lateWithApology: 1 }, openAtEnd: { total: 0 } });
    });
    expect((await call(`/dossiers/${code}/rating`, { token: citizen, body: { rating: 'satisfied' } })).status).toBe(409);
    expect((await act({ action: 'return' })).json.status).toEqual({ code: 10, label: 'Đã trả kết quả' });
    const rated = await call(`/dossiers/${code}/rating`, { token: citizen, body: { rating: 'satisfied', comment: 'Nhanh gọn' } });
    expect(rated.status).toBe(200);

    const final = await call(`/dossiers/${code}`, { token: citizen });
    expect(final.json.history.map((e: { type: string }) => e.type)).toEqual([
      'dossier.submitted',
      'dossier.receive',
      'dossier.request-supplement',
      'dossier.supplement',
      'dossier.start-processing',
      'dossier.apologize',
      'dossier.finish',
      'dossier.return',
      'dossier.rate',
    ]);
    expect(final.json.history[2]).toMatchObject({ actor: { kind: 'official', agencyId }, from: 2, to: 5, note: 'Thiếu bản sao điều lệ' });
    expect(final.json.standing).toBe('late');
  });

  it('classifies a dossier finished after its appointment as late, and refuses an apology once the appointment passed', async () => {
    const citizen = await token('citizen', { subject: 'workflow-late' });
    const official = await token('official', { agencyId });
    await setClock(vn('2026-06-01T08:00:00')); // Monday
    const { code } = await fileDossier(call, citizen, enterpriseRegistration(2));
    const act = (body: Record<string, unknown>) => call(`/dossiers/${code}/actions`, { token: official, body });
    expectNear((await act({ action: 'receive' })).json.dueAt, vn('2026-06-04T08:00:00'));
    await act({ action: 'start-processing' });
    await setClock(vn('2026-06-04T09:00:00'));
    const tooLate = await act({ action: 'apologize', reason: 'x', newDueAt: vn('2026-06-10T08:00:00') });
    expect(tooLate.status).toBe(409);
    expect((await call(`/dossiers/${code}`, { token: citizen })).json.standing).toBe('overdue');
    expect((await act({ action: 'finish' })).json.standing).toBe('late');
  });

  it('counts an appointment across 1/1/2027 on the statutory holidays and says so', async () => {
    const citizen = await token('citizen', { subject: 'workflow-new-year' });
    const official = await token('official', { agencyId });
    await setClock(vn('2026-12-31T15:00:00')); // Thursday
    const { code } = await fileDossier(call, citizen, enterpriseRegistration(3));
    const received = await call(`/dossiers/${code}/actions`, { token: official, body: { action: 'receive' } });
    // 3 working days: 2 h on 31/12, Friday 1/1 off (statute), Mon 4/1, Tue 5/1, and 6 h on Wed 6/1.
    expectNear(received.json.dueAt, vn('2027-01-06T15:00:00'));
    expect(received.json).toMatchObject({ calendarBasis: 'statutory', receipt: { calendarBasis: 'statutory' } });
  });

  it('lets exactly one of two officials acting at once win; the other gets 409 with the current state', async () => {
    const citizen = await token('citizen', { subject: 'workflow-race' });
    const a = await token('official', { agencyId, subject: 'mot-cua-a' });
    const b = await token('official', { agencyId, subject: 'mot-cua-b' });
    for (let round = 0; round < 5; round++) {
      const { code } = await fileDossier(call, citizen, enterpriseRegistration(10 + round));
      const [first, second] = await Promise.all([
        call(`/dossiers/${code}/actions`, { token: a, body: { action: 'receive', expectedVersion: 1 } }),
        call(`/dossiers/${code}/actions`, { token: b, body: { action: 'refuse', reason: 'Không thuộc thẩm quyền', expectedVersion: 1 } }),
      ]);
      const statuses = [first.status, second.status].sort();
      expect(statuses).toEqual([200, 409]);
      const loser = first.status === 409 ? first : second;
      expect(loser.json.error.details).toMatchObject({ version: 2 });
      const history = (await call(`/dossiers/${code}`, { token: citizen })).json.history;
      expect(history).toHaveLength(2);
    }
  });

  it('keeps officials to their own agency and citizens to their own dossiers', async () => {
    const citizen = await token('citizen', { subject: 'workflow-owner' });
    const stranger = await token('citizen', { subject: 'workflow-stranger' });
    const otherAgency = await token('official', { agencyId: 'so-tu-phap' });
    const admin = await token('admin');
    const { code } = await fileDossier(call, citizen, enterpriseRegistration(30));
    expect((await call(`/dossiers/${code}/actions`, { token: otherAgency, body: { action: 'receive' } })).status).toBe(404);
    expect((await call(`/dossiers/${code}/actions`, { token: stranger, body: { action: 'withdraw' } })).status).toBe(404);
    expect((await call(`/dossiers/${code}/actions`, { token: citizen, body: { action: 'receive' } })).status).toBe(403);
    expect((await call(`/dossiers/${code}/actions`, { token: admin, body: { action: 'receive' } })).status).toBe(403);
    expect((await call(`/agencies/${agencyId}/dossiers`, { token: otherAgency })).status).toBe(404);
    expect((await call(`/agencies/${agencyId}/dossiers`, { token: admin })).status).toBe(200);
    const withdrawn = await call(`/dossiers/${code}/actions`, { token: citizen, body: { action: 'withdraw', reason: 'Nộp nhầm thủ tục' } });
    expect(withdrawn.json.status).toEqual({ code: 7, label: 'Công dân yêu cầu rút hồ sơ' });
  });
});
