import * as z from 'zod';
import { createdDossierSchema, dossierCode, pageCursor, pageLimit, statusViewSchema } from './api.js';

export const trackingParams = /* @__PURE__ */ (() => z.object({ code: dossierCode }))();

export const trackingQuerySchema = /* @__PURE__ */ (() => z.object({ pin: z.string().regex(/^\d{6}$/, 'the 6-digit PIN printed on the receipt') }).strict())();

export const trackingViewSchema = /* @__PURE__ */ (() =>
  z
    .object({
      code: z.string(),
      service: z.object({ id: z.string(), code: z.string(), name: z.string() }),
      agency: z.object({ id: z.string(), code: z.string(), name: z.string() }),
      status: statusViewSchema,
      submittedAt: z.string(),
      receivedAt: z.string().optional(),
      dueAt: z.string().optional(),
      standing: z.enum(['early', 'on-time', 'late', 'not-yet-due', 'overdue', 'no-deadline']),
      pendingSupplement: z.object({ reason: z.string(), missing: z.array(z.string()).readonly() }).optional(),
      history: z.array(z.object({ at: z.string(), type: z.string(), from: z.number().int().nullable(), to: z.number().int() })),
    })
    .meta({ id: 'TrackingView', description: 'progress of a dossier for whoever holds its receipt; no personal data' }))();

export const dossierReceiptSchema = /* @__PURE__ */ (() =>
  createdDossierSchema
    .extend({
      trackingPin: z
        .string()
        .regex(/^\d{6}$/)
        .optional()
        .meta({ description: 'printed on the receipt: GET /track/{code}?pin= follows the dossier without an account; comes with the dossier code, so a draft (addressed by its draft id) has none until it is submitted' }),
    })
    .meta({ id: 'DossierReceipt' }))();

export const myDossiersQuerySchema = /* @__PURE__ */ (() =>
  z
    .object({ limit: pageLimit, cursor: pageCursor.optional() })
    .strict())();

export const myDossiersSchema = /* @__PURE__ */ (() =>
  z
    .object({
      items: z.array(
        z.object({ code: z.string(), service: z.object({ id: z.string(), name: z.string() }), status: statusViewSchema, submittedAt: z.string(), dueAt: z.string().optional(), draft: z.boolean().optional() }),
      ),
      nextCursor: z.string().optional(),
    })
    .meta({ id: 'MyDossiers' }))();
