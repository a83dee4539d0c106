import type { Service } from '../../provinces/schema.js';
import { AppError } from './errors.js';
import { assessFees, type FeeLine } from './fees.js';
import { Status } from './status.js';
import type { WorkflowDossier } from './workflow.js';

/**
 * Online payment of a dossier's fees, as pure decisions: what is due and for which purpose, how long a
 * payment stays open, what a gateway's verified notification does to a stored payment, and what the
 * reconciliation asks about. Storage writes the outcomes; adapters speak the gateways' protocols.
 */

export type GatewayId = 'paygov' | 'vnpay';

/** `submission`: the catalog's fees, due when the dossier is submitted; `request:<instant>`: an amount an official asked for (status 6). */
export type PaymentPurpose = 'submission' | `request:${string}`;

export type PaymentStatus =
  /** sent to the gateway, the applicant has not finished (or we have not heard) */
  | 'initiated'
  | 'paid'
  /** the gateway said the payment failed or was cancelled */
  | 'failed'
  /** money was taken but the dossier no longer needed it (paid twice, closed meanwhile): to be refunded */
  | 'refund-due'
  | 'refunded';

export interface Payer {
  readonly fullName: string;
  readonly idNumber: string;
}

export interface Payment {
  /** the merchant reference (MaThamChieu / vnp_TxnRef): unique, ours, sent to the gateway */
  readonly ref: string;
  readonly dossierCode: string;
  readonly agencyId: string;
  readonly serviceId: string;
  readonly purpose: PaymentPurpose;
  readonly gateway: GatewayId;
  readonly amountVnd: number;
  readonly lines: readonly FeeLine[];
  readonly payer: Payer;
  readonly status: PaymentStatus;
  readonly initiatedAt: string;
  /** after this instant the open payment is not offered again; a later retry starts a new one */
  readonly payBy: string;
  /** where the browser goes to pay */
  readonly payUrl: string;
  /** the gateway's own transaction number, once it told us */
  readonly gatewayTransactionId?: string;
  readonly paidAt?: string;
  readonly failedAt?: string;
  readonly failureCode?: string;
  /** electronic receipt (biên lai điện tử) number, issued when the payment is settled as paid */
  readonly receiptNumber?: string;
  readonly refund?: { readonly reason: string; readonly recordedAt: string; readonly amountVnd: number };
  /** how it was settled: the gateway's notification, or the reconciliation's status query */
  readonly settledBy?: 'notification' | 'reconciliation';
}

/** How long a payment stays open: the platform's pages time out well within it. */
export const PAYMENT_OPEN_MINUTES = 15;

/** The platform's reconciliation rule: ask about transactions still initiated 30 minutes to 3 days after INIT. */
export const RECONCILE_AFTER_MS = 30 * 60 * 1000;
export const RECONCILE_UNTIL_MS = 3 * 24 * 60 * 60 * 1000;

export interface Due {
  readonly purpose: PaymentPurpose;
  readonly amountVnd: number;
  readonly lines: readonly FeeLine[];
}

const notDue = (d: WorkflowDossier, why: string) =>
  new AppError('conflict', 'payment_not_due', why, 'Hồ sơ hiện không chờ thanh toán.', { status: d.status, version: d.version });

/** Has the purpose been paid already (online here, or at the counter through confirm-payment)? */
const paidFor = (payments: readonly Payment[], purpose: PaymentPurpose) => payments.some((p) => p.purpose === purpose && p.status === 'paid');

/**
 * What the applicant may pay now. An official's request (status 6) comes first; otherwise the catalog's
 * fees while the dossier is with the agency and they are unpaid. Anything else is refused with 409.
 */
export function paymentDue(d: WorkflowDossier, service: Service, payments: readonly Payment[]): Due {
  if (d.draft) throw notDue(d, 'the dossier is a draft; submit it first, fees are paid once it is submitted');
  if (d.status === Status.AwaitingPayment && d.pendingPayment) {
    const purpose: PaymentPurpose = `request:${d.pendingPayment.requestedAt}`;
    if (paidFor(payments, purpose)) throw notDue(d, 'this payment request is already paid');
    return { purpose, amountVnd: d.pendingPayment.amountVnd, lines: [{ name: d.pendingPayment.reason, amountVnd: d.pendingPayment.amountVnd, baseAmountVnd: d.pendingPayment.amountVnd }] };
  }
  const open: readonly number[] = [Status.Submitted, Status.Received, Status.Processing];
  if (!open.includes(d.status)) throw notDue(d, `the dossier is in status ${d.status} and is not waiting for a payment`);
  // the amount assessed at filing stands; older dossiers are assessed now from the catalog
  const fees = d.fees ?? assessFees(service, d.fields);
  if (fees.totalVnd === 0) throw notDue(d, 'no fee is due for this dossier');
  if (d.submissionFeesPaidAt || paidFor(payments, 'submission')) throw notDue(d, 'the fees of this dossier are already paid');
  return { purpose: 'submission', amountVnd: fees.totalVnd, lines: fees.lines };
}

/** The open payment a retry must answer again: same purpose, still initiated, not past its time. */
export function openPaymentFor(payments: readonly Payment[], purpose: PaymentPurpose, now: Date): Payment | undefined {
  return payments.find((p) => p.purpose === purpose && p.status === 'initiated' && Date.parse(p.payBy) > now.getTime());
}

