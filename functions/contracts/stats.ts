import * as z from 'zod/mini';
import { meta } from '../domain/zod-setup.js';

/** Request and answer shapes of the statistics routes (GET /stats, GET /stats/agencies). */

const realDay = (v: string) => {
  const t = Date.parse(`${v}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === v;
};
const day = /* @__PURE__ */ (() => z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'a local date as YYYY-MM-DD'), z.refine(realDay, 'not a real date')))();
const month = /* @__PURE__ */ (() => z.string().check(z.regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM')))();
const dayOrMonth = /* @__PURE__ */ (() => z.union([day, month]))();

const periodShape = /* @__PURE__ */ (() => ({
  day: meta(z.optional(day), { description: 'one local day (Asia/Ho_Chi_Minh), YYYY-MM-DD' }),
  month: meta(z.optional(month), { description: 'one month, YYYY-MM' }),
  year: meta(z.optional(z.string().check(z.regex(/^\d{4}$/, 'a year as YYYY'))), { description: 'one year, YYYY' }),
  from: meta(z.optional(dayOrMonth), { description: 'first day or month of a range (with to; both days or both months, inclusive)' }),
  to: meta(z.optional(dayOrMonth), { description: 'last day or month of a range, inclusive' }),
}))();

type PeriodInput = { day?: string | undefined; month?: string | undefined; year?: string | undefined; from?: string | undefined; to?: string | undefined };

/** At most one way of naming the period; none means the current year. */
function checkPeriod(q: PeriodInput, ctx: z.core.$RefinementCtx): void {
  const given = (['day', 'month', 'year'] as const).filter((k) => q[k] !== undefined);
  const range = q.from !== undefined || q.to !== undefined;
  if (given.length + (range ? 1 : 0) > 1) {
    ctx.addIssue({ code: 'custom', path: [given[1] ?? 'from'], message: 'give one of day, month, year or from/to' });
    return;
  }
  if (range) {
    if (q.from === undefined) ctx.addIssue({ code: 'custom', path: ['from'], message: 'required with to' });
    else if (q.to === undefined) ctx.addIssue({ code: 'custom', path: ['to'], message: 'required with from' });
    else if (q.from.length !== q.to.length) ctx.addIssue({ code: 'custom', path: ['to'], message: 'from and to must both be days or both be months' });
    else if (q.to < q.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
  }
}

export const statsScopeSchema = /* @__PURE__ */ (() =>
  meta(z.string().check(z.regex(/^(province|agency:[a-z0-9-]{1,40}|service:[A-Za-z0-9.]{1,40})$/, 'province, agency:<id> or service:<id>')), {
    description: 'province (default), agency:<agency id> or service:<service id>',
  }))();

export const statsQuerySchema = /* @__PURE__ */ (() =>
  z
    .strictObject({
      scope: z._default(statsScopeSchema, 'province'),
      ...periodShape,
      shape: meta(z.optional(z.enum(['cohort', 'report'])), {
        description:
          'cohort (default): the figures of the dossiers received in the period, followed to now; report: the period balance of Circular 01/2018/TT-VPCP (carried over + received = to handle; resolved; open at the end)',
      }),
      format: meta(z.optional(z.enum(['json', 'csv'])), { description: 'csv for text/csv (or send Accept: text/csv)' }),
    })
    .check(z.superRefine(checkPeriod)))();

export const statsAgenciesQuerySchema = /* @__PURE__ */ (() => z.strictObject({ ...periodShape, format: z.optional(z.enum(['json', 'csv'])) }).check(z.superRefine(checkPeriod)))();

const count = /* @__PURE__ */ (() => z.number().check(z.int(), z.nonnegative()))();
const rate = /* @__PURE__ */ (() => meta(z.nullable(z.number()), { description: 'percent, one decimal; null when the denominator is 0' }))();

export const figuresSchema = /* @__PURE__ */ (() =>
  meta(
    z.object({
      submitted: z.object({ total: count, online: count, counter: count, post: count }),
      received: z.object({ total: count, online: count, counter: count, post: count }),
      resolved: z.object({
        total: count,
        early: count,
        onTime: count,
        late: meta(count, { description: 'finished after the legal appointment, apology or not' }),
        lateWithApology: meta(count, { description: 'late, with an apology (form 04) sent before the appointment passed' }),
        lateWithoutApology: meta(count, { description: 'late, with no apology' }),
        averageWorkingDays: meta(z.nullable(z.number()), { description: 'reception to result, time paused for supplements and payments left out' }),
      }),
      inProgress: meta(z.object({ total: count, notYetDue: count, overdue: count }), { description: 'of the dossiers received in the period, those still open' }),
      refused: count,
      stopped: count,
      withdrawn: count,
      supplementRequests: count,
      apologies: count,
      apologyReminders: count,
      markedOverdue: count,
      paymentRequests: count,
      paidOnline: meta(count, { description: 'dossiers paid online through the payment gateway' }),
      payments: meta(
        z.object({
          dossiersWithFees: count,
          feesDueVnd: count,
          onlinePayments: count,
          paidOnlineVnd: count,
          paidAtCounter: meta(count, { description: 'confirmed by an official (confirm-payment)' }),
          paidAtCounterVnd: count,
        }),
        { description: 'fees asked and paid, online and at the counter (amounts in đồng)' },
      ),
      ratings: z.object({ total: count, satisfied: count, normal: count, unsatisfied: count, satisfactionRate: rate }),
      rates: z.object({ resolvedOnTimeOrEarly: rate, resolvedLate: rate }),
      index: meta(z.object({ onTime21: rate, submittedOnline33: rate, paidOnline36: rate, satisfaction54: rate }), { description: 'components of the national index (Decision 766/QĐ-TTg)' }),
    }),
    { id: 'StatsFigures' },
  ))();

const tally = /* @__PURE__ */ (() => z.object({ services: count, level4: count }))();
export const catalogFiguresSchema = /* @__PURE__ */ (() =>
  meta(
    z.object({
      services: count,
      byLevel: z.object({ '1': count, '2': count, '3': count, '4': count }),
      fullyOnline: count,
      partlyOnline: count,
      level4Share: rate,
      byTier: z.record(z.string(), tally),
      byAgency: z.record(z.string(), tally),
    }),
    { id: 'CatalogFigures' },
  ))();

const periodAnswer = /* @__PURE__ */ (() => z.object({ from: z.string(), to: z.string(), items: meta(z.array(z.string()), { description: 'the counter periods summed' }) }))();

export const nationalSyncSchema = /* @__PURE__ */ (() =>
  meta(
    z.object({
      total: meta(count, { description: 'dossiers since the sync began, each counted once' }),
      inSync: meta(count, { description: 'dossiers whose last synced version is the one this system holds' }),
      notInSync: count,
      shareInSync: rate,
    }),
    { id: 'NationalSync', description: 'province scope only: the share of dossiers in sync with the national portal (DVCQG) now, whatever the period' },
  ))();

export const statsSchema = /* @__PURE__ */ (() =>
  meta(z.object({ scope: z.string(), period: periodAnswer, figures: figuresSchema, catalog: catalogFiguresSchema, nationalSync: z.optional(nationalSyncSchema) }), { id: 'Stats' }))();

export const periodReportSchema = /* @__PURE__ */ (() =>
  meta(
    z.object({
      scope: z.string(),
      period: periodAnswer,
      shape: z.literal('report'),
      report: z.object({
        carriedOver: meta(count, { description: 'received before the period and still open when it began (kỳ trước chuyển qua)' }),
        received: meta(count, { description: 'received in the period (tiếp nhận trong kỳ)' }),
        toHandle: meta(count, { description: 'carried over + received (tổng số hồ sơ phải giải quyết)' }),
        resolved: figuresSchema.shape.resolved,
        closedWithoutResult: meta(count, { description: 'stopped or withdrawn in the period after reception' }),
        openAtEnd: meta(z.object({ total: count, notYetDue: count, overdue: count }), { description: 'still open at the end of the period (đang giải quyết: trong hạn / quá hạn)' }),
      }),
    }),
    { id: 'StatsReport' },
  ))();

/** GET /stats answers the cohort figures, or the period report with shape=report */
export const statsAnswerSchema = /* @__PURE__ */ (() => z.union([statsSchema, periodReportSchema]))();

export const agencyRankingSchema = /* @__PURE__ */ (() =>
  meta(
    z.object({
      period: periodAnswer,
      items: z.array(z.object({ rank: z.number().check(z.int(), z.positive()), agency: z.object({ id: z.string(), code: z.string(), name: z.string() }), figures: figuresSchema })),
    }),
    { id: 'AgencyRanking' },
  ))();

export type StatsQuery = z.output<typeof statsQuerySchema>;
export type StatsAgenciesQuery = z.output<typeof statsAgenciesQuerySchema>;
