import type { Calendar, Province, Service } from '../../provinces/schema.js';
import { localDateOf, workingTimeBetween } from './calendar.js';
import type { DossierEvent } from './dossier.js';
import type { DossierSnapshot } from './event-view.js';
import type { WorkflowDossier } from './workflow.js';

/**
 * The figures a province is judged by, as counters per scope and period. Pure: which counters an event
 * moves, how period ranges decompose into counter items, and the rates computed from summed counters.
 *
 * Counters are flows per period (what happened in it), except the "cohort" counters, which are kept on
 * the period in which a dossier was RECEIVED: closing or marking overdue a dossier received in March
 * adds to March's cohort counters, whenever it happens. That makes "in progress" exact for any period
 * without reading a dossier: of the dossiers received in the period, those not closed yet.
 */

export const counterNames = [
  'submitted',
  'submittedOnline',
  'submittedCounter',
  'submittedPost',
  'received',
  'receivedOnline',
  'receivedCounter',
  'receivedPost',
  'resolved',
  'resolvedEarly',
  'resolvedOnTime',
  'resolvedLate',
  /** of the late ones, those for which an apology (form 04) with a new date was sent in time */
  'resolvedLateWithApology',
  /** working days from reception to result, summed, in thousandths of a day (integers add exactly) */
  'resolutionMilliWorkingDays',
  'refused',
  'stopped',
  'withdrawn',
  'supplementRequests',
  'apologies',
  'paymentRequests',
  'paidOnline',
  'ratedSatisfied',
  'ratedNormal',
  'ratedUnsatisfied',
  'overdueMarked',
  'remindersSent',
  /** flow: dossiers received at some time that were resolved, stopped or withdrawn in the period */
  'closedAfterReception',
  /** flow: of those, the ones the sweeper had marked overdue */
  'closedOverdue',
  /** cohort: dossiers received in the period that were later resolved, stopped or withdrawn */
  'closedOfReceived',
  /** cohort: dossiers received in the period that the sweeper marked overdue */
  'overdueOfReceived',
  /** cohort: of those, the ones closed since */
  'overdueClosedOfReceived',
  /** dossiers with a financial obligation: catalog fees at submission, or a first request-payment on a dossier without them */
  'feesDue',
  /** what was asked: the submission fees and every request-payment, in đồng */
  'feesDueVnd',
  /** every online payment settled (dossier.paid), and its amount */
  'onlinePayments',
  'paidOnlineVnd',
  /** payments confirmed by an official at the counter (confirm-payment), and their amount */
  'paidAtCounter',
  'paidAtCounterVnd',
] as const;

export type CounterName = (typeof counterNames)[number];
export type Counts = Partial<Record<CounterName, number>>;

export type Scope = 'province' | `agency:${string}` | `service:${string}`;
export type Period = `day:${string}` | `month:${string}` | `year:${string}`;

/** An event item as the table stream delivers it: the event and the dossier right after it. */
export type CountedEvent = DossierEvent & { readonly details?: Record<string, unknown>; readonly dossier: DossierSnapshot };

export interface CounterUpdate {
  readonly scope: Scope;
  readonly period: Period;
  readonly counts: Counts;
}

/** The day, month and year (Vietnam local time) that contain an instant. */
export function periodsOf(instant: Date): Period[] {
  const day = localDateOf(instant);
  return [`day:${day}`, `month:${day.slice(0, 7)}`, `year:${day.slice(0, 4)}`];
}

const channelCounter = (prefix: 'submitted' | 'received', channel: string): CounterName =>
  channel === 'counter' ? `${prefix}Counter` : channel === 'post' ? `${prefix}Post` : `${prefix}Online`;

