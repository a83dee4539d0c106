import * as z from 'zod';
import { agencyId, applicantSchema } from './api.js';
import { safeText } from '../domain/text.js';

/**
 * A dossier the national portal forwards: submitted there by a citizen for one of this province's
 * procedures. INFERRED: the portal's forwarding format is not published; these are the fields intake needs,
 * named in this API's own terms, with the portal's dossier code as the idempotency key.
 */
export const nationalDossierSchema = /* @__PURE__ */ (() =>
  z
    .object({
      /** the portal's own dossier code (MaHoSo on DVCQG): a second delivery of the same code is the same dossier */
      nationalCode: z.string().regex(/^[A-Za-z0-9._:-]{6,64}$/, '6 to 64 letters, digits or . _ : -'),
      /** the national procedure code, e.g. 1.004249 */
      serviceId: z.string().min(1).max(100).regex(/^[a-z0-9.-]+$/, 'a procedure id of this province (GET /services)'),
      agencyId: agencyId.optional(),
      applicant: applicantSchema,
      fields: z.record(z.string(), z.unknown()).default({}),
      /** documents stay on the portal: their names and links are kept with the dossier */
      documents: z.array(z.object({ name: safeText({ min: 1, max: 300 }), url: z.url().max(2000) }).strict()).max(50).default([]),
    })
    .strict()
    .meta({ id: 'NationalDossier' }))();

export type NationalDossier = z.infer<typeof nationalDossierSchema>;

export const nationalReceiptSchema = /* @__PURE__ */ (() =>
  z
    .object({ code: z.string(), nationalCode: z.string(), status: z.object({ code: z.number(), label: z.string() }), replayed: z.boolean() })
    .meta({ id: 'NationalReceipt' }))();
