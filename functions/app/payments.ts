import { randomUUID } from 'node:crypto';
import type { Province } from '../../provinces/schema.js';
import { GatewayError, PaymentConflict, type DossierStore, type GatewayAnswer, type NotificationAttempt, type PaymentGateway, type PaymentStore, type RawNotification } from './ports.js';
import { findService } from '../domain/catalog.js';
import type { Actor } from '../domain/dossier.js';
import { AppError, notFound } from '../domain/errors.js';
import {
  decideNotification,
  merchantRef,
  openPaymentFor,
  paymentDue,
  receiptNumber,
  refundsOnClose,
  RECONCILE_AFTER_MS,
  RECONCILE_UNTIL_MS,
  PAYMENT_OPEN_MINUTES,
  type NotificationDecision,
  type Payment,
  type VerifiedNotification,
} from '../domain/payments.js';
import { applyCommand, type WorkflowDossier } from '../domain/workflow.js';
import { authorize, type Caller } from '../domain/access.js';

/**
 * Online payment use cases: open a payment, take a gateway's notification, reconcile what stayed
 * open, record refunds, and read a receipt. Every decision is in domain/payments.ts.
 */

export interface PaymentDeps {
  readonly repo: Pick<DossierStore, 'get'>;
  readonly payments: PaymentStore;
  readonly province: Province;
  readonly now: Date;
  readonly baseUrl: string;
  readonly gateway: () => Promise<PaymentGateway>;
}

const system: Actor = { kind: 'system', subject: 'payment-gateway' };

/** What the applicant and the agency see of a payment: never the merchant data, never the gateway's raw answer. */
export function paymentView(p: Payment) {
  return {
    ref: p.ref,
    purpose: p.purpose,
    gateway: p.gateway,
    status: p.status,
    amountVnd: p.amountVnd,
    lines: p.lines,
    initiatedAt: p.initiatedAt,
    payBy: p.payBy,
    ...(p.status === 'initiated' ? { payUrl: p.payUrl } : {}),
    ...(p.paidAt ? { paidAt: p.paidAt } : {}),
    ...(p.failedAt ? { failedAt: p.failedAt } : {}),
    ...(p.gatewayTransactionId ? { gatewayTransactionId: p.gatewayTransactionId } : {}),
    ...(p.receiptNumber ? { receiptNumber: p.receiptNumber } : {}),
    ...(p.refund ? { refund: p.refund } : {}),
  };
}

export type PaymentView = ReturnType<typeof paymentView>;

function gatewayDown(err: unknown): AppError {
  const code = err instanceof GatewayError ? err.code : 'unreachable';
  return new AppError('unavailable', 'gateway_unavailable', `the payment gateway could not be reached or refused the transaction (${code}); nothing was charged, please retry`, 'Cổng thanh toán tạm thời không phản hồi, vui lòng thử lại sau.');
}

/**
 * POST /dossiers/{code}/payments: the applicant's payment of what is due now. One open payment per
 * purpose: a retry (or a concurrent double click) answers the open one; a payment past its time is
 * replaced by a new one.
 */
