import { api, downloadFromApi, type Dossier, type ServiceDetail, type Status } from '../api.js';
import { loadMore } from '../list.js';
import { Pager, type ListPage } from '../paging.js';
import { lastFailed, paidPayments, paymentDue } from '../payment.js';
import { field, h, replace, type Child } from '../dom.js';
import { date, dateTime, vnd } from '../format.js';
import { eventLabel, statusLabel, t } from '../i18n.js';
import { errorBox } from '../main.js';
import type { PageContext } from '../main.js';
import { componentUpload, documentList } from '../uploads.js';

const enc = encodeURIComponent;

export const statusBadge = (s: Status): HTMLElement => h('span', { class: `status s${s.code}` }, statusLabel(s));

type MyDossier = { code: string; service: { name: string }; status: Status; submittedAt: string; dueAt?: string; draft?: boolean };

/** Page size of the lists: the API's default unless the address asks for another (1 to 100). */
export function pageSize(query: URLSearchParams, fallback: number): number {
  const n = Number(query.get('limit'));
  return Number.isInteger(n) && n >= 1 && n <= 100 ? n : fallback;
}

export async function myDossiersPage(ctx: PageContext): Promise<void> {
  if (!ctx.requireSignIn()) return;
  const pager = new Pager<MyDossier>((path) => api<ListPage<MyDossier>>(path), `/dossiers?limit=${pageSize(ctx.query, 25)}`);
  await pager.next();
  const row = (d: MyDossier): HTMLElement =>
    h('tr', {}, h('td', {}, h('a', { href: `#/dossiers/${enc(d.code)}` }, d.code)), h('td', {}, d.service.name), h('td', {}, d.draft ? h('span', { class: 'status draft' }, t('draft')) : statusBadge(d.status)), h('td', {}, date(d.submittedAt)), h('td', {}, date(d.dueAt)));
  const tbody = h('tbody', {}, pager.items.map(row));
  replace(
    ctx.main,
    h('h1', {}, t('myDossiers')),
    pager.items.length
      ? [
          h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              {},
              h('caption', { class: 'sr-only' }, t('myDossiers')),
              h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('code')), h('th', { scope: 'col' }, t('service')), h('th', { scope: 'col' }, t('status')), h('th', { scope: 'col' }, t('submittedAt')), h('th', { scope: 'col' }, t('dueAt')))),
              tbody,
            ),
          ),
          loadMore(pager, tbody, row),
        ]
      : h('p', {}, t('noDossiers')),
  );
}

export function timeline(history: readonly { at: string; type: string; to: number; note?: string }[]): HTMLElement {
  return h('ol', { class: 'timeline' }, history.map((e) => h('li', {}, h('time', { datetime: e.at }, dateTime(e.at)), ' — ', h('strong', {}, eventLabel(e.type)), e.note ? h('span', { class: 'meta' }, ` (${e.note})`) : null)));
}

/** The submission receipt the citizen keeps: the code and the PIN that tracks without an account. */
function receiptBox(d: Dossier): HTMLElement {
  const pin = sessionStorage.getItem(`motcua.pin.${d.code}`);
  return h(
    'section',
    { class: 'receipt', 'aria-labelledby': 'receipt-h' },
    h('h2', { id: 'receipt-h' }, t('receiptTitle')),
    h('dl', { class: 'facts' }, h('dt', {}, t('code')), h('dd', { class: 'code' }, d.code), pin ? [h('dt', {}, t('pin')), h('dd', { class: 'code', 'data-testid': 'pin' }, pin)] : null, h('dt', {}, t('submittedAt')), h('dd', {}, dateTime(d.submittedAt))),
    h('p', { class: 'hint' }, t('pinNote')),
  );
}

/**
 * One of the applicant's dossiers: while a draft, its uploads and the submit button; then its status,
 * appointment, timeline, a supplement request with what is missing, results to download and the rating.
 */
