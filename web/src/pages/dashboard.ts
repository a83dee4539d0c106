import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import { api } from '../api.js';
import { field, h, replace } from '../dom.js';
import { percent } from '../format.js';
import { currentLang, t } from '../i18n.js';
import type { PageContext } from '../main.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

interface Figures {
  submitted: { total: number; online: number };
  received: { total: number };
  resolved: { total: number; early: number; onTime: number; late: number; averageWorkingDays: number | null };
  inProgress: { total: number; notYetDue: number; overdue: number };
  ratings: { total: number; satisfactionRate: number | null };
  rates: { resolvedOnTimeOrEarly: number | null };
  index: { onTime21: number | null; submittedOnline33: number | null; paidOnline36: number | null; satisfaction54: number | null };
}
interface Stats { period: { from: string; to: string }; figures: Figures; catalog: { services: number; level4Share: number | null; byLevel: Record<string, number> } }
interface Ranking { items: { rank: number; agency: { id: string; name: string }; figures: Figures }[] }

/** The province dashboard: GET /stats for a year or a month, the 766 components, the ranking, twelve months. */
export async function dashboardPage(ctx: PageContext): Promise<void> {
  const thisYear = new Date().getFullYear();
  const year = /^\d{4}$/.test(ctx.query.get('year') ?? '') ? ctx.query.get('year')! : String(thisYear);
  const month = /^(0[1-9]|1[0-2])$/.test(ctx.query.get('month') ?? '') ? ctx.query.get('month')! : '';
  const period = month ? `month=${year}-${month}` : `year=${year}`;
  const months = Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`);
  const [stats, ranking, monthly] = await Promise.all([
    api<Stats>(`/stats?${period}`, { auth: false }),
    api<Ranking>(`/stats/agencies?${period}`, { auth: false }),
    Promise.all(months.map((m) => api<Stats>(`/stats?month=${m}`, { auth: false }))),
  ]);
  const f = stats.figures;

  const yearSel = h('select', { name: 'year' }, Array.from({ length: 5 }, (_, i) => String(thisYear - i)).map((y) => h('option', { value: y, selected: y === year }, y)));
  const monthSel = h('select', { name: 'month' }, h('option', { value: '' }, currentLang() === 'vi' ? 'Cả năm' : 'Whole year'), months.map((m, i) => h('option', { value: m.slice(5), selected: m.slice(5) === month }, `${t('month')} ${i + 1}`)));
  const form = h(
    'form',
    {
      class: 'filters',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const q = new URLSearchParams();
        for (const [k, v] of new FormData(form)) if (typeof v === 'string' && v) q.set(k, v);
        ctx.navigate(`#/stats?${q.toString()}`);
      },
    },
    field(t('year'), yearSel),
    field(t('month'), monthSel),
    h('div', { class: 'field actions' }, h('button', { type: 'submit', class: 'primary' }, t('show')), ' ', h('a', { class: 'button secondary', href: `/stats?${period}&format=csv`, download: `motcua-stats-${month ? `${year}-${month}` : year}.csv` }, t('downloadCsv'))),
  );

  const tile = (label: string, value: string, testid: string): HTMLElement => h('div', { class: 'tile' }, h('p', { class: 'tile-value', 'data-testid': testid }, value), h('p', { class: 'tile-label' }, label));
  const canvas = h('canvas', { role: 'img', 'aria-label': t('chartLabel'), width: 640, height: 260 });
  const monthTable = h(
    'table',
    { class: 'compact' },
    h('caption', {}, t('monthly')),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('month')), h('th', { scope: 'col' }, t('received')), h('th', { scope: 'col' }, t('resolved')), h('th', { scope: 'col' }, t('late')))),
    h('tbody', {}, monthly.map((m, i) => h('tr', {}, h('th', { scope: 'row' }, months[i] ?? ''), h('td', {}, m.figures.received.total), h('td', {}, m.figures.resolved.total), h('td', {}, m.figures.resolved.late)))),
  );

  replace(
    ctx.main,
    h('h1', {}, t('dashboardTitle')),
    form,
    h('p', { class: 'meta' }, `${t('period')}: ${stats.period.from} → ${stats.period.to}`),
    h(
      'div',
      { class: 'tiles' },
      tile(t('submittedTotal'), String(f.submitted.total), 'submitted'),
      tile(t('received'), String(f.received.total), 'received'),
      tile(t('resolved'), String(f.resolved.total), 'resolved'),
      tile(t('onTimeRate'), percent(f.rates.resolvedOnTimeOrEarly), 'on-time-rate'),
      tile(t('inProgress'), `${f.inProgress.total} (${t('overdue')}: ${f.inProgress.overdue})`, 'in-progress'),
      tile(t('level4Share'), percent(stats.catalog.level4Share), 'level4'),
    ),
    h('h2', {}, t('index766')),
    h(
      'table',
      { class: 'compact' },
      h('caption', { class: 'sr-only' }, t('index766')),
      h('tbody', {}, [[t('c21'), f.index.onTime21], [t('c33'), f.index.submittedOnline33], [t('c36'), f.index.paidOnline36], [t('c54'), f.index.satisfaction54]].map(([label, v]) => h('tr', {}, h('th', { scope: 'row' }, String(label)), h('td', {}, percent(v as number | null))))),
    ),
    h('h2', {}, t('monthly')),
    h('div', { class: 'chart' }, canvas),
    h('details', {}, h('summary', {}, currentLang() === 'vi' ? 'Bảng số liệu của biểu đồ' : 'The chart as a table'), monthTable),
    h('h2', {}, t('ranking')),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'compact' },
        h('caption', { class: 'sr-only' }, t('ranking')),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('rank')), h('th', { scope: 'col' }, t('agency')), h('th', { scope: 'col' }, t('received')), h('th', { scope: 'col' }, t('resolved')), h('th', { scope: 'col' }, t('onTimeRate')))),
        h('tbody', {}, ranking.items.filter((r) => r.figures.received.total > 0 || r.figures.submitted.total > 0).map((r) => h('tr', {}, h('td', {}, r.rank), h('th', { scope: 'row' }, r.agency.name), h('td', {}, r.figures.received.total), h('td', {}, r.figures.resolved.total), h('td', {}, percent(r.figures.rates.resolvedOnTimeOrEarly))))),
      ),
    ),
  );

  new Chart(canvas, {
    type: 'bar',
    data: {
      labels: months.map((m) => m.slice(5)),
      datasets: [
        { label: t('received'), data: monthly.map((m) => m.figures.received.total), backgroundColor: '#0b4f9c' },
        { label: t('resolved'), data: monthly.map((m) => m.figures.resolved.total), backgroundColor: '#1a7f37' },
        { label: t('late'), data: monthly.map((m) => m.figures.resolved.late), backgroundColor: '#a40e26' },
      ],
    },
    options: { responsive: true, maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
}
