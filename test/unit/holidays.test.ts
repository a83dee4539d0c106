import { describe, expect, it } from 'vitest';
import { loadProvince } from '../../provinces/load.js';
import { calendarSchema } from '../../provinces/schema.js';
import { lunarNewYear, lunarToJulianDay, isoOfJulianDay, solarToLunar } from '../../functions/domain/lunar.js';
import { lunarYearName, statutoryHolidays } from '../../functions/domain/holidays.js';
import { calendarCoverage, calendarWarning, describeDay, dueDate, isWorkingDay, localInstant, toLocalIso, yearBasis } from '../../functions/domain/calendar.js';
import { applyCommand, type WorkflowDossier } from '../../functions/domain/workflow.js';
import { Status } from '../../functions/domain/status.js';

/** A calendar with no year at all: every holiday comes from the statute. */
const statutory = calendarSchema.parse({ years: {} });
const langSon = loadProvince('lang-son');

const offDays = (calendar: typeof statutory, from: string, to: string): string[] => {
  const days: string[] = [];
  for (let d = new Date(`${from}T00:00:00Z`); d <= new Date(`${to}T00:00:00Z`); d = new Date(d.getTime() + 86_400_000)) {
    const iso = d.toISOString().slice(0, 10);
    if (!isWorkingDay(calendar, iso)) days.push(iso);
  }
  return days;
};

/** The run of consecutive days off that contains a date (a holiday break with its weekends). */
const breakAround = (calendar: typeof statutory, date: string): string[] => {
  const day = (iso: string, by: number) => new Date(new Date(`${iso}T00:00:00Z`).getTime() + by * 86_400_000).toISOString().slice(0, 10);
  let first = date;
  while (!isWorkingDay(calendar, day(first, -1))) first = day(first, -1);
  let last = date;
  while (!isWorkingDay(calendar, day(last, 1))) last = day(last, 1);
  return offDays(calendar, first, last);
};

describe('the Vietnamese lunar calendar (UTC+7)', () => {
  // Mùng 1 Tết as published in Vietnam. 1985 and 2007 are the years where the Chinese calendar (UTC+8)
  // has another day (20 February 1985, 18 February 2007); 2030 is the next one (3 February in China).
  const publishedTet: Record<number, string> = {
    1985: '1985-01-21',
    2007: '2007-02-17',
    2018: '2018-02-16',
    2019: '2019-02-05',
    2020: '2020-01-25',
    2021: '2021-02-12',
    2022: '2022-02-01',
    2023: '2023-01-22',
    2024: '2024-02-10',
    2025: '2025-01-29',
    2026: '2026-02-17',
    2027: '2027-02-06',
    2028: '2028-01-26',
    2029: '2029-02-13',
    2030: '2030-02-02',
  };
  for (const [year, date] of Object.entries(publishedTet)) {
    it(`finds Tết ${year} (${lunarYearName(Number(year))}) on ${date}`, () => {
      expect(lunarNewYear(Number(year))).toBe(date);
    });
  }

  it('finds the Hùng Kings day (10/3 lunar) of 2018–2026 on the published dates', () => {
    const published = ['2018-04-25', '2019-04-14', '2020-04-02', '2021-04-21', '2022-04-10', '2023-04-29', '2024-04-18', '2025-04-07', '2026-04-26'];
    const computed = published.map((_, i) => isoOfJulianDay(lunarToJulianDay({ day: 10, month: 3, year: 2018 + i, leap: false })!));
    expect(computed).toEqual(published);
  });

  it('reads a leap month: 2023 had a leap second month (nhuận tháng 2, from 22 March)', () => {
    expect(solarToLunar(21, 3, 2023)).toEqual({ day: 30, month: 2, year: 2023, leap: false });
    expect(solarToLunar(22, 3, 2023)).toEqual({ day: 1, month: 2, year: 2023, leap: true });
    expect(lunarToJulianDay({ day: 1, month: 5, year: 2023, leap: true })).toBeUndefined();
  });

  it('names the lunar years with their stem and branch', () => {
    expect([lunarYearName(2025), lunarYearName(2026), lunarYearName(2027)]).toEqual(['Ất Tỵ', 'Bính Ngọ', 'Đinh Mùi']);
  });
});