export async function dossierPage(ctx: PageContext): Promise<void> {
  if (!ctx.requireSignIn()) return;
  const [code = ''] = ctx.params;
  const d = await api<Dossier>(`/dossiers/${enc(code)}`);
  const s = await api<ServiceDetail>(`/services/${enc(d.service.id)}`);
  const names = new Map(s.documents.map((c) => [c.id, c.name]));
  const reload = (): void => ctx.navigate(`#/dossiers/${enc(d.code)}`);
  const docs = (d.documents ?? []).filter((x) => x.kind === 'application');
  const results = (d.documents ?? []).filter((x) => x.kind === 'result' && x.status === 'verified');
  const sections: HTMLElement[] = [];

  if (d.draft) {
    const list = h('div', {}, documentList(docs, names));
    const refresh = async (): Promise<void> => {
      const now = await api<Dossier>(`/dossiers/${enc(d.code)}`);
      replace(list, documentList((now.documents ?? []).filter((x) => x.kind === 'application'), names));
    };
    const message = h('div', { 'aria-live': 'assertive' });
    const submit = h('button', {
      type: 'button',
      class: 'primary',
      onclick: async () => {
        submit.disabled = true;
        try {
          // A draft is addressed by its draft id; its dossier code and tracking PIN exist only from submission.
          const done = await api<{ code: string; trackingPin?: string }>(`/dossiers/${enc(d.code)}/submit`, { method: 'POST' });
          const finalCode = done.code;
          if (done.trackingPin) sessionStorage.setItem(`motcua.pin.${finalCode}`, done.trackingPin);
          ctx.navigate(`#/dossiers/${enc(finalCode)}`);
        } catch (err) {
          replace(message, errorBox(err));
          submit.disabled = false;
        }
      },
    }, t('submit'));
    sections.push(
      h('section', { 'aria-labelledby': 'up-h' }, h('h2', { id: 'up-h' }, t('uploadTitle')), s.documents.map((c) => h('div', { class: 'component' }, h('p', {}, h('strong', {}, c.name), ` — ${c.required ? t('required') : t('optional')}`), componentUpload(d.code, c, () => void refresh()))), list),
      // fees are paid once the dossier is submitted (the API refuses a draft's payment): shown here, paid on the next page
      h('section', { id: 'payment', 'aria-labelledby': 'pay-h' }, h('h2', { id: 'pay-h' }, t('paymentPlace')), s.fees.length ? h('ul', {}, s.fees.map((f) => h('li', {}, `${f.name}: ${vnd(f.amountVnd)}`))) : h('p', {}, t('noFee')), h('p', { class: 'hint' }, t('paymentNote'))),
      h('div', {}, message, submit),
    );
  } else {
    sections.push(receiptBox(d));
    if (d.pendingSupplement) {
      const note = h('textarea', { name: 'note', maxlength: 2000, rows: 3 });
      const message = h('div', { 'aria-live': 'assertive' });
      const list = h('div', {}, documentList(docs, names));
      sections.push(
        h(
          'section',
          { class: 'alert warning', 'aria-labelledby': 'sup-h' },
          h('h2', { id: 'sup-h' }, t('supplementTitle')),
          h('p', {}, h('strong', {}, `${t('reason')}: `), d.pendingSupplement.reason),
          h('p', {}, h('strong', {}, `${t('missing')}:`)),
          h('ul', {}, d.pendingSupplement.missing.map((m) => h('li', {}, m))),
          // when the agency names the components, exactly those need a new verified file
          s.documents.filter((c) => !d.pendingSupplement?.components || d.pendingSupplement.components.includes(c.id)).map((c) => componentUpload(d.code, c, () => void api<Dossier>(`/dossiers/${enc(d.code)}`).then((n) => replace(list, documentList((n.documents ?? []).filter((x) => x.kind === 'application'), names))))),
          list,
          field(t('supplementNote'), note),
          message,
          h('button', {
            type: 'button',
            class: 'primary',
            onclick: async () => {
              try {
                await api(`/dossiers/${enc(d.code)}/supplement`, { body: { ...(note.value.trim() ? { note: note.value.trim() } : {}), expectedVersion: d.version } });
                reload();
              } catch (err) {
                replace(message, errorBox(err));
              }
            },
          }, t('supplementAnswer')),
        ),
      );
    }
    const payment = paymentSection(d);
    if (payment) sections.push(payment);
    if (results.length) {
      sections.push(
        h(
          'section',
          { 'aria-labelledby': 'res-h' },
          h('h2', { id: 'res-h' }, t('resultsTitle')),
          h('ul', {}, results.map((r) => h('li', {}, h('button', { type: 'button', class: 'secondary', onclick: () => void openResult(d.code, r.id) }, t('download', { name: r.fileName }))))),
        ),
      );
    }
    if (d.status.code === 10) sections.push(d.rating ? h('p', { class: 'alert ok' }, t('ratedAs', { r: t(d.rating.value as 'satisfied') })) : ratingForm(d, reload));
    sections.push(h('section', { 'aria-labelledby': 'docs-h' }, h('h2', { id: 'docs-h' }, t('documents')), documentList(docs, names)));
    sections.push(h('section', { 'aria-labelledby': 'tl-h' }, h('h2', { id: 'tl-h' }, t('timeline')), timeline(d.history)));
  }

  replace(
    ctx.main,
    h('p', {}, h('a', { href: '#/dossiers' }, `← ${t('myDossiers')}`)),
    h('h1', {}, d.service.name),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, t('code')), h('dd', { class: 'code' }, d.code),
      h('dt', {}, t('status')), h('dd', { 'data-testid': 'status' }, d.draft ? h('span', { class: 'status draft' }, t('draft')) : statusBadge(d.status)),
      h('dt', {}, t('agency')), h('dd', {}, d.agency.name),
      h('dt', {}, t('dueAt')), h('dd', {}, dateTime(d.dueAt)),
    ),
    sections,
  );
}

