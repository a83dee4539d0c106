import { z } from 'zod';
import { documentViewSchema } from './documents.js';

/**
 * The API's request and answer shapes. Handlers validate with these and /openapi.json is generated from
 * them, so the document cannot drift from what the code accepts.
 */

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'machine-readable reason, e.g. invalid_input, not_found, forbidden' }),
      message: z.string().meta({ description: 'English explanation naming the field where there is one' }),
      messageVi: z.string().optional().meta({ description: 'Vietnamese message for the citizen' }),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'Error' });

export const applicantSchema = z
  .object({
    fullName: z.string().trim().min(1).max(100),
    /** CCCD (12 digits) or the older CMND (9 digits) */
    idNumber: z.string().regex(/^(\d{9}|\d{12})$/, 'a 12-digit CCCD number (or 9-digit CMND)'),
    phone: z.string().regex(/^(0|\+84)\d{9,10}$/, 'a Vietnamese phone number, e.g. 0912345678'),
    email: z.email().max(254).optional(),
    address: z.string().trim().min(1).max(300),
  })
  .strict()
  .meta({ id: 'Applicant' });

export const channelSchema = z
  .enum(['online', 'counter', 'post'])
  .meta({ id: 'Channel', description: 'KenhThucHien: counter (1), online (2), post (3)' });

export const submissionSchema = z
  .object({
    serviceId: z.string().min(1).max(100),
    agencyId: z.string().min(1).max(40).optional().meta({ description: 'required when several agencies process the service (district or commune tier)' }),
    applicant: applicantSchema,
    channel: z.enum(['online', 'post']).default('online').meta({ description: 'online, or post for the result to be mailed' }),
    fields: z.record(z.string(), z.unknown()).default({}).meta({ description: 'the form fields listed by GET /services/{id}' }),
    draft: z
      .boolean()
      .optional()
      .meta({ description: 'true: keep the dossier as a draft to upload its documents, then POST /dossiers/{code}/submit. A procedure with required documents always starts as a draft; one without goes to the agency at once unless this is true' }),
  })
  .strict()
  .meta({ id: 'Submission' });

export const statusViewSchema = z
  .object({ code: z.number().int().min(1).max(10), label: z.string() })
  .meta({ id: 'Status', description: 'TrangThaiHoSo code and its Vietnamese label' });

export const historyEventSchema = z
  .object({
    at: z.iso.datetime({ offset: true }),
    type: z.string(),
    actor: z.object({ kind: z.string(), subject: z.string().optional(), agencyId: z.string().optional() }),
    from: z.number().int().nullable(),
    to: z.number().int(),
    note: z.string().optional(),
  })
  .meta({ id: 'HistoryEvent' });

export const dossierViewSchema = z
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
    standing: z.enum(['early', 'on-time', 'late', 'not-yet-due', 'overdue', 'no-deadline']).meta({ description: 'against the appointment date, now or when finished' }),
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
  })
  .meta({ id: 'Dossier' });

export const agencyViewSchema = z
  .object({ id: z.string(), code: z.string(), name: z.string(), tier: z.string() })
  .meta({ id: 'Agency' });

export const serviceSummarySchema = z
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
  .meta({ id: 'ServiceSummary' });

export const serviceDetailSchema = serviceSummarySchema
  .extend({
    agencies: z.array(agencyViewSchema),
    fees: z.array(z.object({ name: z.string(), amountVnd: z.number().int() })),
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
      }),
    ),
  })
  .meta({ id: 'Service' });

const boolString = z.enum(['true', 'false']).transform((v) => v === 'true');

export const serviceQuerySchema = z
  .object({
    level: z.coerce.number().int().min(1).max(4).optional(),
    tier: z.string().max(40).optional(),
    agency: z.string().max(40).optional(),
    fullyOnline: boolString.optional(),
    q: z.string().max(200).optional().meta({ description: 'words to find in the name, field or code; accents optional' }),
    limit: z.coerce.number().int().min(1).max(500).optional().meta({ description: 'at most this many items (default 100); `total` counts every match' }),
    offset: z.coerce.number().int().min(0).max(100_000).optional().meta({ description: 'skip this many matches (default 0)' }),
  })
  .strict();

