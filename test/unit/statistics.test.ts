import { describe, expect, it } from 'vitest';
import { calendarSchema } from '../../provinces/schema.js';
import { loadProvinceFile, provinceFilePath } from '../../provinces/load.js';
import {
  catalogFigures,
  counterUpdates,
  countingTransactions,
  figuresOf,
  nationalSyncFigures,
  percent,
  periodsFor,
  periodReportOf,
  periodsBefore,
  periodsOf,
  PROVINCE_SHARDS,
  sumCounts,
  rankAgencies,
  shardOf,
  type CountedEvent,
  type CounterUpdate,
  type EventToCount,
  type Period,
  type Scope,
} from '../../functions/domain/statistics.js';
import type { WorkflowDossier } from '../../functions/domain/workflow.js';
import { readStats, statsCsv } from '../../functions/app/statistics.js';
import { statsSchema } from '../../functions/contracts/stats.js';
import type { StatusCode } from '../../functions/domain/status.js';

const calendar = calendarSchema.parse({ years: { '2026': { holidays: [{ date: '2026-04-30', name: 'Ngày Chiến thắng' }] } } });

const dossier = (extra: Partial<WorkflowDossier> = {}): WorkflowDossier => ({
  code: '000.00.05.H37-260302-0001', serviceId: '2.001610', serviceCode: 'c', serviceName: 'n', agencyId: 'so-ke-hoach-va-dau-tu', agencyCode: '000.00.05.H37', agencyName: 'Sở KH&ĐT',
  applicantSubject: 's', applicant: { fullName: 'A', idNumber: '020090001234', phone: '0912345678', address: 'x' }, fields: {}, channel: 'online',
  status: 2, version: 2, submittedAt: '2026-03-02T01:00:00.000Z', updatedAt: '2026-03-02T01:00:00.000Z', ...extra,
});

const event = (type: string, at: string, d: WorkflowDossier, to: StatusCode = d.status): CountedEvent => ({
  eventId: `e-${type}`, type, dossierCode: d.code, version: d.version, at, actor: { kind: 'system' }, from: null, to, agencyId: d.agencyId, dossier: d,
});