export async function openPayment(deps: PaymentDeps, caller: Caller, code: string, clientIp: string): Promise<{ created: boolean; payment: PaymentView }> {
  const found = await deps.repo.get(code);
  // the one access policy: 404 for whoever may not know the dossier exists, 403 for whoever may see it but not pay
  authorize(caller, 'pay', found?.dossier, code);
  const d = found.dossier;
  const service = findService(deps.province, d.serviceId);
  // payments live under the dossier's code (a submitted draft's id leads to it, but is not its partition)
  const payments = await deps.payments.forDossier(d.code);
  const due = paymentDue(d, service, payments);
  const open = openPaymentFor(payments, due.purpose, deps.now);
  if (open) return { created: false, payment: paymentView(open) };

  const gateway = await deps.gateway();
  const ref = merchantRef(deps.now, randomUUID());
  const draft: Payment = {
    ref,
    dossierCode: d.code,
    agencyId: d.agencyId,
    serviceId: d.serviceId,
    purpose: due.purpose,
    gateway: gateway.id,
    amountVnd: due.amountVnd,
    lines: due.lines,
    payer: { fullName: d.applicant.fullName, idNumber: d.applicant.idNumber },
    status: 'initiated',
    initiatedAt: deps.now.toISOString(),
    payBy: new Date(deps.now.getTime() + PAYMENT_OPEN_MINUTES * 60_000).toISOString(),
    payUrl: '',
  };
  const base = deps.baseUrl.replace(/\/$/, '');
  let payUrl: string;
  try {
    ({ payUrl } = await gateway.initiate({
      payment: draft,
      returnUrl: `${base}/payments/${gateway.id}/return?ref=${ref}`,
      notifyUrl: `${base}/payments/${gateway.id}/notify`,
      clientIp,
      now: deps.now,
    }));
  } catch (err) {
    throw gatewayDown(err);
  }
  const payment = { ...draft, payUrl };
  const previous = payments.filter((p) => p.purpose === due.purpose).sort((a, b) => a.initiatedAt.localeCompare(b.initiatedAt)).at(-1);
  try {
    await deps.payments.create(payment, previous?.ref);
  } catch (err) {
    if (!(err instanceof PaymentConflict)) throw err;
    // another request opened one first: answer that one (the INIT we sent stays unpaid at the gateway)
    const winner = openPaymentFor(await deps.payments.forDossier(d.code), due.purpose, deps.now);
    if (winner) return { created: false, payment: paymentView(winner) };
    throw new AppError('conflict', 'conflict', 'the payment changed meanwhile, please retry', 'Vui lòng thử lại.');
  }
  return { created: true, payment: paymentView(payment) };
}

/** How a decision changes the payment (and the dossier), or nothing. */
function settleBy(
  decision: NotificationDecision,
  payment: Payment,
  dossier: WorkflowDossier,
  n: VerifiedNotification,
  deps: Pick<PaymentDeps, 'province' | 'now'>,
  source: 'notification' | 'reconciliation',
) {
  const at = deps.now.toISOString();
  const common = { ...(n.gatewayTransactionId ? { gatewayTransactionId: n.gatewayTransactionId } : {}), settledBy: source };
  switch (decision.kind) {
    case 'settle-paid': {
      const service = findService(deps.province, dossier.serviceId);
      const step = applyCommand(dossier, { action: 'paid', purpose: payment.purpose, paymentRef: payment.ref, amountVnd: payment.amountVnd, gateway: payment.gateway }, {
        actor: system,
        now: deps.now,
        calendar: deps.province.calendar,
        processing: service.processing,
      });
      const next: Payment = { ...payment, ...common, status: 'paid', paidAt: n.at ?? at, receiptNumber: receiptNumber(payment, dossier.agencyCode) };
      return { next, step: { expectedVersion: dossier.version, dossier: step.dossier, event: { ...step.event, eventId: randomUUID() } } };
    }
    case 'settle-failed':
      return { next: { ...payment, ...common, status: 'failed' as const, failedAt: at, failureCode: n.code } };
    case 'settle-refund-due':
      return {
        next: { ...payment, ...common, status: 'refund-due' as const, paidAt: n.at ?? at, receiptNumber: receiptNumber(payment, dossier.agencyCode), refund: { reason: decision.why, recordedAt: at, amountVnd: payment.amountVnd } },
      };
    default:
      return undefined;
  }
}

/**
 * Applies one verified piece of news about a payment (a callback or a status query answer). Re-reads and
 * decides again when someone else wrote first, so concurrent duplicates settle once.
 */
