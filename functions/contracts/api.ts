import * as z from 'zod/mini';
import { meta } from '../domain/zod-setup.js';
import { documentViewSchema } from './documents.js';
import { safeText } from '../domain/text.js';
import { MAX_PAYABLE_VND } from '../domain/fees.js';

/** A whole number in a query string, written plainly: no sign, exponent, hex, blanks or fraction. */
export const queryInt = (min: number, max: number) =>
  z.pipe(
    z.pipe(z.string().check(z.regex(/^\d{1,6}$/, `a whole number from ${min} to ${max}`)), z.transform(Number)),
    z.number().check(z.int(), z.gte(min, `a whole number from ${min} to ${max}`), z.lte(max, `a whole number from ${min} to ${max}`)),
  );

/** Page sizes of every list. */
export const pageLimit = /* @__PURE__ */ (() => meta(z._default(queryInt(1, 100), 25), { description: 'items per page, 1 to 100 (default 25)' }))();
/** Cursors are base64url; their content is checked when opened. */
export const pageCursor = /* @__PURE__ */ (() => z.string().check(z.minLength(1), z.maxLength(2000), z.regex(/^[A-Za-z0-9_-]+$/, 'nextCursor of the previous page, unchanged')))();

/** Dossier codes (`<agency code>-<yyMMdd>-<sequence>`) and agency ids as they can exist; anything else is no dossier. */
export const dossierCode = /* @__PURE__ */ (() => z.string().check(z.minLength(1), z.maxLength(60), z.regex(/^[A-Za-z0-9.-]+$/, 'a dossier code, e.g. 000.00.05.H37-260424-0001')))();
export const agencyId = /* @__PURE__ */ (() => z.string().check(z.minLength(1), z.maxLength(40), z.regex(/^[a-z0-9-]+$/, 'an agency id')))();
import { feeAssessmentSchema, paymentViewSchema } from './payments.js';

/**
 * The API's request and answer shapes. Handlers validate with these and /openapi.json is generated from
 * them, so the document cannot drift from what the code accepts.
 */

export const errorSchema = /* @__PURE__ */ (() =>
  meta(
    z.object({
      error: z.object({
        code: meta(z.string(), { description: 'machine-readable reason, e.g. invalid_input, not_found, forbidden' }),
        message: meta(z.string(), { description: 'English explanation naming the field where there is one' }),
        messageVi: meta(z.optional(z.string()), { description: 'Vietnamese message for the citizen' }),
        details: z.optional(z.unknown()),
      }),
    }),
    { id: 'Error' },
  ))();

export const applicantSchema = /* @__PURE__ */ (() =>
  meta(
    z.strictObject({
      fullName: safeText({ min: 1, max: 100 }),
      /** CCCD (12 digits) or the older CMND (9 digits) */
      idNumber: z.string().check(z.regex(/^(\d{9}|\d{12})$/, 'a 12-digit CCCD number (or 9-digit CMND)')),
      phone: z.string().check(z.regex(/^(0|\+84)\d{9,10}$/, 'a Vietnamese phone number, e.g. 0912345678')),
      email: z.optional(z.email().check(z.maxLength(254))),
      address: safeText({ min: 1, max: 300 }),
    }),
    { id: 'Applicant' },
  ))();

export const channelSchema = /* @__PURE__ */ (() => meta(z.enum(['online', 'counter', 'post']), { id: 'Channel', description: 'KenhThucHien: counter (1), online (2), post (3)' }))();

export const submissionSchema = /* @__PURE__ */ (() =>
  meta(
    z.strictObject({
      serviceId: z.string().check(z.minLength(1), z.maxLength(100), z.regex(/^[a-z0-9.-]+$/, 'a service id from GET /services')),
      agencyId: meta(z.optional(agencyId), { description: 'required when several agencies process the service (district or commune tier)' }),
      applicant: applicantSchema,
      // component 3.3 counts the channel a dossier was submitted through: here it is always online (a postal
      // dossier is registered by the agency that received the letter, POST /agencies/{id}/dossiers)
      channel: meta(z._default(z.literal('online'), 'online'), { description: 'always online here: dossiers received at the counter or by post are registered by the agency' }),
      fields: meta(z._default(z.record(z.string(), z.unknown()), {}), { description: 'the form fields listed by GET /services/{id}' }),
      draft: meta(z.optional(z.boolean()), {
        description:
          'true: keep the dossier as a draft to upload its documents, then POST /dossiers/{code}/submit. A procedure with required documents always starts as a draft; one without goes to the agency at once unless this is true',
      }),
      notify: meta(
        z.optional(
          z.strictObject({
            channels: meta(z.optional(z.array(z.enum(['email', 'sms'])).check(z.maxLength(2))), { description: 'absent: SMS to applicant.phone and email to applicant.email when given' }),
            optOut: meta(z.optional(z.boolean()), { description: 'true: no email or SMS about this dossier' }),
          }),
        ),
        { id: 'NotifyPreference', description: 'how the applicant hears of each step; kept with the dossier' },
      ),
    }),
    { id: 'Submission' },
  ))();