/** The counters an event moves at the instant it happened (flows) and at the dossier's reception (cohort). */
export function eventCounts(e: CountedEvent, calendar: Calendar): { flow: Counts; cohort: Counts } {
  const d = e.dossier;
  const flow: Counts = {};
  const cohort: Counts = {};
  // A dossier is closed for the cohort once it left the agency's hands after reception.
  const closeCohort = () => {
    if (!d.receivedAt) return;
    cohort.closedOfReceived = 1;
    flow.closedAfterReception = 1;
    if (d.overdueAt) {
      cohort.overdueClosedOfReceived = 1;
      flow.closedOverdue = 1;
    }
  };
  switch (e.type) {
    case 'dossier.submitted':
      flow.submitted = 1;
      flow[channelCounter('submitted', d.channel)] = 1;
      if ((d.fees?.totalVnd ?? 0) > 0) {
        flow.feesDue = 1;
        flow.feesDueVnd = d.fees!.totalVnd;
      }
      break;
    case 'dossier.receive':
      flow.received = 1;
      flow[channelCounter('received', d.channel)] = 1;
      break;
    case 'dossier.finish': {
      flow.resolved = 1;
      if (d.resultClass === 'early') flow.resolvedEarly = 1;
      else if (d.resultClass === 'on-time') flow.resolvedOnTime = 1;
      else if (d.resultClass === 'late') {
        flow.resolvedLate = 1;
        if (d.lateApology === 'with-apology') flow.resolvedLateWithApology = 1;
      }
      if (d.receivedAt && d.finishedAt) flow.resolutionMilliWorkingDays = Math.round(resolutionWorkingDays(d, calendar) * 1000);
      closeCohort();
      break;
    }
    case 'dossier.refuse':
      flow.refused = 1;
      break;
    case 'dossier.stop':
      flow.stopped = 1;
      closeCohort();
      break;
    case 'dossier.withdraw':
      flow.withdrawn = 1;
      closeCohort();
      break;
    case 'dossier.request-supplement':
      flow.supplementRequests = 1;
      break;
    case 'dossier.apologize':
      flow.apologies = 1;
      break;
    case 'dossier.request-payment': {
      flow.paymentRequests = 1;
      const amount = Number(e.details?.amountVnd ?? d.pendingPayment?.amountVnd ?? 0);
      if (amount > 0) flow.feesDueVnd = amount;
      // a dossier counts once among those asked to pay: its submission fees already made it one
      if ((d.fees?.totalVnd ?? 0) === 0 && !d.paidAt) flow.feesDue = 1;
      break;
    }
    case 'dossier.confirm-payment': {
      // an official confirms a payment made at the counter: not online (component 3.6 counts only dossier.paid)
      flow.paidAtCounter = 1;
      const amount = Number(e.details?.amountVnd ?? 0);
      if (amount > 0) flow.paidAtCounterVnd = amount;
      break;
    }
    case 'dossier.paid': {
      flow.onlinePayments = 1;
      flow.paidOnlineVnd = Number(e.details?.amountVnd ?? 0);
      // a dossier counts once among those paid online: its first online payment
      const purpose = e.details?.purpose;
      if (purpose === 'submission' || (!d.submissionFeesPaidAt && (d.fees?.totalVnd ?? 0) === 0)) flow.paidOnline = 1;
      break;
    }
    case 'dossier.rate': {
      const value = d.rating?.value ?? e.details?.rating;
      if (value === 'satisfied') flow.ratedSatisfied = 1;
      else if (value === 'normal') flow.ratedNormal = 1;
      else if (value === 'unsatisfied') flow.ratedUnsatisfied = 1;
      break;
    }
    case 'dossier.overdue':
      flow.overdueMarked = 1;
      if (d.receivedAt) cohort.overdueOfReceived = 1;
      break;
    case 'dossier.apology-reminder':
      flow.remindersSent = 1;
      break;
  }
  return { flow, cohort };
}

/**
 * Working days from reception to result, leaving out the time the dossier waited for a supplement or a
 * payment (that time is the applicant's, not the agency's, as the deadline itself counts it).
 */
export function resolutionWorkingDays(d: Pick<WorkflowDossier, 'receivedAt' | 'finishedAt' | 'pauses'>, calendar: Calendar): number {
  if (!d.receivedAt || !d.finishedAt) return 0;
  const from = Date.parse(d.receivedAt);
  const to = Date.parse(d.finishedAt);
  let paused = 0;
  for (const p of d.pauses ?? []) {
    if (!p.to) continue;
    const start = Math.max(from, Date.parse(p.from));
    const end = Math.min(to, Date.parse(p.to));
    if (end > start) paused += workingTimeBetween(calendar, new Date(start), new Date(end));
  }
  return workingTimeBetween(calendar, new Date(from), new Date(to)) - paused;
}

