import { api, type Agency, type ServiceDetail, type ServiceSummary } from '../api.js';
import { session, signIn } from '../auth.js';
import { field, h, replace } from '../dom.js';
import { bytes, typeName, vnd } from '../format.js';
import { t } from '../i18n.js';
import type { PageContext } from '../main.js';

export const processingText = (p: ServiceSummary['processing']): string => t(p.unit === 'working-days' ? 'workingDays' : 'calendarDays', { n: p.amount });

/** Search the catalog: words with or without accents (the API folds them), level, field and agency. */
export async function catalogPage(ctx: PageContext): Promise<void> {
  const { main, query } = ctx;
  const [all, agencies] = await Promise.all([api<{ items: ServiceSummary[] }>('/services', { auth: false }), api<{ items: Agency[] }>('/agencies', { auth: false })]);
  const fields = [...new Set(all.items.map((s) => s.field))].sort((a, b) => a.localeCompare(b, 'vi'));

  const q = h('input', { type: 'search', name: 'q', value: query.get('q') ?? '', autocomplete: 'off', maxlength: 200 });
  const level = h('select', { name: 'level' }, h('option', { value: '' }, t('anyLevel')), ...[4, 3, 2, 1].map((n) => h('option', { value: n, selected: query.get('level') === String(n) }, t('levelN', { n }))));
  const fieldSel = h('select', { name: 'field' }, h('option', { value: '' }, t('anyField')), ...fields.map((f) => h('option', { value: f, selected: query.get('field') === f }, f)));
  const agency = h('select', { name: 'agency' }, h('option', { value: '' }, t('anyAgency')), ...agencies.items.map((a) => h('option', { value: a.id, selected: query.get('agency') === a.id }, a.name)));
  const form = h(
    'form',
    {
      class: 'filters',
      role: 'search',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const next = new URLSearchParams();
        for (const [k, v] of new FormData(form)) if (typeof v === 'string' && v) next.set(k, v);
        ctx.navigate(`#/?${next.toString()}`);
      },
    },
    field(t('searchLabel'), q),
    field(t('level'), level),
    field(t('fieldLabel'), fieldSel),
    field(t('agency'), agency),
    h('div', { class: 'field actions' }, h('button', { type: 'submit', class: 'primary' }, t('search'))),
  );

  const params = new URLSearchParams();
  for (const k of ['q', 'level', 'agency']) {
    const v = query.get(k);
    if (v) params.set(k, v);
  }
  const found = await api<{ total: number; items: ServiceSummary[] }>(`/services?${params.toString()}`, { auth: false });
  // The API filters by words, level and agency; the field is a list the catalog itself defines, filtered here.
  const items = found.items.filter((s) => !query.get('field') || s.field === query.get('field'));
  const list = h(
    'ul',
    { class: 'cards' },
    items.map((s) =>
      h(
        'li',
        { class: 'card' },
        h('h3', {}, h('a', { href: `#/services/${encodeURIComponent(s.id)}` }, s.name)),
        h('p', { class: 'meta' }, s.field),
        h('p', { class: 'tags' }, h('span', { class: `tag level-${s.level}` }, t('levelN', { n: s.level })), ' ', h('span', { class: 'tag' }, s.fullyOnline ? t('fullyOnline') : t('partlyOnline')), ' ', h('span', { class: 'tag plain' }, processingText(s.processing))),
      ),
    ),
  );
  replace(main, h('h1', {}, t('searchTitle')), form, h('h2', { 'aria-live': 'polite' }, t('results', { n: items.length })), items.length ? list : h('p', {}, t('noResults')));
}

/** One procedure: documents, fees, processing time and where it is handled. */
export async function servicePage(ctx: PageContext): Promise<void> {
  const [id = ''] = ctx.params;
  const s = await api<ServiceDetail>(`/services/${encodeURIComponent(id)}`, { auth: false });
  const signed = session();
  const canApply = s.level >= 3;
  const applyButton = !canApply
    ? null
    : signed?.role === 'citizen'
      ? h('a', { class: 'button primary', href: `#/apply/${encodeURIComponent(s.id)}` }, t('apply'))
      : h('button', { type: 'button', class: 'primary', onclick: () => void signIn(ctx.config, `#/apply/${encodeURIComponent(s.id)}`) }, t('signInToApply'));
  replace(
    ctx.main,
    h('p', {}, h('a', { href: '#/' }, `← ${t('back')}`)),
    h('h1', {}, s.name),
    h('p', { class: 'tags' }, h('span', { class: `tag level-${s.level}` }, t('levelN', { n: s.level })), ' ', h('span', { class: 'tag' }, s.fullyOnline ? t('fullyOnline') : t('partlyOnline')), ' ', h('span', { class: 'tag plain' }, s.code)),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, t('fieldLabel')), h('dd', {}, s.field),
      h('dt', {}, t('processingTime')), h('dd', {}, processingText(s.processing)),
      h('dt', {}, t('whereHandled')), h('dd', {}, h('ul', { class: 'plain' }, s.agencies.map((a) => h('li', {}, a.name)))),
      s.notEligibleReason ? [h('dt', {}, t('notLevel4')), h('dd', {}, s.notEligibleReason)] : null,
    ),
    h('h2', {}, t('documents')),
    s.documents.length
      ? h('ol', { class: 'docs' }, s.documents.map((d) => h('li', {}, h('strong', {}, d.name), ` — ${d.required ? t('required') : t('optional')}`, h('br'), h('span', { class: 'meta' }, t('allowedTypes', { types: d.allowedTypes.map(typeName).join(', '), size: bytes(d.maxSizeBytes), files: d.maxFiles })))))
      : h('p', {}, '—'),
    h('h2', {}, t('fees')),
    s.fees.length ? h('ul', {}, s.fees.map((f) => h('li', {}, `${f.name}: `, h('strong', {}, vnd(f.amountVnd))))) : h('p', {}, t('noFee')),
    applyButton ? h('p', { class: 'cta' }, applyButton) : null,
  );
}
