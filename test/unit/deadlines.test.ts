import { describe, expect, it } from 'vitest';
import { calendarSchema } from '../../provinces/schema.js';
import { sweepKind, sweepTransition, candidateBound } from '../../functions/domain/deadlines.js';
import { reminderInstant } from '../../functions/domain/calendar.js';
import type { WorkflowDossier } from '../../functions/domain/workflow.js';
import type { StatusCode } from '../../functions/domain/status.js';
import type { DossierEvent } from '../../functions/domain/dossier.js';
import { AppError } from '../../functions/domain/errors.js';
import { sweepDeadlines } from '../../functions/app/deadlines.js';
import type { Province } from '../../provinces/schema.js';
import { inboxAttributes } from '../../functions/declaration.js';

const calendar = calendarSchema.parse({ years: { '2026': { holidays: [{ date: '2026-04-30', name: 'Ngày Chiến thắng' }, { date: '2026-05-01', name: 'Quốc tế Lao động' }] } } });
const vn = (local: string) => new Date(`${local}+07:00`);
const due = vn('2026-03-06T16:00:00');

const dossier = (status: StatusCode, extra: Partial<WorkflowDossier> = {}): WorkflowDossier => ({
  code: '000.00.05.H37-260302-0001', serviceId: '2.001610', serviceCode: 'c', serviceName: 'n', agencyId: 'so-ke-hoach-va-dau-tu', agencyCode: '000.00.05.H37', agencyName: 'Sở KH&ĐT',
  applicantSubject: 's', applicant: { fullName: 'A', idNumber: '020090001234', phone: '0912345678', address: 'x' }, fields: {}, channel: 'online',
  status, version: 4, submittedAt: '2026-03-02T01:00:00.000Z', updatedAt: '2026-03-02T01:00:00.000Z', receivedAt: '2026-03-02T01:00:00.000Z', dueAt: due.toISOString(), ...extra,
});

describe('what the deadline sweeper decides', () => {
  it('marks a received or processing dossier overdue once its appointment has passed, and only once', () => {
    const after = vn('2026-03-06T16:01:00');
    expect(sweepKind(dossier(2), after, calendar)).toBe('overdue');
    expect(sweepKind(dossier(4), after, calendar)).toBe('overdue');
    expect(sweepKind(dossier(4), due, calendar)).not.toBe('overdue');
    expect(sweepKind(dossier(4, { overdueAt: after.toISOString() }), vn('2026-03-09T08:00:00'), calendar)).toBeUndefined();
  });

  it('leaves paused, closed and not-yet-received dossiers alone', () => {
    const after = vn('2026-03-10T08:00:00');
    for (const status of [1, 3, 5, 6, 7, 8, 9, 10] as StatusCode[]) expect(sweepKind(dossier(status), after, calendar), `status ${status}`).toBeUndefined();
  });

  it('reminds one working day before the deadline, once, and not after an apology', () => {
    const reminder = reminderInstant(calendar, due);
    expect(reminder).toEqual(vn('2026-03-05T16:00:00'));
    expect(sweepKind(dossier(4), new Date(reminder.getTime() - 60_000), calendar)).toBeUndefined();
    expect(sweepKind(dossier(4), reminder, calendar)).toBe('apology-reminder');
    expect(sweepKind(dossier(4, { reminderSentAt: reminder.toISOString() }), reminder, calendar)).toBeUndefined();
    expect(sweepKind(dossier(4, { apologies: [{ at: reminder.toISOString(), reason: 'r', previousDueAt: due.toISOString(), newDueAt: vn('2026-03-20T16:00:00').toISOString() }] }), reminder, calendar)).toBeUndefined();
  });

  it('marks a dossier overdue at its legal appointment even when an apology promised a later date', () => {
    const promised = vn('2026-03-20T16:00:00');
    const apologized = dossier(4, {
      dueAt: promised.toISOString(),
      legalDueAt: due.toISOString(),
      apologies: [{ at: vn('2026-03-05T16:00:00').toISOString(), reason: 'r', previousDueAt: due.toISOString(), newDueAt: promised.toISOString() }],
    });
    expect(sweepKind(apologized, due, calendar)).toBeUndefined();
    expect(sweepKind(apologized, vn('2026-03-06T16:01:00'), calendar)).toBe('overdue');
    // stored before legalDueAt existed: computed from the procedure (3 working days from Monday 2/3 08:00)
    const legacy = dossier(4, { dueAt: promised.toISOString(), apologies: apologized.apologies });
    expect(sweepKind(legacy, vn('2026-03-05T08:01:00'), calendar, { amount: 3, unit: 'working-days' })).toBe('overdue');
    expect(sweepTransition(apologized, 'overdue', vn('2026-03-06T16:01:00'), due).event.details).toEqual({ dueAt: promised.toISOString(), legalDueAt: due.toISOString() });
  });

  it('reads far enough ahead in the index to find every dossier due for a reminder', () => {
    const now = vn('2026-04-29T16:30:00');
    // due after the 30 April / 1 May holidays and the weekend: the reminder comes the working day before
    const dueAfterHolidays = vn('2026-05-04T16:30:00');
    expect(reminderInstant(calendar, dueAfterHolidays).getTime()).toBeLessThanOrEqual(now.getTime());
    expect(candidateBound(now, calendar).getTime()).toBeGreaterThan(dueAfterHolidays.getTime());
  });

  it('records the mark as a system event on the same version and status, so an official\'s expectedVersion still holds', () => {
    const at = vn('2026-03-06T17:00:00');
    const { dossier: next, mark, event } = sweepTransition(dossier(4), 'overdue', at);
    expect(mark).toBe('overdueAt');
    expect(next).toMatchObject({ status: 4, version: 4, overdueAt: at.toISOString(), updatedAt: '2026-03-02T01:00:00.000Z' });
    expect(event).toMatchObject({ type: 'dossier.overdue', actor: { kind: 'system' }, from: 4, to: 4, version: 4, details: { dueAt: due.toISOString() } });
    const reminder = sweepTransition(dossier(2), 'apology-reminder', at);
    expect(reminder.mark).toBe('reminderSentAt');
    expect(reminder.dossier).toMatchObject({ version: 4, reminderSentAt: at.toISOString() });
  });
});

