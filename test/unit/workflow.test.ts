import { describe, expect, it } from 'vitest';
import { MAX_APOLOGY_WORKING_DAYS, applyCommand, deadlineStanding, legalAppointment, transitions, workingDaysLeft, type Action, type Command, type WorkflowDossier } from '../../functions/domain/workflow.js';
import { statuses, type StatusCode } from '../../functions/domain/status.js';
import { AppError } from '../../functions/domain/errors.js';
import { calendarSchema } from '../../provinces/schema.js';
import type { Actor } from '../../functions/domain/dossier.js';
import { httpStatusOf } from '../../functions/http/error-status.js';

const calendar = calendarSchema.parse({
  years: {
    '2026': {
      holidays: [
        { date: '2026-04-26', name: 'Giỗ Tổ Hùng Vương' },
        { date: '2026-04-30', name: 'Ngày Chiến thắng' },
        { date: '2026-05-01', name: 'Quốc tế Lao động' },
      ],
      daysOff: [16, 17, 18, 19, 20].map((d) => ({ date: `2026-02-${d}`, name: 'Tết Nguyên đán' })),
    },
  },
});
const processing = { amount: 3, unit: 'working-days' as const };
const official: Actor = { kind: 'official', subject: 'o1', agencyId: 'so-tu-phap' };
const applicant: Actor = { kind: 'citizen', subject: 'citizen-a' };
const system: Actor = { kind: 'system', subject: 'payment-gateway' };
const vn = (local: string) => new Date(`${local}+07:00`);

function dossier(status: StatusCode, extra: Partial<WorkflowDossier> = {}): WorkflowDossier {
  return {
    code: '000.00.14.H37-260420-0001', serviceId: '2.000488', serviceCode: 'c', serviceName: 'n', agencyId: 'so-tu-phap', agencyCode: '000.00.14.H37', agencyName: 'Sở Tư pháp',
    applicantSubject: 'citizen-a', applicant: { fullName: 'A', idNumber: '020090001234', phone: '0912345678', address: 'x' }, fields: {}, channel: 'online',
    status, version: 3, submittedAt: '2026-04-20T01:00:00.000Z', updatedAt: '2026-04-20T01:00:00.000Z', ...extra,
  };
}

const sample: Record<Action, Command> = {
  receive: { action: 'receive' },
  refuse: { action: 'refuse', reason: 'Không thuộc thẩm quyền' },
  'request-supplement': { action: 'request-supplement', reason: 'Thiếu giấy tờ', missing: ['Bản sao CCCD'] },
  supplement: { action: 'supplement' },
  'start-processing': { action: 'start-processing' },
  'request-payment': { action: 'request-payment', amountVnd: 200000, reason: 'Lệ phí' },
  'confirm-payment': { action: 'confirm-payment' },
  stop: { action: 'stop', reason: 'Hồ sơ giả mạo' },
  finish: { action: 'finish' },
  return: { action: 'return' },
  apologize: { action: 'apologize', reason: 'Cần xác minh thêm', newDueAt: '2026-06-30T10:00:00.000Z' },
  withdraw: { action: 'withdraw' },
  rate: { action: 'rate', rating: 'satisfied' },
  paid: { action: 'paid', purpose: 'submission', paymentRef: 'MC260421020000ABC', amountVnd: 200000, gateway: 'paygov' },
};

const allStatuses = Object.keys(statuses).map(Number) as StatusCode[];
const ctx = (actor: Actor, now = vn('2026-04-21T09:00:00')) => ({ actor, now, calendar, processing });

