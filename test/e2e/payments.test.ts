import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { dynamo } from '../../functions/adapters/clients.js';
import { paymentDeps } from '../../functions/adapters/payment-deps.js';
import { PaymentRepository } from '../../functions/adapters/payment-repository.js';
import { messageTypes, notifyFields, PAYGOV_VERSION, signFields } from '../../functions/adapters/paygov.js';
import type { MerchantConfig } from '../../functions/adapters/payment-gateway.js';
import { reconcilePayments } from '../../functions/app/payments.js';
import { applicant, enterpriseRegistration, fileDossier } from '../support/dossiers.js';
import { api, apiUrl, tokenFor } from '../support/api.js';
import { eventually } from '../support/eventually.js';

/**
 * Paying online end to end on the run's local stack: fees from the catalog, a payment through the
 * simulated national Payment Platform, its signed callback, the dossier moving on, the receipt;
 * duplicate, forged, out-of-order and late callbacks; a payment the platform never notified, settled by
 * the reconciliation (the use case the scheduled consumer runs, called here at the stack's time plus 31
 * minutes so that the run's shared clock is left alone); a refund when a paid dossier is withdrawn.
 */

let citizen = '';
let justice = '';
let planning = '';
let stranger = '';
let merchant: MerchantConfig;
let payments: PaymentRepository;
let paygovUrl = '';
let before: { onlinePayments: number; paidOnlineVnd: number; paidOnline: number };

const call = (path: string, init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {}) => api(path, init);

/** The platform decides a transaction and sends its callbacks as asked (see local/paygov.ts). */
async function platform(ref: string, outcome: 'paid' | 'failed', send: string[] = ['normal'], delayMs = 0) {
  const answer = await fetch(`${paygovUrl}/control`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ref, outcome, send, delayMs }) });
  return { status: answer.status, json: (await answer.json()) as { status: string; callbacks?: { mode: string; status: number; answer: { MaLoi: string } }[] } };
}

const judicialRecord = (n: number, fields: Record<string, unknown>) => ({ serviceId: '2.000488', applicant: applicant(n), fields: { purpose: 'Bổ sung hồ sơ xin việc', ...fields } });

async function dossier(code: string, as = citizen) {
  const view = await call(`/dossiers/${code}`, { token: as });
  expect(view.status, view.text).toBe(200);
  return view.json;
}

beforeAll(async () => {
  const stack = inject('localStack');
  paygovUrl = `${apiUrl()}/local/paygov`;
  merchant = JSON.parse(readFileSync(join(stack.dataDir, 'payments', 'merchant.json'), 'utf8')) as MerchantConfig;
  payments = new PaymentRepository(dynamo(), stack.tableName);
  citizen = await tokenFor('citizen', { subject: 'payments-e2e-citizen' });
  stranger = await tokenFor('citizen', { subject: 'payments-e2e-stranger' });
  justice = await tokenFor('official', { agencyId: 'so-tu-phap', subject: 'payments-e2e-justice' });
  planning = await tokenFor('official', { agencyId: 'so-ke-hoach-va-dau-tu', subject: 'payments-e2e-planning' });
  // other files add dossiers to the run's counters, but only this one pays online
  const figures = (await call('/stats?scope=province')).json.figures;
  before = { onlinePayments: figures.payments.onlinePayments, paidOnlineVnd: figures.payments.paidOnlineVnd, paidOnline: figures.paidOnline };
});