describe('which counters an event moves', () => {
  it('counts a submission once per scope and local period, by channel', () => {
    const updates = counterUpdates(event('dossier.submitted', '2026-02-28T18:30:00.000Z', dossier({ channel: 'post', status: 1 })), calendar);
    // 01:30 on 1 March in Vietnam, though still 28 February in UTC
    expect(updates.map((u) => `${u.scope}|${u.period}`)).toEqual([
      'province|day:2026-03-01', 'province|month:2026-03', 'province|year:2026',
      'agency:so-ke-hoach-va-dau-tu|day:2026-03-01', 'agency:so-ke-hoach-va-dau-tu|month:2026-03', 'agency:so-ke-hoach-va-dau-tu|year:2026',
      'service:2.001610|day:2026-03-01', 'service:2.001610|month:2026-03', 'service:2.001610|year:2026',
    ]);
    expect(updates.every((u) => u.counts.submitted === 1 && u.counts.submittedPost === 1 && u.counts.submittedOnline === undefined)).toBe(true);
  });

  it('adds a finish to its own period and closes it in the reception period, merged when they are the same item', () => {
    const d = dossier({ status: 9, receivedAt: '2026-03-02T01:00:00.000Z', finishedAt: '2026-04-01T02:00:00.000Z', resultClass: 'late', overdueAt: '2026-03-31T00:00:00.000Z' });
    const updates = counterUpdates(event('dossier.finish', '2026-04-01T02:00:00.000Z', d), calendar);
    const april = updates.find((u) => u.scope === 'province' && u.period === 'month:2026-04')!;
    expect(april.counts).toMatchObject({ resolved: 1, resolvedLate: 1 });
    expect(april.counts.resolutionMilliWorkingDays).toBeGreaterThan(20_000);
    expect(updates.find((u) => u.scope === 'province' && u.period === 'month:2026-03')!.counts).toEqual({ closedOfReceived: 1, overdueClosedOfReceived: 1 });
    const year = updates.filter((u) => u.scope === 'province' && u.period === 'year:2026');
    expect(year).toHaveLength(1);
    expect(year[0]!.counts).toMatchObject({ resolved: 1, closedOfReceived: 1 });
    expect(updates.length).toBeLessThanOrEqual(18);
  });

  it('counts late with apology apart from late without, and leaves paused time out of the resolution time', () => {
    // received Mon 2/3 08:00, finished Mon 9/3 08:00 (5 working days), paused Tue 3/3 08:00 – Thu 5/3 08:00 (2)
    const d = dossier({
      status: 9,
      receivedAt: '2026-03-02T01:00:00.000Z',
      finishedAt: '2026-03-09T01:00:00.000Z',
      resultClass: 'late',
      lateApology: 'with-apology',
      pauses: [{ kind: 'supplement', from: '2026-03-03T01:00:00.000Z', to: '2026-03-05T01:00:00.000Z' }],
    });
    const counts = counterUpdates(event('dossier.finish', d.finishedAt!, d), calendar).find((u) => u.scope === 'province' && u.period === 'month:2026-03')!.counts;
    expect(counts).toMatchObject({ resolved: 1, resolvedLate: 1, resolvedLateWithApology: 1, resolutionMilliWorkingDays: 3000 });
    const without = counterUpdates(event('dossier.finish', d.finishedAt!, { ...d, lateApology: 'without-apology' }), calendar)[0]!.counts;
    expect(without.resolvedLateWithApology).toBeUndefined();
    const figures = figuresOf({ resolved: 4, resolvedLate: 3, resolvedLateWithApology: 1, resolvedOnTime: 1, resolutionMilliWorkingDays: 12000 });
    expect(figures.resolved).toMatchObject({ late: 3, lateWithApology: 1, lateWithoutApology: 2, averageWorkingDays: 3 });
  });

  it('counts ratings by value, payments, apologies and the sweeper marks', () => {
    const rated = counterUpdates(event('dossier.rate', '2026-03-05T02:00:00.000Z', dossier({ status: 10, rating: { value: 'normal', at: 'x' } })), calendar);
    expect(rated[0]!.counts).toEqual({ ratedNormal: 1 });
    // confirm-payment is an official recording a payment at the counter; online means through the gateway (dossier.paid)
    expect(counterUpdates(event('dossier.confirm-payment', '2026-03-05T02:00:00.000Z', dossier()), calendar)[0]!.counts).toEqual({ paidAtCounter: 1 });
    const fees = { lines: [], totalVnd: 150_000 };
    expect(counterUpdates(event('dossier.submitted', '2026-03-05T02:00:00.000Z', dossier({ fees })), calendar)[0]!.counts).toMatchObject({ feesDue: 1, feesDueVnd: 150_000 });
    const paid = { ...event('dossier.paid', '2026-03-05T02:00:00.000Z', dossier({ fees, submissionFeesPaidAt: '2026-03-05T02:00:00.000Z' })), details: { purpose: 'submission', amountVnd: 150_000 } };
    expect(counterUpdates(paid, calendar)[0]!.counts).toEqual({ onlinePayments: 1, paidOnlineVnd: 150_000, paidOnline: 1 });
    // a second online payment of the same dossier (an amount asked later) is a payment, not another dossier
    const again = { ...paid, details: { purpose: 'request:2026-03-06T02:00:00.000Z', amountVnd: 20_000 } };
    expect(counterUpdates(again, calendar)[0]!.counts).toEqual({ onlinePayments: 1, paidOnlineVnd: 20_000 });
    const overdue = counterUpdates(event('dossier.overdue', '2026-04-05T02:00:00.000Z', dossier({ receivedAt: '2026-03-02T01:00:00.000Z' })), calendar);
    expect(overdue.find((u) => u.period === 'day:2026-03-02')!.counts).toEqual({ overdueOfReceived: 1 });
    expect(overdue.find((u) => u.period === 'day:2026-04-05')!.counts).toEqual({ overdueMarked: 1 });
    expect(counterUpdates(event('dossier.start-processing', '2026-03-05T02:00:00.000Z', dossier()), calendar)).toEqual([]);
  });
});