/**
 * Fees due now (at submission, or what the agency asked for in status 6) with the Pay button, which opens
 * a payment through the API and sends the browser to the gateway; the gateway's return page links back
 * here. Settled payments are listed with their receipt (biên lai điện tử) as a PDF.
 */
function paymentSection(d: Dossier): HTMLElement | undefined {
  const due = paymentDue(d);
  const paid = paidPayments(d);
  if (!due && !paid.length) return undefined;
  const message = h('div', { 'aria-live': 'assertive' });
  const parts: Child[] = [];
  if (due) {
    const failed = lastFailed(d, due);
    const pay = h('button', {
      type: 'button',
      class: 'primary',
      onclick: async () => {
        pay.disabled = true;
        try {
          const opened = await api<{ payUrl?: string }>(`/dossiers/${enc(d.code)}/payments`, { method: 'POST' });
          if (!opened.payUrl) throw new Error(t('paymentFailed'));
          location.assign(opened.payUrl);
        } catch (err) {
          replace(message, errorBox(err));
          pay.disabled = false;
        }
      },
    }, t('payNow'));
    parts.push(
      failed ? h('p', { class: 'alert error' }, t('paymentFailed')) : null,
      h('table', { class: 'compact' }, h('caption', {}, t('paymentDue')), h('tbody', {}, due.lines.map((l) => h('tr', {}, h('th', { scope: 'row' }, l.name), h('td', {}, vnd(l.amountVnd)))), h('tr', {}, h('th', { scope: 'row' }, t('total')), h('td', { 'data-testid': 'amount-due' }, h('strong', {}, vnd(due.amountVnd)))))),
      h('p', { class: 'hint' }, t('payRedirect')),
      message,
      pay,
    );
  }
  if (paid.length) {
    parts.push(
      h('ul', { 'data-testid': 'paid' }, paid.map((p) =>
        h('li', {}, h('span', { class: 'status s9' }, t('paidLine', { amount: vnd(p.amountVnd), at: dateTime(p.paidAt) })), ' · ', t('receiptNo', { n: p.receiptNumber ?? '' }), ' ',
          h('button', { type: 'button', class: 'secondary small', onclick: () => void downloadFromApi(`/dossiers/${enc(d.code)}/payments/${enc(p.ref)}/receipt?format=pdf`, `bien-lai-${p.receiptNumber ?? p.ref}.pdf`).catch((err: unknown) => replace(message, errorBox(err))) }, t('downloadReceipt', { n: p.receiptNumber ?? '' })),
        ),
      )),
      due ? null : message,
    );
  }
  return h('section', { id: 'payment', class: due ? 'alert warning' : undefined, 'aria-labelledby': 'pay-h' }, h('h2', { id: 'pay-h' }, t('paymentPlace')), parts);
}