export const serviceListSchema = z
  .object({ total: z.number().int(), items: z.array(serviceSummarySchema) })
  .meta({ id: 'ServiceList' });

export const agencyListSchema = z.object({ items: z.array(agencyViewSchema) }).meta({ id: 'AgencyList' });

export const createdDossierSchema = z
  .object({ code: z.string(), trackingUrl: z.string(), status: statusViewSchema, dossier: dossierViewSchema })
  .meta({ id: 'CreatedDossier' });

export const serviceIdParams = z.object({ id: z.string().min(1).max(100) });
export const dossierCodeParams = z.object({ code: z.string().min(1).max(60) });

export type Submission = z.infer<typeof submissionSchema>;
export type Applicant = z.infer<typeof applicantSchema>;
export type DossierView = z.infer<typeof dossierViewSchema>;

const reason = z.string().trim().min(1).max(2000);
const optionalNote = z.string().trim().max(2000).optional();
const expectedVersion = z
  .number()
  .int()
  .positive()
  .optional()
  .meta({ description: 'the version you saw; if the dossier changed since, the action is refused with 409 and the current state' });

export const actionSchema = z
  .discriminatedUnion('action', [
    z.object({ action: z.literal('receive'), documentsReceived: z.array(z.string().min(1).max(200)).max(50).optional(), note: optionalNote, expectedVersion }).strict(),
    z.object({ action: z.literal('refuse'), reason, expectedVersion }).strict(),
    z.object({ action: z.literal('request-supplement'), reason, missing: z.array(z.string().trim().min(1).max(300)).min(1).max(50), expectedVersion }).strict(),
    z.object({ action: z.literal('start-processing'), note: optionalNote, expectedVersion }).strict(),
    z.object({ action: z.literal('request-payment'), amountVnd: z.number().int().positive(), reason, expectedVersion }).strict(),
    z.object({ action: z.literal('confirm-payment'), note: optionalNote, expectedVersion }).strict(),
    z.object({ action: z.literal('stop'), reason, expectedVersion }).strict(),
    z.object({ action: z.literal('finish'), note: optionalNote, expectedVersion }).strict(),
    z.object({ action: z.literal('return'), note: optionalNote, expectedVersion }).strict(),
    z.object({ action: z.literal('apologize'), reason, newDueAt: z.iso.datetime({ offset: true }), expectedVersion }).strict(),
    z.object({ action: z.literal('withdraw'), reason: optionalNote, expectedVersion }).strict(),
  ])
  .meta({ id: 'Action', description: 'officials: receive, refuse, request-supplement, start-processing, request-payment, confirm-payment, stop, finish, return, apologize; the applicant: withdraw' });

export const supplementSchema = z
  .object({ note: optionalNote, expectedVersion })
  .strict()
  .meta({ id: 'Supplement', description: 'the applicant has added what was missing' });

export const ratingSchema = z
  .object({ rating: z.enum(['satisfied', 'normal', 'unsatisfied']), comment: z.string().trim().max(1000).optional() })
  .strict()
  .meta({ id: 'Rating' });

export const inboxQuerySchema = z
  .object({
    status: z
      .union([z.enum(['open', 'closed']), z.coerce.number().int().min(1).max(10)])
      .default('open')
      .meta({ description: 'a status code 1-10, or open (1, 2, 4, 5, 6) / closed; default open' }),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().max(2000).optional().meta({ description: 'nextCursor of the previous page' }),
  })
  .strict();

export const agencyIdParams = z.object({ id: z.string().min(1).max(40) });

export const inboxItemSchema = z
  .object({
    code: z.string(),
    service: z.object({ id: z.string(), name: z.string() }),
    status: statusViewSchema,
    applicantName: z.string(),
    submittedAt: z.string(),
    dueAt: z.string().optional(),
    standing: z.enum(['early', 'on-time', 'late', 'not-yet-due', 'overdue', 'no-deadline']),
    version: z.number().int(),
  })
  .meta({ id: 'InboxItem' });

export const inboxSchema = z.object({ items: z.array(inboxItemSchema), nextCursor: z.string().optional() }).meta({ id: 'Inbox' });

export type ActionBody = z.infer<typeof actionSchema>;
