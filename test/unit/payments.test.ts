import { describe, expect, it } from 'vitest';
import { loadProvince } from '../../provinces/load.js';
import { serviceSchema } from '../../provinces/schema.js';
import { assessFees, MAX_PAYABLE_VND } from '../../functions/domain/fees.js';
import { validateSubmission } from '../../functions/domain/dossier.js';
import {
  decideNotification,
  dueForReconciliation,
  merchantRef,
  merchantRefPattern,
  openPaymentFor,
  paymentDue,
  type Payment,
  type VerifiedNotification,
} from '../../functions/domain/payments.js';
import type { WorkflowDossier } from '../../functions/domain/workflow.js';
import { initFields, initMessage, notifyFields, payGovChecksum, PayGovGateway, queryMessage, signFields } from '../../functions/adapters/paygov.js';
import { fromVnTimestamp, vnTimestamp, type MerchantConfig } from '../../functions/adapters/payment-gateway.js';
import { paymentParams, vnpSecureHash, vnpSignData, VnPayGateway } from '../../functions/adapters/vnpay.js';

const province = loadProvince('lang-son');
const judicial = province.services.find((s) => s.id === '2.000488')!;

describe('fees from the catalog (Circular 244/2016 for a judicial record)', () => {
  it('charges 200,000 for one or two copies and 5,000 for each copy from the third', () => {
    expect(assessFees(judicial, { copies: 1 }).totalVnd).toBe(200_000);
    expect(assessFees(judicial, { copies: 2 }).totalVnd).toBe(200_000);
    expect(assessFees(judicial, { copies: 5 }).totalVnd).toBe(215_000);
    expect(assessFees(judicial, { copies: 5 }).lines[0]).toMatchObject({ extraUnits: { field: 'copies', units: 3, unitAmountVnd: 5000 }, basis: expect.stringContaining('244/2016') });
  });

  it('halves the base for a student, keeps the extra copies, and waives everything for a child', () => {
    expect(assessFees(judicial, { copies: 3, applicantCategory: 'Sinh viên' }).lines[0]).toMatchObject({ amountVnd: 105_000, baseAmountVnd: 205_000, reduction: expect.stringContaining('Sinh viên') });
    const child = assessFees(judicial, { copies: 4, applicantCategory: 'Trẻ em' });
    expect(child.totalVnd).toBe(0);
    expect(child.lines[0]!.exemption).toContain('Trẻ em');
  });

  it('adds fixed fees: enterprise registration 50,000 + 100,000', () => {
    const enterprise = province.services.find((s) => s.id === '2.001610')!;
    expect(assessFees(enterprise, {}).totalVnd).toBe(150_000);
  });

  it('refuses at intake a form whose fees pass the 15 digits of VND the payment platform carries', () => {
    const request = (copies: number) => ({ serviceId: '2.000488', channel: 'online' as const, applicant: { fullName: 'Hoàng Thị Lan', idNumber: '020090000001', phone: '0912345678', address: 'Lạng Sơn' }, fields: { purpose: 'Xin việc', copies } });
    // 200,000 + 5,000 per copy from the third: 199,999,999,961 copies come to 999,999,999,995,000
    expect(assessFees(judicial, { copies: 199_999_999_961 }).totalVnd).toBe(999_999_999_995_000);
    expect(() => validateSubmission(province, request(199_999_999_961))).not.toThrow();
    expect(MAX_PAYABLE_VND).toBe(999_999_999_999_999);
    const refused = (() => {
      try {
        validateSubmission(province, request(199_999_999_962));
      } catch (err) {
        return err;
      }
    })();
    expect(refused).toMatchObject({ kind: 'invalid', code: 'invalid_input', details: [{ field: 'fields.copies', messageVi: expect.stringContaining('vượt quá') }] });
  });

  it('refuses a catalog whose per-unit fee names a field that is not a number field', () => {
    const broken = serviceSchema.safeParse({ ...judicial, fees: [{ name: 'x', amountVnd: 1, perUnit: { field: 'purpose', amountVnd: 1 } }] });
    expect(broken.success).toBe(false);
    expect(broken.error!.issues[0]!.path).toEqual(['fees', 0, 'perUnit', 'field']);
  });
});

