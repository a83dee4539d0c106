import * as z from 'zod/mini';
import { meta } from '../domain/zod-setup.js';

/** Contracts of the document routes: upload slots, result downloads, and documents on the dossier view. */

const documentType = /* @__PURE__ */ (() => z.enum(['application/pdf', 'image/jpeg', 'image/png']))();

export const documentViewSchema = /* @__PURE__ */ (() =>
  meta(
    z.object({
      id: z.string(),
      kind: z.enum(['application', 'result']),
      component: meta(z.string(), { description: 'the catalog component id; `_result` for result documents' }),
      fileName: z.string(),
      status: meta(z.enum(['pending', 'verified', 'rejected']), { description: 'pending until the uploaded file is checked; rejected carries the reason' }),
      declaredType: documentType,
      declaredSize: z.number().check(z.int()),
      size: meta(z.optional(z.number().check(z.int())), { description: 'actual size of the uploaded object' }),
      type: meta(z.optional(documentType), { description: 'type found from the content (magic bytes)' }),
      sha256: z.optional(z.string()),
      reason: z.optional(z.string()),
      reasonVi: z.optional(z.string()),
      uploadedBy: z.enum(['citizen', 'official']),
      uploadedAt: z.string(),
      verifiedAt: z.optional(z.string()),
    }),
    { id: 'Document' },
  ))();

const fileFields = /* @__PURE__ */ (() => ({
  fileName: meta(z.string().check(z.minLength(1), z.maxLength(255)), { description: 'shown back to people; a plain name, not a path' }),
  contentType: meta(z.string().check(z.minLength(1), z.maxLength(100)), { description: "one of the component's allowedTypes; the content must match it" }),
  size: meta(z.number().check(z.int()), { description: "bytes, 1 to the component's maxSizeBytes" }),
}))();

export const documentRequestSchema = /* @__PURE__ */ (() =>
  meta(z.strictObject({ component: meta(z.string().check(z.minLength(1), z.maxLength(100)), { description: 'a component id from GET /services/{id}' }), ...fileFields }), {
    id: 'DocumentUploadRequest',
  }))();

export const resultRequestSchema = /* @__PURE__ */ (() => meta(z.strictObject(fileFields), { id: 'ResultUploadRequest' }))();

export const uploadSlotSchema = /* @__PURE__ */ (() =>
  meta(
    z.object({
      document: documentViewSchema,
      upload: z.object({
        method: z.literal('PUT'),
        url: meta(z.string(), { description: 'presigned: PUT the raw bytes there, no other headers needed' }),
        expiresAt: z.string(),
      }),
    }),
    { id: 'UploadSlot' },
  ))();

export const resultParams = /* @__PURE__ */ (() => z.object({ code: z.string().check(z.minLength(1), z.maxLength(60), z.regex(/^[A-Za-z0-9.-]+$/, 'a dossier code')), id: z.uuid() }))();
export const documentParams = /* @__PURE__ */ (() => resultParams)();

export const downloadSchema = /* @__PURE__ */ (() =>
  meta(
    z.object({
      url: meta(z.string(), { description: 'presigned GET, valid until expiresAt' }),
      expiresAt: z.string(),
      fileName: z.string(),
      contentType: documentType,
      size: z.number().check(z.int()),
      sha256: z.string(),
    }),
    { id: 'Download' },
  ))();

export type DocumentRequest = z.infer<typeof documentRequestSchema>;
export type ResultRequest = z.infer<typeof resultRequestSchema>;
export type DocumentView = z.infer<typeof documentViewSchema>;