export const scopesOf = (e: CountedEvent): Scope[] => ['province', `agency:${e.dossier.agencyId}`, `service:${e.dossier.serviceId}`];

/**
 * Every counter item an event changes, each (scope, period) once: one transaction may touch an item
 * only once, so the flow and cohort counts of a period that is both the event's and the reception's
 * are merged. At most 3 scopes × 3 periods × 2 instants = 18 items.
 */
export function counterUpdates(e: CountedEvent, calendar: Calendar): CounterUpdate[] {
  const { flow, cohort } = eventCounts(e, calendar);
  const merged = new Map<string, CounterUpdate>();
  const add = (periods: Period[], counts: Counts) => {
    if (Object.keys(counts).length === 0) return;
    for (const scope of scopesOf(e)) {
      for (const period of periods) {
        const key = `${scope}|${period}`;
        const previous = merged.get(key)?.counts ?? {};
        merged.set(key, { scope, period, counts: addCounts(previous, counts) });
      }
    }
  };
  add(periodsOf(new Date(e.at)), flow);
  if (e.dossier.receivedAt) add(periodsOf(new Date(e.dossier.receivedAt)), cohort);
  return [...merged.values()];
}

export function addCounts(a: Counts, b: Counts): Counts {
  const sum: Counts = { ...a };
  for (const [name, value] of Object.entries(b) as [CounterName, number][]) sum[name] = (sum[name] ?? 0) + value;
  return sum;
}

/** Counters of several items (shards, periods) added up; unknown attributes are ignored. */
export function sumCounts(items: readonly Record<string, unknown>[]): Counts {
  const sum: Counts = {};
  for (const item of items) {
    for (const name of counterNames) {
      const value = item[name];
      if (typeof value === 'number') sum[name] = (sum[name] ?? 0) + value;
    }
  }
  return sum;
}

// ---------------------------------------------------------------------------------------------------
// Periods

const DAY_MS = 86_400_000;
/** a range longer than this is refused rather than read item by item */
export const MAX_RANGE_DAYS = 3660;
/** Counter items (shards included) one ranking request may read: a year of months for ~80 agencies. */
export const RANKING_MAX_ITEMS = 1000;

const dayNumber = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;
const isoOfDay = (n: number): string => new Date(n * DAY_MS).toISOString().slice(0, 10);

function lastDayOfMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

export type PeriodQuery = { day: string } | { month: string } | { year: string } | { from: string; to: string };

/**
 * The counter periods that exactly cover a query, fewest first: whole years as year items, whole months
 * as month items, the rest as days. `from`/`to` are both days (YYYY-MM-DD) or both months (YYYY-MM),
 * inclusive. The number of items depends on the length of the range, never on the number of dossiers.
 */
export function periodsFor(query: PeriodQuery): Period[] {
  if ('day' in query) return [`day:${query.day}`];
  if ('month' in query) return [`month:${query.month}`];
  if ('year' in query) return [`year:${query.year}`];
  const first = query.from.length === 7 ? `${query.from}-01` : query.from;
  const last = query.to.length === 7 ? lastDayOfMonth(query.to) : query.to;
  const start = dayNumber(first);
  const end = dayNumber(last);
  if (!(end >= start)) throw new RangeError('to must not be before from');
  if (end - start + 1 > MAX_RANGE_DAYS) throw new RangeError(`a range may cover at most ${MAX_RANGE_DAYS} days`);
  const periods: Period[] = [];
  for (let day = start; day <= end; ) {
    const iso = isoOfDay(day);
    const year = iso.slice(0, 4);
    if (iso.endsWith('-01-01') && dayNumber(`${year}-12-31`) <= end) {
      periods.push(`year:${year}`);
      day = dayNumber(`${year}-12-31`) + 1;
    } else if (iso.endsWith('-01') && dayNumber(lastDayOfMonth(iso.slice(0, 7))) <= end) {
      periods.push(`month:${iso.slice(0, 7)}`);
      day = dayNumber(lastDayOfMonth(iso.slice(0, 7))) + 1;
    } else {
      periods.push(`day:${iso}`);
      day += 1;
    }
  }
  return periods;
}

