import type { Calendar, Service } from '../../provinces/schema.js';
import { statutoryHolidays } from './holidays.js';

/**
 * The deadline calendar: working days, office hours and the due dates of dossiers.
 *
 * Pure: every instant comes in as a `Date` and nothing reads the clock. Vietnam has been UTC+7 all
 * year since 1975 with no daylight saving, so local time is UTC shifted by seven hours and a local day
 * is always 24 hours long; plain arithmetic on epoch milliseconds is exact and needs no time-zone data.
 *
 * Calendars are read once into an index kept per calendar object, so a calendar must not be mutated
 * after its first use (province files are parsed once at start-up, which fits).
 */

export type ProcessingTime = Service['processing'];

/** A stretch of time that does not count against the agency: waiting for a supplement or a payment. */
export interface Pause {
  from: Date;
  /** absent while the pause is still open */
  to?: Date | undefined;
}

export type FinishedClass = 'early' | 'on-time' | 'late';
export type OpenClass = 'not-yet-due' | 'overdue';

export type DayReason = 'working' | 'swapped-working' | 'weekend' | 'holiday' | 'day-off' | 'given-back';

export interface DayStatus {
  working: boolean;
  reason: DayReason;
  /** the holiday, day off or swap as named in the calendar; for a given-back day, the holiday it replaces */
  name?: string;
}

/**
 * Where the days off of a year come from: `confirmed` when the province file holds the year as published
 * by the government (the Prime Minister's and the Ministry of Home Affairs' notices: exact Tết span,
 * swapped Saturdays, extra days off); `statutory` when they are computed from the Labour Code alone,
 * because the year's notices are not in the file yet (or the file marks the year `confirmed: false`).
 */
export type CalendarBasis = 'confirmed' | 'statutory';