describe('the sweep pass', () => {
  const province = { agencies: [{ id: 'so-ke-hoach-va-dau-tu' }], calendar } as unknown as Province;
  const index = (items: WorkflowDossier[]) => ({
    async *openDueBefore() {
      yield* items;
    },
    async dossier(code: string) {
      return items.find((d) => d.code === code);
    },
  });

  it('saves each mark on the version it judged, leaving the version alone', async () => {
    const saved: { judged: number; mark: string; eventVersion: number; markedVersion: number }[] = [];
    const repo = {
      async saveMark(judged: WorkflowDossier, mark: 'overdueAt' | 'reminderSentAt', event: DossierEvent, marked: WorkflowDossier) {
        saved.push({ judged: judged.version, mark, eventVersion: event.version, markedVersion: marked.version });
      },
    };
    const result = await sweepDeadlines({ repo, index: index([dossier(4, { legalDueAt: due.toISOString() }), dossier(4, { legalDueAt: due.toISOString(), overdueAt: due.toISOString() })]), province, now: vn('2026-03-09T08:00:00') });
    expect(result).toEqual({ examined: 2, overdue: 1, reminded: 0, skipped: 0 });
    expect(saved).toEqual([{ judged: 4, mark: 'overdueAt', eventVersion: 4, markedVersion: 4 }]);
  });

  it('judges by what the index holds and writes the mark with the whole dossier read from the table', async () => {
    // Prepare: the index holds only the judged attributes; the table has the form fields too
    const full = dossier(4, { legalDueAt: due.toISOString(), fields: { enterpriseName: 'Công ty TNHH Hạn' } });
    const indexed = Object.fromEntries(Object.entries(full).filter(([k]) => (inboxAttributes as readonly string[]).includes(k))) as unknown as WorkflowDossier;
    const marked: WorkflowDossier[] = [];
    const repo = {
      async saveMark(_judged: WorkflowDossier, _mark: 'overdueAt' | 'reminderSentAt', _event: DossierEvent, m: WorkflowDossier) {
        marked.push(m);
      },
    };
    const read: string[] = [];
    const table = {
      async *openDueBefore() {
        yield indexed;
      },
      async dossier(code: string) {
        read.push(code);
        return full;
      },
    };
    // Act
    const result = await sweepDeadlines({ repo, index: table, province, now: vn('2026-03-09T08:00:00') });
    // Assess
    expect(indexed.fields).toBeUndefined();
    expect(result.overdue).toBe(1);
    expect(read).toEqual([full.code]);
    expect(marked[0]).toMatchObject({ fields: full.fields, applicant: full.applicant, overdueAt: expect.any(String) });
  });

  it('counts a mark whose dossier moved on meanwhile as skipped', async () => {
    const repo = {
      async saveMark(): Promise<void> {
        throw new AppError('conflict', 'version_conflict', 'changed', 'đã đổi');
      },
    };
    const result = await sweepDeadlines({ repo, index: index([dossier(4, { legalDueAt: due.toISOString() })]), province, now: vn('2026-03-09T08:00:00') });
    expect(result).toEqual({ examined: 1, overdue: 0, reminded: 0, skipped: 1 });
  });
});
