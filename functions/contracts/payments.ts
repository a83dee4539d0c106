import * as z from 'zod/mini';
import { meta } from '../domain/zod-setup.js';
import { safeText } from '../domain/text.js';

/** Contracts of the payment routes: opening a payment, the gateway's callback and return, receipts. */

const feeLineSchema = /* @__PURE__ */ (() =>
  meta(
    z.object({
      name: z.string(),
      amountVnd: z.number().check(z.int()),
      baseAmountVnd: z.number().check(z.int()),
      extraUnits: z.optional(z.object({ field: z.string(), units: z.number().check(z.int()), unitAmountVnd: z.number().check(z.int()) })),
      reduction: z.optional(z.string()),
      exemption: z.optional(z.string()),
      basis: z.optional(z.string()),
    }),
    { id: 'FeeLine', description: 'one fee as assessed for this dossier: after reductions and exemptions' },
  ))();

export const feeAssessmentSchema = /* @__PURE__ */ (() =>
  meta(z.object({ lines: z.readonly(z.array(feeLineSchema)), totalVnd: z.number().check(z.int()) }), {
    id: 'FeeAssessment',
    description: 'the catalog fees for this form, computed when the dossier was filed',
  }))();

export const paymentViewSchema = /* @__PURE__ */ (() =>
  meta(
    z.object({
      ref: meta(z.string(), { description: 'merchant reference (MaThamChieu / vnp_TxnRef)' }),
      purpose: meta(z.string(), { description: '`submission` (the catalog fees) or `request:<instant>` (an amount the agency asked for, status 6)' }),
      gateway: z.enum(['paygov', 'vnpay']),
      status: z.enum(['initiated', 'paid', 'failed', 'refund-due', 'refunded']),
      amountVnd: z.number().check(z.int()),
      lines: z.readonly(z.array(feeLineSchema)),
      initiatedAt: z.string(),
      payBy: meta(z.string(), { description: 'after this instant a new request opens a new payment' }),
      payUrl: meta(z.optional(z.string()), { description: 'while initiated: where to send the browser' }),
      paidAt: z.optional(z.string()),
      failedAt: z.optional(z.string()),
      gatewayTransactionId: z.optional(z.string()),
      receiptNumber: z.optional(z.string()),
      refund: z.optional(z.object({ reason: z.string(), recordedAt: z.string(), amountVnd: z.number().check(z.int()) })),
    }),
    { id: 'Payment' },
  ))();

export const gatewayParams = /* @__PURE__ */ (() => z.object({ gateway: z.string().check(z.minLength(1), z.maxLength(20), z.regex(/^[a-z0-9]+$/, 'a payment gateway id, e.g. paygov')) }))();
/** the gateway adds parameters of its own to the return URL: they are accepted and only `ref` (or its echo) is read */
export const returnQuerySchema = /* @__PURE__ */ (() =>
  z.looseObject({
    ref: meta(z.optional(safeText({ max: 40 })), { description: 'the merchant reference, as set in the return URL' }),
    MaThamChieu: meta(z.optional(safeText({ max: 40 })), { description: 'the reference as PayGov echoes it' }),
    vnp_TxnRef: meta(z.optional(safeText({ max: 40 })), { description: 'the reference as VNPay echoes it' }),
  }))();
/**
 * The code has the shape of `dossierCode` in ./api.ts (not imported: api.ts imports this file) and the
 * reference the shape of a merchant reference, so anything else is a 400 before any read.
 */
export const receiptParams = /* @__PURE__ */ (() =>
  z.object({
    code: z.string().check(z.minLength(1), z.maxLength(60), z.regex(/^[A-Za-z0-9.-]+$/, 'a dossier code, e.g. 000.00.05.H37-260424-0001')),
    ref: z.string().check(z.minLength(1), z.maxLength(40), z.regex(/^[A-Za-z0-9]+$/, 'a payment reference, e.g. MC260424093000A1B2C3D4E5')),
  }))();

/** `format=pdf` for the PDF (as `Accept: application/pdf`), `json` for JSON; anything else is a 400, not a guess. */
export const receiptQuerySchema = /* @__PURE__ */ (() =>
  z.strictObject({ format: meta(z.optional(z.enum(['json', 'pdf'])), { description: 'pdf for the PDF (or send Accept: application/pdf); json overrides the Accept header' }) }))();

export const receiptSchema = /* @__PURE__ */ (() =>
  meta(
    z.object({
      number: z.string(),
      title: z.string(),
      issuer: z.object({ agencyId: z.string(), agencyCode: z.string(), agencyName: z.string(), province: z.string() }),
      dossier: z.object({ code: z.string(), serviceCode: z.string(), serviceName: z.string() }),
      payer: z.object({ fullName: z.string(), idNumber: z.string() }),
      lines: z.array(z.object({ name: z.string(), amountVnd: z.number().check(z.int()), reduction: z.optional(z.string()), exemption: z.optional(z.string()) })),
      amountVnd: z.number().check(z.int()),
      currency: z.literal('VND'),
      paidAt: z.string(),
      gateway: z.string(),
      merchantRef: z.string(),
      gatewayTransactionId: z.optional(z.string()),
      refund: z.optional(z.unknown()),
    }),
    { id: 'Receipt', description: 'biên lai điện tử; as PDF with ?format=pdf or Accept: application/pdf' },
  ))();