/**
 * A dossier received at the one-stop desk or by post, registered by an official of the agency for the
 * citizen: the same form as online, the channel it came through, and no draft (the official scans its
 * documents onto the dossier before receiving it).
 */
export const deskSubmissionSchema = /* @__PURE__ */ (() =>
  meta(
    z.strictObject({
      serviceId: submissionSchema.shape.serviceId,
      applicant: applicantSchema,
      channel: meta(z.enum(['counter', 'post']), { description: 'counter: handed in at the one-stop desk (KenhThucHien 1); post: received by mail (3)' }),
      fields: submissionSchema.shape.fields,
      notify: submissionSchema.shape.notify,
    }),
    { id: 'DeskSubmission' },
  ))();

export const statusViewSchema = /* @__PURE__ */ (() =>
  meta(z.object({ code: z.number().check(z.int(), z.gte(1), z.lte(10)), label: z.string() }), { id: 'Status', description: 'TrangThaiHoSo code and its Vietnamese label' }))();

export const historyEventSchema = /* @__PURE__ */ (() =>
  meta(
    z.object({
      at: z.iso.datetime({ offset: true }),
      type: z.string(),
      actor: z.object({ kind: z.string(), subject: z.optional(z.string()), agencyId: z.optional(z.string()) }),
      from: z.nullable(z.number().check(z.int())),
      to: z.number().check(z.int()),
      note: z.optional(z.string()),
    }),
    { id: 'HistoryEvent' },
  ))();

export const dossierViewSchema = /* @__PURE__ */ (() =>
  meta(
    z.object({
      code: z.string(),
      service: z.object({ id: z.string(), code: z.string(), name: z.string() }),
      agency: z.object({ id: z.string(), code: z.string(), name: z.string() }),
      status: statusViewSchema,
      channel: channelSchema,
      applicant: meta(z.optional(applicantSchema), { description: 'shown to the applicant and the responsible agency' }),
      fields: z.optional(z.record(z.string(), z.unknown())),
      submittedAt: z.iso.datetime({ offset: true }),
      updatedAt: z.iso.datetime({ offset: true }),
      version: z.number().check(z.int()),
      trackingUrl: z.string(),
      receivedAt: z.optional(z.string()),
      dueAt: meta(z.optional(z.string()), { description: 'appointment date in force (ngày hẹn trả), moved by pauses and apologies' }),
      legalDueAt: meta(z.optional(z.string()), { description: 'legal appointment: reception + processing time + pauses; an apology (form 04) does not move it, lateness is judged against it' }),
      calendarBasis: meta(z.optional(z.enum(['confirmed', 'statutory'])), {
        description:
          "statutory: the appointment crosses a year whose holidays are computed from the Labour Code, the government's yearly arrangement (Tết span, swapped days) not being published in the province file yet; it may move when it is",
      }),
      lateApology: meta(z.optional(z.enum(['with-apology', 'without-apology'])), {
        description: 'for a dossier finished late (against the legal appointment): whether an apology (form 04) was sent in time',
      }),
      standing: meta(z.enum(['early', 'on-time', 'late', 'not-yet-due', 'overdue', 'no-deadline']), { description: 'against the legal appointment, now or when finished' }),
      receipt: meta(z.optional(z.unknown()), { description: 'form 01: code, documents received, appointment date' }),
      pendingSupplement: meta(z.optional(z.unknown()), { description: 'form 02: what is missing and why' }),
      pendingPayment: z.optional(z.unknown()),
      apologies: meta(z.optional(z.readonly(z.array(z.unknown()))), { description: 'form 04: reason and new appointment date' }),
      closingReason: z.optional(z.string()),
      finishedAt: z.optional(z.string()),
      returnedAt: z.optional(z.string()),
      rating: z.optional(z.unknown()),
      history: z.array(historyEventSchema),
      draft: meta(z.optional(z.boolean()), { description: 'true while the applicant uploads documents; the agency has not received it' }),
      documents: meta(z.optional(z.array(documentViewSchema)), { description: 'uploaded documents and results, with the reason of any rejection' }),
      fees: z.optional(feeAssessmentSchema),
      submissionFeesPaidAt: meta(z.optional(z.string()), { description: 'when the fees due at submission were paid online' }),
      payments: meta(z.optional(z.array(paymentViewSchema)), { description: 'online payments of this dossier (POST /dossiers/{code}/payments)' }),
    }),
    { id: 'Dossier' },
  ))();