describe('figures and the national index', () => {
  it('reproduces Lạng Sơn 2018: 9,660 of 12,000 resolved on time or early is 80.5%', () => {
    const f = figuresOf({ resolved: 12_000, resolvedEarly: 4_000, resolvedOnTime: 5_660, resolvedLate: 2_340, received: 12_000, closedOfReceived: 12_000 });
    expect(f.rates.resolvedOnTimeOrEarly).toBe(80.5);
    expect(f.rates.resolvedLate).toBe(19.5);
    // 2.1 with nothing left in progress is the same share
    expect(f.index.onTime21).toBe(80.5);
  });

  it('reproduces Lạng Sơn 2018: ~15,000 online of ~24,000 received is over 60% (3.3)', () => {
    expect(figuresOf({ submitted: 24_000, submittedOnline: 15_000, submittedCounter: 9_000 }).index.submittedOnline33).toBe(62.5);
  });

  it('derives in progress from the reception cohort and counts not-yet-due in the on-time rate', () => {
    const f = figuresOf({ received: 10, closedOfReceived: 6, overdueOfReceived: 3, overdueClosedOfReceived: 1, resolved: 5, resolvedEarly: 2, resolvedOnTime: 2, resolvedLate: 1 });
    expect(f.inProgress).toEqual({ total: 4, notYetDue: 2, overdue: 2 });
    // (2 + 2 + 2) ÷ (5 + 4)
    expect(f.index.onTime21).toBe(66.7);
  });

  it('computes satisfaction, payments and the average resolution time', () => {
    const f = figuresOf({ ratedSatisfied: 17, ratedNormal: 2, ratedUnsatisfied: 1, resolved: 20, resolvedLate: 1, resolutionMilliWorkingDays: 50_000, feesDue: 4, paidOnline: 3 });
    expect(f.ratings).toEqual({ total: 20, satisfied: 17, normal: 2, unsatisfied: 1, satisfactionRate: 85 });
    expect(f.index.satisfaction54).toBe(90);
    expect(f.index.paidOnline36).toBe(75);
    expect(f.resolved.averageWorkingDays).toBe(2.5);
    expect(percent(1, 0)).toBeNull();
  });

  it('ranks agencies on the on-time share, the bigger first on a tie', () => {
    const ranked = rankAgencies([
      { agencyId: 'a', figures: figuresOf({ resolved: 10, resolvedOnTime: 9 }) },
      { agencyId: 'b', figures: figuresOf({ resolved: 20, resolvedOnTime: 20 }) },
      { agencyId: 'c', figures: figuresOf({ resolved: 40, resolvedOnTime: 36 }) },
      { agencyId: 'd', figures: figuresOf({}) },
    ]);
    expect(ranked.map((r) => [r.rank, r.agencyId])).toEqual([[1, 'b'], [2, 'c'], [3, 'a'], [4, 'd']]);
  });
});

describe('periods', () => {
  it('names the local day, month and year of an instant', () => {
    expect(periodsOf(new Date('2025-12-31T17:00:00.000Z'))).toEqual(['day:2026-01-01', 'month:2026-01', 'year:2026']);
  });

  it('covers a range with whole years, whole months and the days left over', () => {
    expect(periodsFor({ from: '2025-12-30', to: '2027-02-02' })).toEqual([
      'day:2025-12-30', 'day:2025-12-31', 'year:2026', 'month:2027-01', 'day:2027-02-01', 'day:2027-02-02',
    ]);
    expect(periodsFor({ from: '2026-02', to: '2026-03' })).toEqual(['month:2026-02', 'month:2026-03']);
    expect(periodsFor({ month: '2026-02' })).toEqual(['month:2026-02']);
    expect(() => periodsFor({ from: '2000-01-02', to: '2030-01-01' })).toThrow(RangeError);
  });
});

describe('shards', () => {
  it('keeps a dossier on one shard and spreads 10,000 codes evenly', () => {
    const counts = Array(PROVINCE_SHARDS).fill(0) as number[];
    for (let i = 0; i < 10_000; i++) counts[shardOf(`000.00.05.H37-260302-${String(i).padStart(4, '0')}`)]! += 1;
    expect(Math.min(...counts)).toBeGreaterThan(800);
    expect(Math.max(...counts)).toBeLessThan(1200);
    expect(shardOf('x')).toBe(shardOf('x'));
  });
});

describe('catalog figures', () => {
  it('counts the Lạng Sơn catalog by level, online kind, tier and agency', () => {
    const province = loadProvinceFile(provinceFilePath('lang-son'));
    const c = catalogFigures(province);
    expect(c.services).toBe(province.services.length);
    expect(Object.values(c.byLevel).reduce((a, b) => a + b, 0)).toBe(c.services);
    expect(c.fullyOnline).toBe(province.services.filter((s) => s.fullyOnline).length);
    expect(c.partlyOnline).toBe(province.services.filter((s) => s.level >= 3 && !s.fullyOnline).length);
    expect(c.level4Share).toBe(percent(c.byLevel['4'], c.services));
    expect(Object.values(c.byTier).reduce((a, t) => a + t.services, 0)).toBe(c.services);
    const agency = catalogFigures(province, 'agency:so-ke-hoach-va-dau-tu');
    expect(agency.byAgency['so-ke-hoach-va-dau-tu']!.services).toBe(agency.services);
    expect(catalogFigures(province, 'service:2.001610')).toMatchObject({ services: 1, byLevel: { '4': 1 }, fullyOnline: 1 });
  });
});

