import * as z from 'zod/mini';
import { meta } from '../domain/zod-setup.js';
import { createdDossierSchema, dossierCode, pageCursor, pageLimit, statusViewSchema } from './api.js';

export const trackingParams = /* @__PURE__ */ (() => z.object({ code: dossierCode }))();

export const trackingQuerySchema = /* @__PURE__ */ (() => z.strictObject({ pin: z.string().check(z.regex(/^\d{6}$/, 'the 6-digit PIN printed on the receipt')) }))();

export const trackingViewSchema = /* @__PURE__ */ (() =>
  meta(
    z.object({
      code: z.string(),
      service: z.object({ id: z.string(), code: z.string(), name: z.string() }),
      agency: z.object({ id: z.string(), code: z.string(), name: z.string() }),
      status: statusViewSchema,
      submittedAt: z.string(),
      receivedAt: z.optional(z.string()),
      dueAt: z.optional(z.string()),
      standing: z.enum(['early', 'on-time', 'late', 'not-yet-due', 'overdue', 'no-deadline']),
      pendingSupplement: z.optional(z.object({ reason: z.string(), missing: z.readonly(z.array(z.string())) })),
      history: z.array(z.object({ at: z.string(), type: z.string(), from: z.nullable(z.number().check(z.int())), to: z.number().check(z.int()) })),
    }),
    { id: 'TrackingView', description: 'progress of a dossier for whoever holds its receipt; no personal data' },
  ))();

export const dossierReceiptSchema = /* @__PURE__ */ (() =>
  meta(
    z.extend(createdDossierSchema, {
      trackingPin: meta(z.optional(z.string().check(z.regex(/^\d{6}$/))), {
        description:
          'printed on the receipt: GET /track/{code}?pin= follows the dossier without an account; comes with the dossier code, so a draft (addressed by its draft id) has none until it is submitted',
      }),
    }),
    { id: 'DossierReceipt' },
  ))();

export const myDossiersQuerySchema = /* @__PURE__ */ (() => z.strictObject({ limit: pageLimit, cursor: z.optional(pageCursor) }))();

export const myDossiersSchema = /* @__PURE__ */ (() =>
  meta(
    z.object({
      items: z.array(
        z.object({
          code: z.string(),
          service: z.object({ id: z.string(), name: z.string() }),
          status: statusViewSchema,
          submittedAt: z.string(),
          dueAt: z.optional(z.string()),
          draft: z.optional(z.boolean()),
        }),
      ),
      nextCursor: z.optional(z.string()),
    }),
    { id: 'MyDossiers' },
  ))();
