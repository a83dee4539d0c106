import { describe, expect, test } from 'vitest';
import { lastFailed, paidPayments, paymentDue, type PaymentRecord } from '../../web/src/payment.js';

const fees = { lines: [{ name: 'Lệ phí đăng ký doanh nghiệp', amountVnd: 50_000 }], totalVnd: 50_000 };
const payment = (over: Partial<PaymentRecord>): PaymentRecord => ({
  ref: 'MC2612020930001', purpose: 'submission', status: 'initiated', amountVnd: 50_000, lines: fees.lines,
  initiatedAt: '2026-12-02T02:30:00Z', payBy: '2026-12-02T02:45:00Z', ...over,
});

describe('the portal’s payment section', () => {
  test('offers the fees assessed at filing while the dossier is open and unpaid', () => {
    for (const code of [1, 2, 4]) expect(paymentDue({ status: { code }, fees })).toEqual({ purpose: 'submission', amountVnd: 50_000, lines: fees.lines });
    // an open attempt or a failed one still leaves the fees due: Pay answers the open one or opens a new one
    expect(paymentDue({ status: { code: 1 }, fees, payments: [payment({}), payment({ ref: 'MC2', status: 'failed' })] })?.purpose).toBe('submission');
  });

  test('offers nothing for a draft, a closed dossier, no fee, or fees already paid', () => {
    expect(paymentDue({ status: { code: 1 }, draft: true, fees })).toBeUndefined();
    for (const code of [3, 5, 7, 8, 9, 10]) expect(paymentDue({ status: { code }, fees })).toBeUndefined();
    expect(paymentDue({ status: { code: 1 }, fees: { lines: [], totalVnd: 0 } })).toBeUndefined();
    expect(paymentDue({ status: { code: 1 } })).toBeUndefined();
    expect(paymentDue({ status: { code: 2 }, fees, submissionFeesPaidAt: '2026-12-02T02:40:00Z' })).toBeUndefined();
    for (const status of ['paid', 'refund-due', 'refunded'] as const) expect(paymentDue({ status: { code: 2 }, fees, payments: [payment({ status })] })).toBeUndefined();
  });

  test('in status 6 offers the amount the agency asked for, once', () => {
    const pendingPayment = { amountVnd: 120_000, reason: 'Phí thẩm định', requestedAt: '2026-12-02T03:00:00Z' };
    const due = paymentDue({ status: { code: 6 }, fees, submissionFeesPaidAt: '2026-12-01T02:00:00Z', pendingPayment });
    expect(due).toEqual({ purpose: 'request:2026-12-02T03:00:00Z', amountVnd: 120_000, lines: [{ name: 'Phí thẩm định', amountVnd: 120_000 }] });
    expect(paymentDue({ status: { code: 6 }, pendingPayment, payments: [payment({ purpose: 'request:2026-12-02T03:00:00Z', status: 'paid' })] })).toBeUndefined();
    // a paid earlier request does not settle this one
    expect(paymentDue({ status: { code: 6 }, pendingPayment, payments: [payment({ purpose: 'request:2026-11-20T03:00:00Z', status: 'paid' })] })?.amountVnd).toBe(120_000);
  });

  test('lists settled payments with a receipt, oldest first, and says when the last attempt failed', () => {
    const a = payment({ ref: 'A', status: 'paid', paidAt: '2026-12-02T05:00:00Z', receiptNumber: 'BL-1-A' });
    const b = payment({ ref: 'B', status: 'paid', paidAt: '2026-12-01T05:00:00Z', receiptNumber: 'BL-1-B' });
    expect(paidPayments({ status: { code: 4 }, payments: [a, payment({ ref: 'C', status: 'failed' }), b] }).map((p) => p.ref)).toEqual(['B', 'A']);
    const due = { purpose: 'submission', amountVnd: 50_000, lines: fees.lines };
    expect(lastFailed({ status: { code: 1 }, payments: [payment({ ref: 'F', status: 'failed' })] }, due)?.ref).toBe('F');
    expect(lastFailed({ status: { code: 1 }, payments: [payment({ ref: 'F', status: 'failed' }), payment({ ref: 'N', initiatedAt: '2026-12-02T03:00:00Z' })] }, due)).toBeUndefined();
  });
});
