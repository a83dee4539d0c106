import { api, ApiError, type ServiceDetail } from '../api.js';
import { field, h, replace } from '../dom.js';
import { currentLang, t } from '../i18n.js';
import { errorBox } from '../main.js';
import type { PageContext } from '../main.js';

/**
 * The form generated from the procedure's fields in the catalog, plus the applicant. The portal checks
 * nothing the API does not: it sends the form and shows the API's own messages next to each field.
 * The dossier is kept as a draft so that documents can be uploaded before it goes to the agency.
 */
export async function applyPage(ctx: PageContext): Promise<void> {
  if (!ctx.requireSignIn()) return;
  const [id = ''] = ctx.params;
  const s = await api<ServiceDetail>(`/services/${encodeURIComponent(id)}`);
  const controls = new Map<string, HTMLInputElement | HTMLSelectElement>();
  const text = (name: string, label: string, attrs: Record<string, string | number | boolean> = {}) => {
    const input = h('input', { name, type: 'text', ...attrs });
    controls.set(name, input);
    return field(label, input);
  };
  const applicant = h(
    'fieldset',
    {},
    h('legend', {}, t('applicant')),
    text('applicant.fullName', t('fullName'), { required: true, autocomplete: 'name', maxlength: 100 }),
    text('applicant.idNumber', t('idNumber'), { required: true, inputmode: 'numeric', maxlength: 12 }),
    text('applicant.phone', t('phone'), { required: true, type: 'tel', autocomplete: 'tel' }),
    text('applicant.email', t('email'), { type: 'email', autocomplete: 'email' }),
    text('applicant.address', t('address'), { required: true, autocomplete: 'street-address', maxlength: 300 }),
  );
  const formFields = s.fields.map((f) => {
    const name = `fields.${f.name}`;
    let control: HTMLInputElement | HTMLSelectElement;
    if (f.type === 'enum') control = h('select', { name, required: f.required }, h('option', { value: '' }, '—'), ...(f.options ?? []).map((o) => h('option', { value: o }, o)));
    else if (f.type === 'boolean') control = h('input', { name, type: 'checkbox' });
    else control = h('input', { name, type: f.type === 'number' ? 'number' : f.type === 'date' ? 'date' : 'text', required: f.required, ...(f.maxLength ? { maxlength: f.maxLength } : {}), ...(f.type === 'number' ? { step: 'any' } : {}) });
    controls.set(name, control);
    return field(f.label, control);
  });
  const agencyChoice =
    s.agencies.length > 1
      ? (() => {
          const sel = h('select', { name: 'agencyId', required: true }, h('option', { value: '' }, '—'), ...s.agencies.map((a) => h('option', { value: a.id }, a.name)));
          controls.set('agencyId', sel);
          return field(t('chooseAgency'), sel);
        })()
      : null;
  const message = h('div', { 'aria-live': 'assertive' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('createDraft'));
  // One key per filled form: a retry after a network failure returns the same dossier instead of a second one.
  const idempotencyKey = crypto.randomUUID();

  const form = h(
    'form',
    {
      novalidate: true,
      onsubmit: (e: Event) => {
        e.preventDefault();
        void send();
      },
    },
    applicant,
    h('fieldset', {}, h('legend', {}, t('formData')), agencyChoice, formFields),
    message,
    submit,
  );

  async function send(): Promise<void> {
    const value = (name: string): string => (controls.get(name) as HTMLInputElement | undefined)?.value.trim() ?? '';
    const fields: Record<string, unknown> = {};
    for (const f of s.fields) {
      const c = controls.get(`fields.${f.name}`) as HTMLInputElement;
      if (f.type === 'boolean') fields[f.name] = c.checked;
      else if (c.value.trim() === '') continue;
      else fields[f.name] = f.type === 'number' ? Number(c.value) : c.value.trim();
    }
    const body = {
      serviceId: s.id,
      ...(value('agencyId') ? { agencyId: value('agencyId') } : {}),
      applicant: {
        fullName: value('applicant.fullName'),
        idNumber: value('applicant.idNumber'),
        phone: value('applicant.phone'),
        ...(value('applicant.email') ? { email: value('applicant.email') } : {}),
        address: value('applicant.address'),
      },
      fields,
      draft: true,
    };
    for (const c of controls.values()) {
      c.removeAttribute('aria-invalid');
      const err = document.getElementById(`${c.id}-error`);
      if (err) err.textContent = '';
    }
    replace(message);
    submit.disabled = true;
    try {
      const created = await api<{ code?: string; id?: string; trackingPin?: string; dossier: { code?: string; id?: string } }>('/dossiers', { body, headers: { 'idempotency-key': idempotencyKey } });
      const ref = created.code ?? created.id ?? created.dossier.code ?? created.dossier.id ?? '';
      if (created.trackingPin) sessionStorage.setItem(`motcua.pin.${ref}`, created.trackingPin);
      ctx.navigate(`#/dossiers/${encodeURIComponent(ref)}`);
    } catch (err) {
      if (err instanceof ApiError) {
        let first: HTMLElement | undefined;
        for (const [name, text] of err.fieldMessages(currentLang())) {
          const c = controls.get(name);
          if (!c) continue;
          c.setAttribute('aria-invalid', 'true');
          const slot = document.getElementById(`${c.id}-error`);
          if (slot) slot.textContent = text;
          first ??= c;
        }
        replace(message, errorBox(err));
        first?.focus();
      } else replace(message, errorBox(err));
    } finally {
      submit.disabled = false;
    }
  }

  replace(ctx.main, h('p', {}, h('a', { href: `#/services/${encodeURIComponent(s.id)}` }, `← ${t('back')}`)), h('h1', {}, `${t('apply')}: ${s.name}`), form);
}
