import type { Applicant } from '../contracts/api.js';
import {
  applicantTemplates,
  digestTemplate,
  type ApplicantTemplateId,
  type DigestKind,
  type LocalizedText,
} from '../templates/index.js';
import type { DossierEvent } from './dossier.js';
import { trackingPageUrl } from './dossier.js';
import type { DossierSnapshot } from './event-view.js';

/**
 * What a dossier event tells whom, as data: pure, no I/O, no clock. The stream consumer turns the plan
 * into sends (email, SMS) guarded by one marker per event and channel, and files official events for
 * the hourly digest.
 */

export type NotifyChannel = 'email' | 'sms';

/** The applicant's choice, kept on the dossier: `channels` absent means every channel they gave a contact for. */
export interface NotifyPreference {
  readonly channels?: readonly NotifyChannel[];
  readonly optOut?: boolean;
}

export type StoredDossierEvent = DossierEvent & { readonly dossier: DossierSnapshot; readonly details?: Record<string, unknown> };

/** What a message to the applicant needs that the event does not carry: read from the dossier item. */
export interface ApplicantContact {
  readonly applicant: Pick<Applicant, 'phone' | 'email'>;
  readonly notify?: NotifyPreference;
}

/** Which applicant message each event type sends; steps not listed (start-processing, rating...) send none. */
export const applicantEventTemplates: Readonly<Record<string, ApplicantTemplateId>> = {
  'dossier.submitted': 'submitted',
  'dossier.receive': 'received',
  'dossier.request-supplement': 'supplement-requested',
  'dossier.request-payment': 'payment-requested',
  'dossier.refuse': 'refused',
  'dossier.apologize': 'apology',
  'dossier.finish': 'result-ready',
  'dossier.return': 'returned',
};

/** Which events reach the officials' digest, and under which heading. */
export const officialEventKinds: Readonly<Record<string, DigestKind>> = {
  'dossier.submitted': 'new',
  'dossier.apology-reminder': 'due-tomorrow',
  'dossier.overdue': 'overdue',
};

export interface OutgoingEmail {
  readonly channel: 'email';
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

export interface OutgoingSms {
  readonly channel: 'sms';
  readonly to: string;
  readonly text: string;
}

export type Outgoing = OutgoingEmail | OutgoingSms;

export interface PlannedNotification {
  /** `<eventId>#<channel>`: the message's part of its event's marker (and its dead-letter key) */
  readonly key: string;
  readonly eventId: string;
  readonly dossierCode: string;
  readonly template: ApplicantTemplateId;
  readonly message: Outgoing;
}

export interface DigestEntry {
  readonly eventId: string;
  readonly kind: DigestKind;
  readonly code: string;
  readonly service: string;
  readonly dueAt?: string;
  readonly at: string;
}

export class TemplateError extends Error {}

/** Fills `{name}` placeholders; a placeholder without a value is a bug in a template, never sent half-filled. */
export function render(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{([a-zA-Z]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new TemplateError(`template names {${name}}, which this event does not provide`);
    return value;
  });
}

/** Vietnamese without diacritics, for SMS: NFD splits base letters from marks; đ/Đ have no decomposition. */
export function withoutDiacritics(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D');
}

const VIETNAM_OFFSET_MS = 7 * 60 * 60 * 1000;

/** `dd/MM/yyyy HH:mm` in Vietnam time, as forms 01 and 04 print dates. */
export function formatVietnamTime(iso: string): string {
  const local = new Date(Date.parse(iso) + VIETNAM_OFFSET_MS);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(local.getUTCDate())}/${p(local.getUTCMonth() + 1)}/${local.getUTCFullYear()} ${p(local.getUTCHours())}:${p(local.getUTCMinutes())}`;
}

/** `1.500.000 đồng`: Vietnamese groups thousands with dots. */
export function formatVnd(amount: number): string {
  return `${String(Math.round(amount)).replace(/\B(?=(\d{3})+(?!\d))/g, '.')} đồng`;
}

/** The channels a message goes out on: the applicant's choice, limited to the contacts they gave. */
export function applicantChannels(applicant: ApplicantContact['applicant'], preference: NotifyPreference | undefined): NotifyChannel[] {
  if (preference?.optOut) return [];
  const wanted = preference?.channels ?? ['sms', 'email'];
  return (['email', 'sms'] as const).filter((c) => wanted.includes(c) && (c === 'sms' ? Boolean(applicant.phone) : Boolean(applicant.email)));
}

/** The values a template may use, all taken from the event and the dossier as it was right after it. */
export function templateValues(event: StoredDossierEvent, baseUrl: string): Record<string, string> {
  const d = event.dossier;
  const values: Record<string, string> = {
    code: d.code,
    service: d.serviceName,
    agency: d.agencyName,
    trackingUrl: trackingPageUrl(baseUrl, d.code),
  };
  if (d.receipt) {
    values.appointment = formatVietnamTime(d.receipt.appointmentAt);
    values.documents = d.receipt.documentsReceived.length > 0 ? d.receipt.documentsReceived.join(', ') : '—';
  }
  if (event.type === 'dossier.request-supplement' && d.pendingSupplement) {
    values.missing = d.pendingSupplement.missing.join(', ');
    values.reason = d.pendingSupplement.reason;
  }
  if (event.type === 'dossier.request-payment' && d.pendingPayment) {
    values.amount = formatVnd(d.pendingPayment.amountVnd);
    values.reason = d.pendingPayment.reason;
  }
  if (event.type === 'dossier.refuse' && d.closingReason) values.reason = d.closingReason;
  if (event.type === 'dossier.apologize') {
    const apology = d.apologies?.at(-1);
    if (apology) {
      values.reason = apology.reason;
      values.previousDate = formatVietnamTime(apology.previousDueAt);
      values.newDate = formatVietnamTime(apology.newDueAt);
    }
  }
  return values;
}

const bilingual = (text: LocalizedText, values: Record<string, string>, separator: string) => `${render(text.vi, values)}${separator}${render(text.en, values)}`;

/** The messages one event sends the applicant, one per chosen channel; none for steps they need not hear of. */
export function planApplicantNotifications(event: StoredDossierEvent, contact: ApplicantContact, baseUrl: string): PlannedNotification[] {
  const templateId = applicantEventTemplates[event.type];
  if (!templateId) return [];
  const template = applicantTemplates[templateId];
  const values = templateValues(event, baseUrl);
  const applicant = contact.applicant;
  return applicantChannels(applicant, contact.notify).map((channel) => {
    const message: Outgoing =
      channel === 'email'
        ? { channel, to: applicant.email!, subject: bilingual(template.subject, values, ' / '), text: bilingual(template.body, values, '\n\n— English —\n') }
        : { channel, to: toE164(applicant.phone), text: withoutDiacritics(render(template.sms, values)) };
    return { key: `${event.eventId}#${channel}`, eventId: event.eventId, dossierCode: event.dossierCode, template: templateId, message };
  });
}

