import { api, type Agency, type Dossier, type ServiceDetail, type Status } from '../api.js';
import { session } from '../auth.js';
import { field, h, replace } from '../dom.js';
import { deadlineView } from '../deadline.js';
import { bytes, date, dateTime, typeName } from '../format.js';
import { actionLabel, currentLang, statusLabel, t } from '../i18n.js';
import { errorBox } from '../main.js';
import type { PageContext } from '../main.js';
import { uploadControl, verdict } from '../uploads.js';
import { pageSize, statusBadge, timeline } from './citizen.js';
import { loadMore } from '../list.js';
import { Pager, type ListPage } from '../paging.js';

const enc = encodeURIComponent;

/** `workingDaysLeft` and `legalDueAt` are read when the API gives them; without them the portal counts calendar days. */
interface InboxItem { code: string; service: { id: string; name: string }; status: Status; applicantName: string; submittedAt: string; dueAt?: string; standing: string; version: number; workingDaysLeft?: number; legalDueAt?: string }

/** Days left before the appointment with its colour class (near due, overdue), or how a closed dossier ended. */
export function deadlineCell(dueAt: string | undefined, standing: string, statusCode: number, workingDaysLeft?: number): HTMLElement {
  const v = deadlineView({ dueAt, standing, statusCode, workingDaysLeft }, Date.now());
  const left = (n: number): string => t(v.kind !== 'none' && v.kind !== 'closed' && v.working ? 'workingDaysLeftN' : 'daysLeftN', { n });
  const late = (n: number): string => t(v.kind === 'overdue' && v.working ? 'workingOverdueN' : 'overdueN', { n });
  switch (v.kind) {
    case 'none':
      return h('span', { class: 'due none' }, t('noDeadline'));
    case 'closed':
      return h('span', { class: `due closed ${v.standing}` }, v.standing === 'early' ? t('early') : v.standing === 'on-time' ? t('onTime') : v.standing === 'late' ? t('late') : '—');
    case 'overdue':
      return h('span', { class: 'due overdue' }, `${t('overdue')}: ${late(v.daysLate)}`);
    case 'near':
      return h('span', { class: 'due near' }, `${t('nearDue')}: ${v.daysLeft === 0 ? t('dueToday') : left(v.daysLeft)}`);
    case 'ok':
      return h('span', { class: 'due ok' }, left(v.daysLeft));
  }
}

/** The agency's work list, soonest appointment first, filtered by status. */
export async function inboxPage(ctx: PageContext): Promise<void> {
  if (!ctx.requireSignIn()) return;
  const s = session()!;
  const agencies = await api<{ items: Agency[] }>('/agencies', { auth: false });
  const agencyId = s.agencyId ?? ctx.query.get('agency') ?? agencies.items[0]?.id ?? '';
  const status = ctx.query.get('status') ?? 'open';
  const pager = new Pager<InboxItem>((path) => api<ListPage<InboxItem>>(path), `/agencies/${enc(agencyId)}/dossiers?status=${enc(status)}&limit=${pageSize(ctx.query, 100)}`);
  await pager.next();
  const row = (d: InboxItem): HTMLElement =>
    h('tr', {}, h('td', {}, h('a', { href: `#/official/dossiers/${enc(d.code)}` }, d.code)), h('td', {}, d.service.name), h('td', {}, d.applicantName), h('td', {}, statusBadge(d.status)), h('td', {}, date(d.submittedAt)), h('td', {}, dateTime(d.dueAt)), h('td', {}, deadlineCell(d.dueAt, d.standing, d.status.code, d.workingDaysLeft)));
  const tbody = h('tbody', {}, pager.items.map(row));
  const statusSel = h(
    'select',
    { name: 'status' },
    h('option', { value: 'open', selected: status === 'open' }, t('open')),
    h('option', { value: 'closed', selected: status === 'closed' }, t('closed')),
    ...[1, 2, 4, 5, 6, 9, 3, 7, 8, 10].map((n) => h('option', { value: n, selected: status === String(n) }, statusLabel({ code: n, label: vi[n] ?? String(n) }))),
  );
  const agencySel = s.agencyId ? null : h('select', { name: 'agency' }, agencies.items.map((a) => h('option', { value: a.id, selected: a.id === agencyId }, a.name)));
  const form = h(
    'form',
    {
      class: 'filters',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const q = new URLSearchParams();
        for (const [k, v] of new FormData(form)) if (typeof v === 'string') q.set(k, v);
        ctx.navigate(`#/official?${q.toString()}`);
      },
    },
    agencySel ? field(t('agency'), agencySel) : null,
    field(t('filterStatus'), statusSel),
    h('div', { class: 'field actions' }, h('button', { type: 'submit', class: 'primary' }, t('show'))),
  );
  const agencyName = agencies.items.find((a) => a.id === agencyId)?.name ?? agencyId;
  replace(
    ctx.main,
    h('h1', {}, `${t('inboxTitle')}: ${agencyName}`),
    form,
    pager.items.length
      ? [
          h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { class: 'inbox' },
              h('caption', { class: 'sr-only' }, t('inboxTitle')),
              h('thead', {}, h('tr', {}, [t('code'), t('service'), t('applicantName'), t('status'), t('submittedAt'), t('dueAt'), t('daysLeft')].map((c) => h('th', { scope: 'col' }, c)))),
              tbody,
            ),
          ),
          loadMore(pager, tbody, row),
        ]
      : h('p', {}, t('empty')),
  );
}