describe('every action from every status', () => {
  const cases = (Object.keys(transitions) as Action[]).flatMap((action) => allStatuses.map((status) => [action, status] as const));
  it.each(cases)('%s from status %i is allowed exactly when the table says so', (action, status) => {
    const rule = transitions[action];
    const actor = rule.by === 'official' ? official : rule.by === 'system' ? system : applicant;
    // apologies need a future appointment; the rest need no history
    const d = dossier(status, { receivedAt: '2026-04-20T01:00:00.000Z', dueAt: '2026-06-01T10:00:00.000Z', pendingSupplement: { reason: 'r', missing: ['m'], requestedAt: '2026-04-20T02:00:00.000Z', resumeTo: 4 } });
    const attempt = () => applyCommand(d, sample[action], ctx(actor));
    if (rule.from.includes(status)) {
      const { dossier: after, event } = attempt();
      expect(after.version).toBe(4);
      expect(event).toMatchObject({ from: status, to: after.status, version: 4, actor });
    } else {
      expect(attempt).toThrow(expect.objectContaining({ kind: 'conflict', code: 'transition_not_allowed' }));
    }
  });
});

describe('who may act', () => {
  it('refuses an agency action to the applicant (403) and hides the dossier from another agency (404)', () => {
    expect(() => applyCommand(dossier(1), { action: 'receive' }, ctx(applicant))).toThrow(expect.objectContaining({ kind: 'forbidden' }));
    expect(() => applyCommand(dossier(1), { action: 'receive' }, ctx({ kind: 'official', subject: 'o2', agencyId: 'so-xay-dung' }))).toThrow(expect.objectContaining({ kind: 'not_found' }));
  });

  it('hides the dossier from another citizen and refuses an administrator, who reads but does not act', () => {
    expect(() => applyCommand(dossier(1), { action: 'withdraw' }, ctx({ kind: 'citizen', subject: 'citizen-b' }))).toThrow(expect.objectContaining({ kind: 'not_found' }));
    expect(() => applyCommand(dossier(1), { action: 'receive' }, ctx({ kind: 'admin', subject: 'a1' }))).toThrow(expect.objectContaining({ kind: 'forbidden' }));
  });
});

