import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { applicant, enterpriseRegistration, fileDossier } from '../support/dossiers.js';
import { apiAt } from '../support/api.js';
import { eventually } from '../support/eventually.js';

/**
 * A small year of dossiers with known outcomes, driven through the HTTP API and the local clock, and
 * every figure checked. The file starts its own stack (own data folder, clock and counters): other
 * files move the run's shared clock and add to its counters while this one runs. The stack runs in this
 * worker (processWide), so its stream consumers and the 15-minute sweeper run here too.
 */

const vn = (local: string) => new Date(`${local}+07:00`);
const planning = 'so-ke-hoach-va-dau-tu';
const justice = 'so-tu-phap';

let stack: LocalStack;
let dataDir: string;

/** Calls this file's own stack (its `stack` is assigned in beforeAll). */
const call: ReturnType<typeof apiAt> = (path, init) => apiAt(stack.apiUrl)(path, init);

async function token(role: 'citizen' | 'official', options: { subject?: string; agencyId?: string }): Promise<string> {
  const answer = await call('/local/token', { body: { role, ...options } });
  expect(answer.status, answer.text).toBe(200);
  return answer.json.token;
}

async function setClock(local: string): Promise<void> {
  const answer = await call('/local/clock', { body: { set: vn(local).toISOString() } });
  expect(answer.status, answer.text).toBe(200);
}

let citizen = '';
const officials: Record<string, string> = {};

/** Files a dossier as the portal does: procedures with required documents get their files before submission. */
async function submit(body: Record<string, unknown> & { serviceId: string }): Promise<string> {
  const { created, code } = await fileDossier(call, citizen, body);
  expect(created.status).toBe(201);
  return code;
}

/** One step. The 15-minute sweeper may mark the dossier at the same moment; a mark keeps the version, so no retry. */
async function act(code: string, body: Record<string, unknown>, as: 'official' | 'citizen' = 'official', agencyId = planning, path = 'actions'): Promise<void> {
  const answer = await call(`/dossiers/${code}/${path}`, { token: as === 'citizen' ? citizen : officials[agencyId], body });
  if (answer.status !== 200) throw new Error(`${path} ${JSON.stringify(body)} on ${code}: ${answer.status} ${answer.text}`);
}

async function versionOf(code: string): Promise<number> {
  const view = await call(`/dossiers/${code}`, { token: officials[planning] });
  expect(view.status, view.text).toBe(200);
  return view.json.version as number;
}

/** Waits for the sweeper (fired by the clock move) to have recorded an event of `type` on every dossier. */
async function sweptAll(codes: string[], type: string): Promise<void> {
  await eventually(`${type} on ${codes.join(', ')}`, async () => {
    for (const code of codes) {
      const view = await call(`/dossiers/${code}`, { token: citizen });
      expect(view.json.history.map((e: { type: string }) => e.type)).toContain(type);
    }
  });
}

