import { isoOfJulianDay, lunarToJulianDay, solarToLunar } from './lunar.js';

/**
 * The public holidays of a year as the statute alone sets them, for the years whose yearly arrangement
 * the province file does not hold. Pure.
 *
 * Labour Code 2019 (Law 45/2019/QH14), art. 112(1), in force from 1 January 2021:
 *   a) Tết Dương lịch: 1 day (1 January);
 *   b) Tết Âm lịch: 5 days;
 *   c) Ngày Chiến thắng: 1 day (30 April);
 *   d) Ngày Quốc tế lao động: 1 day (1 May);
 *   đ) Quốc khánh: 2 days (2 September and one day before or after it);
 *   e) Giỗ Tổ Hùng Vương: 1 day (10th day of the 3rd lunar month).
 * Art. 112(3) leaves the exact Tết days and the day beside 2 September to the Prime Minister each year;
 * art. 111(3) gives a holiday falling on a weekly day off back on the next working day (applied by
 * `calendar.ts`, not here). For the years 2013–2020 the Labour Code 2012 (art. 115) applied, identical
 * except that Quốc khánh was 2 September alone. Earlier years are computed with the 2012 rules too.
 *
 * Where the statute leaves a choice, the computation takes the one the government has taken in recent
 * years, so that an unconfirmed year is as close as can be to what will be published:
 * - Tết: the last day of the old lunar year and the first four days of the new one (the split of every
 *   Labour Code guidance and of most yearly notices; 2025 chose 28 Chạp–mùng 3 instead);
 * - Quốc khánh: 1 September, except when 2 September is a Monday or a Thursday, where 3 September joins
 *   the break to the weekend instead (the Prime Minister's choices 2021–2026: Thu→3/9, Fri→1/9, Sat→1/9,
 *   Mon→3/9, Tue→1/9, Wed→1/9).
 */

export interface NamedDate {
  date: string;
  name: string;
}

const STEMS = ['Giáp', 'Ất', 'Bính', 'Đinh', 'Mậu', 'Kỷ', 'Canh', 'Tân', 'Nhâm', 'Quý'] as const;
const BRANCHES = ['Tý', 'Sửu', 'Dần', 'Mão', 'Thìn', 'Tỵ', 'Ngọ', 'Mùi', 'Thân', 'Dậu', 'Tuất', 'Hợi'] as const;

/** The sexagenary name of a lunar year, e.g. 2027 → "Đinh Mùi". */
export function lunarYearName(year: number): string {
  return `${STEMS[(((year + 6) % 10) + 10) % 10]} ${BRANCHES[(((year + 8) % 12) + 12) % 12]}`;
}

/** From 2021 the Labour Code 2019 applies; the day beside 2 September came with it. */
const LABOUR_CODE_2019_FROM = 2021;

function iso(year: number, month: number, day: number): string {
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function weekdayOf(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

/** The five Tết days of the lunar year starting in Gregorian year `year`: the old year's last day, then mùng 1–4. */
export function statutoryTet(year: number): NamedDate[] {
  const newYear = lunarToJulianDay({ day: 1, month: 1, year, leap: false });
  if (newYear === undefined) throw new Error(`unreachable: lunar year ${year} has a first month`);
  const eve = solarToLunar(...dayMonthYear(newYear - 1));
  const old = lunarYearName(year - 1);
  const next = lunarYearName(year);
  return [
    { date: isoOfJulianDay(newYear - 1), name: `Tết Nguyên đán (${eve.day} tháng Chạp, ngày cuối năm ${old})` },
    { date: isoOfJulianDay(newYear), name: `Tết Nguyên đán (mùng 1 tháng Giêng năm ${next})` },
    { date: isoOfJulianDay(newYear + 1), name: 'Tết Nguyên đán (mùng 2 tháng Giêng)' },
    { date: isoOfJulianDay(newYear + 2), name: 'Tết Nguyên đán (mùng 3 tháng Giêng)' },
    { date: isoOfJulianDay(newYear + 3), name: 'Tết Nguyên đán (mùng 4 tháng Giêng)' },
  ];
}

function dayMonthYear(jd: number): [number, number, number] {
  const [y, m, d] = isoOfJulianDay(jd).split('-').map(Number) as [number, number, number];
  return [d, m, y];
}

/** The holidays of Gregorian year `year` under the statute, in date order, before any give-back. */
export function statutoryHolidays(year: number): NamedDate[] {
  if (!Number.isInteger(year) || year < 1900 || year > 2199) throw new RangeError(`no statutory calendar for year ${year}`);
  const hungKings = lunarToJulianDay({ day: 10, month: 3, year, leap: false });
  if (hungKings === undefined) throw new Error(`unreachable: lunar year ${year} has a third month`);
  const days: NamedDate[] = [
    { date: iso(year, 1, 1), name: 'Tết Dương lịch' },
    ...statutoryTet(year),
    { date: isoOfJulianDay(hungKings), name: 'Giỗ Tổ Hùng Vương (10/3 âm lịch)' },
    { date: iso(year, 4, 30), name: 'Ngày Chiến thắng (30/4)' },
    { date: iso(year, 5, 1), name: 'Ngày Quốc tế Lao động (1/5)' },
  ];
  if (year >= LABOUR_CODE_2019_FROM) {
    const weekday = weekdayOf(year, 9, 2);
    const after = weekday === 1 || weekday === 4;
    days.push(
      after
        ? { date: iso(year, 9, 2), name: 'Quốc khánh (2/9)' }
        : { date: iso(year, 9, 1), name: 'Quốc khánh (ngày liền kề trước 2/9)' },
      after ? { date: iso(year, 9, 3), name: 'Quốc khánh (ngày liền kề sau 2/9)' } : { date: iso(year, 9, 2), name: 'Quốc khánh (2/9)' },
    );
  } else {
    days.push({ date: iso(year, 9, 2), name: 'Quốc khánh (2/9)' });
  }
  return days.sort((a, b) => a.date.localeCompare(b.date));
}
