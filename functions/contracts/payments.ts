import * as z from 'zod';
import { safeText } from '../domain/text.js';

/** Contracts of the payment routes: opening a payment, the gateway's callback and return, receipts. */

const feeLineSchema = /* @__PURE__ */ (() =>
  z
    .object({
      name: z.string(),
      amountVnd: z.number().int(),
      baseAmountVnd: z.number().int(),
      extraUnits: z.object({ field: z.string(), units: z.number().int(), unitAmountVnd: z.number().int() }).optional(),
      reduction: z.string().optional(),
      exemption: z.string().optional(),
      basis: z.string().optional(),
    })
    .meta({ id: 'FeeLine', description: 'one fee as assessed for this dossier: after reductions and exemptions' }))();

export const feeAssessmentSchema = /* @__PURE__ */ (() =>
  z
    .object({ lines: z.array(feeLineSchema).readonly(), totalVnd: z.number().int() })
    .meta({ id: 'FeeAssessment', description: 'the catalog fees for this form, computed when the dossier was filed' }))();

export const paymentViewSchema = /* @__PURE__ */ (() =>
  z
    .object({
      ref: z.string().meta({ description: 'merchant reference (MaThamChieu / vnp_TxnRef)' }),
      purpose: z.string().meta({ description: '`submission` (the catalog fees) or `request:<instant>` (an amount the agency asked for, status 6)' }),
      gateway: z.enum(['paygov', 'vnpay']),
      status: z.enum(['initiated', 'paid', 'failed', 'refund-due', 'refunded']),
      amountVnd: z.number().int(),
      lines: z.array(feeLineSchema).readonly(),
      initiatedAt: z.string(),
      payBy: z.string().meta({ description: 'after this instant a new request opens a new payment' }),
      payUrl: z.string().optional().meta({ description: 'while initiated: where to send the browser' }),
      paidAt: z.string().optional(),
      failedAt: z.string().optional(),
      gatewayTransactionId: z.string().optional(),
      receiptNumber: z.string().optional(),
      refund: z.object({ reason: z.string(), recordedAt: z.string(), amountVnd: z.number().int() }).optional(),
    })
    .meta({ id: 'Payment' }))();

export const gatewayParams = /* @__PURE__ */ (() => z.object({ gateway: z.string().min(1).max(20).regex(/^[a-z0-9]+$/, 'a payment gateway id, e.g. paygov') }))();
/** the gateway adds parameters of its own to the return URL: they are accepted and only `ref` (or its echo) is read */
export const returnQuerySchema = /* @__PURE__ */ (() =>
  z.looseObject({
    ref: safeText({ max: 40 }).optional().meta({ description: 'the merchant reference, as set in the return URL' }),
    MaThamChieu: safeText({ max: 40 }).optional().meta({ description: 'the reference as PayGov echoes it' }),
    vnp_TxnRef: safeText({ max: 40 }).optional().meta({ description: 'the reference as VNPay echoes it' }),
  }))();
/**
 * The code has the shape of `dossierCode` in ./api.ts (not imported: api.ts imports this file) and the
 * reference the shape of a merchant reference, so anything else is a 400 before any read.
 */
export const receiptParams = /* @__PURE__ */ (() =>
  z.object({
    code: z.string().min(1).max(60).regex(/^[A-Za-z0-9.-]+$/, 'a dossier code, e.g. 000.00.05.H37-260424-0001'),
    ref: z.string().min(1).max(40).regex(/^[A-Za-z0-9]+$/, 'a payment reference, e.g. MC260424093000A1B2C3D4E5'),
  }))();

export const receiptSchema = /* @__PURE__ */ (() =>
  z
    .object({
      number: z.string(),
      title: z.string(),
      issuer: z.object({ agencyId: z.string(), agencyCode: z.string(), agencyName: z.string(), province: z.string() }),
      dossier: z.object({ code: z.string(), serviceCode: z.string(), serviceName: z.string() }),
      payer: z.object({ fullName: z.string(), idNumber: z.string() }),
      lines: z.array(z.object({ name: z.string(), amountVnd: z.number().int(), reduction: z.string().optional(), exemption: z.string().optional() })),
      amountVnd: z.number().int(),
      currency: z.literal('VND'),
      paidAt: z.string(),
      gateway: z.string(),
      merchantRef: z.string(),
      gatewayTransactionId: z.string().optional(),
      refund: z.unknown().optional(),
    })
    .meta({ id: 'Receipt', description: 'biên lai điện tử; as PDF with ?format=pdf or Accept: application/pdf' }))();
