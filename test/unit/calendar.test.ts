import { describe, expect, it } from 'vitest';
import { calendarSchema, type Calendar } from '../../provinces/schema.js';
import {
  addCalendarDays,
  addWorkingDays,
  calendarCoverage,
  classifyFinished,
  classifyOpen,
  describeDay,
  dueDate,
  isWorkingDay,
  localDateOf,
  localInstant,
  nextWorkingDay,
  parseLocalDate,
  reminderInstant,
  startOfCounting,
  subtractWorkingDays,
  toLocalCompact,
  toLocalIso,
  workingDayLength,
  workingTimeBetween,
} from '../../functions/domain/calendar.js';

/** '2026-03-09 09:00' in Vietnam time */
function at(local: string): Date {
  const [date = '', time = '00:00'] = local.split(' ');
  return localInstant(date, time);
}

function iso(instant: Date): string {
  return toLocalIso(instant);
}

const named = (dates: string[], name: string) => dates.map((date) => ({ date, name }));

/**
 * The real 2025 and 2026 calendars of a civil servant. Tết 2026 (14–22 Feb) is listed either as
 * holidays or as government days off, to check both lead to the same deadlines.
 */
function vietnam(tet2026As: 'holidays' | 'daysOff' = 'holidays'): Calendar {
  const tet2026 = named(['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20'], 'Tết Nguyên đán Bính Ngọ');
  return calendarSchema.parse({
    years: {
      '2025': {
        holidays: [
          { date: '2025-01-01', name: 'Tết Dương lịch' },
          { date: '2025-04-07', name: 'Giỗ Tổ Hùng Vương' },
          { date: '2025-04-30', name: 'Ngày Giải phóng miền Nam' },
          { date: '2025-05-01', name: 'Ngày Quốc tế Lao động' },
          { date: '2025-09-01', name: 'Quốc khánh (ngày liền kề)' },
          { date: '2025-09-02', name: 'Quốc khánh' },
        ],
        daysOff: [
          ...named(['2025-01-27', '2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31'], 'Tết Nguyên đán Ất Tỵ'),
          { date: '2025-05-02', name: 'Nghỉ hoán đổi 30/4–1/5' },
        ],
        workingDays: [{ date: '2025-04-26', name: 'Làm bù cho thứ Sáu 2/5' }],
      },
      '2026': {
        holidays: [
          { date: '2026-01-01', name: 'Tết Dương lịch' },
          ...(tet2026As === 'holidays' ? tet2026 : []),
          { date: '2026-04-26', name: 'Giỗ Tổ Hùng Vương' },
          { date: '2026-04-30', name: 'Ngày Giải phóng miền Nam' },
          { date: '2026-05-01', name: 'Ngày Quốc tế Lao động' },
          { date: '2026-09-01', name: 'Quốc khánh (ngày liền kề)' },
          { date: '2026-09-02', name: 'Quốc khánh' },
        ],
        daysOff: tet2026As === 'daysOff' ? tet2026 : [],
      },
    },
  });
}

const cal = vietnam();
const bothTetKinds = [
  ['holidays', vietnam('holidays')],
  ['daysOff', vietnam('daysOff')],
] as const;