export const agencyViewSchema = /* @__PURE__ */ (() =>
  meta(
    z.object({
      id: z.string(),
      code: z.string(),
      name: z.string(),
      tier: z.string(),
      validUntil: meta(z.optional(z.string()), { description: 'last day of an abolished agency (e.g. a district, 30/6/2025): kept in history, never routed to' }),
    }),
    { id: 'Agency' },
  ))();

export const serviceSummarySchema = /* @__PURE__ */ (() =>
  meta(
    z.object({
      id: z.string(),
      code: z.string(),
      name: z.string(),
      field: z.string(),
      tier: z.string(),
      level: z.number().check(z.int(), z.gte(1), z.lte(4)),
      fullyOnline: z.boolean(),
      notEligibleReason: z.optional(z.string()),
      processing: z.object({ amount: z.number(), unit: z.enum(['working-days', 'calendar-days']) }),
    }),
    { id: 'ServiceSummary' },
  ))();

export const serviceDetailSchema = /* @__PURE__ */ (() =>
  meta(
    z.extend(serviceSummarySchema, {
      agencies: z.array(agencyViewSchema),
      fees: z.array(
        z.object({
          name: z.string(),
          amountVnd: meta(z.number().check(z.int()), { description: 'due once per dossier' }),
          perUnit: meta(z.optional(z.object({ field: z.string(), amountVnd: z.number().check(z.int()), includedUnits: z.number().check(z.int()) })), {
            description: 'plus amountVnd per unit of the form field beyond includedUnits',
          }),
          reductions: z.optional(z.array(z.object({ field: z.string(), equals: z.unknown(), amountVnd: z.number().check(z.int()), reason: z.string() }))),
          exemptions: z.optional(z.array(z.object({ field: z.string(), equals: z.unknown(), reason: z.string() }))),
          basis: z.optional(z.string()),
        }),
      ),
      documents: z.array(
        z.object({
          id: z.string(),
          name: z.string(),
          required: z.boolean(),
          allowedTypes: z.array(z.string()),
          maxSizeBytes: z.number().check(z.int()),
          maxFiles: z.number().check(z.int()),
        }),
      ),
      fields: z.array(
        z.object({
          name: z.string(),
          label: z.string(),
          type: z.enum(['string', 'number', 'date', 'boolean', 'enum']),
          required: z.boolean(),
          maxLength: z.optional(z.number().check(z.int())),
          options: z.optional(z.array(z.string())),
          integer: meta(z.optional(z.boolean()), { description: 'number fields: whole numbers only' }),
          min: z.optional(z.number()),
          max: z.optional(z.number()),
        }),
      ),
    }),
    { id: 'Service' },
  ))();

const boolString = /* @__PURE__ */ (() =>
  z.pipe(
    z.enum(['true', 'false']),
    z.transform((v) => v === 'true'),
  ))();

export const serviceQuerySchema = /* @__PURE__ */ (() =>
  z.strictObject({
    level: z.optional(queryInt(1, 4)),
    tier: z.optional(safeText({ max: 40 })),
    agency: z.optional(safeText({ max: 40 })),
    fullyOnline: z.optional(boolString),
    q: meta(z.optional(safeText({ max: 200 })), { description: 'words to find in the name, field or code; accents optional' }),
    limit: meta(z.optional(queryInt(1, 500)), { description: 'at most this many items (default 100); `total` counts every match' }),
    offset: meta(z.optional(queryInt(0, 100_000)), { description: 'skip this many matches (default 0)' }),
  }))();

export const serviceListSchema = /* @__PURE__ */ (() => meta(z.object({ total: z.number().check(z.int()), items: z.array(serviceSummarySchema) }), { id: 'ServiceList' }))();

export const agencyListSchema = /* @__PURE__ */ (() => meta(z.object({ items: z.array(agencyViewSchema) }), { id: 'AgencyList' }))();

export const createdDossierSchema = /* @__PURE__ */ (() =>
  meta(z.object({ code: z.string(), trackingUrl: z.string(), status: statusViewSchema, dossier: dossierViewSchema }), { id: 'CreatedDossier' }))();

export const serviceIdParams = /* @__PURE__ */ (() => z.object({ id: safeText({ min: 1, max: 100 }) }))();
export const dossierCodeParams = /* @__PURE__ */ (() => z.object({ code: dossierCode }))();

export type Submission = z.infer<typeof submissionSchema>;
export type DeskSubmission = z.infer<typeof deskSubmissionSchema>;
export type Applicant = z.infer<typeof applicantSchema>;
export type DossierView = z.infer<typeof dossierViewSchema>;

