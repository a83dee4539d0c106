import * as z from 'zod';

/** Contracts of the document routes: upload slots, result downloads, and documents on the dossier view. */

const documentType = /* @__PURE__ */ (() => z.enum(['application/pdf', 'image/jpeg', 'image/png']))();

export const documentViewSchema = /* @__PURE__ */ (() =>
  z
    .object({
      id: z.string(),
      kind: z.enum(['application', 'result']),
      component: z.string().meta({ description: 'the catalog component id; `_result` for result documents' }),
      fileName: z.string(),
      status: z.enum(['pending', 'verified', 'rejected']).meta({ description: 'pending until the uploaded file is checked; rejected carries the reason' }),
      declaredType: documentType,
      declaredSize: z.number().int(),
      size: z.number().int().optional().meta({ description: 'actual size of the uploaded object' }),
      type: documentType.optional().meta({ description: 'type found from the content (magic bytes)' }),
      sha256: z.string().optional(),
      reason: z.string().optional(),
      reasonVi: z.string().optional(),
      uploadedBy: z.enum(['citizen', 'official']),
      uploadedAt: z.string(),
      verifiedAt: z.string().optional(),
    })
    .meta({ id: 'Document' }))();

const fileFields = /* @__PURE__ */ (() => ({
    fileName: z.string().min(1).max(255).meta({ description: 'shown back to people; a plain name, not a path' }),
    contentType: z.string().min(1).max(100).meta({ description: "one of the component's allowedTypes; the content must match it" }),
    size: z.number().int().meta({ description: "bytes, 1 to the component's maxSizeBytes" }),
  }))();

export const documentRequestSchema = /* @__PURE__ */ (() =>
  z
    .object({ component: z.string().min(1).max(100).meta({ description: 'a component id from GET /services/{id}' }), ...fileFields })
    .strict()
    .meta({ id: 'DocumentUploadRequest' }))();

export const resultRequestSchema = /* @__PURE__ */ (() => z.object(fileFields).strict().meta({ id: 'ResultUploadRequest' }))();

export const uploadSlotSchema = /* @__PURE__ */ (() =>
  z
    .object({
      document: documentViewSchema,
      upload: z.object({
        method: z.literal('PUT'),
        url: z.string().meta({ description: 'presigned: PUT the raw bytes there, no other headers needed' }),
        expiresAt: z.string(),
      }),
    })
    .meta({ id: 'UploadSlot' }))();

export const resultParams = /* @__PURE__ */ (() => z.object({ code: z.string().min(1).max(60).regex(/^[A-Za-z0-9.-]+$/, 'a dossier code'), id: z.uuid() }))();
export const documentParams = /* @__PURE__ */ (() => resultParams)();

export const downloadSchema = /* @__PURE__ */ (() =>
  z
    .object({
      url: z.string().meta({ description: 'presigned GET, valid until expiresAt' }),
      expiresAt: z.string(),
      fileName: z.string(),
      contentType: documentType,
      size: z.number().int(),
      sha256: z.string(),
    })
    .meta({ id: 'Download' }))();

export type DocumentRequest = z.infer<typeof documentRequestSchema>;
export type ResultRequest = z.infer<typeof resultRequestSchema>;
export type DocumentView = z.infer<typeof documentViewSchema>;