/** A result is fetched through the API (which checks who asks) and opened from its short-lived link. */
async function openResult(code: string, id: string): Promise<void> {
  const link = await api<{ url: string; fileName: string }>(`/dossiers/${enc(code)}/results/${enc(id)}`);
  const a = h('a', { href: link.url, download: link.fileName, target: '_blank', rel: 'noopener' });
  document.body.append(a);
  a.click();
  a.remove();
}

function ratingForm(d: Dossier, done: () => void): HTMLElement {
  const message = h('div', { 'aria-live': 'assertive' });
  const comment = h('textarea', { name: 'comment', maxlength: 1000, rows: 2 });
  const options = (['satisfied', 'normal', 'unsatisfied'] as const).map((r) => h('label', { class: 'choice' }, h('input', { type: 'radio', name: 'rating', value: r, required: true }), ` ${t(r)}`));
  const form = h(
    'form',
    {
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const rating = new FormData(form).get('rating');
        try {
          await api(`/dossiers/${enc(d.code)}/rating`, { body: { rating, ...(comment.value.trim() ? { comment: comment.value.trim() } : {}) } });
          done();
        } catch (err) {
          replace(message, errorBox(err));
        }
      },
    },
    h('fieldset', {}, h('legend', {}, t('rate')), options),
    field(t('comment'), comment),
    message,
    h('button', { type: 'submit', class: 'primary' }, t('sendRating')),
  );
  return h('section', {}, form);
}

/** Anyone holding the receipt: code and PIN, no account, no personal data in the answer. */
export function trackPage(ctx: PageContext): void {
  const code = h('input', { name: 'code', required: true, autocomplete: 'off', value: ctx.query.get('code') ?? '' });
  const pin = h('input', { name: 'pin', required: true, inputmode: 'numeric', pattern: '\\d{6}', maxlength: 6, autocomplete: 'off' });
  const out = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    {
      class: 'filters',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        try {
          const v = await api<{ code: string; service: { name: string }; agency: { name: string }; status: Status; submittedAt: string; dueAt?: string; pendingSupplement?: { reason: string; missing: string[] }; history: { at: string; type: string; to: number }[] }>(
            `/track/${enc(code.value.trim())}?pin=${enc(pin.value.trim())}`,
            { auth: false },
          );
          replace(
            out,
            h('h2', {}, v.service.name),
            h('dl', { class: 'facts' }, h('dt', {}, t('code')), h('dd', { class: 'code' }, v.code), h('dt', {}, t('status')), h('dd', {}, statusBadge(v.status)), h('dt', {}, t('agency')), h('dd', {}, v.agency.name), h('dt', {}, t('submittedAt')), h('dd', {}, dateTime(v.submittedAt)), h('dt', {}, t('dueAt')), h('dd', {}, dateTime(v.dueAt))),
            v.pendingSupplement ? h('div', { class: 'alert warning' }, h('h3', {}, t('supplementTitle')), h('p', {}, v.pendingSupplement.reason), h('ul', {}, v.pendingSupplement.missing.map((m) => h('li', {}, m)))) : null,
            h('h3', {}, t('timeline')),
            timeline(v.history),
          );
        } catch (err) {
          replace(out, errorBox(err));
        }
      },
    },
    field(t('code'), code),
    field(t('pin'), pin),
    h('div', { class: 'field actions' }, h('button', { type: 'submit', class: 'primary' }, t('track'))),
  );
  replace(ctx.main, h('h1', {}, t('trackTitle')), form, out);
}
