import * as z from 'zod';
import { documentViewSchema } from './documents.js';
import { safeText } from '../domain/text.js';

/** A whole number in a query string, written plainly: no sign, exponent, hex, blanks or fraction. */
export const queryInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,6}$/, `a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `a whole number from ${min} to ${max}`).max(max, `a whole number from ${min} to ${max}`));

/** Page sizes of every list. */
export const pageLimit = /* @__PURE__ */ (() => queryInt(1, 100).default(25).meta({ description: 'items per page, 1 to 100 (default 25)' }))();
/** Cursors are base64url; their content is checked when opened. */
export const pageCursor = /* @__PURE__ */ (() => z.string().min(1).max(2000).regex(/^[A-Za-z0-9_-]+$/, 'nextCursor of the previous page, unchanged'))();

/** Dossier codes (`<agency code>-<yyMMdd>-<sequence>`) and agency ids as they can exist; anything else is no dossier. */
export const dossierCode = /* @__PURE__ */ (() => z.string().min(1).max(60).regex(/^[A-Za-z0-9.-]+$/, 'a dossier code, e.g. 000.00.05.H37-260424-0001'))();
export const agencyId = /* @__PURE__ */ (() => z.string().min(1).max(40).regex(/^[a-z0-9-]+$/, 'an agency id'))();
import { feeAssessmentSchema, paymentViewSchema } from './payments.js';

/**
 * The API's request and answer shapes. Handlers validate with these and /openapi.json is generated from
 * them, so the document cannot drift from what the code accepts.
 */

export const errorSchema = /* @__PURE__ */ (() =>
  z
    .object({
      error: z.object({
        code: z.string().meta({ description: 'machine-readable reason, e.g. invalid_input, not_found, forbidden' }),
        message: z.string().meta({ description: 'English explanation naming the field where there is one' }),
        messageVi: z.string().optional().meta({ description: 'Vietnamese message for the citizen' }),
        details: z.unknown().optional(),
      }),
    })
    .meta({ id: 'Error' }))();

export const applicantSchema = /* @__PURE__ */ (() =>
  z
    .object({
      fullName: safeText({ min: 1, max: 100 }),
      /** CCCD (12 digits) or the older CMND (9 digits) */
      idNumber: z.string().regex(/^(\d{9}|\d{12})$/, 'a 12-digit CCCD number (or 9-digit CMND)'),
      phone: z.string().regex(/^(0|\+84)\d{9,10}$/, 'a Vietnamese phone number, e.g. 0912345678'),
      email: z.email().max(254).optional(),
      address: safeText({ min: 1, max: 300 }),
    })
    .strict()
    .meta({ id: 'Applicant' }))();

export const channelSchema = /* @__PURE__ */ (() =>
  z
    .enum(['online', 'counter', 'post'])
    .meta({ id: 'Channel', description: 'KenhThucHien: counter (1), online (2), post (3)' }))();

export const submissionSchema = /* @__PURE__ */ (() =>
  z
    .object({
      serviceId: z.string().min(1).max(100).regex(/^[a-z0-9.-]+$/, 'a service id from GET /services'),
      agencyId: agencyId.optional().meta({ description: 'required when several agencies process the service (district or commune tier)' }),
      applicant: applicantSchema,
      // component 3.3 counts the channel a dossier was submitted through: here it is always online (a postal
      // dossier is registered by the agency that received the letter, POST /agencies/{id}/dossiers)
      channel: z.literal('online').default('online').meta({ description: 'always online here: dossiers received at the counter or by post are registered by the agency' }),
      fields: z.record(z.string(), z.unknown()).default({}).meta({ description: 'the form fields listed by GET /services/{id}' }),
      draft: z
        .boolean()
        .optional()
        .meta({ description: 'true: keep the dossier as a draft to upload its documents, then POST /dossiers/{code}/submit. A procedure with required documents always starts as a draft; one without goes to the agency at once unless this is true' }),
      notify: z
        .object({
          channels: z.array(z.enum(['email', 'sms'])).max(2).optional().meta({ description: 'absent: SMS to applicant.phone and email to applicant.email when given' }),
          optOut: z.boolean().optional().meta({ description: 'true: no email or SMS about this dossier' }),
        })
        .strict()
        .optional()
        .meta({ id: 'NotifyPreference', description: 'how the applicant hears of each step; kept with the dossier' }),
    })
    .strict()
    .meta({ id: 'Submission' }))();

/**
 * A dossier received at the one-stop desk or by post, registered by an official of the agency for the
 * citizen: the same form as online, the channel it came through, and no draft (the official scans its
 * documents onto the dossier before receiving it).
 */
export const deskSubmissionSchema = /* @__PURE__ */ (() =>
  z
    .object({
      serviceId: submissionSchema.shape.serviceId,
      applicant: applicantSchema,
      channel: z.enum(['counter', 'post']).meta({ description: 'counter: handed in at the one-stop desk (KenhThucHien 1); post: received by mail (3)' }),
      fields: submissionSchema.shape.fields,
      notify: submissionSchema.shape.notify,
    })
    .strict()
    .meta({ id: 'DeskSubmission' }))();

export const statusViewSchema = /* @__PURE__ */ (() =>
  z
    .object({ code: z.number().int().min(1).max(10), label: z.string() })
    .meta({ id: 'Status', description: 'TrangThaiHoSo code and its Vietnamese label' }))();

export const historyEventSchema = /* @__PURE__ */ (() =>
  z
    .object({
      at: z.iso.datetime({ offset: true }),
      type: z.string(),
      actor: z.object({ kind: z.string(), subject: z.string().optional(), agencyId: z.string().optional() }),
      from: z.number().int().nullable(),
      to: z.number().int(),
      note: z.string().optional(),
    })
    .meta({ id: 'HistoryEvent' }))();

export const dossierViewSchema = /* @__PURE__ */ (() =>
  z
    .object({
      code: z.string(),
      service: z.object({ id: z.string(), code: z.string(), name: z.string() }),
      agency: z.object({ id: z.string(), code: z.string(), name: z.string() }),
      status: statusViewSchema,
      channel: channelSchema,
      applicant: applicantSchema.optional().meta({ description: 'shown to the applicant and the responsible agency' }),
      fields: z.record(z.string(), z.unknown()).optional(),
      submittedAt: z.iso.datetime({ offset: true }),
      updatedAt: z.iso.datetime({ offset: true }),
      version: z.number().int(),
      trackingUrl: z.string(),
      receivedAt: z.string().optional(),
      dueAt: z.string().optional().meta({ description: 'appointment date in force (ngày hẹn trả), moved by pauses and apologies' }),
      legalDueAt: z
        .string()
        .optional()
        .meta({ description: 'legal appointment: reception + processing time + pauses; an apology (form 04) does not move it, lateness is judged against it' }),
      calendarBasis: z
        .enum(['confirmed', 'statutory'])
        .optional()
        .meta({ description: 'statutory: the appointment crosses a year whose holidays are computed from the Labour Code, the government\'s yearly arrangement (Tết span, swapped days) not being published in the province file yet; it may move when it is' }),
      lateApology: z
        .enum(['with-apology', 'without-apology'])
        .optional()
        .meta({ description: 'for a dossier finished late (against the legal appointment): whether an apology (form 04) was sent in time' }),
      standing: z.enum(['early', 'on-time', 'late', 'not-yet-due', 'overdue', 'no-deadline']).meta({ description: 'against the legal appointment, now or when finished' }),
      receipt: z.unknown().optional().meta({ description: 'form 01: code, documents received, appointment date' }),
      pendingSupplement: z.unknown().optional().meta({ description: 'form 02: what is missing and why' }),
      pendingPayment: z.unknown().optional(),
      apologies: z.array(z.unknown()).readonly().optional().meta({ description: 'form 04: reason and new appointment date' }),
      closingReason: z.string().optional(),
      finishedAt: z.string().optional(),
      returnedAt: z.string().optional(),
      rating: z.unknown().optional(),
      history: z.array(historyEventSchema),
      draft: z.boolean().optional().meta({ description: 'true while the applicant uploads documents; the agency has not received it' }),
      documents: z.array(documentViewSchema).optional().meta({ description: 'uploaded documents and results, with the reason of any rejection' }),
      fees: feeAssessmentSchema.optional(),
      submissionFeesPaidAt: z.string().optional().meta({ description: 'when the fees due at submission were paid online' }),
      payments: z.array(paymentViewSchema).optional().meta({ description: 'online payments of this dossier (POST /dossiers/{code}/payments)' }),
    })
    .meta({ id: 'Dossier' }))();

export const agencyViewSchema = /* @__PURE__ */ (() =>
  z
    .object({
      id: z.string(),
      code: z.string(),
      name: z.string(),
      tier: z.string(),
      validUntil: z.string().optional().meta({ description: 'last day of an abolished agency (e.g. a district, 30/6/2025): kept in history, never routed to' }),
    })
    .meta({ id: 'Agency' }))();

export const serviceSummarySchema = /* @__PURE__ */ (() =>
  z
    .object({
      id: z.string(),
      code: z.string(),
      name: z.string(),
      field: z.string(),
      tier: z.string(),
      level: z.number().int().min(1).max(4),
      fullyOnline: z.boolean(),
      notEligibleReason: z.string().optional(),
      processing: z.object({ amount: z.number(), unit: z.enum(['working-days', 'calendar-days']) }),
    })
    .meta({ id: 'ServiceSummary' }))();

export const serviceDetailSchema = /* @__PURE__ */ (() =>
  serviceSummarySchema
    .extend({
      agencies: z.array(agencyViewSchema),
      fees: z.array(
        z.object({
          name: z.string(),
          amountVnd: z.number().int().meta({ description: 'due once per dossier' }),
          perUnit: z.object({ field: z.string(), amountVnd: z.number().int(), includedUnits: z.number().int() }).optional().meta({ description: 'plus amountVnd per unit of the form field beyond includedUnits' }),
          reductions: z.array(z.object({ field: z.string(), equals: z.unknown(), amountVnd: z.number().int(), reason: z.string() })).optional(),
          exemptions: z.array(z.object({ field: z.string(), equals: z.unknown(), reason: z.string() })).optional(),
          basis: z.string().optional(),
        }),
      ),
      documents: z.array(
        z.object({
          id: z.string(),
          name: z.string(),
          required: z.boolean(),
          allowedTypes: z.array(z.string()),
          maxSizeBytes: z.number().int(),
          maxFiles: z.number().int(),
        }),
      ),
      fields: z.array(
        z.object({
          name: z.string(),
          label: z.string(),
          type: z.enum(['string', 'number', 'date', 'boolean', 'enum']),
          required: z.boolean(),
          maxLength: z.number().int().optional(),
          options: z.array(z.string()).optional(),
          integer: z.boolean().optional().meta({ description: 'number fields: whole numbers only' }),
          min: z.number().optional(),
          max: z.number().optional(),
        }),
      ),
    })
    .meta({ id: 'Service' }))();

const boolString = /* @__PURE__ */ (() => z.enum(['true', 'false']).transform((v) => v === 'true'))();

export const serviceQuerySchema = /* @__PURE__ */ (() =>
  z
    .object({
      level: queryInt(1, 4).optional(),
      tier: safeText({ max: 40 }).optional(),
      agency: safeText({ max: 40 }).optional(),
      fullyOnline: boolString.optional(),
      q: safeText({ max: 200 }).optional().meta({ description: 'words to find in the name, field or code; accents optional' }),
      limit: z.coerce.number().int().min(1).max(500).optional().meta({ description: 'at most this many items (default 100); `total` counts every match' }),
      offset: z.coerce.number().int().min(0).max(100_000).optional().meta({ description: 'skip this many matches (default 0)' }),
    })
    .strict())();

export const serviceListSchema = /* @__PURE__ */ (() =>
  z
    .object({ total: z.number().int(), items: z.array(serviceSummarySchema) })
    .meta({ id: 'ServiceList' }))();

export const agencyListSchema = /* @__PURE__ */ (() => z.object({ items: z.array(agencyViewSchema) }).meta({ id: 'AgencyList' }))();

export const createdDossierSchema = /* @__PURE__ */ (() =>
  z
    .object({ code: z.string(), trackingUrl: z.string(), status: statusViewSchema, dossier: dossierViewSchema })
    .meta({ id: 'CreatedDossier' }))();

export const serviceIdParams = /* @__PURE__ */ (() => z.object({ id: safeText({ min: 1, max: 100 }) }))();
export const dossierCodeParams = /* @__PURE__ */ (() => z.object({ code: dossierCode }))();

export type Submission = z.infer<typeof submissionSchema>;
export type DeskSubmission = z.infer<typeof deskSubmissionSchema>;
export type Applicant = z.infer<typeof applicantSchema>;
export type DossierView = z.infer<typeof dossierViewSchema>;

const reason = /* @__PURE__ */ (() => safeText({ min: 1, max: 2000, multiline: true }))();
const optionalNote = /* @__PURE__ */ (() => safeText({ max: 2000, multiline: true }).optional())();
const expectedVersion = /* @__PURE__ */ (() =>
  z
    .number()
    .int()
    .positive()
    .optional()
    .meta({ description: 'the version you saw; if the dossier changed since, the action is refused with 409 and the current state' }))();

export const actionSchema = /* @__PURE__ */ (() =>
  z
    .discriminatedUnion('action', [
      z.object({ action: z.literal('receive'), documentsReceived: z.array(safeText({ min: 1, max: 200 })).max(50).optional(), note: optionalNote, expectedVersion }).strict(),
      z.object({ action: z.literal('refuse'), reason, expectedVersion }).strict(),
      z
        .object({
          action: z.literal('request-supplement'),
          reason,
          missing: z.array(safeText({ min: 1, max: 300 })).min(1).max(50),
          components: z
            .array(z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'a document component id'))
            .min(1)
            .max(20)
            .optional()
            .meta({ description: 'the document components to replace or add; the answer then needs a verified new file for each' }),
          expectedVersion,
        })
        .strict(),
      z.object({ action: z.literal('start-processing'), note: optionalNote, expectedVersion }).strict(),
      z.object({ action: z.literal('request-payment'), amountVnd: z.number().int().positive(), reason, expectedVersion }).strict(),
      z.object({ action: z.literal('confirm-payment'), note: optionalNote, expectedVersion }).strict(),
      z.object({ action: z.literal('stop'), reason, expectedVersion }).strict(),
      z.object({ action: z.literal('finish'), note: optionalNote, expectedVersion }).strict(),
      z.object({ action: z.literal('return'), note: optionalNote, expectedVersion }).strict(),
      z.object({ action: z.literal('apologize'), reason, newDueAt: z.iso.datetime({ offset: true }), expectedVersion }).strict(),
      z.object({ action: z.literal('withdraw'), reason: optionalNote, expectedVersion }).strict(),
    ])
    .meta({ id: 'Action', description: 'officials: receive, refuse, request-supplement, start-processing, request-payment, confirm-payment, stop, finish, return, apologize; the applicant: withdraw' }))();

export const supplementSchema = /* @__PURE__ */ (() =>
  z
    .object({ note: optionalNote, expectedVersion })
    .strict()
    .meta({
      id: 'Supplement',
      description:
        'the applicant has added what was missing: a verified new file for each component the request named, or, when it named none, a note with the information asked for (or a new verified file)',
    }))();

export const ratingSchema = /* @__PURE__ */ (() =>
  z
    .object({ rating: z.enum(['satisfied', 'normal', 'unsatisfied']), comment: safeText({ max: 1000, multiline: true }).optional() })
    .strict()
    .meta({ id: 'Rating' }))();

export const inboxQuerySchema = /* @__PURE__ */ (() =>
  z
    .object({
      status: z
        .union([z.enum(['open', 'closed']), queryInt(1, 10)])
        .default('open')
        .meta({ description: 'a status code 1-10, or open (1, 2, 4, 5, 6) / closed; default open' }),
      limit: pageLimit,
      cursor: pageCursor.optional().meta({ description: 'nextCursor of the previous page' }),
    })
    .strict())();

export const agencyIdParams = /* @__PURE__ */ (() => z.object({ id: agencyId }))();

export const inboxItemSchema = /* @__PURE__ */ (() =>
  z
    .object({
      code: z.string(),
      service: z.object({ id: z.string(), name: z.string() }),
      status: statusViewSchema,
      applicantName: z.string(),
      submittedAt: z.string(),
      dueAt: z.string().optional().meta({ description: 'appointment date in force (ngày hẹn trả), moved by pauses and apologies' }),
      legalDueAt: z
        .string()
        .optional()
        .meta({ description: 'legal appointment (hạn giải quyết theo quy định): reception + processing time + pauses; an apology (form 04) does not move it' }),
      workingDaysLeft: z
        .number()
        .optional()
        .meta({ description: 'working days of office time to the legal appointment, one decimal, from the province calendar; negative once passed; frozen while paused; open dossiers only' }),
      standing: z
        .enum(['early', 'on-time', 'late', 'not-yet-due', 'overdue', 'no-deadline'])
        .meta({ description: 'against the legal appointment: an apology does not make a dossier on time' }),
      version: z.number().int(),
    })
    .meta({ id: 'InboxItem' }))();

export const inboxSchema = /* @__PURE__ */ (() => z.object({ items: z.array(inboxItemSchema), nextCursor: z.string().optional() }).meta({ id: 'Inbox' }))();

export type ActionBody = z.infer<typeof actionSchema>;