describe('deadlines through the workflow', () => {
  it('sets the appointment at reception in working days and issues the receipt', () => {
    // Tuesday 28 April 2026 10:00 + 3 working days: Wed 29/4, then 30/4, 1/5 and the weekend are off: Mon 4/5, Tue 5/5 10:00
    const { dossier: d } = applyCommand(dossier(1), { action: 'receive', documentsReceived: ['Tờ khai'] }, ctx(official, vn('2026-04-28T10:00:00')));
    expect(d.dueAt).toBe(vn('2026-05-05T10:00:00').toISOString());
    expect(d.receipt).toMatchObject({ code: d.code, documentsReceived: ['Tờ khai'], appointmentAt: d.dueAt });
  });

  it('pauses the clock while the applicant supplements and allows only one supplement request', () => {
    const received = applyCommand(dossier(1), { action: 'receive' }, ctx(official, vn('2026-04-20T09:00:00'))).dossier; // due Thu 23/4 09:00
    expect(received.dueAt).toBe(vn('2026-04-23T09:00:00').toISOString());
    const asked = applyCommand(received, sample['request-supplement'], ctx(official, vn('2026-04-21T09:00:00'))).dossier;
    expect(asked.status).toBe(5);
    // the applicant takes 2 working days (Tue 09:00 → Thu 09:00): the appointment moves 2 working days
    const back = applyCommand(asked, { action: 'supplement' }, ctx(applicant, vn('2026-04-23T09:00:00'))).dossier;
    expect(back.status).toBe(2);
    // Fri 24, then the weekend, and Mon 27 is the day given back for Hùng Kings' day (Sunday 26/4): Tue 28
    expect(back.dueAt).toBe(vn('2026-04-28T09:00:00').toISOString());
  });

  it('refuses a second supplement request with a clear reason', () => {
    const d = dossier(4, { supplementRequests: 1, receivedAt: '2026-04-20T02:00:00.000Z', dueAt: '2026-04-23T02:00:00.000Z' });
    let error: AppError | undefined;
    try {
      applyCommand(d, sample['request-supplement'], ctx(official));
    } catch (err) {
      error = err as AppError;
    }
    expect(error && httpStatusOf(error)).toBe(409);
    expect(error?.message).toMatch(/already requested once/);
  });

  it('accepts an apology only before the appointment passes and only for a later date', () => {
    const d = dossier(4, { receivedAt: vn('2026-04-20T09:00:00').toISOString(), dueAt: vn('2026-04-23T09:00:00').toISOString() });
    const apologized = applyCommand(d, { action: 'apologize', reason: 'Cần xác minh', newDueAt: vn('2026-05-05T09:00:00').toISOString() }, ctx(official, vn('2026-04-22T16:00:00'))).dossier;
    expect(apologized.dueAt).toBe(vn('2026-05-05T09:00:00').toISOString());
    expect(apologized.apologies).toHaveLength(1);
    expect(() => applyCommand(d, { action: 'apologize', reason: 'x', newDueAt: vn('2026-05-05T09:00:00').toISOString() }, ctx(official, vn('2026-04-23T09:00:00')))).toThrow(
      expect.objectContaining({ kind: 'conflict' }),
    );
    expect(() => applyCommand(d, { action: 'apologize', reason: 'x', newDueAt: vn('2026-04-22T09:00:00').toISOString() }, ctx(official, vn('2026-04-21T09:00:00')))).toThrow(
      expect.objectContaining({ kind: 'invalid' }),
    );
  });

  it(`refuses an apology that moves the appointment more than ${MAX_APOLOGY_WORKING_DAYS} working days, or to no date at all`, () => {
    // Prepare
    const d = dossier(4, { receivedAt: vn('2026-04-20T09:00:00').toISOString(), dueAt: vn('2026-04-23T09:00:00').toISOString() });
    const apologize = (newDueAt: string) => () => applyCommand(d, { action: 'apologize', reason: 'x', newDueAt }, ctx(official, vn('2026-04-22T16:00:00')));
    // Act / Assert: a year later, and a date that does not parse, are both refused with the field named
    expect(apologize(vn('2027-04-23T09:00:00').toISOString())).toThrow(expect.objectContaining({ kind: 'invalid', details: [expect.objectContaining({ field: 'newDueAt' })] }));
    expect(apologize('not a date')).toThrow(expect.objectContaining({ kind: 'invalid' }));
    expect(apologize(vn('2026-05-20T09:00:00').toISOString())).not.toThrow();
  });

  it('classifies the result against the legal appointment when it is finished', () => {
    const d = dossier(4, { receivedAt: vn('2026-04-20T09:00:00').toISOString(), dueAt: vn('2026-04-23T09:00:00').toISOString() });
    expect(applyCommand(d, { action: 'finish' }, ctx(official, vn('2026-04-22T15:00:00'))).dossier.resultClass).toBe('early');
    expect(applyCommand(d, { action: 'finish' }, ctx(official, vn('2026-04-23T08:59:00'))).dossier.resultClass).toBe('on-time');
    const late = applyCommand(d, { action: 'finish' }, ctx(official, vn('2026-04-23T09:01:00'))).dossier;
    expect(late).toMatchObject({ resultClass: 'late', lateApology: 'without-apology' });
  });

  it('counts a dossier finished after its legal appointment as late even before the apology\'s new date', () => {
    const d = dossier(4, { receivedAt: vn('2026-04-20T09:00:00').toISOString(), dueAt: vn('2026-04-23T09:00:00').toISOString() });
    const apologized = applyCommand(d, { action: 'apologize', reason: 'Cần xác minh', newDueAt: vn('2026-05-05T09:00:00').toISOString() }, ctx(official, vn('2026-04-22T16:00:00'))).dossier;
    const finished = applyCommand(apologized, { action: 'finish' }, ctx(official, vn('2026-04-24T10:00:00'))).dossier;
    expect(finished).toMatchObject({ resultClass: 'late', lateApology: 'with-apology' });
    // an apology does not make an early result late either
    expect(applyCommand(apologized, { action: 'finish' }, ctx(official, vn('2026-04-22T16:30:00'))).dossier).toMatchObject({ resultClass: 'early' });
    expect(applyCommand(apologized, { action: 'finish' }, ctx(official, vn('2026-04-22T16:30:00'))).dossier.lateApology).toBeUndefined();
  });

  it('keeps the legal appointment through an apology: the dossier is overdue once it passes, with its working days left counted to it', () => {
    // received Monday 20/4 09:00 with 3 working days: legally due Thursday 23/4 09:00
    const received = applyCommand(dossier(1, {}), { action: 'receive' }, ctx(official, vn('2026-04-20T09:00:00'))).dossier;
    expect(received).toMatchObject({ dueAt: vn('2026-04-23T09:00:00').toISOString(), legalDueAt: vn('2026-04-23T09:00:00').toISOString() });
    const processing4 = applyCommand(received, { action: 'start-processing' }, ctx(official, vn('2026-04-20T10:00:00'))).dossier;
    const apologized = applyCommand(processing4, { action: 'apologize', reason: 'Cần xác minh', newDueAt: vn('2026-05-05T09:00:00').toISOString() }, ctx(official, vn('2026-04-22T16:00:00'))).dossier;
    expect(apologized.dueAt).toBe(vn('2026-05-05T09:00:00').toISOString());
    expect(apologized.legalDueAt).toBe(vn('2026-04-23T09:00:00').toISOString());
    // Wednesday 16:00 → Thursday 09:00: 1 hour on Wednesday and 2 on Thursday morning = 3/8 of a day
    expect(workingDaysLeft(apologized, vn('2026-04-22T16:00:00'), calendar)).toBe(0.4);
    expect(deadlineStanding(apologized, vn('2026-04-23T09:00:00'))).toBe('not-yet-due');
    // Friday 24/4 10:00: past the legal appointment, before the apology's date: overdue by 1 day and 1 hour
    expect(deadlineStanding(apologized, vn('2026-04-24T10:00:00'))).toBe('overdue');
    expect(workingDaysLeft(apologized, vn('2026-04-24T10:00:00'), calendar)).toBe(-1.1);
    expect(workingDaysLeft({ ...apologized, status: 9 }, vn('2026-04-24T10:00:00'), calendar)).toBeUndefined();
  });

  it('moves the legal appointment by a pause, and freezes the days left while paused', () => {
    const received = applyCommand(dossier(1, {}), { action: 'receive' }, ctx(official, vn('2026-04-20T09:00:00'))).dossier;
    const paused = applyCommand(received, sample['request-supplement'], ctx(official, vn('2026-04-21T09:00:00'))).dossier;
    // two working days were left when the pause began, whatever the date
    expect(workingDaysLeft(paused, vn('2026-04-29T09:00:00'), calendar)).toBe(2);
    expect(deadlineStanding(paused, vn('2026-04-29T09:00:00'))).toBe('not-yet-due');
    // back on Wednesday 22/4 09:00 after one working day: the legal appointment is Friday 24/4 09:00
    const back = applyCommand(paused, sample.supplement, ctx(applicant, vn('2026-04-22T09:00:00'))).dossier;
    expect(back.legalDueAt).toBe(vn('2026-04-24T09:00:00').toISOString());
  });

  it('finds the legal appointment of a dossier stored before the field existed', () => {
    const stored = dossier(4, {
      receivedAt: vn('2026-04-20T09:00:00').toISOString(),
      dueAt: vn('2026-05-05T09:00:00').toISOString(),
      apologies: [{ at: vn('2026-04-22T16:00:00').toISOString(), reason: 'r', previousDueAt: vn('2026-04-23T09:00:00').toISOString(), newDueAt: vn('2026-05-05T09:00:00').toISOString() }],
    });
    expect(legalAppointment(stored, calendar, processing)).toEqual(vn('2026-04-23T09:00:00'));
    expect(legalAppointment(stored)).toEqual(vn('2026-04-23T09:00:00'));
    expect(legalAppointment(dossier(1))).toBeUndefined();
  });

  it('lets the applicant rate once, after the result is returned', () => {
    const rated = applyCommand(dossier(10), { action: 'rate', rating: 'normal', comment: 'Ổn' }, ctx(applicant)).dossier;
    expect(rated.rating).toMatchObject({ value: 'normal', comment: 'Ổn' });
    expect(() => applyCommand(rated, { action: 'rate', rating: 'satisfied' }, ctx(applicant))).toThrow(expect.objectContaining({ kind: 'conflict' }));
  });
});