const config: MerchantConfig = { provider: 'paygov', merchantCode: 'MOTCUA-TEST', secret: '0123456789abcdef0123456789abcdef', payUrl: 'https://pay.example.vn', apiUrl: 'https://pay.example.vn/api' };
const at = new Date('2026-04-21T02:00:00.000Z'); // 09:00 in Vietnam
const dossierCode = '000.00.14.H37-260421-0001';

function payment(extra: Partial<Payment> = {}): Payment {
  return {
    ref: 'MC260421020000ABCDEF',
    dossierCode,
    agencyId: 'so-tu-phap',
    serviceId: '2.000488',
    purpose: 'submission',
    gateway: 'paygov',
    amountVnd: 105_000,
    lines: [{ name: 'Phí cung cấp thông tin lý lịch tư pháp', amountVnd: 105_000, baseAmountVnd: 205_000 }],
    payer: { fullName: 'Hoàng Thị Lan', idNumber: '020090000001' },
    status: 'initiated',
    initiatedAt: at.toISOString(),
    payBy: new Date(at.getTime() + 15 * 60_000).toISOString(),
    payUrl: 'https://pay.example.vn/pay/x',
    ...extra,
  };
}

describe('PayGov: MaXacThuc = SHA-256 of the "|"-joined fields, the secret last', () => {
  it('matches a value computed by hand (sha256sum of "a|b|c|secret")', () => {
    expect(payGovChecksum(['a', 'b', 'c'], 'secret')).toBe('bedae27a9c24990e7094e478165b4827fc0fd335e65d5ef50665a5bbffc16d49');
  });

  it('signs INIT over its seventeen fields in order (value computed with Python hashlib)', () => {
    const message = initMessage(config, {
      payment: payment(),
      returnUrl: 'https://dvc.example.vn/payments/paygov/return?ref=MC260421020000ABCDEF',
      notifyUrl: 'https://dvc.example.vn/payments/paygov/notify',
      clientIp: '203.0.113.7',
      now: at,
    });
    expect(Object.keys(message)).toEqual([...initFields, 'MaXacThuc']);
    expect(message).toMatchObject({ LoaiBanTin: 'INIT', SoTien: '105000', ThoiGianGD: '20260421090000', MaTienTe: 'VND', NgonNgu: 'vi' });
    expect(message.MaXacThuc).toBe('a20734421e02dc4e4b7a34800f655c2e335a12af298aee8b4623487fb9073ef6');
  });

  it('signs the status query as LoaiBanTin|PhienBan|MaDoiTac|MaThamChieu|ThoiGianGD|secret', () => {
    const query = queryMessage(config, 'CheckPaymentStatus', payment(), new Date('2026-04-21T03:00:00.000Z'));
    expect(query.MaXacThuc).toBe('d0dcf770b55da199bcb2223bb98b54091029900156d63801001748129abd4039');
  });

  const callback = { LoaiBanTin: 'NOTIFY', PhienBan: '1.0.0', MaDoiTac: 'MOTCUA-TEST', MaThamChieu: 'MC260421020000ABCDEF', SoTien: '105000', MaGiaoDich: 'PG123456', TrangThaiGD: '1', ThoiGianGD: '20260421091500', MaLoi: '00' };
  const gateway = new PayGovGateway(config);

  it('accepts a callback whose checksum matches (hand-computed) and maps it', () => {
    const signed = { ...callback, MaXacThuc: '1ac52697f7967f1d736ae223ffeceaf74a9a855be53dbf762e62afca2238f415' };
    expect(signFields(notifyFields, callback, config.secret)).toBe(signed.MaXacThuc);
    expect(gateway.parseNotification({ body: JSON.stringify(signed) })).toEqual({
      ok: true,
      notification: { ref: 'MC260421020000ABCDEF', amountVnd: 105_000, outcome: 'paid', gatewayTransactionId: 'PG123456', at: '2026-04-21T02:15:00.000Z', code: '1/00' },
    });
    // upper-case hex is the same checksum
    expect(gateway.parseNotification({ body: JSON.stringify({ ...signed, MaXacThuc: signed.MaXacThuc.toUpperCase() }) }).ok).toBe(true);
  });

  it('refuses a forged, re-signed or tampered callback, and one for another merchant', () => {
    const genuine = signFields(notifyFields, callback, config.secret);
    const forged = { ...callback, MaXacThuc: signFields(notifyFields, callback, 'another secret of 32 characters!!') };
    const tampered = { ...callback, SoTien: '1050', MaXacThuc: genuine };
    const other = { ...callback, MaDoiTac: 'OTHER' };
    for (const m of [forged, tampered, { ...other, MaXacThuc: signFields(notifyFields, other, config.secret) }]) {
      expect(gateway.parseNotification({ body: JSON.stringify(m) })).toMatchObject({ ok: false, reason: 'bad-signature', ref: 'MC260421020000ABCDEF' });
    }
    expect(gateway.parseNotification({ body: '{"MaThamChieu": "X"}' })).toMatchObject({ ok: false, reason: 'malformed', ref: 'X' });
    expect(gateway.parseNotification({ body: 'not json' })).toEqual({ ok: false, reason: 'malformed' });
  });

  it("answers in the platform's codes: 00 accepted, 01 checksum, 02 unknown, 03 amount", () => {
    const code = (kind: Parameters<PayGovGateway['answer']>[0]) => JSON.parse(gateway.answer(kind).body).MaLoi;
    expect(code({ kind: 'settle-paid', dossierPaid: true })).toBe('00');
    expect(code({ kind: 'duplicate' })).toBe('00');
    expect(code({ kind: 'bad-signature' })).toBe('01');
    expect(code({ kind: 'unknown-reference' })).toBe('02');
    expect(code({ kind: 'amount-mismatch', expected: 1, got: 2 })).toBe('03');
  });

  it('writes times as yyyyMMddHHmmss in Vietnam time and reads them back', () => {
    expect(vnTimestamp(at)).toBe('20260421090000');
    expect(fromVnTimestamp('20260421090000')).toBe(at.toISOString());
    expect(fromVnTimestamp('2026-04-21')).toBeUndefined();
  });
});

