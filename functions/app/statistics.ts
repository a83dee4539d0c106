import type { Province } from '../../provinces/schema.js';
import type { StatsStore, SyncStates } from './ports.js';
import type { StatsAgenciesQuery, StatsQuery } from '../contracts/stats.js';
import { localDateOf } from '../domain/calendar.js';
import { AppError, invalidInput, notFound } from '../domain/errors.js';
import { csvCell } from '../domain/text.js';
import { RANKING_MAX_ITEMS, catalogFigures, figuresOf, nationalSyncFigures, periodReportOf, periodsBefore, periodsFor, rankAgencies, shardsOf, type PeriodQuery, type Scope } from '../domain/statistics.js';

export interface StatsDeps {
  readonly stats: Pick<StatsStore, 'read'>;
  readonly province: Province;
  readonly now: Date;
  /** the per-dossier national sync state; the province scope reports its share in sync from it */
  readonly syncState?: Pick<SyncStates, 'counts'>;
}

type PeriodParams = Pick<StatsQuery, 'day' | 'month' | 'year' | 'from' | 'to'>;

function lastDay(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

/** The period asked for, as the domain names it, with its first and last local day; none means this year. */
function resolvePeriod(q: PeriodParams, now: Date): { query: PeriodQuery; from: string; to: string } {
  if (q.day) return { query: { day: q.day }, from: q.day, to: q.day };
  if (q.month) return { query: { month: q.month }, from: `${q.month}-01`, to: lastDay(q.month) };
  if (q.from && q.to) {
    return { query: { from: q.from, to: q.to }, from: q.from.length === 7 ? `${q.from}-01` : q.from, to: q.to.length === 7 ? lastDay(q.to) : q.to };
  }
  const year = q.year ?? localDateOf(now).slice(0, 4);
  return { query: { year }, from: `${year}-01-01`, to: `${year}-12-31` };
}

function periodsOrRefuse(query: PeriodQuery) {
  try {
    return periodsFor(query);
  } catch (err) {
    if (err instanceof RangeError) throw invalidInput([{ field: 'query.from', message: err.message }]);
    throw err;
  }
}

function checkScope(province: Province, scope: Scope): void {
  if (scope.startsWith('agency:') && !province.agencies.some((a) => a.id === scope.slice('agency:'.length))) {
    throw notFound(`agency ${scope.slice('agency:'.length)}`, 'Không tìm thấy cơ quan.');
  }
  if (scope.startsWith('service:') && !province.services.some((s) => s.id === scope.slice('service:'.length))) {
    throw notFound(`service ${scope.slice('service:'.length)}`, 'Không tìm thấy thủ tục.');
  }
}

/** The figures of one scope over a period: a fixed number of counter items, whatever the number of dossiers. */
export async function readStats(deps: StatsDeps, q: StatsQuery) {
  const scope = q.scope as Scope;
  checkScope(deps.province, scope);
  const period = resolvePeriod(q, deps.now);
  const periods = periodsOrRefuse(period.query);
  // the sync state is province-wide: an agency's or a service's share would need a dossier read per code
  const [read, sync] = await Promise.all([deps.stats.read([scope], periods), scope === 'province' && deps.syncState ? deps.syncState.counts() : undefined]);
  const counts = read.get(scope) ?? {};
  return {
    scope,
    period: { from: period.from, to: period.to, items: periods },
    figures: figuresOf(counts),
    catalog: catalogFigures(deps.province, scope),
    ...(sync ? { nationalSync: nationalSyncFigures(sync) } : {}),
  };
}

/**
 * The period balance of Circular 01/2018/TT-VPCP for one scope: the period's counters, and those of every
 * period before it (from REPORT_EPOCH_YEAR: one item per past year) for what was carried over.
 */
export async function readPeriodReport(deps: StatsDeps, q: StatsQuery) {
  const scope = q.scope as Scope;
  checkScope(deps.province, scope);
  const period = resolvePeriod(q, deps.now);
  const periods = periodsOrRefuse(period.query);
  // the carry-over sums one item per year since the epoch: a period not yet begun has nothing to report,
  // and one in a far year would be thousands of reads for an anonymous request
  if (period.from > localDateOf(deps.now)) {
    const field = q.day ? 'query.day' : q.month ? 'query.month' : q.from ? 'query.from' : 'query.year';
    throw invalidInput([{ field, message: `the report covers periods that have begun: ${period.from} is after today`, messageVi: 'Kỳ báo cáo chưa bắt đầu: chưa có số liệu.' }]);
  }
  const earlier = periodsBefore(period.from);
  const [during, before] = await Promise.all([deps.stats.read([scope], periods), deps.stats.read([scope], earlier)]);
  return {
    scope,
    period: { from: period.from, to: period.to, items: periods },
    shape: 'report' as const,
    report: periodReportOf(before.get(scope) ?? {}, during.get(scope) ?? {}),
  };
}

/** Every agency of the province ranked on the share resolved on time or early, like the seeds' rankings. */
export async function readAgencyRanking(deps: StatsDeps, q: StatsAgenciesQuery) {
  const period = resolvePeriod(q, deps.now);
  const periods = periodsOrRefuse(period.query);
  const scopes = deps.province.agencies.map((a) => `agency:${a.id}` as Scope);
  // a public page, cached in front: a tight cap on counter items per request, read eventually consistent
  const items = scopes.reduce((n, scope) => n + shardsOf(scope), 0) * periods.length;
  if (items > RANKING_MAX_ITEMS) throw new AppError('invalid', 'invalid_input', 'the range is too long to rank every agency; ask for months or years', 'Khoảng thời gian quá dài.');
  const counts = await deps.stats.read(scopes, periods, { consistent: false });
  const ranked = rankAgencies(deps.province.agencies.map((a) => ({ agencyId: a.id, figures: figuresOf(counts.get(`agency:${a.id}`) ?? {}) })));
  const byId = new Map(deps.province.agencies.map((a) => [a.id, a]));
  return {
    period: { from: period.from, to: period.to, items: periods },
    items: ranked.map(({ rank, agencyId, figures }) => {
      const agency = byId.get(agencyId)!;
      return { rank, agency: { id: agency.id, code: agency.code, name: agency.name }, figures };
    }),
  };
}

// ---------------------------------------------------------------------------------------------------
// CSV

function flatten(value: unknown, prefix: string, out: [string, unknown][]): [string, unknown][] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.push([prefix, value]);
  }
  return out;
}