/** `0912345678` → `+84912345678`, the form SNS and gateways take. */
export function toE164(phone: string): string {
  return phone.startsWith('+') ? phone : `+84${phone.replace(/^0/, '')}`;
}

/** The digest line an official event adds, or nothing for events officials see only in their inbox. */
export function digestEntryOf(event: StoredDossierEvent): DigestEntry | undefined {
  const kind = officialEventKinds[event.type];
  if (!kind) return undefined;
  const dueAt = event.dossier.dueAt;
  return { eventId: event.eventId, kind, code: event.dossierCode, service: event.dossier.serviceName, at: event.at, ...(dueAt ? { dueAt } : {}) };
}

/** Digests are hourly: the UTC hour an event falls in, `2026-04-24T09`. */
export function digestWindow(at: string): string {
  return new Date(at).toISOString().slice(0, 13);
}

/** The windows a sweep at `now` may still have to send: closed ones, newest first, up to `lookBackHours` back. */
export function closedWindows(now: Date, lookBackHours: number): string[] {
  const current = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), now.getUTCHours());
  return Array.from({ length: lookBackHours }, (_, i) => new Date(current - (i + 1) * 3_600_000).toISOString().slice(0, 13));
}

/** `24/04/2026 16:00–17:00` (Vietnam time) for a UTC hour window. */
export function windowLabel(window: string): string {
  const start = `${window}:00:00.000Z`;
  const end = new Date(Date.parse(start) + 3_600_000).toISOString();
  return `${formatVietnamTime(start)}–${formatVietnamTime(end).slice(-5)}`;
}

/** One email for an agency's hour: sections in a fixed order, dossiers by code; duplicates (redeliveries) collapse on eventId. */
export function renderDigest(agencyName: string, window: string, entries: readonly DigestEntry[], to: string): OutgoingEmail {
  const unique = [...new Map(entries.map((e) => [e.eventId, e])).values()];
  const values = { agency: agencyName, window: windowLabel(window), total: String(unique.length) };
  const parts = (lang: 'vi' | 'en') => {
    const lines = [render(digestTemplate.intro[lang], values)];
    for (const kind of Object.keys(digestTemplate.sections) as DigestKind[]) {
      const items = unique.filter((e) => e.kind === kind).sort((a, b) => a.code.localeCompare(b.code));
      if (items.length === 0) continue;
      lines.push('', `${digestTemplate.sections[kind][lang]} (${items.length}):`);
      for (const e of items) {
        const due = e.dueAt && kind !== 'new' ? render(digestTemplate.due[lang], { dueAt: formatVietnamTime(e.dueAt) }) : '';
        lines.push(render(digestTemplate.line[lang], { code: e.code, service: e.service, due }));
      }
    }
    return lines.join('\n');
  };
  return { channel: 'email', to, subject: bilingual(digestTemplate.subject, values, ' / '), text: `${parts('vi')}\n\n— English —\n${parts('en')}` };
}
