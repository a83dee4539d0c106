import type * as z from 'zod/mini';
import { agencyListSchema, dossierViewSchema, inboxSchema, serviceDetailSchema, serviceListSchema } from './api.js';
import { agencyRankingSchema, statsAnswerSchema } from './stats.js';
import { downloadSchema, uploadSlotSchema } from './documents.js';
import type { RouteDeclaration, RouteId } from '../declaration.js';
import { paymentViewSchema, receiptSchema } from './payments.js';
import { nationalReceiptSchema } from './national.js';
import { dossierReceiptSchema, myDossiersSchema, trackingViewSchema } from './tracking.js';
import * as inputs from './inputs.js';

/** What a route reads from the request (./inputs.ts): the handler validates with exactly these schemas. */
export interface RouteInput<Id extends RouteId = RouteId> {
  /** the route's own declaration (functions/declaration.ts): who may call it, how long it may be cached */
  readonly route: RouteDeclaration & { readonly id: Id };
  readonly params?: z.core.$ZodType;
  readonly query?: z.core.$ZodType;
  readonly body?: z.core.$ZodType;
}

/** What a route documents besides its input: the headers it reads and what it answers. */
export interface RouteDocumentation {
  /** request headers the route reads, documented in OpenAPI */
  readonly headers?: readonly { name: string; description: string; required: boolean }[];
  readonly responses: Readonly<Record<number, { description: string; schema?: z.core.$ZodType }>>;
}

/**
 * What each declared route accepts and answers; the OpenAPI document is generated from it. A route without
 * an input or a documentation, or an input under another route's name, fails to type-check.
 */
export type RouteContract = RouteInput & RouteDocumentation;

export const routeInputs: { readonly [Id in RouteId]: RouteInput<Id> } = inputs;