describe('the period report (Circular 01/2018/TT-VPCP)', () => {
  /** counters as the consumer writes them, kept in memory: `scope|period` → counts */
  const store = new Map<string, Record<string, number>>();
  const record = (type: string, at: string, d: WorkflowDossier) => {
    for (const u of counterUpdates(event(type, at, d), calendar)) {
      const key = `${u.scope}|${u.period}`;
      const item = store.get(key) ?? {};
      for (const [name, value] of Object.entries(u.counts)) item[name] = (item[name] ?? 0) + value;
      store.set(key, item);
    }
  };
  const read = (periods: readonly string[]) => sumCounts(periods.map((p) => store.get(`province|${p}`) ?? {}));
  const at = (day: string) => `${day}T02:00:00.000Z`; // 09:00 in Vietnam
  const lifecycle = (code: string, receivedDay: string, steps: [type: string, day: string, extra?: Partial<WorkflowDossier>][]) => {
    let d = dossier({ code, receivedAt: at(receivedDay) });
    record('dossier.receive', at(receivedDay), d);
    for (const [type, day, extra] of steps) {
      d = { ...d, ...extra };
      record(type, at(day), d);
    }
  };

  // Eight dossiers around April 2026, counted by hand below.
  lifecycle('P1', '2026-03-10', [['dossier.finish', '2026-04-03', { finishedAt: at('2026-04-03'), resultClass: 'on-time' }]]);
  lifecycle('P2', '2026-03-20', [['dossier.overdue', '2026-04-10', { overdueAt: at('2026-04-10') }]]);
  lifecycle('P3', '2026-03-25', [['dossier.withdraw', '2026-03-28']]);
  lifecycle('P4', '2026-04-06', [['dossier.finish', '2026-04-08', { finishedAt: at('2026-04-08'), resultClass: 'early' }]]);
  lifecycle('P5', '2026-04-20', []);
  lifecycle('P6', '2026-04-22', [['dossier.stop', '2026-04-29']]);
  lifecycle('P7', '2026-04-28', [['dossier.finish', '2026-05-05', { finishedAt: at('2026-05-05'), resultClass: 'early' }]]);
  lifecycle('P8', '2025-12-15', [
    ['dossier.overdue', '2026-01-05', { overdueAt: at('2026-01-05') }],
    ['dossier.finish', '2026-04-15', { finishedAt: at('2026-04-15'), resultClass: 'late', lateApology: 'without-apology' }],
  ]);

  it('reads the periods before a month from the epoch year on', () => {
    expect(periodsBefore('2026-04-01')).toEqual([...Array.from({ length: 11 }, (_, i) => `year:${2015 + i}`), 'month:2026-01', 'month:2026-02', 'month:2026-03']);
    expect(periodsBefore('2016-01-01')).toEqual(['year:2015']);
  });

  it('balances April 2026: 3 carried over + 4 received = 7 = 3 resolved + 1 stopped + 3 still open', () => {
    const report = periodReportOf(read(periodsBefore('2026-04-01')), read(periodsFor({ month: '2026-04' })));
    expect(report).toEqual({
      carriedOver: 3, // P1, P2 (received in March, open on 1/4) and P8 (received in December); P3 was withdrawn in March
      received: 4, // P4, P5, P6, P7
      toHandle: 7,
      resolved: { total: 3, early: 1, onTime: 1, late: 1, lateWithApology: 0, lateWithoutApology: 1, averageWorkingDays: expect.any(Number) },
      closedWithoutResult: 1, // P6 stopped
      openAtEnd: { total: 3, notYetDue: 2, overdue: 1 }, // P5 and P7 in time; P2 overdue since 10/4 (P8's overdue closed)
    });
    // the cohort figures of April follow only P4–P7, wherever they are now: P5 alone (P7 was resolved in May)
    expect(figuresOf(read(periodsFor({ month: '2026-04' }))).inProgress).toEqual({ total: 1, notYetDue: 1, overdue: 0 });
  });

  it('carries April\'s open dossiers into May', () => {
    const may = periodReportOf(read(periodsBefore('2026-05-01')), read(periodsFor({ month: '2026-05' })));
    expect(may).toMatchObject({ carriedOver: 3, received: 0, toHandle: 3, resolved: { total: 1, early: 1 }, openAtEnd: { total: 2, notYetDue: 1, overdue: 1 } });
  });
});