async function applyNews(
  deps: PaymentDeps,
  gatewayId: string,
  n: VerifiedNotification,
  source: 'notification' | 'reconciliation',
  sourceIp?: string,
): Promise<NotificationDecision> {
  for (let attempt = 0; attempt < 4; attempt++) {
    const found = await deps.payments.byRef(n.ref);
    const decision = decideNotification(found?.payment, n, found?.dossier);
    const record: NotificationAttempt = {
      id: randomUUID(),
      at: deps.now.toISOString(),
      gateway: gatewayId,
      ref: n.ref,
      source,
      verdict: decision.kind,
      code: n.code,
      amountVnd: n.amountVnd,
      ...(n.gatewayTransactionId ? { gatewayTransactionId: n.gatewayTransactionId } : {}),
      ...(sourceIp ? { sourceIp } : {}),
      ...(decision.kind === 'amount-mismatch' ? { detail: `expected ${decision.expected}, got ${decision.got}` } : decision.kind === 'replay' ? { detail: decision.why } : {}),
    };
    const change = found ? settleBy(decision, found.payment, found.dossier, n, deps, source) : undefined;
    if (!change || !found) {
      await deps.payments.recordAttempt(record);
      return decision;
    }
    try {
      await deps.payments.settle(found.payment.status, change.next, record, 'step' in change ? change.step : undefined);
      return decision;
    } catch (err) {
      if (!(err instanceof PaymentConflict)) throw err;
    }
  }
  throw new AppError('conflict', 'conflict', 'the payment kept changing while the notification was applied', 'Vui lòng thử lại.');
}

/** The gateway's server-to-server notification: verified, decided, recorded, answered in its protocol. */
export async function takeNotification(
  deps: PaymentDeps,
  gatewayId: string,
  raw: RawNotification,
  sourceIp: string,
): Promise<GatewayAnswer & { readonly verdict: string; readonly unverified?: { readonly claimedRef?: string } }> {
  const gateway = await deps.gateway();
  if (gateway.id !== gatewayId) throw notFound(`payment gateway ${gatewayId}`, 'Không tìm thấy cổng thanh toán.');
  const parsed = gateway.parseNotification(raw);
  if (!parsed.ok) {
    // Anyone can send these, with any reference: the handler logs them, nothing is stored, so that they
    // cannot fill the table. Only what the platform signed is recorded as an attempt.
    const claimedRef = (parsed.ref ?? '').replace(/[^A-Za-z0-9_-]/g, '').slice(0, 40);
    return { ...gateway.answer({ kind: parsed.reason }), verdict: parsed.reason, unverified: claimedRef ? { claimedRef } : {} };
  }
  // the verdict goes back with the answer: the function counts what was settled (functions/http/metrics.ts)
  const decision = await applyNews(deps, gateway.id, parsed.notification, 'notification', sourceIp);
  return { ...gateway.answer(decision), verdict: decision.kind };
}

export interface ReconcileReport {
  readonly examined: number;
  readonly paid: number;
  readonly failed: number;
  readonly pending: number;
  readonly expired: number;
  readonly mismatches: { readonly ref: string; readonly why: string }[];
}

/**
 * The scheduled reconciliation: every payment still initiated 30 minutes to 3 days after INIT is asked
 * about (the platform's rule: 1 paid, 3 pending, 4 failed) and settled the way a notification would
 * have; past 3 days without an answer it is closed as failed and reported.
 */