export const routeDocumentation = {
  ListServices: {
    responses: { 200: { description: 'matching procedures', schema: serviceListSchema } },
  },
  GetService: {
    responses: { 200: { description: 'the procedure', schema: serviceDetailSchema }, 404: { description: 'no such procedure' } },
  },
  ListAgencies: {
    responses: { 200: { description: 'agencies of the province', schema: agencyListSchema } },
  },
  CreateDossier: {
    headers: [
      {
        name: 'Idempotency-Key',
        description: 'any unique string (e.g. a UUID) per intended submission; retrying with the same key returns the same dossier',
        required: false,
      },
    ],
    responses: {
      201: { description: 'dossier created (or, for a retried Idempotency-Key, the one created before; header Idempotent-Replayed: true)', schema: dossierReceiptSchema },
      413: { description: 'body over 64 KiB' },
      415: { description: 'body is not application/json' },
      422: { description: 'the service does not accept online dossiers, or the Idempotency-Key was used for another request' },
    },
  },
  RegisterDeskDossier: {
    headers: [
      {
        name: 'Idempotency-Key',
        description: 'any unique string per dossier registered; retrying with the same key returns the same dossier',
        required: false,
      },
    ],
    responses: {
      201: {
        description: 'dossier registered (status 1) with its code and the PIN to print on the receipt (a retried Idempotency-Key answers the same one; header Idempotent-Replayed: true)',
        schema: dossierReceiptSchema,
      },
      400: { description: 'a field of the form or the applicant is missing or invalid, or the agency does not process this procedure; nothing is stored' },
      404: { description: 'no such agency, or not yours; or no such procedure' },
      422: { description: 'the Idempotency-Key was used for another request' },
    },
  },
  ListMyDossiers: {
    responses: { 200: { description: 'one page of your dossiers, newest first; pass nextCursor for the next', schema: myDossiersSchema } },
  },
  TrackDossier: {
    responses: {
      200: { description: 'progress and dates, without personal data', schema: trackingViewSchema },
      404: { description: 'no dossier with this code and PIN' },
      429: { description: 'too many wrong PINs for this dossier; retry after details.retryAfterSeconds' },
    },
  },
  GetDossier: {
    responses: { 200: { description: 'the dossier with its history', schema: dossierViewSchema }, 404: { description: 'no such dossier, or not yours' } },
  },
  ListAgencyDossiers: {
    responses: {
      200: { description: 'one page of the inbox, soonest appointment first; pass nextCursor to get the next', schema: inboxSchema },
      404: { description: 'no such agency, or not yours' },
    },
  },
  ActOnDossier: {
    responses: {
      200: { description: 'the dossier after the step', schema: dossierViewSchema },
      404: { description: 'no such dossier, or not one you may act on' },
      409: { description: 'the step is not allowed in the current status, or the dossier changed since expectedVersion; details carry the current status and version' },
    },
  },
  SupplementDossier: {
    responses: {
      200: { description: 'the dossier, back with the agency; its appointment date moved by the time it waited', schema: dossierViewSchema },
      404: { description: 'no such dossier, or not yours' },
      409: { description: 'no supplement was requested' },
    },
  },
  RateDossier: {
    responses: {
      200: { description: 'the dossier with its rating', schema: dossierViewSchema },
      404: { description: 'no such dossier, or not yours' },
      409: { description: 'the result is not returned yet, or the dossier was already rated' },
    },
  },
  UploadDocument: {
    headers: [
      {
        name: 'Idempotency-Key',
        description: 'any unique string per intended file; a retry with the same key answers the same slot with a fresh URL (an answer lost in transit does not leave a slot taken)',
        required: false,
      },
    ],
    responses: {
      201: { description: 'a pending slot and its presigned PUT URL (valid 10 minutes); the file is checked after upload and shows on the dossier as verified or rejected', schema: uploadSlotSchema },
      400: { description: 'unknown component, type not accepted, size zero or over the maximum, or a file name that is a path or has control characters; no URL is issued' },
      404: { description: 'no such dossier, or not yours' },
      409: { description: 'the component already has its files, or the dossier no longer takes documents' },
      422: { description: 'the Idempotency-Key was used for another slot request' },
    },
  },
  CancelDocument: {
    responses: {
      204: { description: 'the slot is gone: its URL can no longer file anything (an object still PUT there is quarantined), and its place is free' },
      404: { description: 'no such dossier or slot, or not yours' },
      409: { description: 'the file already arrived (verified or rejected): only a pending slot is cancelled' },
    },
  },
  SubmitDossier: {
    responses: {
      200: {
        description: 'the dossier, now with the agency (status 1) under its dossier code, and its tracking PIN; the draft id keeps leading to it, and a repeated submit answers the same dossier',
        schema: dossierReceiptSchema,
      },
      404: { description: 'no such dossier, or not yours' },
      409: {
        description:
          'a required component has no verified file (details list them: documents.<component>), the dossier was already submitted, or the same draft is being submitted right now (request_in_progress, Retry-After)',
      },
      503: { description: 'the dossier could not be stored in time; nothing was stored and its number is kept for the retry (Retry-After)' },
    },
  },
  UploadResult: {
    responses: {
      201: { description: 'a pending result slot and its presigned PUT URL; verified like any upload', schema: uploadSlotSchema },
      400: { description: 'type not accepted, size zero or over 20 MiB, or a bad file name' },
      404: { description: 'no such dossier, or not one of your agency' },
      409: { description: 'the dossier has not been received, or was closed without a result' },
    },
  },
  GetResult: {
    responses: {
      200: { description: 'a presigned GET URL (valid 5 minutes) that downloads the verified file under its name', schema: downloadSchema },
      404: { description: 'no such dossier or verified result, or not yours' },
    },
  },
  OpenApi: {
    responses: { 200: { description: 'this document' } },
  },
  GetStats: {
    headers: [{ name: 'Accept', description: 'text/csv for CSV (one figure per row); JSON otherwise', required: false }],
    responses: {
      200: { description: 'the figures of the scope over the period, summed from counter items (never from dossiers); with shape=report, the period balance', schema: statsAnswerSchema },
      400: { description: 'a malformed scope or period, or a range over ten years' },
      404: { description: 'no such agency or service' },
    },
  },
  GetDocument: {
    responses: {
      200: { description: 'a presigned GET URL (valid 5 minutes) that downloads the verified file under its name', schema: downloadSchema },
      404: { description: 'no such dossier or verified document, or not one you may open' },
    },
  },
  RankAgencies: {
    headers: [{ name: 'Accept', description: 'text/csv for CSV (one agency per row); JSON otherwise', required: false }],
    responses: { 200: { description: 'every agency, best on-time share first', schema: agencyRankingSchema }, 400: { description: 'a malformed period' } },
  },
  CreatePayment: {
    responses: {
      200: { description: 'the open payment of what is due, created before (a retry answers the same one)', schema: paymentViewSchema },
      201: { description: 'a new payment: send the browser to payUrl before payBy', schema: paymentViewSchema },
      404: { description: 'no such dossier, or not yours' },
      409: { description: 'nothing is due: the dossier is a draft, is not waiting for a payment, or is already paid (payment_not_due)' },
      503: { description: 'the gateway could not be reached; nothing was charged' },
    },
  },
  PaymentNotification: {
    responses: { 200: { description: 'the gateway protocol\'s answer: PayGov {MaLoi, MoTaLoi} ("00" accepted), VNPay {RspCode, Message}' }, 404: { description: 'not the configured gateway' } },
  },
  PaymentNotificationQuery: {
    responses: { 200: { description: "the gateway protocol's answer" }, 404: { description: 'not the configured gateway' } },
  },
  PaymentReturn: {
    responses: { 200: { description: 'an HTML page with the state of the payment (JSON with Accept: application/json)' } },
  },
  GetPaymentReceipt: {
    headers: [{ name: 'Accept', description: 'application/pdf (or ?format=pdf) for the PDF; JSON otherwise', required: false }],
    responses: { 200: { description: 'the receipt', schema: receiptSchema }, 404: { description: 'no such dossier or settled payment, or not yours' } },
  },
  ReceiveNationalDossier: {
    headers: [
      { name: 'x-dvcqg-timestamp', description: 'Unix time of signing; refused outside ±5 minutes', required: true },
      { name: 'x-dvcqg-signature', description: 'hex HMAC-SHA256 of `<timestamp>.<body>` under the key shared with the portal', required: true },
    ],
    responses: {
      201: { description: 'the dossier entered intake and goes to its agency', schema: nationalReceiptSchema },
      200: { description: 'this national code was received before: the same dossier', schema: nationalReceiptSchema },
      401: { description: 'not signed by the national portal' },
    },
  },
} as const satisfies Record<RouteId, RouteDocumentation>;