// every cell through the one CSV writer, which neutralises formula prefixes (see functions/http/csv.ts)
const cell = csvCell;

/** One figure per row: `figure,value`, dotted names (resolved.early, index.onTime21…). */
export function statsCsv(stats: Awaited<ReturnType<typeof readStats>>): string {
  const rows: [string, unknown][] = [
    ['scope', stats.scope],
    ['from', stats.period.from],
    ['to', stats.period.to],
    ...flatten(stats.figures, '', []),
    ...flatten(stats.catalog, 'catalog', []),
    ...(stats.nationalSync ? flatten(stats.nationalSync, 'nationalSync', []) : []),
  ];
  return ['figure,value', ...rows.map(([k, v]) => `${cell(k)},${cell(v)}`)].join('\r\n') + '\r\n';
}

/** The period report as `figure,value` rows, like `statsCsv`. */
export function reportCsv(answer: Awaited<ReturnType<typeof readPeriodReport>>): string {
  const rows: [string, unknown][] = [['scope', answer.scope], ['from', answer.period.from], ['to', answer.period.to], ['shape', 'report'], ...flatten(answer.report, '', [])];
  return ['figure,value', ...rows.map(([k, v]) => `${cell(k)},${cell(v)}`)].join('\r\n') + '\r\n';
}

/** One agency per row, figures as columns. */
export function rankingCsv(ranking: Awaited<ReturnType<typeof readAgencyRanking>>): string {
  const first = ranking.items[0];
  const columns = first ? flatten(first.figures, '', []).map(([k]) => k) : [];
  const lines = [['rank', 'agencyId', 'agencyCode', 'agencyName', ...columns].join(',')];
  for (const item of ranking.items) {
    const values = flatten(item.figures, '', []).map(([, v]) => v);
    lines.push([item.rank, item.agency.id, item.agency.code, item.agency.name, ...values].map(cell).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