const reason = /* @__PURE__ */ (() => safeText({ min: 1, max: 2000, multiline: true }))();
const optionalNote = /* @__PURE__ */ (() => z.optional(safeText({ max: 2000, multiline: true })))();
const expectedVersion = /* @__PURE__ */ (() =>
  meta(z.optional(z.number().check(z.int(), z.positive())), { description: 'the version you saw; if the dossier changed since, the action is refused with 409 and the current state' }))();

export const actionSchema = /* @__PURE__ */ (() =>
  meta(
    z.discriminatedUnion('action', [
      z.strictObject({ action: z.literal('receive'), documentsReceived: z.optional(z.array(safeText({ min: 1, max: 200 })).check(z.maxLength(50))), note: optionalNote, expectedVersion }),
      z.strictObject({ action: z.literal('refuse'), reason, expectedVersion }),
      z.strictObject({
        action: z.literal('request-supplement'),
        reason,
        missing: z.array(safeText({ min: 1, max: 300 })).check(z.minLength(1), z.maxLength(50)),
        components: meta(z.optional(z.array(z.string().check(z.regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'a document component id'))).check(z.minLength(1), z.maxLength(20))), {
          description: 'the document components to replace or add; the answer then needs a verified new file for each',
        }),
        expectedVersion,
      }),
      z.strictObject({ action: z.literal('start-processing'), note: optionalNote, expectedVersion }),
      z.strictObject({ action: z.literal('request-payment'), amountVnd: z.number().check(z.int(), z.positive(), z.lte(MAX_PAYABLE_VND, `at most ${MAX_PAYABLE_VND} VND, what the payment platform carries`)), reason, expectedVersion }),
      z.strictObject({ action: z.literal('confirm-payment'), note: optionalNote, expectedVersion }),
      z.strictObject({ action: z.literal('stop'), reason, expectedVersion }),
      z.strictObject({ action: z.literal('finish'), note: optionalNote, expectedVersion }),
      z.strictObject({ action: z.literal('return'), note: optionalNote, expectedVersion }),
      z.strictObject({ action: z.literal('apologize'), reason, newDueAt: z.iso.datetime({ offset: true }), expectedVersion }),
      z.strictObject({ action: z.literal('withdraw'), reason: optionalNote, expectedVersion }),
    ]),
    { id: 'Action', description: 'officials: receive, refuse, request-supplement, start-processing, request-payment, confirm-payment, stop, finish, return, apologize; the applicant: withdraw' },
  ))();

export const supplementSchema = /* @__PURE__ */ (() =>
  meta(z.strictObject({ note: optionalNote, expectedVersion }), {
    id: 'Supplement',
    description:
      'the applicant has added what was missing: a verified new file for each component the request named, or, when it named none, a note with the information asked for (or a new verified file)',
  }))();

export const ratingSchema = /* @__PURE__ */ (() =>
  meta(z.strictObject({ rating: z.enum(['satisfied', 'normal', 'unsatisfied']), comment: z.optional(safeText({ max: 1000, multiline: true })) }), { id: 'Rating' }))();

export const inboxQuerySchema = /* @__PURE__ */ (() =>
  z.strictObject({
    status: meta(z._default(z.union([z.enum(['open', 'closed']), queryInt(1, 10)]), 'open'), { description: 'a status code 1-10, or open (1, 2, 4, 5, 6) / closed; default open' }),
    limit: pageLimit,
    cursor: meta(z.optional(pageCursor), { description: 'nextCursor of the previous page' }),
  }))();

export const agencyIdParams = /* @__PURE__ */ (() => z.object({ id: agencyId }))();

export const inboxItemSchema = /* @__PURE__ */ (() =>
  meta(
    z.object({
      code: z.string(),
      service: z.object({ id: z.string(), name: z.string() }),
      status: statusViewSchema,
      applicantName: z.string(),
      submittedAt: z.string(),
      dueAt: meta(z.optional(z.string()), { description: 'appointment date in force (ngày hẹn trả), moved by pauses and apologies' }),
      legalDueAt: meta(z.optional(z.string()), { description: 'legal appointment (hạn giải quyết theo quy định): reception + processing time + pauses; an apology (form 04) does not move it' }),
      workingDaysLeft: meta(z.optional(z.number()), {
        description: 'working days of office time to the legal appointment, one decimal, from the province calendar; negative once passed; frozen while paused; open dossiers only',
      }),
      standing: meta(z.enum(['early', 'on-time', 'late', 'not-yet-due', 'overdue', 'no-deadline']), { description: 'against the legal appointment: an apology does not make a dossier on time' }),
      version: z.number().check(z.int()),
    }),
    { id: 'InboxItem' },
  ))();

export const inboxSchema = /* @__PURE__ */ (() => meta(z.object({ items: z.array(inboxItemSchema), nextCursor: z.optional(z.string()) }), { id: 'Inbox' }))();

export type ActionBody = z.infer<typeof actionSchema>;
