import { z } from 'zod';

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
    history: z.array(historyEventSchema),
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
