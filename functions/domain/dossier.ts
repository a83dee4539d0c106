import * as z from 'zod/mini';
import './zod-setup.js';
import type { Agency, FormField, Province, Service } from '../../provinces/schema.js';
import type { Applicant, Submission } from '../contracts/api.js';
import { assertAcceptsOnlineDossiers, chooseAgency, findService } from './catalog.js';
import { type ErrorDetail, invalidInput } from './errors.js';
import { isRealDay, safeText } from './text.js';
import { Status, type StatusCode } from './status.js';
import { assessFees, MAX_PAYABLE_VND, type FeeAssessment } from './fees.js';
import { issueMessageVi } from './messages-vi.js';

export type Channel = 'online' | 'counter' | 'post';

export interface Actor {
  readonly kind: 'citizen' | 'official' | 'admin' | 'system';
  readonly subject?: string;
  readonly agencyId?: string;
}

/** One step of a dossier's life; stored beside the dossier and published from the table's stream. */
export interface DossierEvent {
  readonly eventId: string;
  readonly type: string;
  readonly dossierCode: string;
  /** the dossier version this event produced: events are ordered and unique by it */
  readonly version: number;
  readonly at: string;
  readonly actor: Actor;
  readonly from: StatusCode | null;
  readonly to: StatusCode;
  readonly note?: string;
  readonly agencyId: string;
}

export interface Dossier {
  readonly code: string;
  readonly serviceId: string;
  readonly serviceCode: string;
  readonly serviceName: string;
  /** the catalog version of the procedure the dossier was submitted under (imported procedures only) */
  readonly serviceVersion?: number;
  /** where it was submitted when not here: `dvcqg`, the national portal, with the portal's own dossier code */
  readonly origin?: 'dvcqg';
  readonly nationalCode?: string;
  readonly agencyId: string;
  readonly agencyCode: string;
  readonly agencyName: string;
  readonly applicantSubject: string;
  readonly applicant: Applicant;
  readonly fields: Record<string, unknown>;
  readonly channel: Channel;
  readonly status: StatusCode;
  readonly version: number;
  readonly submittedAt: string;
  readonly updatedAt: string;
  /**
   * true while the applicant uploads documents (version 0, no event, not in any agency inbox); submission
   * replaces it with the status-1 dossier and its `dossier.submitted` event, as a one-step submission would.
   */
  readonly draft?: boolean;
  /**
   * the draft id this dossier was prepared under (its documents filed before submission stay in that
   * draft's partition); a draft's `code` is its draft id until submission allocates the dossier code
   */
  readonly draftId?: string;
  /** keyed hash (HMAC with a stack key) of the PIN printed on the receipt, for tracking without an account; never shown */
  readonly trackingPinHash?: string;
  /** the applicant's channels for notifications (see domain/notifications.ts) */
  readonly notify?: Submission['notify'];
  /** the catalog fees for this form, assessed when the dossier was filed (what is due at submission) */
  readonly fees?: FeeAssessment;
}

/** Decimals a number field keeps when the catalog says nothing: enough for areas and litres, no float noise. */
export const MAX_FIELD_DECIMALS = 6;

/**
 * A number field: the catalog may say `integer`, `min`, `max`; whatever it says, the number is finite,
 * within ±(2^53 − 1) (what DynamoDB and JSON readers keep exactly) and has at most six decimals, so
 * 1e21, 2^53, 1e308, -1e308 and 5e-324 are refused naming the field.
 */
export function numberFieldSchema(field: Pick<FormField, 'integer' | 'min' | 'max'>): z.ZodMiniType {
  const limit = Number.MAX_SAFE_INTEGER;
  return z.number().check(z.superRefine((v, ctx) => {
    const fail = (message: string) => ctx.addIssue({ code: 'custom', message });
    if (!Number.isFinite(v) || Math.abs(v) > limit) return fail(`a number between -${limit} and ${limit}`);
    if (field.integer && !Number.isInteger(v)) return fail('a whole number');
    if (!field.integer && Number(v.toFixed(MAX_FIELD_DECIMALS)) !== v) return fail(`at most ${MAX_FIELD_DECIMALS} decimal places`);
    if (field.min !== undefined && v < field.min) return fail(`at least ${field.min}`);
    if (field.max !== undefined && v > field.max) return fail(`at most ${field.max}`);
  }));
}

function fieldSchema(field: FormField): z.ZodMiniType {
  switch (field.type) {
    case 'string':
      return safeText({ min: 1, max: field.maxLength ?? 2000, multiline: true });
    case 'number':
      return numberFieldSchema(field);
    case 'boolean':
      return z.boolean();
    case 'date':
      return z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD'), z.refine(isRealDay, 'not a real date'));
    case 'enum':
      return z.enum(field.options as [string, ...string[]]);
  }
}

/** The zod schema of a service's form, built from the catalog so each procedure validates its own fields. */
export function formSchemaFor(service: Service): z.ZodMiniObject {
  const shape: Record<string, z.ZodMiniType> = {};
  for (const field of service.fields) {
    const schema = fieldSchema(field);
    shape[field.name] = field.required ? schema : z.optional(schema);
  }
  return z.strictObject(shape);
}