const justiceRecord = (n: number) => ({
  serviceId: '2.000488',
  applicant: applicant(n),
  fields: { purpose: 'Bổ sung hồ sơ xin việc', copies: 1 },
});

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'motcua-stats-e2e-'));
  // The clock starts on Monday 2 March 2026 08:00, so that the sweeper's 15-minute schedule counts from there.
  writeFileSync(join(dataDir, 'clock.json'), JSON.stringify({ offsetMs: vn('2026-03-02T08:00:00').getTime() - Date.now() }));
  stack = await startLocalStack({ dataDir, ports: { api: 0, dynamodb: 0, s3: 0, sqs: 0, ses: 0, sms: 0 }, quiet: true, provinceId: 'lang-son' });
  citizen = await token('citizen', { subject: 'stats-e2e-citizen' });
  officials[planning] = await token('official', { agencyId: planning, subject: 'stats-e2e-planning' });
  officials[justice] = await token('official', { agencyId: justice, subject: 'stats-e2e-justice' });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('a small year of dossiers, read back as the figures a province is judged by', () => {
  const codes: Record<string, string> = {};

  it('drives eleven dossiers (one by post, registered at the desk) through early, on-time and late results, a withdrawal, a refusal, a supplement, a payment, an apology and ratings', { timeout: 180_000 }, async () => {
    // Monday 2 March, 08:00: ten online dossiers and one by post at the planning department
    for (const [name, n] of [['A', 1], ['B', 2], ['C', 3], ['D', 4], ['E', 5], ['F', 6], ['H', 8]] as const) codes[name] = await submit(enterpriseRegistration(900 + n));
    // G came by post: the planning department's desk registers it for the citizen, and it counts in 3.3's denominator
    const posted = await call(`/agencies/${planning}/dossiers`, { token: officials[planning], body: { ...enterpriseRegistration(907), channel: 'post' } });
    expect(posted.status, JSON.stringify(posted.json)).toBe(201);
    codes.G = posted.json.code as string;
    for (const name of ['A', 'B', 'C', 'D', 'E', 'G', 'H']) await act(codes[name]!, { action: 'receive' });
    await act(codes.F!, { action: 'refuse', reason: 'Không thuộc thẩm quyền giải quyết' });
    // A: resolved the same day (early), returned, rated satisfied
    for (const step of ['start-processing', 'finish', 'return']) await act(codes.A!, { action: step });
    await act(codes.A!, { rating: 'satisfied' }, 'citizen', planning, 'rating');
    // D: withdrawn by the applicant after reception
    await act(codes.D!, { action: 'withdraw', reason: 'Không còn nhu cầu' }, 'citizen');
    // E: one supplement request, answered, then resolved early
    await act(codes.E!, { action: 'request-supplement', reason: 'Thiếu giấy tờ', missing: ['Bản sao CCCD'] });
    await act(codes.E!, { note: 'Đã nộp bản sao CCCD tại bộ phận một cửa' }, 'citizen', planning, 'supplement');
    for (const step of ['start-processing', 'finish', 'return']) await act(codes.E!, { action: step });
    await act(codes.E!, { rating: 'normal' }, 'citizen', planning, 'rating');
    // G (by post): fees paid at the counter, resolved early (its citizen has no account here to rate it)
    await act(codes.G!, { action: 'request-payment', amountVnd: 100_000, reason: 'Lệ phí đăng ký doanh nghiệp' });
    await act(codes.G!, { action: 'confirm-payment' });
    for (const step of ['start-processing', 'finish', 'return']) await act(codes.G!, { action: step });
    for (const name of ['B', 'C', 'H']) await act(codes[name]!, { action: 'start-processing' });

    // Wednesday 4 March 09:00: one working day before B, C and H are due (Thursday 08:00), the sweeper reminds
    const beforeReminder = await versionOf(codes.B!);
    await setClock('2026-03-04T09:00:00');
    await sweptAll([codes.B!, codes.C!, codes.H!], 'dossier.apology-reminder');
    // a mark is not a decision: the version the official read before the sweep still holds
    expect(await versionOf(codes.B!)).toBe(beforeReminder);

    // Thursday 5 March 07:30: B resolved on its due day, before the due time
    await setClock('2026-03-05T07:30:00');
    const finishedB = await call(`/dossiers/${codes.B!}/actions`, { token: officials[planning], body: { action: 'finish', expectedVersion: beforeReminder } });
    expect(finishedB.status, finishedB.text).toBe(200);
    await act(codes.B!, { action: 'return' });
    await act(codes.B!, { rating: 'satisfied' }, 'citizen', planning, 'rating');

    // Thursday 09:00: C and H are overdue
    const beforeOverdue = await versionOf(codes.C!);
    await setClock('2026-03-05T09:00:00');
    await sweptAll([codes.C!, codes.H!], 'dossier.overdue');

    // Friday 6 March: C resolved late (acting on the version read before it was marked), rated unsatisfied; H stays open and overdue
    await setClock('2026-03-06T09:00:00');
    const finishedC = await call(`/dossiers/${codes.C!}/actions`, { token: officials[planning], body: { action: 'finish', expectedVersion: beforeOverdue } });
    expect(finishedC.status, finishedC.text).toBe(200);
    await act(codes.C!, { action: 'return' });
    await act(codes.C!, { rating: 'unsatisfied' }, 'citizen', planning, 'rating');

    // Monday 4 May: I stays in progress, J apologises for a new date, K (justice department) resolved early
    await setClock('2026-05-04T09:00:00');
    codes.I = await submit(enterpriseRegistration(909));
    codes.J = await submit(enterpriseRegistration(910));
    codes.K = await submit(justiceRecord(911));
    for (const name of ['I', 'J']) await act(codes[name]!, { action: 'receive' });
    await act(codes.J!, { action: 'start-processing' });
    await act(codes.J!, { action: 'apologize', reason: 'Cần xác minh thêm thông tin', newDueAt: vn('2026-06-17T16:00:00').toISOString() });
    for (const step of ['receive', 'start-processing', 'finish']) await act(codes.K!, { action: step }, 'official', justice);
    expect(Object.keys(codes)).toHaveLength(11);
  });

  it('reads every figure of the year for the province', async () => {
    const stats = await eventually('the year figures', async () => {
      const answer = await call('/stats?scope=province&year=2026');
      expect(answer.status, answer.text).toBe(200);
      expect(answer.json.figures).toMatchObject({
        submitted: { total: 11, online: 10, counter: 0, post: 1 },
        received: { total: 10, online: 9, counter: 0, post: 1 },
        resolved: { total: 6, early: 4, onTime: 1, late: 1, lateWithApology: 0, lateWithoutApology: 1 },
        inProgress: { total: 3, notYetDue: 2, overdue: 1 },
        refused: 1,
        stopped: 0,
        withdrawn: 1,
        supplementRequests: 1,
        apologies: 1,
        apologyReminders: 3,
        markedOverdue: 2,
        paymentRequests: 1,
        // G's payment was confirmed by an official (at the counter); every dossier here has catalog fees
        paidOnline: 0,
        payments: { dossiersWithFees: 11, onlinePayments: 0, paidOnlineVnd: 0, paidAtCounter: 1, paidAtCounterVnd: 100_000 },
        ratings: { total: 4, satisfied: 2, normal: 1, unsatisfied: 1, satisfactionRate: 50 },
      });
      return answer.json;
    });
    // 5 of 6 resolved on time or early, reported to one decimal like the seeds' "80.5%"
    expect(stats.figures.rates).toEqual({ resolvedOnTimeOrEarly: 83.3, resolvedLate: 16.7 });
    expect(stats.figures.index).toEqual({
      onTime21: 77.8, // (4 early + 1 on time + 2 in progress not yet due) ÷ (6 resolved + 3 in progress)
      submittedOnline33: 90.9, // 10 of 11
      paidOnline36: 0, // none of the 11 dossiers with fees was paid through the gateway
      satisfaction54: 58.3, // 100 − 16.7 (late) − 25 (unsatisfied)
    });
    // B took 23.5 office hours, C 33, the four others minutes: (2.94 + 4.13 + ~0) ÷ 6
    expect(stats.figures.resolved.averageWorkingDays).toBeCloseTo(7.0625 / 6, 1);
    expect(stats.period).toMatchObject({ from: '2026-01-01', to: '2026-12-31', items: ['year:2026'] });
    expect(stats.catalog.byLevel['4']).toBeGreaterThan(0);
    expect(stats.catalog.services).toBe(stack.province.services.length);
  });

  it('reads a day, a month, a range and the agency and service scopes', async () => {
    const day = (await call('/stats?day=2026-03-02')).json.figures;
    expect(day).toMatchObject({ submitted: { total: 8 }, received: { total: 7 }, resolved: { total: 3, early: 3 }, refused: 1, withdrawn: 1, paidOnline: 0, payments: { paidAtCounter: 1 }, ratings: { total: 2 } });
    const march = (await call('/stats?month=2026-03')).json.figures;
    expect(march).toMatchObject({ received: { total: 7 }, resolved: { total: 5, early: 3, onTime: 1, late: 1 }, inProgress: { total: 1, overdue: 1, notYetDue: 0 } });
    const may = (await call('/stats?month=2026-05')).json.figures;
    expect(may).toMatchObject({ received: { total: 3 }, resolved: { total: 1, early: 1 }, apologies: 1, inProgress: { total: 2, overdue: 0, notYetDue: 2 } });
    const range = await call('/stats?from=2026-03&to=2026-05');
    expect(range.json.period.items).toEqual(['month:2026-03', 'month:2026-04', 'month:2026-05']);
    const year = (await call('/stats?year=2026')).json.figures;
    expect(range.json.figures).toEqual(year);
    const week = await call('/stats?from=2026-03-02&to=2026-03-06');
    expect(week.json.figures.resolved).toMatchObject({ total: 5, early: 3, onTime: 1, late: 1 });
    const agency = (await call(`/stats?scope=agency:${planning}&year=2026`)).json;
    expect(agency.figures).toMatchObject({ submitted: { total: 10 }, resolved: { total: 5, early: 3, onTime: 1, late: 1 }, rates: { resolvedOnTimeOrEarly: 80 } });
    expect(agency.catalog.byAgency[planning].services).toBe(agency.catalog.services);
    const service = (await call('/stats?scope=service:2.000488&year=2026')).json.figures;
    expect(service).toMatchObject({ submitted: { total: 1 }, received: { total: 1 }, resolved: { total: 1, early: 1 } });
    expect((await call('/stats?scope=agency:no-such-agency')).status).toBe(404);
    expect((await call('/stats?day=2026-02-30')).json.error.details[0].field).toBe('query.day');
    expect((await call('/stats?day=2026-03-02&month=2026-03')).status).toBe(400);
  });

  it('serves the period report (Circular 01/2018) with the balance carried from one month to the next', async () => {
    const march = await call('/stats?month=2026-03&shape=report');
    expect(march.status, march.text).toBe(200);
    // 7 received in March: A, E, G early, B on time, C late; D withdrawn; H still open and overdue on 31/3
    expect(march.json).toMatchObject({
      shape: 'report',
      report: { carriedOver: 0, received: 7, toHandle: 7, resolved: { total: 5, early: 3, onTime: 1, late: 1 }, closedWithoutResult: 1, openAtEnd: { total: 1, overdue: 1, notYetDue: 0 } },
    });
    // May: H carried over; I, J, K received; K resolved early; H overdue, I and J in time at the end
    const may = (await call('/stats?month=2026-05&shape=report')).json.report;
    expect(may).toMatchObject({ carriedOver: 1, received: 3, toHandle: 4, resolved: { total: 1, early: 1 }, closedWithoutResult: 0, openAtEnd: { total: 3, overdue: 1, notYetDue: 2 } });
    const csv = await call('/stats?month=2026-05&shape=report&format=csv');
    expect(csv.text).toContain('carriedOver,1\r\n');
    expect(csv.text).toContain('openAtEnd.overdue,1\r\n');
  });

  it('answers CSV when asked, and ranks the agencies on the on-time share', async () => {
    const byParam = await call('/stats?year=2026&format=csv');
    expect(byParam.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(byParam.text.split('\r\n')).toEqual(expect.arrayContaining(['figure,value', 'scope,province', 'resolved.early,4', 'index.onTime21,77.8']));
    const byAccept = await call('/stats?year=2026', { headers: { accept: 'text/csv' } });
    // the national portal's share may move between the two reads (its sync runs behind the workflow)
    const figures = (text: string) => text.split('\r\n').filter((line) => !line.startsWith('nationalSync.'));
    expect(figures(byAccept.text)).toEqual(figures(byParam.text));
    const ranking = await call('/stats/agencies?year=2026');
    expect(ranking.status).toBe(200);
    expect(ranking.json.items.slice(0, 2).map((i: { rank: number; agency: { id: string }; figures: { rates: { resolvedOnTimeOrEarly: number } } }) => [i.rank, i.agency.id, i.figures.rates.resolvedOnTimeOrEarly])).toEqual([
      [1, justice, 100],
      [2, planning, 80],
    ]);
    expect(ranking.json.items).toHaveLength(stack.province.agencies.length);
    const csv = await call('/stats/agencies?year=2026', { headers: { accept: 'text/csv' } });
    expect(csv.text.split('\r\n')[1]).toMatch(new RegExp(`^1,${justice},`));
  });

  it('marks an apologised dossier overdue at its legal appointment and counts it late with apology', async () => {
    // J was received Monday 4/5 09:00 with 3 working days: legally due Thursday 7/5 09:00. Its apology
    // promised 17/6, which does not move that: at 10:00 the sweeper marks it overdue.
    await setClock('2026-05-07T10:00:00');
    await sweptAll([codes.J!], 'dossier.overdue');
    const row = await eventually('J overdue in the inbox', async () => {
      const inbox = await call(`/agencies/${planning}/dossiers?status=4`, { token: officials[planning] });
      const item = inbox.json.items.find((i: { code: string }) => i.code === codes.J);
      expect(item).toMatchObject({ standing: 'overdue', workingDaysLeft: -0.1 });
      return item;
    });
    // the local clock ran on for the seconds the steps took after it was set: within a minute
    expect(Math.abs(Date.parse(row.legalDueAt) - vn('2026-05-07T09:00:00').getTime())).toBeLessThan(60_000);
    expect(Date.parse(row.dueAt)).toBe(vn('2026-06-17T16:00:00').getTime());
    // finished Friday 8/5, long before the apology's date: late, with apology
    await setClock('2026-05-08T09:00:00');
    await act(codes.J!, { action: 'finish' });
    await eventually('J late with apology', async () => {
      const may = (await call(`/stats?scope=agency:${planning}&month=2026-05`)).json.figures;
      expect(may.resolved).toMatchObject({ total: 1, early: 0, onTime: 0, late: 1, lateWithApology: 1, lateWithoutApology: 0 });
      expect(may.rates.resolvedOnTimeOrEarly).toBe(0);
      const report = (await call(`/stats?scope=agency:${planning}&month=2026-05&shape=report`)).json.report;
      expect(report).toMatchObject({ resolved: { total: 1, late: 1, lateWithApology: 1, lateWithoutApology: 0 } });
    });
  });
});