// ---------------------------------------------------------------------------------------------------
// Sharding

/** Province-wide counters are split over this many items so that none becomes a hot key. */
export const PROVINCE_SHARDS = 10;

/** FNV-1a of the dossier code: every event of a dossier lands on the same shard, shards fill evenly. */
export function shardOf(code: string, shards = PROVINCE_SHARDS): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < code.length; i++) {
    hash ^= code.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

export const shardsOf = (scope: Scope): number => (scope === 'province' ? PROVINCE_SHARDS : 1);

// ---------------------------------------------------------------------------------------------------
// Counting a batch of events

/** One event to count: its counter updates and the dossier it belongs to. */
export interface EventToCount {
  readonly eventId: string;
  readonly dossierCode: string;
  readonly updates: readonly CounterUpdate[];
}

export interface ShardedCounterUpdate extends CounterUpdate {
  readonly shard: number;
}

/** The events one transaction counts, and each counter item it changes once, with their counts added. */
export interface CountingTransaction {
  readonly events: readonly EventToCount[];
  readonly counters: readonly ShardedCounterUpdate[];
}

/**
 * Groups events, in their order, into transactions of at most `maxItems` items: one marker per event and
 * each counter item once. Events of the same day share their day, month and year counters, so a batch
 * of them writes each counter once instead of once per event; a transaction bills every item it
 * writes, so this is most of what counting costs. Province-wide counters go on the shard of the group's
 * first dossier: which shard holds a count does not matter to a reader, who sums them all, and one
 * shard per group lets the group's events share it. An event's own updates (at most 18) always fit.
 */
export function countingTransactions(events: readonly EventToCount[], maxItems: number): CountingTransaction[] {
  const groups: CountingTransaction[] = [];
  let members: EventToCount[] = [];
  let counters = new Map<string, ShardedCounterUpdate>();
  let shard = 0;
  const keyOf = (u: CounterUpdate) => `${u.scope}|${u.period}`;
  const close = () => {
    if (members.length > 0) groups.push({ events: members, counters: [...counters.values()] });
    members = [];
    counters = new Map();
  };
  for (const event of events) {
    if (event.updates.length + 1 > maxItems) throw new Error(`event ${event.eventId} would touch ${event.updates.length} counters, over the transaction limit`);
    const fresh = new Set(event.updates.map(keyOf).filter((key) => !counters.has(key))).size;
    if (members.length > 0 && members.length + 1 + counters.size + fresh > maxItems) close();
    if (members.length === 0) shard = shardOf(event.dossierCode);
    members.push(event);
    for (const u of event.updates) {
      const key = keyOf(u);
      const previous = counters.get(key);
      counters.set(key, { scope: u.scope, period: u.period, shard: shardsOf(u.scope) > 1 ? shard : 0, counts: addCounts(previous?.counts ?? {}, u.counts) });
    }
  }
  close();
  return groups;
}

// ---------------------------------------------------------------------------------------------------
// Figures and rates

/** A percentage rounded to one decimal, as the seeds report them; null when there is nothing to divide by. */
export function percent(part: number, whole: number): number | null {
  if (whole <= 0) return null;
  return Math.round((part / whole) * 1000) / 10;
}

export interface Figures {
  readonly submitted: { total: number; online: number; counter: number; post: number };
  readonly received: { total: number; online: number; counter: number; post: number };
  readonly resolved: {
    total: number;
    early: number;
    onTime: number;
    /** against the legal appointment; split below (the national index penalises a late dossier without apology more) */
    late: number;
    lateWithApology: number;
    lateWithoutApology: number;
    /** working days from reception to result, time paused for supplements and payments left out */
    averageWorkingDays: number | null;
  };
  /** of the dossiers received in the period, those still open now */
  readonly inProgress: { total: number; notYetDue: number; overdue: number };
  readonly refused: number;
  readonly stopped: number;
  readonly withdrawn: number;
  readonly supplementRequests: number;
  readonly apologies: number;
  readonly apologyReminders: number;
  readonly markedOverdue: number;
  readonly paymentRequests: number;
  /** dossiers paid online (their first online payment) */
  readonly paidOnline: number;
  readonly payments: {
    readonly dossiersWithFees: number;
    readonly feesDueVnd: number;
    readonly onlinePayments: number;
    readonly paidOnlineVnd: number;
    readonly paidAtCounter: number;
    readonly paidAtCounterVnd: number;
  };
  readonly ratings: { total: number; satisfied: number; normal: number; unsatisfied: number; satisfactionRate: number | null };
  readonly rates: {
    /** the seeds' "x% on time or early": (early + on time) ÷ resolved */
    readonly resolvedOnTimeOrEarly: number | null;
    readonly resolvedLate: number | null;
  };
  /** components of the national index (Decision 766/QĐ-TTg), in percent */
  readonly index: { readonly onTime21: number | null; readonly submittedOnline33: number | null; readonly paidOnline36: number | null; readonly satisfaction54: number | null };
}

export function figuresOf(c: Counts): Figures {
  const n = (name: CounterName): number => c[name] ?? 0;
  const resolved = n('resolved');
  const onTimeOrEarly = n('resolvedEarly') + n('resolvedOnTime');
  const inProgress = Math.max(0, n('received') - n('closedOfReceived'));
  const overdue = Math.min(inProgress, Math.max(0, n('overdueOfReceived') - n('overdueClosedOfReceived')));
  const notYetDue = inProgress - overdue;
  const rated = n('ratedSatisfied') + n('ratedNormal') + n('ratedUnsatisfied');
  return {
    submitted: { total: n('submitted'), online: n('submittedOnline'), counter: n('submittedCounter'), post: n('submittedPost') },
    received: { total: n('received'), online: n('receivedOnline'), counter: n('receivedCounter'), post: n('receivedPost') },
    resolved: {
      total: resolved,
      early: n('resolvedEarly'),
      onTime: n('resolvedOnTime'),
      late: n('resolvedLate'),
      lateWithApology: n('resolvedLateWithApology'),
      lateWithoutApology: Math.max(0, n('resolvedLate') - n('resolvedLateWithApology')),
      averageWorkingDays: resolved > 0 ? Math.round(n('resolutionMilliWorkingDays') / resolved) / 1000 : null,
    },
    inProgress: { total: inProgress, notYetDue, overdue },
    refused: n('refused'),
    stopped: n('stopped'),
    withdrawn: n('withdrawn'),
    supplementRequests: n('supplementRequests'),
    apologies: n('apologies'),
    apologyReminders: n('remindersSent'),
    markedOverdue: n('overdueMarked'),
    paymentRequests: n('paymentRequests'),
    paidOnline: n('paidOnline'),
    payments: {
      dossiersWithFees: n('feesDue'),
      feesDueVnd: n('feesDueVnd'),
      onlinePayments: n('onlinePayments'),
      paidOnlineVnd: n('paidOnlineVnd'),
      paidAtCounter: n('paidAtCounter'),
      paidAtCounterVnd: n('paidAtCounterVnd'),
    },
    ratings: {
      total: rated,
      satisfied: n('ratedSatisfied'),
      normal: n('ratedNormal'),
      unsatisfied: n('ratedUnsatisfied'),
      // satisfaction rate = satisfied ratings ÷ all ratings × 100 ("normal" is not counted as satisfied)
      satisfactionRate: percent(n('ratedSatisfied'), rated),
    },
    rates: {
      // resolved on time or early = (early + on time) ÷ resolved × 100, e.g. Lạng Sơn 2018: 9,660 ÷ 12,000 = 80.5%
      resolvedOnTimeOrEarly: percent(onTimeOrEarly, resolved),
      resolvedLate: percent(n('resolvedLate'), resolved),
    },
    index: {
      // 2.1 on-time rate = (resolved early + resolved on time + in progress not yet due)
      //                    ÷ (resolved + in progress) × 100: dossiers done or in progress on time over all
      //                    received or processed in the period.
      onTime21: percent(onTimeOrEarly + notYetDue, resolved + inProgress),
      // 3.3 share submitted online = dossiers submitted online ÷ dossiers submitted on every channel × 100
      submittedOnline33: percent(n('submittedOnline'), n('submitted')),
      // 3.6 share paid online = dossiers paid online (through the gateway, dossier.paid) ÷ dossiers with a
      //     financial obligation (fees at submission or a request-payment) × 100; counter payments are not online
      paidOnline36: percent(n('paidOnline'), n('feesDue')),
      // 5.4 satisfaction = 100 − % resolved late − % with complaints; until complaints have their own
      //     channel, an "unsatisfied" rating counts as one: 100 − late ÷ resolved × 100 − unsatisfied ÷ rated × 100
      satisfaction54:
        resolved + rated === 0
          ? null
          : Math.max(0, Math.round((100 - (resolved ? (n('resolvedLate') / resolved) * 100 : 0) - (rated ? (n('ratedUnsatisfied') / rated) * 100 : 0)) * 10) / 10),
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Catalog

export interface CatalogFigures {
  readonly services: number;
  readonly byLevel: Record<'1' | '2' | '3' | '4', number>;
  /** toàn trình (Decree 42/2022): fully online */
  readonly fullyOnline: number;
  /** một phần: online (level 3 or 4) but not fully */
  readonly partlyOnline: number;
  /** level-4 services ÷ services × 100 */
  readonly level4Share: number | null;
  readonly byTier: Record<string, { services: number; level4: number }>;
  readonly byAgency: Record<string, { services: number; level4: number }>;
}

/** The agencies that may process a service: those it names, else every current agency of its tier. */
export function agenciesOfService(province: Province, service: Pick<Service, 'tier' | 'agencyIds'>): string[] {
  return service.agencyIds ? [...service.agencyIds] : province.agencies.filter((a) => a.tier === service.tier && !a.validUntil).map((a) => a.id);
}

export function catalogFigures(province: Province, scope: Scope = 'province'): CatalogFigures {
  // the imported catalog counts through its compact entries (same level, tier and agency fields)
  const own = new Set(province.services.map((s) => s.id));
  const all: Pick<Service, 'id' | 'level' | 'tier' | 'fullyOnline' | 'agencyIds'>[] = [
    ...province.services,
    ...(province.catalog?.entries() ?? []).filter((e) => !own.has(e.id)).map((e) => ({ ...e, agencyIds: e.agencyIds ? [...e.agencyIds] : undefined })),
  ];
  const services = all.filter((s) => {
    if (scope === 'province') return true;
    if (scope.startsWith('service:')) return s.id === scope.slice('service:'.length);
    return agenciesOfService(province, s).includes(scope.slice('agency:'.length));
  });
  const byLevel = { '1': 0, '2': 0, '3': 0, '4': 0 };
  const byTier: Record<string, { services: number; level4: number }> = {};
  const byAgency: Record<string, { services: number; level4: number }> = {};
  let fullyOnline = 0;
  let partlyOnline = 0;
  for (const s of services) {
    byLevel[String(s.level) as keyof typeof byLevel] += 1;
    if (s.fullyOnline) fullyOnline += 1;
    else if (s.level >= 3) partlyOnline += 1;
    const tier = (byTier[s.tier] ??= { services: 0, level4: 0 });
    tier.services += 1;
    if (s.level === 4) tier.level4 += 1;
    for (const agencyId of agenciesOfService(province, s)) {
      const agency = (byAgency[agencyId] ??= { services: 0, level4: 0 });
      agency.services += 1;
      if (s.level === 4) agency.level4 += 1;
    }
  }
  return { services: services.length, byLevel, fullyOnline, partlyOnline, level4Share: percent(byLevel['4'], services.length), byTier, byAgency };
}

/** Agencies ranked by the share resolved on time or early, best first; ties by volume, then by id. */
export function rankAgencies(rows: readonly { agencyId: string; figures: Figures }[]): { rank: number; agencyId: string; figures: Figures }[] {
  const score = (f: Figures) => f.rates.resolvedOnTimeOrEarly ?? -1;
  return [...rows]
    .sort((a, b) => score(b.figures) - score(a.figures) || b.figures.resolved.total - a.figures.resolved.total || a.agencyId.localeCompare(b.agencyId))
    .map((row, i) => ({ rank: i + 1, ...row }));
}

// ---------------------------------------------------------------------------------------------------
// The period report (Circular 01/2018/TT-VPCP)

/**
 * No counter exists before this year: the balance carried into a period is summed from it. Years without
 * dossiers cost one empty read each, whatever the number of dossiers.
 */
export const REPORT_EPOCH_YEAR = 2015;

/** The counter periods before a local day (exclusive), from the epoch: whole years, then months, then days. */
export function periodsBefore(firstDay: string): Period[] {
  const year = Number(firstDay.slice(0, 4));
  const years: Period[] = [];
  for (let y = REPORT_EPOCH_YEAR; y < year; y += 1) years.push(`year:${y}`);
  if (firstDay.endsWith('-01-01')) return years;
  const previous = isoOfDay(dayNumber(firstDay) - 1);
  return [...years, ...periodsFor({ from: `${year}-01-01`, to: previous })];
}

export interface PeriodReport {
  /** received before the period and still open when it began */
  readonly carriedOver: number;
  /** received in the period */
  readonly received: number;
  /** carried over + received: the dossiers the agency had to handle in the period */
  readonly toHandle: number;
  readonly resolved: Figures['resolved'];
  /** stopped or withdrawn in the period after reception: neither resolved nor still open */
  readonly closedWithoutResult: number;
  /** open when the period ended: not yet due, or overdue (marked by the sweeper once the appointment passed) */
  readonly openAtEnd: { readonly total: number; readonly notYetDue: number; readonly overdue: number };
}

/**
 * The monthly (or any period's) report of the one-stop mechanism, Circular 01/2018/TT-VPCP: a balance
 * over the period, unlike the cohort figures of `figuresOf`, which follow the dossiers RECEIVED in the
 * period wherever they are now. `before` sums the counters of every period before this one, `during`
 * those of the period. Identity: toHandle = resolved.total + closedWithoutResult + openAtEnd.total.
 */
export function periodReportOf(before: Counts, during: Counts): PeriodReport {
  const b = (name: CounterName): number => before[name] ?? 0;
  const n = (name: CounterName): number => during[name] ?? 0;
  const carriedOver = Math.max(0, b('received') - b('closedAfterReception'));
  const overdueBefore = Math.max(0, b('overdueMarked') - b('closedOverdue'));
  const toHandle = carriedOver + n('received');
  const closed = n('closedAfterReception');
  const resolved = figuresOf(during).resolved;
  const openAtEnd = Math.max(0, toHandle - closed);
  const overdue = Math.min(openAtEnd, Math.max(0, overdueBefore + n('overdueMarked') - n('closedOverdue')));
  return {
    carriedOver,
    received: n('received'),
    toHandle,
    resolved,
    closedWithoutResult: Math.max(0, closed - resolved.total),
    openAtEnd: { total: openAtEnd, notYetDue: openAtEnd - overdue, overdue },
  };
}

// ---------------------------------------------------------------------------------------------------
// National portal sync

export interface NationalSyncFigures {
  /** dossiers the province has had since the sync began (each counted once, at its first event) */
  readonly total: number;
  /** of those, the ones whose last synced version is the one the table holds */
  readonly inSync: number;
  readonly notInSync: number;
  /** inSync ÷ total × 100; null while there is no dossier */
  readonly shareInSync: number | null;
}

/**
 * The share of dossiers the national portal shows as they really are, which the portal scores provinces
 * on: from the per-dossier sync state (a counter of dossiers seen and the sparse index of those behind),
 * not from the dossiers. A snapshot of now, whatever the period asked for: a dossier behind in March is
 * behind today until the sync or the reconciliation catches up.
 */
export function nationalSyncFigures(counts: { readonly dossiers: number; readonly unsynced: number }): NationalSyncFigures {
  const total = Math.max(0, counts.dossiers);
  // both are read eventually consistent (a GSI cannot be read otherwise), so one may lag the other a moment
  const notInSync = Math.min(total, Math.max(0, counts.unsynced));
  return { total, inSync: total - notInSync, notInSync, shareInSync: percent(total - notInSync, total) };
}