const vi: Record<number, string> = { 1: 'Mới đăng ký', 2: 'Được tiếp nhận', 3: 'Không được tiếp nhận', 4: 'Đang xử lý', 5: 'Yêu cầu bổ sung giấy tờ', 6: 'Yêu cầu thực hiện nghĩa vụ tài chính', 7: 'Công dân yêu cầu rút hồ sơ', 8: 'Dừng xử lý', 9: 'Đã xử lý xong', 10: 'Đã trả kết quả' };

/** The workflow's table (README "The one-stop workflow"): which steps a status allows an official. */
const allowed: Record<number, string[]> = {
  1: ['receive', 'request-supplement', 'refuse'],
  2: ['start-processing', 'request-supplement', 'request-payment', 'apologize', 'stop'],
  4: ['finish', 'request-supplement', 'request-payment', 'apologize', 'stop'],
  5: ['apologize', 'stop'],
  6: ['confirm-payment', 'apologize', 'stop'],
  9: ['return'],
};

/** A local date-time from <input type="datetime-local"> as an instant in Vietnam (UTC+7, no DST). */
const vnInstant = (local: string): string => `${local.length === 16 ? `${local}:00` : local}+07:00`;

function actionForm(d: Dossier, service: ServiceDetail, action: string, done: () => void): HTMLElement {
  const inputs: HTMLElement[] = [];
  const collect: (() => Record<string, unknown>)[] = [];
  const reason = (): void => {
    const el = h('textarea', { name: 'reason', required: true, maxlength: 2000, rows: 2 });
    inputs.push(field(t('reason'), el));
    collect.push(() => ({ reason: el.value.trim() }));
  };
  const note = (): void => {
    const el = h('input', { name: 'note', maxlength: 2000 });
    inputs.push(field(t('note'), el));
    collect.push(() => (el.value.trim() ? { note: el.value.trim() } : {}));
  };
  if (action === 'receive') {
    const verified = (d.documents ?? []).filter((x) => x.kind === 'application' && x.status === 'verified');
    const names = new Map(service.documents.map((c) => [c.id, c.name]));
    const boxes = [...new Set(verified.map((x) => x.component))].map((c) => h('input', { type: 'checkbox', value: names.get(c) ?? c, checked: true }));
    inputs.push(h('fieldset', {}, h('legend', {}, t('documentsReceived')), boxes.map((b) => h('label', { class: 'choice' }, b, ` ${b.value}`))));
    collect.push(() => ({ documentsReceived: boxes.filter((b) => b.checked).map((b) => b.value) }));
    note();
  } else if (action === 'request-supplement') {
    reason();
    const boxes = service.documents.map((c) => h('input', { type: 'checkbox', value: c.name, 'data-component': c.id }));
    const other = h('textarea', { name: 'missing-other', rows: 2 });
    inputs.push(h('fieldset', {}, h('legend', {}, t('missing')), boxes.map((b) => h('label', { class: 'choice' }, b, ` ${b.value}`))), field(t('missingOther'), other));
    // a ticked component is also named as such, so the answer must bring a new verified file for it
    collect.push(() => {
      const ticked = boxes.filter((b) => b.checked);
      const components = ticked.map((b) => b.dataset.component ?? '').filter(Boolean);
      return { missing: [...ticked.map((b) => b.value), ...other.value.split('\n').map((l) => l.trim()).filter(Boolean)], ...(components.length ? { components } : {}) };
    });
  } else if (action === 'refuse' || action === 'stop') reason();
  else if (action === 'request-payment') {
    const amount = h('input', { name: 'amountVnd', type: 'number', min: 1, step: 1, required: true, value: service.fees.reduce((s, f) => s + f.amountVnd, 0) || '' });
    inputs.push(field(t('amountVnd'), amount));
    collect.push(() => ({ amountVnd: Number(amount.value) }));
    reason();
  } else if (action === 'apologize') {
    reason();
    const when = h('input', { name: 'newDueAt', type: 'datetime-local', required: true });
    inputs.push(field(t('newDueAt'), when));
    collect.push(() => (when.value ? { newDueAt: vnInstant(when.value) } : {}));
  } else note();
  const message = h('div', { 'aria-live': 'assertive' });
  const form = h(
    'form',
    {
      class: `action action-${action}`,
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const body = Object.assign({ action, expectedVersion: d.version }, ...collect.map((c) => c()));
        try {
          await api(`/dossiers/${enc(d.code)}/actions`, { body });
          done();
        } catch (err) {
          replace(message, errorBox(err));
        }
      },
    },
    h('h3', {}, actionLabel(action)),
    inputs,
    message,
    h('button', { type: 'submit', class: action === 'refuse' || action === 'stop' ? 'danger' : 'primary' }, actionLabel(action)),
  );
  return form;
}