export interface CalendarCoverage {
  /** true when every local year touched by the range is confirmed */
  complete: boolean;
  /** `statutory` as soon as one year of the range is */
  basis: CalendarBasis;
  /** the years of the range counted from the statute, without the government's yearly arrangement */
  statutoryYears: number[];
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const UTC_OFFSET_MS = 7 * 60 * MINUTE_MS;
/**
 * No real calendar has ten years without a working day; past this, a broken calendar (every weekday a
 * weekend day, say) would otherwise loop forever.
 */
const MAX_DAYS_WITHOUT_WORK = 3660;

// ---------------------------------------------------------------------------------------------------
// Local time

/** Days since 1970-01-01 in local time: the key every day-level rule uses. */
function localDayOf(ms: number): number {
  return Math.floor((ms + UTC_OFFSET_MS) / DAY_MS);
}

function dayToIso(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function weekdayOf(day: number): number {
  return new Date(day * DAY_MS).getUTCDay();
}

function instantOf(day: number, minuteOfDay: number): number {
  return day * DAY_MS + minuteOfDay * MINUTE_MS - UTC_OFFSET_MS;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Calendar files and callers hand us strings; a date like 2026-02-30 must fail loudly, not roll over. */
function parseDay(localDate: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(localDate);
  if (!match) throw new RangeError(`not a local date (YYYY-MM-DD): "${localDate}"`);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    throw new RangeError(`no such date: "${localDate}"`);
  }
  return ms / DAY_MS;
}

function parseClock(time: string): number {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  if (!match) throw new RangeError(`not a time of day (HH:mm): "${time}"`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** The local calendar date of an instant, e.g. '2026-02-23'. */
export function localDateOf(instant: Date): string {
  return dayToIso(localDayOf(instant.getTime()));
}

/**
 * An instant as local ISO 8601 with the +07:00 offset, e.g. '2026-02-23T07:00:00+07:00', for receipts
 * and anything a person reads; milliseconds appear only when there are some.
 */
export function toLocalIso(instant: Date): string {
  const shifted = new Date(instant.getTime() + UTC_OFFSET_MS);
  const ms = shifted.getUTCMilliseconds();
  return (
    `${shifted.getUTCFullYear()}-${pad(shifted.getUTCMonth() + 1)}-${pad(shifted.getUTCDate())}` +
    `T${pad(shifted.getUTCHours())}:${pad(shifted.getUTCMinutes())}:${pad(shifted.getUTCSeconds())}` +
    (ms ? `.${pad(ms, 3)}` : '') +
    '+07:00'
  );
}

/** Local time as yyyyMMddHHmmss, the format of the national portal's date fields (NgayHenTra…). */
export function toLocalCompact(instant: Date): string {
  return toLocalIso(instant).slice(0, 19).replace(/[-T:]/g, '');
}

/** The instant of a local date and time of day, e.g. localInstant('2026-02-23', '07:00'). */
export function localInstant(localDate: string, time = '00:00'): Date {
  return new Date(instantOf(parseDay(localDate), parseClock(time)));
}

/** Local midnight at the start of a local date. */
export function parseLocalDate(localDate: string): Date {
  return localInstant(localDate);
}

// ---------------------------------------------------------------------------------------------------
// The calendar index

interface YearIndex {
  basis: CalendarBasis;
  holidays: Map<number, string>;
  daysOff: Map<number, string>;
  workingDays: Map<number, string>;
  givenBack: Map<number, string>;
}

interface CalendarIndex {
  /** office periods as [start, end) minutes of the local day */
  periods: [number, number][];
  /** office milliseconds in one working day: the unit of a "working day" */
  workingDayMs: number;
  weekend: Set<number>;
  calendar: Calendar;
  /** filled on first use of each year: a year the file does not hold is computed from the statute */
  years: Map<number, YearIndex>;
}

const indexes = new WeakMap<Calendar, CalendarIndex>();

function indexOf(calendar: Calendar): CalendarIndex {
  const cached = indexes.get(calendar);
  if (cached) return cached;

  const periods: [number, number][] = calendar.officeHours.map(({ start, end }) => [parseClock(start), parseClock(end)]);
  if (periods.length === 0) throw new RangeError('a calendar needs at least one office period');
  for (const [i, [start, end]] of periods.entries()) {
    if (end <= start) throw new RangeError(`office period ${i} ends before it starts`);
    const previous = periods[i - 1];
    if (previous && start < previous[1]) throw new RangeError(`office period ${i} overlaps or precedes the one before`);
  }

  const weekend = new Set(calendar.weekendDays);
  if (weekend.size >= 7) throw new RangeError('every day of the week is a weekend day');

  const index: CalendarIndex = {
    periods,
    workingDayMs: periods.reduce((sum, [start, end]) => sum + (end - start) * MINUTE_MS, 0),
    weekend,
    calendar,
    years: new Map(),
  };
  // Parse every listed year now, so that a bad date in the file fails at start and not on the day it is reached.
  for (const year of Object.keys(calendar.years)) yearIndex(index, Number(year));
  indexes.set(calendar, index);
  return index;
}

function yearIndex(index: CalendarIndex, year: number): YearIndex {
  const cached = index.years.get(year);
  if (cached) return cached;
  const entry = index.calendar.years[String(year)];
  const holidays = new Map<number, string>();
  const daysOff = new Map<number, string>();
  const workingDays = new Map<number, string>();
  // A year in the file replaces the computation whole: the government's arrangement is the final word.
  for (const { date, name } of entry ? entry.holidays : statutoryHolidays(year)) holidays.set(parseDay(date), name);
  for (const { date, name } of entry?.daysOff ?? []) daysOff.set(parseDay(date), name);
  for (const { date, name } of entry?.workingDays ?? []) workingDays.set(parseDay(date), name);
  const built: YearIndex = {
    basis: entry && entry.confirmed !== false ? 'confirmed' : 'statutory',
    holidays,
    daysOff,
    workingDays,
    givenBack: givenBackDays(index.weekend, holidays, daysOff),
  };
  index.years.set(year, built);
  return built;
}

function yearOfDay(day: number): number {
  return new Date(day * DAY_MS).getUTCFullYear();
}

/**
 * Labour Code 2019, art. 111(3): a holiday falling on a weekly day off is given back on the next working
 * day. Holidays are handled in date order so that two weekend holidays give back two distinct days, and
 * a give-back skips days that are already off. The give-back lands on a weekday: a Saturday swapped
 * into a working day is itself the government's arrangement and is not taken back. Only `holidays` give
 * days back; `daysOff` are the government's final list, which already accounts for its own bridges.
 */
function givenBackDays(weekend: Set<number>, holidays: Map<number, string>, daysOff: Map<number, string>): Map<number, string> {
  const givenBack = new Map<number, string>();
  const sorted = [...holidays.entries()].sort(([a], [b]) => a - b);
  for (const [day, name] of sorted) {
    if (!weekend.has(weekdayOf(day))) continue;
    let candidate = day + 1;
    while (weekend.has(weekdayOf(candidate)) || holidays.has(candidate) || daysOff.has(candidate) || givenBack.has(candidate)) {
      candidate += 1;
    }
    givenBack.set(candidate, name);
  }
  return givenBack;
}

function statusOf(index: CalendarIndex, day: number): DayStatus {
  const year = yearIndex(index, yearOfDay(day));
  const holiday = year.holidays.get(day);
  if (holiday !== undefined) return { working: false, reason: 'holiday', name: holiday };
  const dayOff = year.daysOff.get(day);
  if (dayOff !== undefined) return { working: false, reason: 'day-off', name: dayOff };
  const givenBack = year.givenBack.get(day);
  if (givenBack !== undefined) return { working: false, reason: 'given-back', name: givenBack };
  const swapped = year.workingDays.get(day);
  if (swapped !== undefined) return { working: true, reason: 'swapped-working', name: swapped };
  if (index.weekend.has(weekdayOf(day))) return { working: false, reason: 'weekend' };
  return { working: true, reason: 'working' };
}

function isWorking(index: CalendarIndex, day: number): boolean {
  return statusOf(index, day).working;
}

function nextWorkingDayAfter(index: CalendarIndex, day: number): number {
  for (let candidate = day + 1; candidate <= day + MAX_DAYS_WITHOUT_WORK; candidate += 1) {
    if (isWorking(index, candidate)) return candidate;
  }
  throw new RangeError(`no working day within ${MAX_DAYS_WITHOUT_WORK} days after ${dayToIso(day)}`);
}

// ---------------------------------------------------------------------------------------------------
// Days

/**
 * Why a local date is or is not a working day. Precedence: a holiday or day off is off even if it is
 * also listed as a swapped working day; a give-back day is off; a weekend day listed in `workingDays` is
 * worked. A year the calendar does not hold counts the statutory holidays (see `calendarCoverage`).
 */
export function describeDay(calendar: Calendar, localDate: string): DayStatus {
  return statusOf(indexOf(calendar), parseDay(localDate));
}

export function isWorkingDay(calendar: Calendar, localDate: string): boolean {
  return describeDay(calendar, localDate).working;
}

/** The first working day strictly after a local date. */
export function nextWorkingDay(calendar: Calendar, localDate: string): string {
  return dayToIso(nextWorkingDayAfter(indexOf(calendar), parseDay(localDate)));
}

/**
 * Which local years between two instants are counted from the statute rather than from the government's
 * published arrangement. Deadlines in those years are still computed, with the Labour Code's holidays
 * (see `holidays.ts`), so that no dossier is blocked; but the exact Tết span, swapped Saturdays and extra
 * days off are not known yet, so the caller must say so: on the appointment, at start, in an alarm.
 */
export function calendarCoverage(calendar: Calendar, from: Date, to: Date): CalendarCoverage {
  const index = indexOf(calendar);
  const first = Number(localDateOf(from).slice(0, 4));
  const last = Number(localDateOf(to).slice(0, 4));
  const statutoryYears: number[] = [];
  for (let year = Math.min(first, last); year <= Math.max(first, last); year += 1) {
    if (yearIndex(index, year).basis === 'statutory') statutoryYears.push(year);
  }
  const complete = statutoryYears.length === 0;
  return { complete, basis: complete ? 'confirmed' : 'statutory', statutoryYears };
}

/** The basis of the calendar for one local year. */
export function yearBasis(calendar: Calendar, year: number): CalendarBasis {
  return yearIndex(indexOf(calendar), year).basis;
}

/**
 * The coverage of every appointment that could be issued at `now`: from now to the furthest due date of
 * the given procedures received now. What the start-up warning and the cloud metric report: a dossier
 * received today whose deadline reaches a year without the government's arrangement.
 */
export function appointmentHorizon(calendar: Calendar, services: readonly Pick<Service, 'processing'>[], now: Date): CalendarCoverage & { until: Date } {
  let until = now;
  for (const { processing } of services) {
    const due = dueDate(calendar, now, processing);
    if (due.getTime() > until.getTime()) until = due;
  }
  return { ...calendarCoverage(calendar, now, until), until };
}

// ---------------------------------------------------------------------------------------------------
// Office time

type Interval = [number, number];

/** Office periods of working days, in order, from an instant on; the first is cut at `fromMs`. */
function* officeForward(index: CalendarIndex, fromMs: number): Generator<Interval> {
  let idle = 0;
  for (let day = localDayOf(fromMs); ; day += 1) {
    if (!isWorking(index, day)) {
      idle += 1;
      if (idle > MAX_DAYS_WITHOUT_WORK) throw new RangeError(`no working day within ${MAX_DAYS_WITHOUT_WORK} days`);
      continue;
    }
    idle = 0;
    for (const [startMinute, endMinute] of index.periods) {
      const end = instantOf(day, endMinute);
      if (end <= fromMs) continue;
      yield [Math.max(instantOf(day, startMinute), fromMs), end];
    }
  }
}

/** Office periods of working days, newest first, before an instant; the first is cut at `toMs`. */
function* officeBackward(index: CalendarIndex, toMs: number): Generator<Interval> {
  const newestFirst = [...index.periods].reverse();
  let idle = 0;
  for (let day = localDayOf(toMs); ; day -= 1) {
    if (!isWorking(index, day)) {
      idle += 1;
      if (idle > MAX_DAYS_WITHOUT_WORK) throw new RangeError(`no working day within ${MAX_DAYS_WITHOUT_WORK} days`);
      continue;
    }
    idle = 0;
    for (const [startMinute, endMinute] of newestFirst) {
      const start = instantOf(day, startMinute);
      if (start >= toMs) continue;
      yield [start, Math.min(instantOf(day, endMinute), toMs)];
    }
  }
}

/** Cuts pauses sorted by start out of a stream of sorted intervals; overlapping pauses count once. */
function* without(intervals: Iterable<Interval>, pauses: Interval[]): Generator<Interval> {
  for (const [start, end] of intervals) {
    let cursor = start;
    for (const [pauseStart, pauseEnd] of pauses) {
      if (pauseEnd <= cursor) continue;
      if (pauseStart >= end) break;
      if (pauseStart > cursor) yield [cursor, pauseStart];
      cursor = Math.max(cursor, pauseEnd);
      if (cursor >= end) break;
    }
    if (cursor < end) yield [cursor, end];
  }
}

/**
 * Walks counting intervals until `amountMs` is used up. When it runs out exactly at the end of an
 * interval, the due instant is that end (11:30, 17:00), not the start of the next period: the deadline
 * is the last office minute that completes the amount, which is also what a citizen expects to read.
 */
function consume(intervals: Iterable<Interval>, amountMs: number): number {
  let remaining = amountMs;
  for (const [start, end] of intervals) {
    if (remaining <= end - start) return start + remaining;
    remaining -= end - start;
  }
  throw new Error('unreachable: office time is unbounded');
}

function toAmountMs(days: number, unitMs: number): number {
  if (!Number.isFinite(days) || days < 0) throw new RangeError(`a duration must be a finite, non-negative number of days, got ${days}`);
  return Math.round(days * unitMs);
}

/** Pauses as intervals sorted by start; an open pause ends at `now`, or is ignored without it. */
function normalisePauses(pauses: readonly Pause[], now: Date | undefined): Interval[] {
  return pauses
    .map(({ from, to }): Interval => [from.getTime(), (to ?? now ?? from).getTime()])
    .filter(([start, end]) => end > start)
    .sort(([a], [b]) => a - b);
}

/** Office milliseconds in one working day (8 hours with the default office hours). */
export function workingDayLength(calendar: Calendar): number {
  return indexOf(calendar).workingDayMs;
}

/**
 * When counting starts for a dossier received at an instant: at once during office hours on a working
 * day; otherwise at the start of the next office period (13:30 when received at lunch, the next
 * working morning when received after hours or on a day off). Periods are half-open: a dossier
 * received at 11:30 sharp starts at 13:30 and one received at 17:00 starts the next working morning.
 */
export function startOfCounting(calendar: Calendar, receivedAt: Date): Date {
  const first = officeForward(indexOf(calendar), receivedAt.getTime()).next();
  if (first.done) throw new Error('unreachable: office time is unbounded');
  return new Date(first.value[0]);
}

/**
 * The instant at which `days` working days of office time have elapsed from `start`. A working day is
 * the office time of one day (8 h by default), so 0.5 is four office hours; time outside office hours
 * and on days off does not count. Received 09:00 Monday with 1 working day: due 09:00 Tuesday.
 * Received Friday 16:00 with 3: one hour on Friday, Monday, Tuesday, and seven hours on Wednesday, so
 * due Wednesday 16:00. Counting from 07:00 Monday, 1 working day ends at 17:00 Monday (see `consume`).
 * A start outside office hours counts from `startOfCounting(start)`, and 0 days gives that instant.
 */
export function addWorkingDays(calendar: Calendar, start: Date, days: number): Date {
  const index = indexOf(calendar);
  return new Date(consume(officeForward(index, start.getTime()), toAmountMs(days, index.workingDayMs)));
}

/**
 * The mirror of `addWorkingDays`: the latest instant from which `days` working days of office time
 * reach `end`. When the amount runs out exactly at the start of a period, the answer is the end of the
 * period before (Monday 17:00 rather than Tuesday 07:00): the same office time, but it leaves the whole
 * working day for whoever is warned.
 */
export function subtractWorkingDays(calendar: Calendar, end: Date, days: number): Date {
  const index = indexOf(calendar);
  let remaining = toAmountMs(days, index.workingDayMs);
  for (const [start, stop] of officeBackward(index, end.getTime())) {
    if (remaining < stop - start) return new Date(stop - remaining);
    remaining -= stop - start;
  }
  throw new Error('unreachable: office time is unbounded');
}

/**
 * Office time between two instants, in working days (fractional), e.g. for the average resolution
 * time. Negative when `to` is before `from`, so that sums over intervals stay consistent.
 */
export function workingTimeBetween(calendar: Calendar, from: Date, to: Date): number {
  const index = indexOf(calendar);
  return officeMsBetween(index, from.getTime(), to.getTime()) / index.workingDayMs;
}

function officeMsBetween(index: CalendarIndex, fromMs: number, toMs: number): number {
  if (toMs < fromMs) return -officeMsBetween(index, toMs, fromMs);
  let total = 0;
  for (const [start, end] of officeForward(index, fromMs)) {
    if (start >= toMs) break;
    total += Math.min(end, toMs) - start;
  }
  return total;
}

/**
 * Civil Code 2015, art. 147–148: a period counted in days ends at the end of its last day, and when
 * that day is a weekly rest day or a holiday, at the end of the next working day. For an agency the end
 * of a day is the end of its office hours. Only the day of `ms` matters, which keeps deadlines
 * monotonic: were the exact instant kept on working days, a 6-day period ending on a Sunday would be
 * due (Monday 17:00) after a 7-day period ending on Monday morning.
 */
function endOfLastDay(index: CalendarIndex, ms: number): number {
  const day = localDayOf(ms);
  const lastPeriod = index.periods[index.periods.length - 1];
  if (!lastPeriod) throw new Error('unreachable: a calendar has office periods');
  return instantOf(isWorking(index, day) ? day : nextWorkingDayAfter(index, day), lastPeriod[1]);
}

/**
 * Calendar-day procedures: the last day is the local day of `start` + N × 24 h, weekends and holidays
 * included (so the day of reception is not counted, as art. 147 requires); the deadline is the end of
 * office hours on that day, or on the next working day when that day is off (see `endOfLastDay`).
 * A fraction of a day only decides which day is the last.
 */
export function addCalendarDays(calendar: Calendar, start: Date, days: number): Date {
  const index = indexOf(calendar);
  return new Date(endOfLastDay(index, start.getTime() + toAmountMs(days, DAY_MS)));
}

/**
 * The appointment date of a dossier: processing time counted from `startOfCounting(receivedAt)` (for
 * both units: a dossier submitted online on Saturday night is received on Monday morning), leaving
 * out the time spent in pauses (supplement requested, waiting for a payment).
 *
 * - Working-day procedures: only office time outside pauses counts, so a pause shifts the due date by
 *   the office time it covers. A supplement that arrives on Saturday resumes counting on Monday 07:00.
 * - Calendar-day procedures: all time outside pauses counts, which decides the last day; the deadline
 *   is then the end of that day, or of the next working day (`addCalendarDays`).
 * - Only the part of a pause that lies between the start of counting and the due date matters: a pause
 *   before reception or after the deadline has passed does not move it (the dossier was already late).
 * - An open pause (no `to`) counts up to `now` when given, so the result is the due date if the pause
 *   ended now. Without `now` it counts nothing, and the result is the earliest possible due date.
 * - Overlapping pauses count once.
 */
export function dueDate(
  calendar: Calendar,
  receivedAt: Date,
  processing: ProcessingTime,
  pauses: readonly Pause[] = [],
  now?: Date,
): Date {
  const index = indexOf(calendar);
  const start = startOfCounting(calendar, receivedAt).getTime();
  const paused = normalisePauses(pauses, now);

  if (processing.unit === 'working-days') {
    return new Date(consume(without(officeForward(index, start), paused), toAmountMs(processing.amount, index.workingDayMs)));
  }
  const unbounded: Iterable<Interval> = {
    *[Symbol.iterator]() {
      yield [start, Number.MAX_SAFE_INTEGER];
    },
  };
  return new Date(endOfLastDay(index, consume(without(unbounded, paused), toAmountMs(processing.amount, DAY_MS))));
}

// ---------------------------------------------------------------------------------------------------
// Classification and reminders

/**
 * How a finished dossier is counted in the figures. "Trước hạn" (early) means finished on a local day
 * before the due day; "đúng hạn" (on time) means on the due day up to and including the due instant;
 * "trễ hạn" (late) means after the due instant. Days are local (UTC+7) days: 06:30 on the due day is on
 * time, not early, even though it is still the previous day in UTC.
 */
export function classifyFinished(finishedAt: Date, dueAt: Date): FinishedClass {
  if (finishedAt.getTime() > dueAt.getTime()) return 'late';
  if (localDayOf(finishedAt.getTime()) < localDayOf(dueAt.getTime())) return 'early';
  return 'on-time';
}

/** A dossier still in progress is overdue once `now` is past the due instant; at the instant it is not. */
export function classifyOpen(now: Date, dueAt: Date): OpenClass {
  return now.getTime() > dueAt.getTime() ? 'overdue' : 'not-yet-due';
}

/**
 * When to remind the agency that a dossier is about to be late: one working day of office time before
 * the deadline, so that the apology (form 04, with a new date) can still go out before the deadline
 * passes, as Decree 61/2018 requires.
 */
export function reminderInstant(calendar: Calendar, dueAt: Date): Date {
  return subtractWorkingDays(calendar, dueAt, 1);
}

/**
 * The warning to give (at start, in the logs, as a metric) when an appointment issued at `now` for one
 * of `services` could be counted on a year without the government's arrangement; undefined when none.
 */
export function calendarWarning(
  calendar: Calendar,
  services: readonly Pick<Service, 'processing'>[],
  now: Date,
): { statutoryYears: number[]; message: string } | undefined {
  const horizon = appointmentHorizon(calendar, services, now);
  if (horizon.complete) return undefined;
  const years = horizon.statutoryYears.join(', ');
  return {
    statutoryYears: horizon.statutoryYears,
    message:
      `holidays of ${years} are computed from the Labour Code 2019 (art. 112, lunar calendar at UTC+7): the government's ` +
      `arrangement (Tết span, swapped working days) is not in the province file; appointments issued now up to ` +
      `${localDateOf(horizon.until)} are marked calendarBasis "statutory" and may move once it is added`,
  };
}
