import { describe, expect, test } from 'vitest';
import { daysUntil, deadlineView } from '../../web/src/deadline.js';

// 2026-12-02 10:00 in Vietnam (03:00 UTC)
const now = Date.parse('2026-12-02T03:00:00Z');

describe('the inbox deadline column', () => {
  test('counts Vietnam-local calendar days: 23:30 local tonight is today, 00:30 local is tomorrow', () => {
    expect(daysUntil('2026-12-02T16:30:00Z', now)).toBe(0);
    expect(daysUntil('2026-12-02T17:30:00Z', now)).toBe(1);
    expect(daysUntil('2026-11-30T10:00:00+07:00', now)).toBe(-2);
  });

  test('is ok beyond two days, near due at two days or less, overdue once the appointment has passed', () => {
    expect(deadlineView({ dueAt: '2026-12-07T17:00:00+07:00', standing: 'not-yet-due', statusCode: 4 }, now)).toEqual({ kind: 'ok', daysLeft: 5 });
    expect(deadlineView({ dueAt: '2026-12-04T17:00:00+07:00', standing: 'not-yet-due', statusCode: 4 }, now)).toEqual({ kind: 'near', daysLeft: 2 });
    expect(deadlineView({ dueAt: '2026-12-02T17:00:00+07:00', standing: 'not-yet-due', statusCode: 2 }, now)).toEqual({ kind: 'near', daysLeft: 0 });
    expect(deadlineView({ dueAt: '2026-12-02T09:00:00+07:00', standing: 'not-yet-due', statusCode: 2 }, now)).toEqual({ kind: 'overdue', daysLate: 0 });
    expect(deadlineView({ dueAt: '2026-11-28T17:00:00+07:00', standing: 'overdue', statusCode: 4 }, now)).toEqual({ kind: 'overdue', daysLate: 4 });
  });

  test('believes the API when it says overdue, and shows how a closed dossier ended instead of a countdown', () => {
    expect(deadlineView({ dueAt: '2026-12-09T17:00:00+07:00', standing: 'overdue', statusCode: 4 }, now).kind).toBe('overdue');
    expect(deadlineView({ dueAt: '2026-12-09T17:00:00+07:00', standing: 'early', statusCode: 10 }, now)).toEqual({ kind: 'closed', standing: 'early' });
    expect(deadlineView({ dueAt: '2026-11-01T17:00:00+07:00', standing: 'late', statusCode: 9 }, now)).toEqual({ kind: 'closed', standing: 'late' });
    expect(deadlineView({ standing: 'no-deadline', statusCode: 3 }, now)).toEqual({ kind: 'closed', standing: 'no-deadline' });
    expect(deadlineView({ standing: 'no-deadline', statusCode: 1 }, now)).toEqual({ kind: 'none' });
  });

  test('counts the working days the API gives when it gives them, and still believes its overdue', () => {
    // the appointment is 5 calendar days away, but a weekend and a holiday leave 2 working days
    expect(deadlineView({ dueAt: '2026-12-07T17:00:00+07:00', standing: 'not-yet-due', statusCode: 4, workingDaysLeft: 2 }, now)).toEqual({ kind: 'near', daysLeft: 2, working: true });
    expect(deadlineView({ dueAt: '2026-12-14T17:00:00+07:00', standing: 'not-yet-due', statusCode: 4, workingDaysLeft: 8 }, now)).toEqual({ kind: 'ok', daysLeft: 8, working: true });
    expect(deadlineView({ dueAt: '2026-11-30T17:00:00+07:00', standing: 'overdue', statusCode: 4, workingDaysLeft: -2 }, now)).toEqual({ kind: 'overdue', daysLate: 2, working: true });
    expect(deadlineView({ dueAt: '2026-12-09T17:00:00+07:00', standing: 'overdue', statusCode: 2, workingDaysLeft: 3 }, now)).toEqual({ kind: 'overdue', daysLate: 0, working: true });
    // closed dossiers and dossiers without an appointment are unchanged by it
    expect(deadlineView({ dueAt: '2026-12-09T17:00:00+07:00', standing: 'early', statusCode: 10, workingDaysLeft: 5 }, now)).toEqual({ kind: 'closed', standing: 'early' });
    expect(deadlineView({ standing: 'no-deadline', statusCode: 1, workingDaysLeft: 5 }, now)).toEqual({ kind: 'none' });
  });
});