export async function reconcilePayments(deps: PaymentDeps): Promise<ReconcileReport> {
  const gateway = await deps.gateway();
  const bound = new Date(deps.now.getTime() - RECONCILE_AFTER_MS).toISOString();
  const report = { examined: 0, paid: 0, failed: 0, pending: 0, expired: 0, mismatches: [] as { ref: string; why: string }[] };
  for await (const p of deps.payments.initiatedBefore(bound)) {
    report.examined += 1;
    const tooOld = deps.now.getTime() - Date.parse(p.initiatedAt) > RECONCILE_UNTIL_MS;
    let news: VerifiedNotification;
    if (tooOld) {
      news = { ref: p.ref, amountVnd: p.amountVnd, outcome: 'failed', code: 'expired-unconfirmed' };
      report.mismatches.push({ ref: p.ref, why: 'no final status from the gateway within 3 days: closed as failed' });
    } else {
      let status;
      try {
        status = await gateway.queryStatus(p, deps.now);
      } catch (err) {
        report.mismatches.push({ ref: p.ref, why: `status query failed: ${err instanceof Error ? err.message : String(err)}` });
        continue;
      }
      if (status.outcome === 'unknown') {
        report.mismatches.push({ ref: p.ref, why: `the gateway does not know the transaction (${status.code})` });
        continue;
      }
      news = { ref: p.ref, amountVnd: status.amountVnd ?? p.amountVnd, outcome: status.outcome, code: status.code, ...(status.gatewayTransactionId ? { gatewayTransactionId: status.gatewayTransactionId } : {}) };
    }
    const decision = await applyNews(deps, gateway.id, news, 'reconciliation');
    if (decision.kind === 'settle-paid') report.paid += 1;
    else if (decision.kind === 'settle-failed') report[tooOld ? 'expired' : 'failed'] += 1;
    else if (decision.kind === 'pending') report.pending += 1;
    else if (decision.kind === 'settle-refund-due') report.mismatches.push({ ref: p.ref, why: `paid, but ${decision.why}: refund due` });
    else if (decision.kind === 'amount-mismatch') report.mismatches.push({ ref: p.ref, why: `the gateway reports ${decision.got} VND, the payment is ${decision.expected} VND` });
  }
  return report;
}

/** A dossier closed without its service (refused, withdrawn, stopped) owes back what was paid online. */
export async function recordRefunds(deps: Pick<PaymentDeps, 'payments'>, dossier: Pick<WorkflowDossier, 'code' | 'status'>, at: string, eventType: string): Promise<number> {
  const owed = refundsOnClose(dossier, await deps.payments.forDossier(dossier.code));
  let recorded = 0;
  for (const p of owed) if (await deps.payments.markRefundDue(p, `${eventType}: the dossier was closed without its service`, at)) recorded += 1;
  return recorded;
}

/** The electronic receipt (biên lai điện tử) of a settled payment, for its applicant and its agency. */
export async function readReceipt(deps: Pick<PaymentDeps, 'repo' | 'payments' | 'province'>, caller: Caller, code: string, ref: string) {
  const found = await deps.repo.get(code);
  authorize(caller, 'read-receipt', found?.dossier, code);
  const payment = (await deps.payments.forDossier(found.dossier.code)).find((p) => p.ref === ref);
  if (!payment || !payment.receiptNumber || !payment.paidAt) throw notFound(`receipt of payment ${ref}`, 'Không tìm thấy biên lai.');
  const d = found.dossier;
  return {
    number: payment.receiptNumber,
    title: 'BIÊN LAI THU PHÍ, LỆ PHÍ ĐIỆN TỬ',
    issuer: { agencyId: d.agencyId, agencyCode: d.agencyCode, agencyName: d.agencyName, province: deps.province.name },
    dossier: { code: d.code, serviceCode: d.serviceCode, serviceName: d.serviceName },
    payer: payment.payer,
    lines: payment.lines.map((l) => ({ name: l.name, amountVnd: l.amountVnd, ...(l.reduction ? { reduction: l.reduction } : {}), ...(l.exemption ? { exemption: l.exemption } : {}) })),
    amountVnd: payment.amountVnd,
    currency: 'VND',
    paidAt: payment.paidAt,
    gateway: payment.gateway,
    merchantRef: payment.ref,
    ...(payment.gatewayTransactionId ? { gatewayTransactionId: payment.gatewayTransactionId } : {}),
    ...(payment.refund ? { refund: payment.refund } : {}),
  };
}

export type Receipt = Awaited<ReturnType<typeof readReceipt>>;

/** The browser's return page: reads the state, changes nothing. Unknown references look like pending ones. */
export async function returnState(deps: Pick<PaymentDeps, 'payments'>, ref: string) {
  const found = /^[A-Za-z0-9]{1,40}$/.test(ref) ? await deps.payments.stateByRef(ref) : undefined;
  return found && { ref, status: found.status, amountVnd: found.amountVnd, dossierCode: found.dossierCode };
}