describe('statutory holidays (Labour Code 2019, art. 112)', () => {
  it('lists the eleven days of 2027: Tết Đinh Mùi from the last day of Bính Ngọ, and 2/9 with 3/9 (2/9 is a Thursday)', () => {
    expect(statutoryHolidays(2027).map((h) => h.date)).toEqual([
      '2027-01-01',
      '2027-02-05',
      '2027-02-06',
      '2027-02-07',
      '2027-02-08',
      '2027-02-09',
      '2027-04-16',
      '2027-04-30',
      '2027-05-01',
      '2027-09-02',
      '2027-09-03',
    ]);
    expect(statutoryHolidays(2027)[1]!.name).toBe('Tết Nguyên đán (29 tháng Chạp, ngày cuối năm Bính Ngọ)');
  });

  it('gives the Tết days falling on the weekend of 2027 back on Wednesday 10 and Thursday 11 February', () => {
    expect(offDays(statutory, '2027-02-04', '2027-02-12')).toEqual(['2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11']);
    expect(describeDay(statutory, '2027-02-11')).toEqual({ working: false, reason: 'given-back', name: 'Tết Nguyên đán (mùng 2 tháng Giêng)' });
  });

  // The Quốc khánh breaks the government published for civil servants 2021–2025, and 2029 (a Sunday).
  const quocKhanh: [number, string[]][] = [
    [2021, ['2021-09-02', '2021-09-03', '2021-09-04', '2021-09-05']], // Thu: 2/9 + 3/9
    [2022, ['2022-09-01', '2022-09-02', '2022-09-03', '2022-09-04']], // Fri: 1/9 + 2/9
    [2023, ['2023-09-01', '2023-09-02', '2023-09-03', '2023-09-04']], // Sat: 1/9 + 2/9, 2/9 given back on Monday 4/9
    [2024, ['2024-08-31', '2024-09-01', '2024-09-02', '2024-09-03']], // Mon: 2/9 + 3/9
    [2025, ['2025-08-30', '2025-08-31', '2025-09-01', '2025-09-02']], // Tue: 1/9 + 2/9
    [2029, ['2029-09-01', '2029-09-02', '2029-09-03', '2029-09-04']], // Sun: both on the weekend, given back Mon and Tue
  ];
  for (const [year, days] of quocKhanh) {
    it(`gives the Quốc khánh break of ${year} as published (${days[0]} to ${days.at(-1)})`, () => {
      expect(breakAround(statutory, `${year}-09-02`)).toEqual(days);
    });
  }

  it('gives 1/5/2027, a Saturday, back on Monday 3 May', () => {
    expect(describeDay(statutory, '2027-05-03')).toEqual({ working: false, reason: 'given-back', name: 'Ngày Quốc tế Lao động (1/5)' });
  });

  it('counts Quốc khánh as 2/9 alone before the Labour Code 2019 took effect (2018)', () => {
    expect(statutoryHolidays(2018).filter((h) => h.date.startsWith('2018-09'))).toEqual([{ date: '2018-09-02', name: 'Quốc khánh (2/9)' }]);
    // 2/9/2018 was a Sunday: given back on Monday 3/9
    expect(describeDay(statutory, '2018-09-03').reason).toBe('given-back');
  });

  it('counts Tết 2018 as days off in a replay of 2018 (15–21 February with the give-back)', () => {
    expect(offDays(statutory, '2018-02-14', '2018-02-22')).toEqual(['2018-02-15', '2018-02-16', '2018-02-17', '2018-02-18', '2018-02-19', '2018-02-20', '2018-02-21']);
  });

  it('agrees with the Tết days the government confirmed for 2026', () => {
    const fileTet = langSon.calendar.years['2026']!.holidays.filter((h) => h.name.startsWith('Tết Nguyên đán')).map((h) => h.date);
    expect(statutoryHolidays(2026).filter((h) => h.name.startsWith('Tết Nguyên đán')).map((h) => h.date)).toEqual(fileTet);
  });
});

