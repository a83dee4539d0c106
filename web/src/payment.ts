/**
 * What a dossier owes online and what it has paid, read from GET /dossiers/{code} (pure, unit-tested).
 * It mirrors the API's rule (functions/domain/payments.ts `paymentDue`) only to decide whether to offer
 * the Pay button: the API decides, and a stale page gets its 409 `payment_not_due` shown as an error.
 */
export interface PaymentLine { readonly name: string; readonly amountVnd: number }
export interface PaymentRecord {
  readonly ref: string; readonly purpose: string; readonly status: 'initiated' | 'paid' | 'failed' | 'refund-due' | 'refunded';
  readonly amountVnd: number; readonly lines: readonly PaymentLine[]; readonly initiatedAt: string; readonly payBy: string;
  readonly payUrl?: string; readonly paidAt?: string; readonly receiptNumber?: string;
}
export interface PayableDossier {
  readonly status: { readonly code: number };
  readonly draft?: boolean;
  readonly fees?: { readonly lines: readonly PaymentLine[]; readonly totalVnd: number };
  readonly submissionFeesPaidAt?: string;
  readonly pendingPayment?: { readonly amountVnd: number; readonly reason: string; readonly requestedAt?: string };
  readonly payments?: readonly PaymentRecord[];
}
export interface PaymentDue { readonly purpose: string; readonly amountVnd: number; readonly lines: readonly PaymentLine[] }

const settled = new Set(['paid', 'refund-due', 'refunded']);
const paidFor = (d: PayableDossier, purpose: string): boolean => (d.payments ?? []).some((p) => p.purpose === purpose && settled.has(p.status));

/** The payment the applicant can make now: the agency's request (status 6), or the fees while the dossier is open. */
export function paymentDue(d: PayableDossier): PaymentDue | undefined {
  if (d.draft) return undefined;
  if (d.status.code === 6 && d.pendingPayment) {
    const purpose = `request:${d.pendingPayment.requestedAt ?? ''}`;
    if (paidFor(d, purpose)) return undefined;
    return { purpose, amountVnd: d.pendingPayment.amountVnd, lines: [{ name: d.pendingPayment.reason, amountVnd: d.pendingPayment.amountVnd }] };
  }
  if (![1, 2, 4].includes(d.status.code)) return undefined;
  if (!d.fees || d.fees.totalVnd <= 0) return undefined;
  if (d.submissionFeesPaidAt || paidFor(d, 'submission')) return undefined;
  return { purpose: 'submission', amountVnd: d.fees.totalVnd, lines: d.fees.lines };
}

/** Payments with a receipt to download, oldest first. */
export function paidPayments(d: PayableDossier): PaymentRecord[] {
  return (d.payments ?? []).filter((p) => settled.has(p.status) && p.receiptNumber).sort((a, b) => (a.paidAt ?? a.initiatedAt).localeCompare(b.paidAt ?? b.initiatedAt));
}

/** The last attempt for what is due, when it failed or was cancelled: the page says so above the Pay button. */
export function lastFailed(d: PayableDossier, due: PaymentDue): PaymentRecord | undefined {
  const tries = (d.payments ?? []).filter((p) => p.purpose === due.purpose).sort((a, b) => a.initiatedAt.localeCompare(b.initiatedAt));
  const last = tries.at(-1);
  return last?.status === 'failed' ? last : undefined;
}