/** zod issues as error details naming the field with its full dotted path, in English and in Vietnamese */
export function issuesToDetails(issues: readonly z.core.$ZodIssue[], prefix?: string): ErrorDetail[] {
  return issues.map((issue) => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return { field: [prefix, ...path, issue.keys.join(',')].filter(Boolean).join('.'), message: 'not an accepted field', messageVi: issueMessageVi(issue) };
    }
    return { field: [prefix, ...path].filter(Boolean).join('.') || undefined, message: issue.message, messageVi: issueMessageVi(issue) } as ErrorDetail;
  });
}

export interface ValidSubmission {
  readonly service: Service;
  readonly agency: Agency;
  readonly applicant: Applicant;
  readonly fields: Record<string, unknown>;
  readonly channel: Channel;
  readonly notify?: Submission['notify'];
}

/** What intake needs of a request, whoever files it (functions/domain/intake.ts says who may, and how). */
export interface IntakeRequest {
  readonly serviceId: string;
  readonly agencyId?: string | undefined;
  readonly applicant: Applicant;
  readonly fields: Record<string, unknown>;
  readonly channel: Channel;
  readonly notify?: Submission['notify'];
}

/**
 * Checks a submission against the catalog: the service exists, the agency fits, the form is complete;
 * and, for a dossier filed online, that the procedure takes online dossiers (level 3 or 4). The one-stop
 * desk receives dossiers of every level, at the counter or by post: that is what it is for.
 */
export function validateSubmission(province: Province, submission: IntakeRequest): ValidSubmission {
  const service = findService(province, submission.serviceId);
  if (submission.channel === 'online') assertAcceptsOnlineDossiers(service);
  const agency = chooseAgency(province, service, submission.agencyId);
  const form = formSchemaFor(service).safeParse(submission.fields);
  if (!form.success) throw invalidInput(issuesToDetails(form.error.issues, 'fields'));
  checkPayable(service, form.data);
  return { service, agency, applicant: submission.applicant, fields: form.data, channel: submission.channel, ...(submission.notify ? { notify: submission.notify } : {}) };
}

/** A form whose per-unit fees (copies, pages…) come to more than can be paid is refused on its unit field. */
function checkPayable(service: Service, fields: Readonly<Record<string, unknown>>): void {
  const fees = assessFees(service, fields);
  if (fees.totalVnd <= MAX_PAYABLE_VND) return;
  const unitField = fees.lines.find((l) => l.extraUnits)?.extraUnits?.field;
  throw invalidInput([
    {
      field: unitField ? `fields.${unitField}` : 'fields',
      message: `the fees come to more than ${MAX_PAYABLE_VND} VND, which no online payment can carry`,
      messageVi: 'Tổng phí, lệ phí vượt quá số tiền có thể thanh toán trực tuyến; vui lòng kiểm tra lại số lượng.',
    },
  ]);
}

export function newDossier(input: ValidSubmission & { code: string; applicantSubject: string; at: Date; trackingPinHash?: string }): Dossier {
  const at = input.at.toISOString();
  return {
    code: input.code,
    serviceId: input.service.id,
    serviceCode: input.service.code,
    serviceName: input.service.name,
    ...(input.service.version !== undefined ? { serviceVersion: input.service.version } : {}),
    agencyId: input.agency.id,
    agencyCode: input.agency.code,
    agencyName: input.agency.name,
    applicantSubject: input.applicantSubject,
    applicant: input.applicant,
    fields: input.fields,
    channel: input.channel,
    status: Status.Submitted,
    version: 1,
    submittedAt: at,
    updatedAt: at,
    ...(input.trackingPinHash ? { trackingPinHash: input.trackingPinHash } : {}),
    ...(input.notify ? { notify: input.notify } : {}),
  };
}

export function submittedEvent(dossier: Dossier, eventId: string, actor: Actor): DossierEvent {
  return {
    eventId,
    type: 'dossier.submitted',
    dossierCode: dossier.code,
    version: dossier.version,
    at: dossier.submittedAt,
    actor,
    from: null,
    to: Status.Submitted,
    agencyId: dossier.agencyId,
  };
}

/** The public tracking route (GET /track/{code}?pin=): what the receipt prints, usable without an account. */
export function trackingUrl(baseUrl: string, code: string): string {
  return `${baseUrl.replace(/\/$/, '')}/track/${encodeURIComponent(code)}`;
}

/**
 * The portal's tracking page with the code filled in, where a person types the PIN: the link the messages
 * to the applicant carry (the API route above answers JSON, and a 400 without its PIN).
 */
export function trackingPageUrl(baseUrl: string, code: string): string {
  return `${baseUrl.replace(/\/$/, '')}/#/track?code=${encodeURIComponent(code)}`;
}

/**
 * A draft is addressed by its own id (`draft-<uuid>`) in the `/dossiers/{code}` routes: the agency's
 * daily sequence is only used when the dossier is submitted, so abandoned drafts cost no code.
 */
export const draftIdPattern = /^draft-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const isDraftId = (id: string): boolean => draftIdPattern.test(id);

/** Open (unsubmitted) drafts a citizen may hold at once; one more is refused with 429 `too_many_drafts`. */
export const MAX_OPEN_DRAFTS = 20;