describe('VNPay 2.1.0 style: HMAC-SHA512 over the sorted vnp_ query string', () => {
  const vnpay: MerchantConfig = { provider: 'vnpay', merchantCode: 'MOTCUA01', secret: 'VNPAYSECRETKEY0123456789ABCDEFGH', payUrl: 'https://sandbox.example.vn/paymentv2/vpcpay.html', apiUrl: 'https://sandbox.example.vn/merchant_webapi/api/transaction' };
  const params = paymentParams(vnpay, {
    payment: payment({ gateway: 'vnpay' }),
    returnUrl: 'https://dvc.example.vn/payments/vnpay/return?ref=MC260421020000ABCDEF',
    notifyUrl: 'https://dvc.example.vn/payments/vnpay/notify',
    clientIp: '203.0.113.7',
    now: at,
  });

  it('sorts, encodes spaces as + and signs (value computed with Python hmac)', () => {
    expect(vnpSignData(params)).toBe(
      'vnp_Amount=10500000&vnp_Command=pay&vnp_CreateDate=20260421090000&vnp_CurrCode=VND&vnp_ExpireDate=20260421091500&vnp_IpAddr=203.0.113.7&vnp_Locale=vn&vnp_OrderInfo=Thanh+toan+ho+so+000.00.14.H37-260421-0001&vnp_OrderType=other&vnp_ReturnUrl=https%3A%2F%2Fdvc.example.vn%2Fpayments%2Fvnpay%2Freturn%3Fref%3DMC260421020000ABCDEF&vnp_TmnCode=MOTCUA01&vnp_TxnRef=MC260421020000ABCDEF&vnp_Version=2.1.0',
    );
    expect(vnpSecureHash(params, vnpay.secret)).toBe('0c36a773ef2edff280768f53ad616f88f0b701553303bbed28eb22384a838e52ed4f14e854413bc24b909b6d83ec14eb99943aab16429c48de9be14007e71cd9');
  });

  it('puts the signed query on the payment URL (no INIT call)', async () => {
    const { payUrl } = await new VnPayGateway(vnpay).initiate({ payment: payment({ gateway: 'vnpay' }), returnUrl: params.vnp_ReturnUrl!, notifyUrl: '', clientIp: '203.0.113.7', now: at });
    expect(payUrl).toMatch(/^https:\/\/sandbox\.example\.vn\/paymentv2\/vpcpay\.html\?vnp_Amount=10500000&/);
    expect(payUrl).toMatch(/&vnp_SecureHash=0c36a773ef2e[0-9a-f]+$/);
  });

  const ipn = { vnp_Amount: '10500000', vnp_BankCode: 'NCB', vnp_ResponseCode: '00', vnp_TmnCode: 'MOTCUA01', vnp_TransactionNo: '14400001', vnp_TransactionStatus: '00', vnp_TxnRef: 'MC260421020000ABCDEF', vnp_PayDate: '20260421091500', vnp_OrderInfo: 'Thanh toan ho so 000.00.14.H37-260421-0001' };
  const gateway = new VnPayGateway(vnpay);

  it('verifies an IPN (hand-computed hash), dividing the amount by 100', () => {
    const signed = { ...ipn, vnp_SecureHashType: 'HmacSHA512', vnp_SecureHash: 'a2aed13a9968a1fc3c4d7312dbd679bfc32d33cb6a8183a3592beb371742d5db1f4ecb3ccc88740f3a5ce4c021f95fceb94b27ca603e50bebe093883e8a0de34' };
    expect(gateway.parseNotification({ query: signed })).toMatchObject({ ok: true, notification: { ref: 'MC260421020000ABCDEF', amountVnd: 105_000, outcome: 'paid', gatewayTransactionId: '14400001' } });
    expect(gateway.parseNotification({ query: { ...signed, vnp_Amount: '100' } })).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('answers with its own RspCode: 00, 01 not found, 02 already confirmed, 04 amount, 97 signature', () => {
    const code = (kind: Parameters<VnPayGateway['answer']>[0]) => JSON.parse(gateway.answer(kind).body).RspCode;
    expect(code({ kind: 'settle-paid', dossierPaid: true })).toBe('00');
    expect(code({ kind: 'unknown-reference' })).toBe('01');
    expect(code({ kind: 'duplicate' })).toBe('02');
    expect(code({ kind: 'amount-mismatch', expected: 1, got: 2 })).toBe('04');
    expect(code({ kind: 'bad-signature' })).toBe('97');
  });
});

function dossier(extra: Partial<WorkflowDossier> = {}): WorkflowDossier {
  return {
    code: dossierCode, serviceId: '2.000488', serviceCode: '2.000488.000.00.00.H37', serviceName: 'n', agencyId: 'so-tu-phap', agencyCode: '000.00.14.H37', agencyName: 'Sở Tư pháp',
    applicantSubject: 'lan', applicant: { fullName: 'Hoàng Thị Lan', idNumber: '020090000001', phone: '0912345678', address: 'x' }, fields: { purpose: 'x', copies: 3, applicantCategory: 'Sinh viên' },
    channel: 'online', status: 1, version: 1, submittedAt: at.toISOString(), updatedAt: at.toISOString(), ...extra,
  };
}

describe('what is due and what a notification does', () => {
  it('asks the submission fees while the dossier is with the agency, and the requested amount in status 6', () => {
    expect(paymentDue(dossier(), judicial, [])).toMatchObject({ purpose: 'submission', amountVnd: 105_000 });
    const waiting = dossier({ status: 6, pendingPayment: { amountVnd: 30_000, reason: 'Phí thẩm định', requestedAt: '2026-04-22T02:00:00.000Z', resumeTo: 4 } });
    expect(paymentDue(waiting, judicial, [])).toMatchObject({ purpose: 'request:2026-04-22T02:00:00.000Z', amountVnd: 30_000 });
  });

  it('refuses with 409 a draft, a closed dossier, fees already paid, or a dossier that owes nothing', () => {
    for (const d of [dossier({ draft: true, version: 0 }), dossier({ status: 10 }), dossier({ submissionFeesPaidAt: at.toISOString() }), dossier({ fields: { copies: 1, applicantCategory: 'Trẻ em' } })]) {
      expect(() => paymentDue(d, judicial, []), JSON.stringify(d.status)).toThrow(expect.objectContaining({ kind: 'conflict', code: 'payment_not_due' }));
    }
    expect(() => paymentDue(dossier(), judicial, [payment({ status: 'paid' })])).toThrow(expect.objectContaining({ kind: 'conflict' }));
  });

  it('offers the open payment again until its time is up', () => {
    const open = payment();
    expect(openPaymentFor([open], 'submission', new Date(at.getTime() + 14 * 60_000))).toBe(open);
    expect(openPaymentFor([open], 'submission', new Date(at.getTime() + 15 * 60_000))).toBeUndefined();
    expect(openPaymentFor([payment({ status: 'failed' })], 'submission', at)).toBeUndefined();
  });

  const paid: VerifiedNotification = { ref: 'MC260421020000ABCDEF', amountVnd: 105_000, outcome: 'paid', gatewayTransactionId: 'PG1', at: '2026-04-21T02:10:00.000Z', code: '1/00' };

  it('settles a success once: a second one is a duplicate, a later failure or pending is stale', () => {
    expect(decideNotification(payment(), paid, dossier())).toEqual({ kind: 'settle-paid', dossierPaid: true });
    const settled = payment({ status: 'paid', gatewayTransactionId: 'PG1' });
    expect(decideNotification(settled, paid, dossier())).toEqual({ kind: 'duplicate' });
    expect(decideNotification(settled, { ...paid, outcome: 'failed' }, dossier()).kind).toBe('stale');
    expect(decideNotification(settled, { ...paid, outcome: 'pending' }, dossier()).kind).toBe('stale');
  });

  it('refuses an unknown reference, a wrong amount, a transaction dated before INIT and a second transaction', () => {
    expect(decideNotification(undefined, paid, undefined).kind).toBe('unknown-reference');
    expect(decideNotification(payment(), { ...paid, amountVnd: 105_001 }, dossier())).toEqual({ kind: 'amount-mismatch', expected: 105_000, got: 105_001 });
    expect(decideNotification(payment(), { ...paid, at: '2026-04-21T01:00:00.000Z' }, dossier()).kind).toBe('replay');
    expect(decideNotification(payment({ status: 'paid', gatewayTransactionId: 'PG1' }), { ...paid, gatewayTransactionId: 'PG2' }, dossier()).kind).toBe('replay');
  });

  it('records money that arrives late for a dossier that no longer waits as a refund due', () => {
    expect(decideNotification(payment({ status: 'failed' }), paid, dossier()).kind).toBe('settle-paid');
    expect(decideNotification(payment({ status: 'failed' }), paid, dossier({ status: 7 })).kind).toBe('settle-refund-due');
    expect(decideNotification(payment(), paid, dossier({ submissionFeesPaidAt: at.toISOString() })).kind).toBe('settle-refund-due');
  });

  it('reconciles from 30 minutes to 3 days after INIT, and only what is still initiated', () => {
    const after = (ms: number) => new Date(at.getTime() + ms);
    expect(dueForReconciliation(payment(), after(29 * 60_000))).toBe(false);
    expect(dueForReconciliation(payment(), after(30 * 60_000))).toBe(true);
    expect(dueForReconciliation(payment(), after(3 * 24 * 3600_000))).toBe(true);
    expect(dueForReconciliation(payment(), after(3 * 24 * 3600_000 + 1))).toBe(false);
    expect(dueForReconciliation(payment({ status: 'paid' }), after(60 * 60_000))).toBe(false);
  });

  it('makes merchant references of letters and digits only', () => {
    const ref = merchantRef(at, 'ab-cd-ef-12-34');
    expect(ref).toBe('MC260421020000ABCDEF1234');
    expect(merchantRefPattern.test(ref)).toBe(true);
  });
});
