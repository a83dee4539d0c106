import * as z from 'zod/mini';
import { meta } from '../domain/zod-setup.js';
import { agencyId, applicantSchema } from './api.js';
import { safeText } from '../domain/text.js';

/**
 * A dossier the national portal forwards: submitted there by a citizen for one of this province's
 * procedures. INFERRED: the portal's forwarding format is not published; these are the fields intake needs,
 * named in this API's own terms, with the portal's dossier code as the idempotency key.
 */
export const nationalDossierSchema = /* @__PURE__ */ (() =>
  meta(
    z.strictObject({
      /** the portal's own dossier code (MaHoSo on DVCQG): a second delivery of the same code is the same dossier */
      nationalCode: z.string().check(z.regex(/^[A-Za-z0-9._:-]{6,64}$/, '6 to 64 letters, digits or . _ : -')),
      /** the national procedure code, e.g. 1.004249 */
      serviceId: z.string().check(z.minLength(1), z.maxLength(100), z.regex(/^[a-z0-9.-]+$/, 'a procedure id of this province (GET /services)')),
      agencyId: z.optional(agencyId),
      applicant: applicantSchema,
      fields: z._default(z.record(z.string(), z.unknown()), {}),
      /** documents stay on the portal: their names and links are kept with the dossier */
      documents: z._default(z.array(z.strictObject({ name: safeText({ min: 1, max: 300 }), url: z.url().check(z.maxLength(2000)) })).check(z.maxLength(50)), []),
    }),
    { id: 'NationalDossier' },
  ))();

export type NationalDossier = z.infer<typeof nationalDossierSchema>;

export const nationalReceiptSchema = /* @__PURE__ */ (() =>
  meta(z.object({ code: z.string(), nationalCode: z.string(), status: z.object({ code: z.number(), label: z.string() }), replayed: z.boolean() }), { id: 'NationalReceipt' }))();