/** Merchant references: letters and digits only (both gateways accept them), unique by construction. */
export function merchantRef(now: Date, random: string): string {
  const stamp = now.toISOString().replace(/[-:TZ.]/g, '').slice(2, 14);
  return `MC${stamp}${random.replace(/[^A-Za-z0-9]/g, '').slice(0, 10).toUpperCase()}`;
}

export const merchantRefPattern = /^MC\d{12}[A-Z0-9]{1,10}$/;

/** A gateway's notification once its signature is verified, in the gateway's terms mapped to ours. */
export interface VerifiedNotification {
  readonly ref: string;
  readonly amountVnd: number;
  readonly outcome: 'paid' | 'failed' | 'pending';
  readonly gatewayTransactionId?: string;
  /** when the gateway says the transaction happened */
  readonly at?: string;
  /** the gateway's result code, kept for the record */
  readonly code: string;
}

export type NotificationDecision =
  /** the refusals: nothing changes, the gateway is told why in its own codes */
  | { readonly kind: 'unknown-reference' }
  | { readonly kind: 'amount-mismatch'; readonly expected: number; readonly got: number }
  | { readonly kind: 'replay'; readonly why: string }
  /** the same news again: answer as the first time, change nothing */
  | { readonly kind: 'duplicate' }
  /** a late or out-of-order notification that would move a settled payment backwards: ignored, acknowledged */
  | { readonly kind: 'stale' }
  | { readonly kind: 'pending' }
  | { readonly kind: 'settle-paid'; readonly dossierPaid: boolean }
  | { readonly kind: 'settle-failed' }
  /** money arrived for a payment the dossier no longer needs: recorded as paid and owed back */
  | { readonly kind: 'settle-refund-due'; readonly why: string };

/** Is the dossier still waiting for this purpose, so that a success must move it on? */
export function dossierAwaits(d: WorkflowDossier, purpose: PaymentPurpose): boolean {
  if (purpose === 'submission') return !d.submissionFeesPaidAt && [Status.Submitted, Status.Received, Status.Processing].includes(d.status as 1 | 2 | 4);
  return d.status === Status.AwaitingPayment && d.pendingPayment !== undefined && `request:${d.pendingPayment.requestedAt}` === purpose;
}

/** Tolerance for clocks: a transaction the gateway dates before our INIT by more than this cannot be ours. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

/**
 * What a verified notification does. Idempotent by construction: the decision depends only on the stored
 * payment, so the same notification twice decides `duplicate` the second time.
 */
export function decideNotification(payment: Payment | undefined, n: VerifiedNotification, dossier: WorkflowDossier | undefined): NotificationDecision {
  if (!payment || !dossier) return { kind: 'unknown-reference' };
  if (n.amountVnd !== payment.amountVnd) return { kind: 'amount-mismatch', expected: payment.amountVnd, got: n.amountVnd };
  if (n.at && Date.parse(n.at) < Date.parse(payment.initiatedAt) - CLOCK_SKEW_MS) return { kind: 'replay', why: 'the transaction is dated before this payment was initiated' };
  const sameTransaction = !payment.gatewayTransactionId || !n.gatewayTransactionId || payment.gatewayTransactionId === n.gatewayTransactionId;
  switch (payment.status) {
    case 'paid':
    case 'refund-due':
    case 'refunded':
      if (n.outcome === 'paid') return sameTransaction ? { kind: 'duplicate' } : { kind: 'replay', why: 'the payment was already settled by another gateway transaction' };
      // a failure or pending arriving after the success (out of order): the success stands
      return { kind: 'stale' };
    case 'failed':
      if (n.outcome === 'failed') return { kind: 'duplicate' };
      if (n.outcome === 'pending') return { kind: 'stale' };
      // a success after a failure: the money was taken after all (late notification)
      return dossierAwaits(dossier, payment.purpose) ? { kind: 'settle-paid', dossierPaid: true } : { kind: 'settle-refund-due', why: 'paid after the payment was recorded as failed, and the dossier no longer waits for it' };
    case 'initiated':
      if (n.outcome === 'pending') return { kind: 'pending' };
      if (n.outcome === 'failed') return { kind: 'settle-failed' };
      return dossierAwaits(dossier, payment.purpose)
        ? { kind: 'settle-paid', dossierPaid: true }
        : { kind: 'settle-refund-due', why: 'the dossier no longer waits for this payment (paid otherwise, closed or withdrawn)' };
  }
}

/** Whether the reconciliation asks the gateway about a payment now (the platform's 30 minutes to 3 days). */
export function dueForReconciliation(p: Payment, now: Date): boolean {
  const age = now.getTime() - Date.parse(p.initiatedAt);
  return p.status === 'initiated' && age >= RECONCILE_AFTER_MS && age <= RECONCILE_UNTIL_MS;
}

/** Receipt numbers: per agency and local day, in the payment's own reference so they never collide. */
export function receiptNumber(p: Pick<Payment, 'ref'>, agencyCode: string): string {
  return `BL-${agencyCode}-${p.ref.slice(2)}`;
}

/**
 * A paid dossier that ends without its service (refused, withdrawn, stopped) is owed its fees back: the
 * payments to record as refund-due. The refund itself is made by the agency's treasury.
 */
export function refundsOnClose(d: Pick<WorkflowDossier, 'status'>, payments: readonly Payment[]): Payment[] {
  const closedWithoutService = [Status.Refused, Status.Withdrawn, Status.Stopped] as number[];
  if (!closedWithoutService.includes(d.status)) return [];
  return payments.filter((p) => p.status === 'paid');
}