/** Deterministic pseudo-random numbers (mulberry32), so a failing case can be replayed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('local time', () => {
  it('formats an instant in Vietnam time with the +07:00 offset', () => {
    expect(toLocalIso(new Date('2026-02-23T00:00:00Z'))).toBe('2026-02-23T07:00:00+07:00');
    expect(toLocalIso(new Date('2026-02-22T17:30:00Z'))).toBe('2026-02-23T00:30:00+07:00');
  });

  it('shows milliseconds only when there are some', () => {
    expect(toLocalIso(new Date('2026-02-23T00:00:00.250Z'))).toBe('2026-02-23T07:00:00.250+07:00');
  });

  it('formats the national portal timestamp as local yyyyMMddHHmmss', () => {
    expect(toLocalCompact(new Date('2020-02-03T02:15:09Z'))).toBe('20200203091509');
  });

  it('reads a local date and time as the instant seven hours earlier in UTC', () => {
    expect(localInstant('2026-02-23', '07:00').toISOString()).toBe('2026-02-23T00:00:00.000Z');
    expect(parseLocalDate('2026-02-23').toISOString()).toBe('2026-02-22T17:00:00.000Z');
  });

  it('gives the local date of an instant, which differs from the UTC date after 17:00 UTC', () => {
    expect(localDateOf(new Date('2026-02-22T17:00:00Z'))).toBe('2026-02-23');
    expect(localDateOf(new Date('2026-02-22T16:59:59Z'))).toBe('2026-02-22');
  });

  it('rejects dates that do not exist instead of rolling them over', () => {
    expect(() => parseLocalDate('2026-02-30')).toThrow(RangeError);
    expect(() => parseLocalDate('2026-2-3')).toThrow(RangeError);
    expect(() => localInstant('2026-02-23', '24:00')).toThrow(RangeError);
    expect(() => isWorkingDay(cal, '2025-13-01')).toThrow(RangeError);
  });
});

describe('working days', () => {
  it('counts an ordinary weekday as a working day and Saturday and Sunday as days off', () => {
    expect(isWorkingDay(cal, '2026-03-09')).toBe(true);
    expect(describeDay(cal, '2026-03-07')).toEqual({ working: false, reason: 'weekend' });
    expect(describeDay(cal, '2026-03-08')).toEqual({ working: false, reason: 'weekend' });
  });

  it('takes New Year 2026, a Thursday, off and works the Friday after', () => {
    expect(describeDay(cal, '2026-01-01')).toEqual({ working: false, reason: 'holiday', name: 'Tết Dương lịch' });
    expect(isWorkingDay(cal, '2026-01-02')).toBe(true);
  });

  it.each(bothTetKinds)('takes the whole of Tết 2026, 14 to 22 February, off when Tết is listed as %s', (_kind, calendar) => {
    for (let day = 14; day <= 22; day += 1) expect(isWorkingDay(calendar, `2026-02-${day}`)).toBe(false);
    expect(isWorkingDay(calendar, '2026-02-13')).toBe(true);
    expect(isWorkingDay(calendar, '2026-02-23')).toBe(true);
  });

  it('tells a government day off from a public holiday', () => {
    expect(describeDay(vietnam('daysOff'), '2026-02-17').reason).toBe('day-off');
    expect(describeDay(vietnam('holidays'), '2026-02-17').reason).toBe('holiday');
  });

  it("gives Hùng Kings' day 2026, a Sunday, back on Monday 27 April", () => {
    expect(describeDay(cal, '2026-04-26')).toEqual({ working: false, reason: 'holiday', name: 'Giỗ Tổ Hùng Vương' });
    expect(describeDay(cal, '2026-04-27')).toEqual({ working: false, reason: 'given-back', name: 'Giỗ Tổ Hùng Vương' });
    expect(isWorkingDay(cal, '2026-04-28')).toBe(true);
  });

  it('takes 30 April and 1 May 2026 (Thursday and Friday) off without giving anything back', () => {
    expect(isWorkingDay(cal, '2026-04-29')).toBe(true);
    expect(isWorkingDay(cal, '2026-04-30')).toBe(false);
    expect(isWorkingDay(cal, '2026-05-01')).toBe(false);
    expect(isWorkingDay(cal, '2026-05-04')).toBe(true);
  });

  it('takes National Day 2026, 2 September, and the adjacent 1 September off', () => {
    expect(isWorkingDay(cal, '2026-08-31')).toBe(true);
    expect(isWorkingDay(cal, '2026-09-01')).toBe(false);
    expect(isWorkingDay(cal, '2026-09-02')).toBe(false);
    expect(isWorkingDay(cal, '2026-09-03')).toBe(true);
  });

  it('works a Saturday swapped into a working day and takes the swapped Friday off (26 April / 2 May 2025)', () => {
    expect(describeDay(cal, '2025-04-26')).toEqual({ working: true, reason: 'swapped-working', name: 'Làm bù cho thứ Sáu 2/5' });
    expect(describeDay(cal, '2025-05-02').reason).toBe('day-off');
  });

  it('gives New Year 2023, a Sunday, back on Monday 2 January', () => {
    const calendar = calendarSchema.parse({ years: { '2023': { holidays: [{ date: '2023-01-01', name: 'Tết Dương lịch' }] } } });
    expect(describeDay(calendar, '2023-01-02').reason).toBe('given-back');
    expect(isWorkingDay(calendar, '2023-01-03')).toBe(true);
  });

  it('gives two holidays on one weekend back on the Monday and the Tuesday', () => {
    const calendar = calendarSchema.parse({
      years: { '2026': { holidays: named(['2026-06-06', '2026-06-07'], 'Ngày lễ thử') } },
    });
    expect(describeDay(calendar, '2026-06-08').reason).toBe('given-back');
    expect(describeDay(calendar, '2026-06-09').reason).toBe('given-back');
    expect(isWorkingDay(calendar, '2026-06-10')).toBe(true);
  });

  it('gives a weekend holiday back after the days that are already off', () => {
    const calendar = calendarSchema.parse({
      years: {
        '2026': {
          holidays: named(['2026-02-14', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20'], 'Tết'),
        },
      },
    });
    expect(isWorkingDay(calendar, '2026-02-20')).toBe(false);
    expect(describeDay(calendar, '2026-02-23')).toEqual({ working: false, reason: 'given-back', name: 'Tết' });
    expect(isWorkingDay(calendar, '2026-02-24')).toBe(true);
  });

  it('gives nothing back for a government day off that falls on a weekend', () => {
    const calendar = calendarSchema.parse({ years: { '2026': { daysOff: [{ date: '2026-06-06', name: 'Nghỉ' }] } } });
    expect(isWorkingDay(calendar, '2026-06-08')).toBe(true);
  });

  it('counts the statutory holidays in a year the calendar does not list', () => {
    expect(describeDay(cal, '2027-01-01')).toEqual({ working: false, reason: 'holiday', name: 'Tết Dương lịch' });
    expect(isWorkingDay(cal, '2027-01-04')).toBe(true);
  });

  it('finds the next working day after a long holiday', () => {
    expect(nextWorkingDay(cal, '2026-02-13')).toBe('2026-02-23');
    expect(nextWorkingDay(cal, '2026-04-24')).toBe('2026-04-28');
  });
});

describe('calendar coverage', () => {
  it('reports a range inside listed years as complete', () => {
    expect(calendarCoverage(cal, at('2025-06-01 10:00'), at('2026-12-31 23:59'))).toEqual({ complete: true, basis: 'confirmed', statutoryYears: [] });
  });

  it('reports the years a deadline crosses that the calendar does not list', () => {
    expect(calendarCoverage(cal, at('2026-12-20 10:00'), at('2028-01-05 10:00'))).toEqual({ complete: false, basis: 'statutory', statutoryYears: [2027, 2028] });
  });

  it('uses local years, so 31 December 23:00 in Vietnam is still the old year', () => {
    expect(calendarCoverage(cal, at('2026-12-31 23:00'), at('2026-12-31 23:30')).complete).toBe(true);
  });
});

describe('start of counting', () => {
  it('starts at once for a dossier received during office hours', () => {
    expect(iso(startOfCounting(cal, at('2026-03-09 09:15')))).toBe('2026-03-09T09:15:00+07:00');
  });

  it('starts at once at 07:00 sharp, the first office minute', () => {
    expect(iso(startOfCounting(cal, at('2026-03-09 07:00')))).toBe('2026-03-09T07:00:00+07:00');
  });

  it('starts at 07:00 the same day for a dossier received before office hours', () => {
    expect(iso(startOfCounting(cal, at('2026-03-09 05:45')))).toBe('2026-03-09T07:00:00+07:00');
  });

  it('starts at 13:30 for a dossier received at lunch, including at 11:30 sharp', () => {
    expect(iso(startOfCounting(cal, at('2026-03-09 12:10')))).toBe('2026-03-09T13:30:00+07:00');
    expect(iso(startOfCounting(cal, at('2026-03-09 11:30')))).toBe('2026-03-09T13:30:00+07:00');
  });

  it('starts the next working morning for a dossier received after hours, including at 17:00 sharp', () => {
    expect(iso(startOfCounting(cal, at('2026-03-09 17:00')))).toBe('2026-03-10T07:00:00+07:00');
    expect(iso(startOfCounting(cal, at('2026-03-09 22:30')))).toBe('2026-03-10T07:00:00+07:00');
  });

  it('starts on Monday morning for a dossier received on Friday evening or on Saturday', () => {
    expect(iso(startOfCounting(cal, at('2026-03-13 17:30')))).toBe('2026-03-16T07:00:00+07:00');
    expect(iso(startOfCounting(cal, at('2026-03-14 10:00')))).toBe('2026-03-16T07:00:00+07:00');
  });

  it.each(bothTetKinds)('starts after Tết for a dossier received during Tết listed as %s', (_kind, calendar) => {
    expect(iso(startOfCounting(calendar, at('2026-02-13 17:05')))).toBe('2026-02-23T07:00:00+07:00');
    expect(iso(startOfCounting(calendar, at('2026-02-18 09:00')))).toBe('2026-02-23T07:00:00+07:00');
  });

  it('starts on Tuesday for a dossier received on the Monday given back for a Sunday holiday', () => {
    expect(iso(startOfCounting(cal, at('2026-04-27 09:00')))).toBe('2026-04-28T07:00:00+07:00');
  });
});

describe('adding working days', () => {
  it('makes a dossier received 09:00 Monday with 1 working day due 09:00 Tuesday', () => {
    expect(iso(addWorkingDays(cal, at('2026-03-09 09:00'), 1))).toBe('2026-03-10T09:00:00+07:00');
  });

  it('makes a dossier received Friday 16:00 with 3 working days due Wednesday 16:00, skipping the weekend', () => {
    expect(iso(addWorkingDays(cal, at('2026-03-13 16:00'), 3))).toBe('2026-03-18T16:00:00+07:00');
  });

  it('ends a full day counted from 07:00 at 17:00 the same day, not at 07:00 the next', () => {
    expect(iso(addWorkingDays(cal, at('2026-03-09 07:00'), 1))).toBe('2026-03-09T17:00:00+07:00');
  });

  it('ends at 11:30, not 13:30, when the time runs out at the end of the morning', () => {
    expect(iso(addWorkingDays(cal, at('2026-03-09 12:00'), 1))).toBe('2026-03-10T11:30:00+07:00');
  });

  it('counts half a working day as four office hours, skipping lunch', () => {
    expect(iso(addWorkingDays(cal, at('2026-03-09 09:00'), 0.5))).toBe('2026-03-09T15:00:00+07:00');
    expect(iso(addWorkingDays(cal, at('2026-03-09 09:00'), 1.5))).toBe('2026-03-10T15:00:00+07:00');
  });

  it('counts from the next working morning for a dossier received after hours', () => {
    expect(iso(addWorkingDays(cal, at('2026-03-09 18:00'), 1))).toBe('2026-03-10T17:00:00+07:00');
  });

  it('counts from Monday morning for a dossier received on Saturday', () => {
    expect(iso(addWorkingDays(cal, at('2026-03-14 10:00'), 1))).toBe('2026-03-16T17:00:00+07:00');
  });

  it('gives the start of counting for zero days', () => {
    expect(iso(addWorkingDays(cal, at('2026-03-14 10:00'), 0))).toBe('2026-03-16T07:00:00+07:00');
    expect(iso(addWorkingDays(cal, at('2026-03-09 10:00'), 0))).toBe('2026-03-09T10:00:00+07:00');
  });

  it('refuses a negative or non-finite number of days', () => {
    expect(() => addWorkingDays(cal, at('2026-03-09 10:00'), -1)).toThrow(RangeError);
    expect(() => addWorkingDays(cal, at('2026-03-09 10:00'), Number.NaN)).toThrow(RangeError);
  });

  it.each(bothTetKinds)('skips the nine days of Tết 2026 listed as %s for 1, 3, 5 and 15 working days', (_kind, calendar) => {
    const received = at('2026-02-12 10:00');
    expect(iso(addWorkingDays(calendar, received, 1))).toBe('2026-02-13T10:00:00+07:00');
    expect(iso(addWorkingDays(calendar, received, 3))).toBe('2026-02-24T10:00:00+07:00');
    expect(iso(addWorkingDays(calendar, received, 5))).toBe('2026-02-26T10:00:00+07:00');
    expect(iso(addWorkingDays(calendar, received, 15))).toBe('2026-03-12T10:00:00+07:00');
  });

  it('skips the given-back Monday and 30 April–1 May 2026', () => {
    const received = at('2026-04-24 10:00');
    expect(iso(addWorkingDays(cal, received, 1))).toBe('2026-04-28T10:00:00+07:00');
    expect(iso(addWorkingDays(cal, received, 3))).toBe('2026-05-04T10:00:00+07:00');
    expect(iso(addWorkingDays(cal, received, 5))).toBe('2026-05-06T10:00:00+07:00');
  });

  it('skips 1 and 2 September 2026', () => {
    expect(iso(addWorkingDays(cal, at('2026-08-31 10:00'), 1))).toBe('2026-09-03T10:00:00+07:00');
  });

  it('skips New Year across the turn of the year', () => {
    expect(iso(addWorkingDays(cal, at('2025-12-31 10:00'), 1))).toBe('2026-01-02T10:00:00+07:00');
  });

  it('counts a swapped working Saturday and skips the Friday it paid for', () => {
    const received = at('2025-04-25 10:00');
    expect(iso(addWorkingDays(cal, received, 1))).toBe('2025-04-26T10:00:00+07:00');
    expect(iso(addWorkingDays(cal, received, 2))).toBe('2025-04-28T10:00:00+07:00');
    expect(iso(addWorkingDays(cal, received, 3))).toBe('2025-04-29T10:00:00+07:00');
    expect(iso(addWorkingDays(cal, received, 4))).toBe('2025-05-05T10:00:00+07:00');
  });

  it('skips both days given back for two holidays on one weekend', () => {
    const calendar = calendarSchema.parse({
      years: { '2026': { holidays: named(['2026-06-06', '2026-06-07'], 'Ngày lễ thử') } },
    });
    expect(iso(addWorkingDays(calendar, at('2026-06-05 10:00'), 1))).toBe('2026-06-10T10:00:00+07:00');
  });

  it("measures a working day by the province's own office hours", () => {
    const calendar = calendarSchema.parse({
      officeHours: [
        { start: '07:30', end: '11:30' },
        { start: '13:00', end: '16:00' },
      ],
      years: {},
    });
    expect(workingDayLength(calendar)).toBe(7 * 3_600_000);
    expect(iso(addWorkingDays(calendar, at('2026-03-09 07:30'), 1))).toBe('2026-03-09T16:00:00+07:00');
    expect(iso(addWorkingDays(calendar, at('2026-03-09 10:30'), 1))).toBe('2026-03-10T10:30:00+07:00');
    expect(iso(startOfCounting(calendar, at('2026-03-09 07:10')))).toBe('2026-03-09T07:30:00+07:00');
  });

  it('refuses office hours that overlap or run backwards', () => {
    const overlapping = calendarSchema.parse({
      officeHours: [
        { start: '07:00', end: '12:00' },
        { start: '11:00', end: '17:00' },
      ],
      years: {},
    });
    const backwards = calendarSchema.parse({ officeHours: [{ start: '17:00', end: '07:00' }], years: {} });
    expect(() => addWorkingDays(overlapping, at('2026-03-09 09:00'), 1)).toThrow(RangeError);
    expect(() => addWorkingDays(backwards, at('2026-03-09 09:00'), 1)).toThrow(RangeError);
  });

  it('refuses a calendar in which every day is a weekend day', () => {
    const calendar = calendarSchema.parse({ weekendDays: [0, 1, 2, 3, 4, 5, 6], years: {} });
    expect(() => addWorkingDays(calendar, at('2026-03-09 09:00'), 1)).toThrow(RangeError);
  });
});

describe('subtracting working days', () => {
  it('goes back over a weekend', () => {
    expect(iso(subtractWorkingDays(cal, at('2026-03-16 09:00'), 1))).toBe('2026-03-13T09:00:00+07:00');
  });

  it('lands on the end of the previous afternoon rather than the start of the morning', () => {
    expect(iso(subtractWorkingDays(cal, at('2026-03-10 17:00'), 1))).toBe('2026-03-09T17:00:00+07:00');
  });
});

describe('adding calendar days', () => {
  it('ends at the end of office hours on the last day, weekends counted', () => {
    expect(iso(addCalendarDays(cal, at('2026-03-02 09:00'), 4))).toBe('2026-03-06T17:00:00+07:00');
    expect(iso(addCalendarDays(cal, at('2026-03-02 09:00'), 7))).toBe('2026-03-09T17:00:00+07:00');
  });

  it('moves a period ending on a Sunday to the end of office hours on Monday', () => {
    expect(iso(addCalendarDays(cal, at('2026-03-02 09:00'), 6))).toBe('2026-03-09T17:00:00+07:00');
  });

  it('moves a period ending on a Saturday to the end of office hours on Monday too', () => {
    expect(iso(addCalendarDays(cal, at('2026-03-02 09:00'), 5))).toBe('2026-03-09T17:00:00+07:00');
  });

  it('moves a period ending during Tết to the end of the first working day after it', () => {
    expect(iso(addCalendarDays(cal, at('2026-02-10 09:00'), 7))).toBe('2026-02-23T17:00:00+07:00');
  });

  it('moves a period ending on the given-back Monday to the end of Tuesday', () => {
    expect(iso(addCalendarDays(cal, at('2026-04-20 09:00'), 7))).toBe('2026-04-28T17:00:00+07:00');
  });

  it('ends on the swapped working Saturday itself, since it is a working day', () => {
    expect(iso(addCalendarDays(cal, at('2025-04-19 09:00'), 7))).toBe('2025-04-26T17:00:00+07:00');
  });

  it('uses a fraction of a day only to find the last day', () => {
    expect(iso(addCalendarDays(cal, at('2026-03-02 09:00'), 0.5))).toBe('2026-03-02T17:00:00+07:00');
    expect(iso(addCalendarDays(cal, at('2026-03-02 09:00'), 0.75))).toBe('2026-03-03T17:00:00+07:00');
  });
});

describe('due date', () => {
  const fiveWorkingDays = { amount: 5, unit: 'working-days' } as const;

  it('is the start of counting plus the processing time when nothing paused the dossier', () => {
    expect(iso(dueDate(cal, at('2026-03-02 09:00'), fiveWorkingDays))).toBe('2026-03-09T09:00:00+07:00');
    expect(iso(dueDate(cal, at('2026-03-14 10:00'), fiveWorkingDays))).toBe('2026-03-20T17:00:00+07:00');
  });

  it('counts a calendar-day procedure from the start of counting too', () => {
    expect(iso(dueDate(cal, at('2026-03-07 20:00'), { amount: 10, unit: 'calendar-days' }))).toBe('2026-03-19T17:00:00+07:00');
  });

  it('shifts the due date by exactly 3 working days for a supplement pause of 3 working days', () => {
    const received = at('2026-03-02 09:00');
    const unpaused = dueDate(cal, received, fiveWorkingDays);
    const pause = { from: at('2026-03-03 09:00'), to: at('2026-03-06 09:00') };
    const paused = dueDate(cal, received, fiveWorkingDays, [pause]);
    expect(workingTimeBetween(cal, pause.from, pause.to)).toBe(3);
    expect(iso(paused)).toBe('2026-03-12T09:00:00+07:00');
    expect(workingTimeBetween(cal, unpaused, paused)).toBe(3);
  });

  it('resumes counting on Monday morning when the supplement arrives on Saturday', () => {
    const pause = { from: at('2026-03-05 09:00'), to: at('2026-03-07 10:00') };
    expect(workingTimeBetween(cal, pause.from, pause.to)).toBe(1.75);
    expect(iso(dueDate(cal, at('2026-03-02 09:00'), fiveWorkingDays, [pause]))).toBe('2026-03-10T17:00:00+07:00');
  });

  it('counts an open pause up to now', () => {
    const pause = { from: at('2026-03-04 09:00') };
    expect(iso(dueDate(cal, at('2026-03-02 09:00'), fiveWorkingDays, [pause], at('2026-03-06 09:00')))).toBe('2026-03-11T09:00:00+07:00');
  });

  it('counts nothing for an open pause when no now is given, giving the earliest possible due date', () => {
    expect(iso(dueDate(cal, at('2026-03-02 09:00'), fiveWorkingDays, [{ from: at('2026-03-04 09:00') }]))).toBe('2026-03-09T09:00:00+07:00');
  });

  it('counts overlapping pauses once', () => {
    const pauses = [
      { from: at('2026-03-03 09:00'), to: at('2026-03-05 09:00') },
      { from: at('2026-03-04 09:00'), to: at('2026-03-06 09:00') },
    ];
    expect(iso(dueDate(cal, at('2026-03-02 09:00'), fiveWorkingDays, pauses))).toBe('2026-03-12T09:00:00+07:00');
  });

  it('ignores the part of a pause before reception and a pause after the deadline', () => {
    const received = at('2026-03-02 09:00');
    const before = { from: at('2026-02-27 09:00'), to: at('2026-03-03 09:00') };
    expect(iso(dueDate(cal, received, fiveWorkingDays, [before]))).toBe('2026-03-10T09:00:00+07:00');
    const after = { from: at('2026-03-09 09:00'), to: at('2026-03-12 09:00') };
    expect(iso(dueDate(cal, received, fiveWorkingDays, [after]))).toBe('2026-03-09T09:00:00+07:00');
  });

  it('skips Tết inside a pause, counting only the office time the pause covered', () => {
    const pause = { from: at('2026-02-13 10:00'), to: at('2026-02-24 10:00') };
    expect(iso(dueDate(cal, at('2026-02-12 10:00'), fiveWorkingDays, [pause]))).toBe('2026-03-02T10:00:00+07:00');
  });

  it('shifts a calendar-day procedure by the calendar time spent in a pause', () => {
    const tenDays = { amount: 10, unit: 'calendar-days' } as const;
    const received = at('2026-03-02 09:00');
    expect(iso(dueDate(cal, received, tenDays))).toBe('2026-03-12T17:00:00+07:00');
    const oneDay = { from: at('2026-03-04 09:00'), to: at('2026-03-05 09:00') };
    expect(iso(dueDate(cal, received, tenDays, [oneDay]))).toBe('2026-03-13T17:00:00+07:00');
  });

  it('applies the day-off rule after a pause pushes a calendar-day deadline onto a Saturday', () => {
    const twoDays = { from: at('2026-03-04 09:00'), to: at('2026-03-06 09:00') };
    expect(iso(dueDate(cal, at('2026-03-02 09:00'), { amount: 10, unit: 'calendar-days' }, [twoDays]))).toBe('2026-03-16T17:00:00+07:00');
  });
});

describe('working time between two instants', () => {
  it('measures an hour as an eighth of a working day', () => {
    expect(workingTimeBetween(cal, at('2026-03-09 09:00'), at('2026-03-09 10:00'))).toBe(0.125);
  });

  it('leaves lunch out', () => {
    expect(workingTimeBetween(cal, at('2026-03-09 11:00'), at('2026-03-09 14:00'))).toBe(0.125);
  });

  it('leaves nights and the weekend out', () => {
    expect(workingTimeBetween(cal, at('2026-03-13 16:00'), at('2026-03-16 08:00'))).toBe(0.25);
  });

  it('counts the nine days of Tết as nothing', () => {
    expect(workingTimeBetween(cal, at('2026-02-13 07:00'), at('2026-02-23 07:00'))).toBe(1);
  });

  it('is zero outside office hours and between equal instants', () => {
    expect(workingTimeBetween(cal, at('2026-03-14 08:00'), at('2026-03-15 16:00'))).toBe(0);
    expect(workingTimeBetween(cal, at('2026-03-09 09:00'), at('2026-03-09 09:00'))).toBe(0);
  });

  it('is negative when the instants are in reverse order', () => {
    expect(workingTimeBetween(cal, at('2026-03-10 09:00'), at('2026-03-09 09:00'))).toBe(-1);
  });
});

describe('classification', () => {
  const due = at('2026-03-10 09:00');

  it('counts a dossier finished exactly at the due instant as on time', () => {
    expect(classifyFinished(due, due)).toBe('on-time');
  });

  it('counts a dossier finished one minute after the due instant as late', () => {
    expect(classifyFinished(at('2026-03-10 09:01'), due)).toBe('late');
  });

  it('counts a dossier finished earlier on the due day as on time', () => {
    expect(classifyFinished(at('2026-03-10 07:05'), due)).toBe('on-time');
  });

  it('counts a dossier finished on a day before the due day as early', () => {
    expect(classifyFinished(at('2026-03-09 23:59'), due)).toBe('early');
  });

  it('uses Vietnam days: 06:30 on the due day is on time though it is the day before in UTC', () => {
    const finished = at('2026-03-10 06:30');
    expect(finished.getUTCDate()).toBe(9);
    expect(classifyFinished(finished, due)).toBe('on-time');
  });

  it('keeps an open dossier not yet due at the due instant and overdue one minute later', () => {
    expect(classifyOpen(due, due)).toBe('not-yet-due');
    expect(classifyOpen(at('2026-03-10 09:01'), due)).toBe('overdue');
    expect(classifyOpen(at('2026-03-01 09:00'), due)).toBe('not-yet-due');
  });
});

describe('apology reminder', () => {
  it('fires one working day before the deadline', () => {
    expect(iso(reminderInstant(cal, at('2026-03-10 09:00')))).toBe('2026-03-09T09:00:00+07:00');
  });

  it('fires on Friday for a deadline on Monday', () => {
    expect(iso(reminderInstant(cal, at('2026-03-16 09:00')))).toBe('2026-03-13T09:00:00+07:00');
  });

  it('fires before Tết for a deadline just after it', () => {
    expect(iso(reminderInstant(cal, at('2026-02-23 10:00')))).toBe('2026-02-13T10:00:00+07:00');
  });

  it('fires on Friday for a deadline on the Tuesday after a given-back Monday', () => {
    expect(iso(reminderInstant(cal, at('2026-04-28 10:00')))).toBe('2026-04-24T10:00:00+07:00');
  });

  it('fires at 17:00 the day before for a deadline at 17:00', () => {
    expect(iso(reminderInstant(cal, at('2026-03-10 17:00')))).toBe('2026-03-09T17:00:00+07:00');
  });

  it('fires at the last office minute before a deadline that a calendar-day procedure put on a weekend night', () => {
    expect(iso(reminderInstant(cal, at('2026-03-14 21:00')))).toBe('2026-03-12T17:00:00+07:00');
  });
});

describe('properties over random dossiers', () => {
  const calendars = [
    ['Tết as holidays', vietnam('holidays')],
    ['Tết as days off', vietnam('daysOff')],
  ] as const;
  const from = at('2025-01-01 00:00').getTime();
  const span = at('2026-12-01 00:00').getTime() - from;

  function randomStart(random: () => number): Date {
    // whole minutes, as dossiers are stamped, anywhere in the day including nights and weekends
    return new Date(from + Math.floor((random() * span) / 60_000) * 60_000);
  }

  /** Instants are whole milliseconds, so a random fraction of a day is met to within half of one. */
  function expectSameOfficeTime(calendar: Calendar, actualDays: number, expectedDays: number): void {
    expect(Math.abs(actualDays - expectedDays) * workingDayLength(calendar)).toBeLessThanOrEqual(0.5);
  }

  function randomDays(random: () => number): number {
    const kind = random();
    if (kind < 0.5) return Math.floor(random() * 31);
    if (kind < 0.8) return Math.floor(random() * 61) / 4;
    return random() * 30;
  }

  it.each(calendars)('finds exactly N working days between the start of counting and the due date (%s)', (_name, calendar) => {
    const random = seeded(20260216);
    for (let i = 0; i < 400; i += 1) {
      const start = startOfCounting(calendar, randomStart(random));
      const days = randomDays(random);
      const due = addWorkingDays(calendar, start, days);
      expectSameOfficeTime(calendar, workingTimeBetween(calendar, start, due), days);
    }
  });

  it.each(calendars)('never moves the due date earlier when the processing time grows (%s)', (_name, calendar) => {
    const random = seeded(3004);
    for (let i = 0; i < 200; i += 1) {
      const received = randomStart(random);
      const amounts = [randomDays(random), randomDays(random), randomDays(random)].sort((a, b) => a - b);
      const dues = amounts.map((days) => addWorkingDays(calendar, received, days).getTime());
      expect(dues).toEqual([...dues].sort((a, b) => a - b));
      const calendarDues = amounts.map((days) => addCalendarDays(calendar, received, days).getTime());
      expect(calendarDues).toEqual([...calendarDues].sort((a, b) => a - b));
    }
  });

  it.each(calendars)('comes back to the start of counting when subtracting what was added (%s)', (_name, calendar) => {
    const random = seeded(29);
    for (let i = 0; i < 300; i += 1) {
      const start = startOfCounting(calendar, randomStart(random));
      const days = Math.floor(random() * 20) + random();
      const back = subtractWorkingDays(calendar, addWorkingDays(calendar, start, days), days);
      expect(startOfCounting(calendar, back).getTime()).toBe(start.getTime());
    }
  });

  it.each(calendars)('keeps N working days of counted time outside a random pause (%s)', (_name, calendar) => {
    const random = seeded(107);
    for (let i = 0; i < 200; i += 1) {
      const received = randomStart(random);
      const start = startOfCounting(calendar, received);
      const days = Math.floor(random() * 20) + 1;
      const pauseFrom = new Date(start.getTime() + random() * days * 2 * 86_400_000);
      const pauseTo = new Date(pauseFrom.getTime() + random() * 20 * 86_400_000);
      const due = dueDate(calendar, received, { amount: days, unit: 'working-days' }, [{ from: pauseFrom, to: pauseTo }]);
      const clippedTo = new Date(Math.min(pauseTo.getTime(), due.getTime()));
      const pausedInside = due.getTime() > pauseFrom.getTime() ? workingTimeBetween(calendar, pauseFrom, clippedTo) : 0;
      expectSameOfficeTime(calendar, workingTimeBetween(calendar, start, due) - pausedInside, days);
    }
  });

  it.each(calendars)('reminds so that one working day is left before the deadline (%s)', (_name, calendar) => {
    const random = seeded(612018);
    for (let i = 0; i < 200; i += 1) {
      const due = addWorkingDays(calendar, randomStart(random), 1 + Math.floor(random() * 10));
      const reminder = reminderInstant(calendar, due);
      expect(reminder.getTime()).toBeLessThan(due.getTime());
      expect(workingTimeBetween(calendar, reminder, due)).toBeCloseTo(1, 9);
    }
  });
});