describe('the share of dossiers in sync with the national portal', () => {
  it('counts the dossiers the portal is not behind on, as a percentage of those seen', () => {
    expect(nationalSyncFigures({ dossiers: 8, unsynced: 1 })).toEqual({ total: 8, inSync: 7, notInSync: 1, shareInSync: 87.5 });
    expect(nationalSyncFigures({ dossiers: 3, unsynced: 0 })).toEqual({ total: 3, inSync: 3, notInSync: 0, shareInSync: 100 });
    expect(nationalSyncFigures({ dossiers: 0, unsynced: 0 })).toEqual({ total: 0, inSync: 0, notInSync: 0, shareInSync: null });
    // the counter and the index are read eventually consistent: a lagging counter never gives a negative share
    expect(nationalSyncFigures({ dossiers: 2, unsynced: 3 })).toEqual({ total: 2, inSync: 0, notInSync: 2, shareInSync: 0 });
  });

  it('is part of GET /stats for the province scope only, from the sync state, in JSON and CSV', async () => {
    // Prepare
    const province = loadProvinceFile(provinceFilePath('lang-son'));
    let countsRead = 0;
    const deps = {
      stats: { read: async () => new Map() },
      syncState: {
        counts: async () => {
          countsRead += 1;
          return { dossiers: 40, unsynced: 3 };
        },
      },
      province,
      now: new Date('2026-03-02T03:00:00Z'),
    };

    // Act
    const whole = await readStats(deps, { scope: 'province', year: '2026' });
    const agency = await readStats(deps, { scope: 'agency:so-ke-hoach-va-dau-tu', year: '2026' });

    // Assess
    expect(whole.nationalSync).toEqual({ total: 40, inSync: 37, notInSync: 3, shareInSync: 92.5 });
    expect(statsSchema.parse(whole).nationalSync).toEqual(whole.nationalSync);
    expect(agency.nationalSync).toBeUndefined();
    expect(countsRead).toBe(1);
    expect(statsCsv(whole)).toContain('nationalSync.shareInSync,92.5\r\n');
  });
});

describe('counting a batch of events in transactions', () => {
  const update = (scope: Scope, period: Period, submitted: number): CounterUpdate => ({ scope, period, counts: { submitted } });
  const event = (eventId: string, dossierCode: string, day: string): EventToCount => ({
    eventId,
    dossierCode,
    updates: (['province', 'agency:a', 'service:s'] as const).flatMap((scope) => [update(scope, `day:${day}`, 1), update(scope, `month:${day.slice(0, 7)}`, 1), update(scope, `year:${day.slice(0, 4)}`, 1)]),
  });

  it('writes each counter once for events of the same day, their counts added, province counters on the first dossier\'s shard', () => {
    const events = [event('e1', 'A-1', '2026-12-02'), event('e2', 'B-2', '2026-12-02'), event('e3', 'C-3', '2026-12-03')];
    const [only, ...rest] = countingTransactions(events, 100);
    expect(rest).toEqual([]);
    expect(only!.events.map((e) => e.eventId)).toEqual(['e1', 'e2', 'e3']);
    // 3 scopes × (two days, one month, one year)
    expect(only!.counters).toHaveLength(12);
    const province = only!.counters.filter((c) => c.scope === 'province');
    expect(new Set(province.map((c) => c.shard))).toEqual(new Set([shardOf('A-1')]));
    expect(only!.counters.filter((c) => c.scope !== 'province').every((c) => c.shard === 0)).toBe(true);
    expect(province.find((c) => c.period === 'month:2026-12')!.counts).toEqual({ submitted: 3 });
    expect(province.find((c) => c.period === 'day:2026-12-03')!.counts).toEqual({ submitted: 1 });
  });

  it('starts a new transaction before one would pass the item limit', () => {
    // one marker + 9 counters for the first event; each later event of another year adds 1 + 9
    const events = ['2021', '2022', '2023'].map((year, i) => event(`e${i}`, `D-${i}`, `${year}-01-01`));
    const groups = countingTransactions(events, 25);
    expect(groups.map((g) => g.events.length)).toEqual([2, 1]);
    expect(groups.map((g) => g.events.length + g.counters.length)).toEqual([20, 10]);
    // the second group has its own shard, its first dossier's
    expect(groups[1]!.counters.find((c) => c.scope === 'province')!.shard).toBe(shardOf('D-2'));
    expect(() => countingTransactions(events, 9)).toThrow(/over the transaction limit/);
    expect(countingTransactions([], 100)).toEqual([]);
  });
});