describe('paying the fees of a dossier online through the national Payment Platform', () => {
  let code = '';
  let ref = '';

  it('shows the fee rule in the catalog and assesses it on the dossier: 3 copies for a student = 100,000 + 5,000', async () => {
    const service = await call('/services/2.000488', {});
    expect(service.json.fees[0]).toMatchObject({ amountVnd: 200_000, perUnit: { field: 'copies', amountVnd: 5000, includedUnits: 2 } });
    expect(service.json.fees[0].exemptions.map((e: { equals: string }) => e.equals)).toContain('Trẻ em');
    ({ code } = await fileDossier(call, citizen, judicialRecord(1, { copies: 3, applicantCategory: 'Sinh viên' })));
    const view = await dossier(code);
    expect(view.fees.totalVnd).toBe(105_000);
    expect(view.fees.lines[0]).toMatchObject({ amountVnd: 105_000, baseAmountVnd: 205_000, extraUnits: { units: 1, unitAmountVnd: 5000 } });
  });

  it('opens one payment for the fees due at submission; a retry answers the same one', async () => {
    const first = await call(`/dossiers/${code}/payments`, { method: 'POST', token: citizen });
    expect(first.status, first.text).toBe(201);
    expect(first.json).toMatchObject({ purpose: 'submission', status: 'initiated', amountVnd: 105_000, gateway: 'paygov' });
    expect(first.json.payUrl).toMatch(new RegExp(`^${paygovUrl}/pay/`));
    expect(Date.parse(first.json.payBy)).toBeGreaterThan(Date.parse(first.json.initiatedAt));
    ref = first.json.ref;
    const again = await call(`/dossiers/${code}/payments`, { method: 'POST', token: citizen });
    expect(again.status).toBe(200);
    expect(again.json.ref).toBe(ref);
    expect((await call(`/dossiers/${code}/payments`, { method: 'POST', token: stranger })).status).toBe(404);
  });

  it('pays on the platform page: the signed callback records dossier.paid, then the browser comes back to a page that shows it', async () => {
    const page = await fetch(`${paygovUrl}/pay/${ref}`);
    const html = await page.text();
    expect(html).toContain('105.000 đồng');
    expect(html).toContain('id="pay"');
    const before = await dossier(code);
    const paid = await fetch(`${paygovUrl}/pay/${ref}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'decision=pay', redirect: 'manual' });
    expect(paid.status).toBe(303);
    const back = paid.headers.get('location')!;
    expect(back).toMatch(new RegExp(`^${apiUrl()}/payments/paygov/return\\?`));
    const returned = await fetch(back);
    expect(await returned.text()).toContain('data-status="paid"');

    const after = await dossier(code);
    expect(after.version).toBe(before.version + 1);
    expect(after.status.code).toBe(1);
    expect(after.submissionFeesPaidAt).toBeDefined();
    expect(after.history.filter((e: { type: string }) => e.type === 'dossier.paid')).toHaveLength(1);
    expect(after.payments[0]).toMatchObject({ ref, status: 'paid', amountVnd: 105_000 });
    expect(after.payments[0].receiptNumber).toMatch(/^BL-000\.00\.14\.H37-/);
    expect(after.payments[0].payUrl).toBeUndefined();
  });

  it('answers a duplicate callback the same and changes nothing', async () => {
    const version = (await dossier(code)).version;
    const sent = await platform(ref, 'paid', ['duplicate']);
    expect(sent.json.callbacks!.map((c) => c.answer.MaLoi)).toEqual(['00', '00']);
    const after = await dossier(code);
    expect(after.version).toBe(version);
    expect(after.history.filter((e: { type: string }) => e.type === 'dossier.paid')).toHaveLength(1);
    const attempts = await payments.attempts(ref);
    expect(attempts.map((a) => a.verdict).sort()).toEqual(['duplicate', 'duplicate', 'settle-paid']);
    // nothing of the payer's card or account is kept: only our reading of the message
    expect(Object.keys(attempts[0]!).sort()).toEqual(expect.arrayContaining(['amountVnd', 'at', 'code', 'gateway', 'ref', 'verdict']));
  });

  it("refuses forged, re-signed, wrong-amount and unknown-reference callbacks with the protocol's codes, and changes nothing", async () => {
    const version = (await dossier(code)).version;
    const sent = await platform(ref, 'paid', ['bad-signature', 'tampered', 'wrong-amount']);
    expect(sent.json.callbacks!.map((c) => [c.mode, c.answer.MaLoi])).toEqual([
      ['bad-signature', '01'],
      ['tampered', '01'],
      ['wrong-amount', '03'],
    ]);
    // correctly signed, for a reference this merchant never issued
    const fields = { LoaiBanTin: messageTypes.notify, PhienBan: PAYGOV_VERSION, MaDoiTac: merchant.merchantCode, MaThamChieu: 'MC260101000000NOSUCH', SoTien: '105000', MaGiaoDich: 'PGX', TrangThaiGD: '1', ThoiGianGD: '20260101080000', MaLoi: '00' };
    const unknown = await call('/payments/paygov/notify', { body: { ...fields, MaXacThuc: signFields(notifyFields, fields, merchant.secret) } });
    expect(unknown.json).toMatchObject({ MaLoi: '02' });
    const garbage = await call('/payments/paygov/notify', { body: 'not json', headers: { 'content-type': 'text/plain' } });
    expect(garbage.status).toBe(200);
    expect(garbage.json).toMatchObject({ MaLoi: '05' });
    const after = await dossier(code);
    expect(after.version).toBe(version);
    expect(after.payments[0].status).toBe('paid');
    // what the platform signed is recorded; what anyone could have sent (a bad checksum, an unreadable body) is not
    const verdicts = (await payments.attempts(ref)).map((a) => a.verdict);
    expect(verdicts).toContain('amount-mismatch');
    expect(verdicts).not.toContain('bad-signature');
    expect(await payments.attempts('unreadable')).toEqual([]);
    const forged = await call('/payments/paygov/notify', { body: { ...fields, MaThamChieu: 'ANY-REFERENCE-AT-ALL', MaXacThuc: 'x' } });
    expect(forged.json).toMatchObject({ MaLoi: '01' });
    expect(await payments.attempts('ANY-REFERENCE-AT-ALL')).toEqual([]);
  });

  it('refuses to pay again what is paid: 409 payment_not_due', async () => {
    const again = await call(`/dossiers/${code}/payments`, { method: 'POST', token: citizen });
    expect(again.status).toBe(409);
    expect(again.json.error).toMatchObject({ code: 'payment_not_due', messageVi: expect.any(String) });
  });

  it('issues the receipt as JSON and PDF to the applicant and the agency, and to nobody else', async () => {
    const receipt = await call(`/dossiers/${code}/payments/${ref}/receipt`, { token: citizen });
    expect(receipt.status, receipt.text).toBe(200);
    expect(receipt.json).toMatchObject({ amountVnd: 105_000, payer: { fullName: 'Hoàng Thị Lan' }, merchantRef: ref, dossier: { code } });
    expect(receipt.json.gatewayTransactionId).toMatch(/^PG/);
    expect((await call(`/dossiers/${code}/payments/${ref}/receipt`, { token: justice })).status).toBe(200);
    expect((await call(`/dossiers/${code}/payments/${ref}/receipt`, { token: stranger })).status).toBe(404);
    expect((await call(`/dossiers/${code}/payments/${ref}/receipt`, { token: planning })).status).toBe(404);
    const pdf = await fetch(`${apiUrl()}/dossiers/${encodeURIComponent(code)}/payments/${ref}/receipt?format=pdf`, { headers: { authorization: `Bearer ${justice}` } });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // the Vietnamese-capable font is embedded (as a subset), not a standard font without the glyphs
    expect(bytes.toString('latin1')).toMatch(/\/BaseFont \/[A-Z]{6}\+DejaVuSans/);
    // a format it does not make is refused, not answered in another one
    const xml = await call(`/dossiers/${code}/payments/${ref}/receipt?format=xml`, { token: justice });
    expect(xml.status).toBe(400);
    expect(xml.json.error.details.map((d: { field: string }) => d.field)).toEqual(['query.format']);
  });

  it('records a refund due when the paid dossier is withdrawn', async () => {
    const withdrawn = await call(`/dossiers/${code}/actions`, { token: citizen, body: { action: 'withdraw', reason: 'Không còn nhu cầu' } });
    expect(withdrawn.status, withdrawn.text).toBe(200);
    await eventually('refund recorded', async () => {
      const view = await dossier(code);
      expect(view.payments[0]).toMatchObject({ status: 'refund-due', refund: { amountVnd: 105_000 } });
    });
  });
});

describe('paying what the agency asked for (status 6) resumes the clock like confirm-payment', () => {
  it('pays a request-payment; an out-of-order pending callback after the success changes nothing', async () => {
    const { code } = await fileDossier(call, citizen, enterpriseRegistration(41));
    const act = (body: Record<string, unknown>) => call(`/dossiers/${code}/actions`, { token: planning, body });
    expect((await act({ action: 'receive' })).status).toBe(200);
    // the catalog fees (150,000) are due at submission, but this dossier's agency asks for its own amount
    expect((await act({ action: 'start-processing' })).status).toBe(200);
    const asked = await act({ action: 'request-payment', amountVnd: 50_000, reason: 'Phí công bố nội dung đăng ký doanh nghiệp' });
    expect(asked.json.status.code).toBe(6);
    const dueBefore = asked.json.dueAt;

    const opened = await call(`/dossiers/${code}/payments`, { method: 'POST', token: citizen });
    expect(opened.status, opened.text).toBe(201);
    expect(opened.json).toMatchObject({ amountVnd: 50_000, purpose: expect.stringMatching(/^request:/) });
    const sent = await platform(opened.json.ref, 'paid', ['out-of-order']);
    expect(sent.json.callbacks!.map((c) => c.answer.MaLoi)).toEqual(['00', '00']);

    const after = await dossier(code);
    expect(after.status.code).toBe(4);
    expect(after.pendingPayment).toBeUndefined();
    expect(after.history.map((e: { type: string }) => e.type).slice(-1)).toEqual(['dossier.paid']);
    expect(after.payments.find((p: { ref: string }) => p.ref === opened.json.ref).status).toBe('paid');
    // the appointment moved by the time the dossier waited (at least not earlier)
    expect(Date.parse(after.dueAt)).toBeGreaterThanOrEqual(Date.parse(dueBefore));
    // what remains due is the catalog's fees of the procedure (50,000 + 100,000), a purpose of its own
    const next = await call(`/dossiers/${code}/payments`, { method: 'POST', token: citizen });
    expect(next.status, next.text).toBe(201);
    expect(next.json).toMatchObject({ purpose: 'submission', amountVnd: 150_000 });
  });

  it('refuses a payment on a dossier that waits for nothing: a draft', async () => {
    const created = await call('/dossiers', { token: citizen, body: enterpriseRegistration(42) });
    expect(created.json.dossier.draft).toBe(true);
    const refused = await call(`/dossiers/${created.json.code}/payments`, { method: 'POST', token: citizen });
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe('payment_not_due');
  });
});

describe('a payment the platform never notified, settled by the reconciliation', () => {
  const codes: string[] = [];
  const refs: string[] = [];

  it('asks the platform 30 minutes after INIT: the paid one is settled, the cancelled one failed, the open one stays', async () => {
    for (const n of [51, 52, 53]) {
      const { code } = await fileDossier(call, citizen, judicialRecord(n, { copies: 1 }));
      const opened = await call(`/dossiers/${code}/payments`, { method: 'POST', token: citizen });
      expect(opened.status, opened.text).toBe(201);
      codes.push(code);
      refs.push(opened.json.ref);
    }
    // the platform took the first payment and the second was cancelled, but no callback reached us
    expect((await platform(refs[0]!, 'paid', ['none'])).json.status).toBe('paid');
    expect((await platform(refs[1]!, 'failed', ['none'])).json.status).toBe('failed');
    expect((await dossier(codes[0]!)).payments[0].status).toBe('initiated');

    // 31 minutes after INIT (on the stack's clock) the reconciliation asks the platform
    const clock = (await call('/local/clock')).json.now as string;
    const report = await reconcilePayments({ ...paymentDeps(), now: new Date(Date.parse(clock) + 31 * 60_000) });
    expect(report.paid).toBeGreaterThanOrEqual(1);
    expect(report.failed).toBeGreaterThanOrEqual(1);
    const view = await dossier(codes[0]!);
    expect(view.payments[0]).toMatchObject({ status: 'paid' });
    expect(view.history.map((e: { type: string }) => e.type)).toContain('dossier.paid');
    expect((await dossier(codes[1]!)).payments[0].status).toBe('failed');
    expect((await dossier(codes[2]!)).payments[0].status).toBe('initiated');
    expect((await payments.attempts(refs[0]!)).map((a) => a.source)).toEqual(['reconciliation']);
    // a late callback for the settled payment is acknowledged and changes nothing
    const late = await platform(refs[0]!, 'paid', ['normal']);
    expect(late.json.callbacks![0]!.answer.MaLoi).toBe('00');
    expect((await dossier(codes[0]!)).history.filter((e: { type: string }) => e.type === 'dossier.paid')).toHaveLength(1);
  }, 90_000);

  it('settles a payment whose callback arrives late, in the background', async () => {
    const scheduled = await platform(refs[2]!, 'paid', ['normal'], 300);
    expect(scheduled.status).toBe(202);
    expect((await dossier(codes[2]!)).payments[0].status).toBe('initiated');
    await eventually('the delayed callback settled it', async () => expect((await dossier(codes[2]!)).payments[0].status).toBe('paid'));
  });
});

describe('statistics from real payments', () => {
  it('counts the online payments, their amounts and component 3.6 from dossier.paid', async () => {
    // four online payments above, three of them a dossier's fees (the enterprise dossier's request is an
    // online payment, but its own fees are still unpaid)
    await eventually('figures', async () => {
      const figures = (await call('/stats?scope=province')).json.figures;
      expect(figures.payments.onlinePayments - before.onlinePayments).toBe(4);
      expect(figures.payments.paidOnlineVnd - before.paidOnlineVnd).toBe(105_000 + 50_000 + 2 * 200_000);
      expect(figures.paidOnline - before.paidOnline).toBe(3);
      // 3.6 = dossiers paid online ÷ dossiers with a financial obligation, one decimal
      expect(figures.index.paidOnline36).toBe(Math.round((figures.paidOnline / figures.payments.dossiersWithFees) * 1000) / 10);
    });
  });
});