describe('the province files', () => {
  for (const id of ['lang-son', 'lai-chau']) {
    const province = loadProvince(id);
    it(`${id}: follows the 2026 arrangement (2/1 off for Saturday 10/1; 31/8 off for Saturday 22/8; Hùng Kings given back on 27/4)`, () => {
      const cal = province.calendar;
      expect(describeDay(cal, '2026-01-02').reason).toBe('day-off');
      expect(describeDay(cal, '2026-01-10').reason).toBe('swapped-working');
      expect(describeDay(cal, '2026-08-22').reason).toBe('swapped-working');
      expect(offDays(cal, '2026-08-28', '2026-09-04')).toEqual(['2026-08-29', '2026-08-30', '2026-08-31', '2026-09-01', '2026-09-02']);
      expect(offDays(cal, '2026-02-13', '2026-02-23')).toEqual([
        '2026-02-14', '2026-02-15', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-02-21', '2026-02-22',
      ]);
      expect(describeDay(cal, '2026-04-27').reason).toBe('given-back');
      expect(yearBasis(cal, 2026)).toBe('confirmed');
    });

    it(`${id}: holds 2027 as the statute's dates, marked unconfirmed until the government publishes its arrangement`, () => {
      const entry = province.calendar.years['2027']!;
      expect(entry.confirmed).toBe(false);
      expect(entry.holidays).toEqual(statutoryHolidays(2027));
      expect(yearBasis(province.calendar, 2027)).toBe('statutory');
    });
  }

  it('lets the file override the statute: Tết 2025 was set to 28 Chạp–mùng 3 (27–31 January), not 28 January–1 February', () => {
    expect(statutoryHolidays(2025).filter((h) => h.name.startsWith('Tết Nguyên đán')).map((h) => h.date)).toEqual(['2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31', '2025-02-01']);
    expect(isWorkingDay(langSon.calendar, '2025-01-27')).toBe(false);
    expect(isWorkingDay(langSon.calendar, '2025-02-03')).toBe(true);
  });
});

describe('a dossier across 31/12/2026 – January 2027', () => {
  const receivedAt = localInstant('2026-12-31', '09:00');
  const processing = { amount: 20, unit: 'working-days' as const };

  it('skips 1/1/2027 (computed from the statute) and says the appointment is statutory', () => {
    // Thu 31/12: 6 office hours; Fri 1/1 holiday; 19 working days from Mon 4/1 to Thu 28/1; 2 hours on Fri 29/1.
    const due = dueDate(langSon.calendar, receivedAt, processing);
    expect(toLocalIso(due)).toBe('2027-01-29T09:00:00+07:00');
    expect(calendarCoverage(langSon.calendar, receivedAt, due)).toEqual({ complete: false, basis: 'statutory', statutoryYears: [2027] });
  });

  it('records the basis on the receipt and the dossier at reception', () => {
    const dossier = { code: 'X-261231-0001', status: Status.Submitted, version: 1, agencyId: 'so-tu-phap', applicantSubject: 's' } as unknown as WorkflowDossier;
    const received = applyCommand(dossier, { action: 'receive' }, { actor: { kind: 'official', subject: 'o', agencyId: 'so-tu-phap' }, now: receivedAt, calendar: langSon.calendar, processing });
    expect(received.dossier.calendarBasis).toBe('statutory');
    expect(received.dossier.receipt?.calendarBasis).toBe('statutory');
    expect(received.dossier.dueAt).toBe(new Date('2027-01-29T02:00:00Z').toISOString());
    const june = applyCommand(dossier, { action: 'receive' }, { actor: { kind: 'official', subject: 'o', agencyId: 'so-tu-phap' }, now: localInstant('2026-06-01', '09:00'), calendar: langSon.calendar, processing });
    expect(june.dossier.calendarBasis).toBe('confirmed');
  });

  it('warns in December 2026 that appointments reach 2027, and not in June 2026', () => {
    const december = calendarWarning(langSon.calendar, langSon.services, receivedAt);
    expect(december?.statutoryYears).toEqual([2027]);
    expect(december?.message).toMatch(/2027.*Labour Code/);
    expect(calendarWarning(langSon.calendar, langSon.services, localInstant('2026-06-01', '09:00'))).toBeUndefined();
  });
});