/** One dossier for its agency: documents with the verifier's verdicts, history, the allowed steps, results, forms. */
export async function officialDossierPage(ctx: PageContext): Promise<void> {
  if (!ctx.requireSignIn()) return;
  const [code = ''] = ctx.params;
  const d = await api<Dossier>(`/dossiers/${enc(code)}`);
  const service = await api<ServiceDetail>(`/services/${enc(d.service.id)}`);
  const names = new Map(service.documents.map((c) => [c.id, c.name]));
  const reload = (): void => ctx.navigate(`#/official/dossiers/${enc(d.code)}`);
  const docs = d.documents ?? [];
  const steps = allowed[d.status.code] ?? [];
  const fieldsTable = h('table', { class: 'kv' }, h('caption', { class: 'sr-only' }, t('formData')), h('tbody', {}, service.fields.map((f) => h('tr', {}, h('th', { scope: 'row' }, f.label), h('td', {}, String(d.fields?.[f.name] ?? '—'))))));
  const resultsList = h('ul', { 'data-testid': 'results' }, docs.filter((x) => x.kind === 'result').map((r) => h('li', {}, `${r.fileName} (${bytes(r.size ?? r.declaredSize)}) `, verdict(r), ' ', r.status === 'verified' ? h('button', { type: 'button', class: 'secondary small', onclick: () => void openFile(d.code, 'results', r.id) }, t('open_file', { name: r.fileName })) : null)));
  const forms = [h('li', {}, h('a', { href: `#/print/01/${enc(d.code)}` }, t('form01')))];
  if (d.pendingSupplement || d.history.some((e) => e.type === 'dossier.request-supplement')) forms.push(h('li', {}, h('a', { href: `#/print/02/${enc(d.code)}` }, t('form02'))));
  if (d.status.code === 3) forms.push(h('li', {}, h('a', { href: `#/print/03/${enc(d.code)}` }, t('form03'))));
  if (d.apologies?.length) forms.push(h('li', {}, h('a', { href: `#/print/04/${enc(d.code)}` }, t('form04'))));
  replace(
    ctx.main,
    h('p', {}, h('a', { href: '#/official' }, `← ${t('navInbox')}`)),
    h('h1', {}, `${d.code}`),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, t('service')), h('dd', {}, d.service.name),
      h('dt', {}, t('status')), h('dd', { 'data-testid': 'status' }, statusBadge(d.status)),
      h('dt', {}, t('applicantName')), h('dd', {}, d.applicant ? `${d.applicant.fullName} · ${d.applicant.idNumber} · ${d.applicant.phone}` : '—'),
      h('dt', {}, t('address')), h('dd', {}, d.applicant?.address ?? '—'),
      h('dt', {}, t('submittedAt')), h('dd', {}, dateTime(d.submittedAt)),
      h('dt', {}, t('dueAt')), h('dd', {}, dateTime(d.dueAt), ' ', deadlineCell(d.dueAt, d.standing, d.status.code)),
    ),
    d.pendingSupplement ? h('div', { class: 'alert warning' }, h('h2', {}, t('supplementTitle')), h('p', {}, d.pendingSupplement.reason), h('ul', {}, d.pendingSupplement.missing.map((m) => h('li', {}, m)))) : null,
    h('h2', {}, t('formData')),
    fieldsTable,
    h('h2', {}, t('documents')),
    h('ul', { class: 'doc-list' }, docs.filter((x) => x.kind === 'application').map((x) => h('li', {}, h('strong', {}, names.get(x.component) ?? x.component), `: ${x.fileName} (${typeName(x.type ?? x.declaredType)}, ${bytes(x.size ?? x.declaredSize)}) `, verdict(x), x.sha256 ? h('span', { class: 'hash' }, ` SHA-256 ${x.sha256.slice(0, 16)}…`) : null, ' ', x.status === 'verified' ? h('button', { type: 'button', class: 'secondary small', onclick: () => void openFile(d.code, 'documents', x.id) }, t('open_file', { name: x.fileName })) : null))),
    steps.length ? h('section', { 'aria-labelledby': 'act-h' }, h('h2', { id: 'act-h' }, t('actions')), h('div', { class: 'actions-grid' }, steps.map((a) => actionForm(d, service, a, reload)))) : null,
    [2, 4, 9].includes(d.status.code)
      ? h(
          'section',
          { 'aria-labelledby': 'res-h' },
          h('h2', { id: 'res-h' }, t('resultsTitle')),
          resultsList,
          uploadControl({
            code: d.code,
            label: t('uploadResult'),
            accept: ['application/pdf', 'image/jpeg', 'image/png'],
            slot: (file) => api(`/dossiers/${enc(d.code)}/results`, { body: { fileName: file.name, contentType: file.type || 'application/octet-stream', size: file.size } }),
            onDone: () => reload(),
          }),
        )
      : docs.some((x) => x.kind === 'result') ? h('section', {}, h('h2', {}, t('resultsTitle')), resultsList) : null,
    h('section', { 'aria-labelledby': 'print-h' }, h('h2', { id: 'print-h' }, t('printForms')), h('ul', {}, forms)),
    h('section', { 'aria-labelledby': 'hist-h' }, h('h2', { id: 'hist-h' }, t('history')), timeline(d.history)),
  );
}

/** Results and verified application documents alike: a short presigned GET, opened in a new tab. */
async function openFile(code: string, kind: 'results' | 'documents', id: string): Promise<void> {
  const link = await api<{ url: string }>(`/dossiers/${enc(code)}/${kind}/${enc(id)}`);
  window.open(link.url, '_blank', 'noopener');
}

/**
 * The one-stop forms (Circular 01/2018 forms 01–04) filled from the dossier's data, laid out for A4 paper:
 * the print stylesheet hides the portal around them. They stay in Vietnamese, as they are legal documents.
 */
export async function printPage(ctx: PageContext): Promise<void> {
  if (!ctx.requireSignIn()) return;
  const [form = '01', code = ''] = ctx.params;
  const d = await api<Dossier>(`/dossiers/${enc(code)}`);
  const now = new Date().toISOString();
  const line = (label: string, value: string | undefined): HTMLElement => h('p', {}, `${label}: `, h('strong', {}, value ?? '……………………'));
  const titles: Record<string, string> = {
    '01': 'GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ',
    '02': 'PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ',
    '03': 'PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ',
    '04': 'PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ',
  };
  const supplementEvent = d.history.filter((e) => e.type === 'dossier.request-supplement').at(-1);
  const body: (HTMLElement | null)[] = [];
  body.push(line('Mã hồ sơ', d.code), line('Tiếp nhận hồ sơ của', d.applicant?.fullName), line('Địa chỉ', d.applicant?.address), line('Số điện thoại', d.applicant?.phone), line('Nội dung yêu cầu giải quyết', d.service.name));
  if (form === '01') {
    body.push(
      h('p', {}, 'Thành phần hồ sơ nộp gồm:'),
      h('ol', {}, (d.receipt?.documentsReceived ?? []).map((x) => h('li', {}, x))),
      line('Thời gian nhận hồ sơ', dateTime(d.receipt?.issuedAt ?? d.receivedAt)),
      line('Thời gian trả kết quả giải quyết hồ sơ', dateTime(d.receipt?.appointmentAt ?? d.dueAt)),
    );
  } else if (form === '02') {
    body.push(h('p', {}, 'Hồ sơ cần bổ sung, hoàn thiện các nội dung sau:'), h('ol', {}, (d.pendingSupplement?.missing ?? []).map((x) => h('li', {}, x))), line('Lý do', d.pendingSupplement?.reason ?? supplementEvent?.note));
  } else if (form === '03') {
    body.push(line('Lý do từ chối', d.closingReason));
  } else {
    const last = d.apologies?.at(-1);
    body.push(line('Lý do chậm trễ', last?.reason), line('Thời gian hẹn trả kết quả mới', dateTime(last?.newDueAt)), h('p', {}, 'Cơ quan xin lỗi ông/bà vì sự chậm trễ này.'));
  }
  replace(
    ctx.main,
    h('p', { class: 'no-print' }, h('a', { href: `#/official/dossiers/${enc(d.code)}` }, `← ${t('back')}`), ' ', h('button', { type: 'button', class: 'primary', onclick: () => window.print() }, t('print'))),
    h(
      'article',
      { class: 'paper', lang: 'vi' },
      h('div', { class: 'paper-head' }, h('div', {}, h('p', {}, ctx.config.province.name.toUpperCase()), h('p', {}, h('strong', {}, d.agency.name.toUpperCase()))), h('div', {}, h('p', {}, h('strong', {}, 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM')), h('p', {}, 'Độc lập - Tự do - Hạnh phúc'))),
      h('p', { class: 'form-no' }, `Mẫu số ${form}`),
      h('h1', {}, titles[form] ?? ''),
      body,
      h('p', { class: 'sign-date' }, `Ngày in: ${date(now)}`),
      h('div', { class: 'signatures' }, h('div', {}, h('strong', {}, 'NGƯỜI NỘP HỒ SƠ'), h('p', {}, '(Ký và ghi rõ họ tên)')), h('div', {}, h('strong', {}, 'NGƯỜI TIẾP NHẬN HỒ SƠ'), h('p', {}, '(Ký và ghi rõ họ tên)'))),
    ),
  );
  if (currentLang() !== 'vi') ctx.main.querySelector('.paper')?.setAttribute('lang', 'vi');
}
