import { createHash, timingSafeEqual } from 'node:crypto';
import * as z from 'zod/mini';
import '../domain/zod-setup.js';
import type { Payment } from '../domain/payments.js';
import {
  fromVnTimestamp,
  GatewayError,
  postJson,
  vnTimestamp,
  type GatewayAnswer,
  type GatewayStatus,
  type InitRequest,
  type MerchantConfig,
  type NotificationVerdict,
  type ParsedNotification,
  type PaymentGateway,
  type RawNotification,
} from './payment-gateway.js';

/**
 * The national Payment Platform (Nền tảng thanh toán trực tuyến, "PayGov") of the national public
 * service portal. Its specification is not published; what is here comes from two independent
 * provincial codebases that connect to it. Each field says where it comes from:
 *   [seen]     the field name and its place in the checksum appear in those codebases
 *   [inferred] the value or the rule is our reading of them, to verify against the platform's
 *              enrolment documents before production (kept as constants here, in one place).
 *
 * Checksum rule [seen]: MaXacThuc = hex(SHA-256(field1 | field2 | … | secret)), the fields in the
 * order of the message, joined by "|", the merchant secret last. Success is MaLoi "00" [seen].
 */

export const PAYGOV_VERSION = '1.0.0'; // PhienBan [inferred: the version string]

/** LoaiBanTin, the message type [seen: field; inferred: the values] */
export const messageTypes = {
  init: 'INIT',
  notify: 'NOTIFY',
  status: 'CheckPaymentStatus', // [seen: the service name of the status query]
  receipt: 'GetReceipt',
} as const;

/** TrangThaiGD in the status query [seen]: 1 paid, 3 pending, 4 failed. The callback uses the same codes [inferred]. */
export const transactionStates = { paid: '1', pending: '3', failed: '4' } as const;

/** The INIT message, field by field, in checksum order. */
export const initFields = [
  'LoaiBanTin', // message type: INIT [seen]
  'PhienBan', // protocol version [seen]
  'MaDoiTac', // merchant code given at enrolment [seen]
  'MaThamChieu', // our merchant reference, unique per transaction [seen]
  'SoTien', // amount in VND, an integer without separators [seen]
  'LoaiHinhThanhToan', // payment type: "PAY" for a payment [inferred value]
  'MaKenhThanhToan', // channel: "1" web [inferred value]
  'MaThietBi', // device: "1" computer, "2" mobile [inferred value]
  'NgonNgu', // language of the platform's pages: "vi" / "en" [seen]
  'MaTienTe', // currency: "VND" [seen]
  'MaNganHang', // bank or wallet code, empty to let the payer choose on the platform [seen]
  'ThongTinGiaoDich', // description shown to the payer [seen]
  'ThoiGianGD', // transaction time, yyyyMMddHHmmss Vietnam time [seen]
  'Ip', // the payer's IP address [seen]
  'ThongTinBienLai', // receipt data (payer, fee lines) as JSON, for the platform's receipt [seen: field; inferred: JSON]
  'UrlTraVe', // the return URL of the browser [inferred: the platform may instead hold it from enrolment]
  'UrlThongBao', // the server-to-server callback URL [inferred: same remark]
] as const;

/** The callback (notification) the platform POSTs as JSON, in checksum order [inferred: the exact set of fields]. */
export const notifyFields = [
  'LoaiBanTin', // NOTIFY
  'PhienBan',
  'MaDoiTac',
  'MaThamChieu', // our reference, echoed
  'SoTien', // the amount actually paid
  'MaGiaoDich', // the platform's transaction number
  'TrangThaiGD', // 1 paid, 4 failed (3 is never a final callback)
  'ThoiGianGD', // when the payer paid, yyyyMMddHHmmss
  'MaLoi', // "00" for a successful payment, another code for a failure
] as const;

/** The status query and the receipt request share one checksum [seen]: LoaiBanTin|PhienBan|MaDoiTac|MaThamChieu|ThoiGianGD|secret. */
export const queryFields = ['LoaiBanTin', 'PhienBan', 'MaDoiTac', 'MaThamChieu', 'ThoiGianGD'] as const;

/** The answers we give to a callback: MaLoi "00" accepts [seen]; the refusal codes are ours [inferred]. */
export const callbackAnswers = {
  accepted: { MaLoi: '00', MoTaLoi: 'Thành công' },
  badSignature: { MaLoi: '01', MoTaLoi: 'Sai mã xác thực' },
  unknownReference: { MaLoi: '02', MoTaLoi: 'Không tìm thấy giao dịch' },
  amountMismatch: { MaLoi: '03', MoTaLoi: 'Số tiền không khớp' },
  replay: { MaLoi: '04', MoTaLoi: 'Giao dịch đã được xử lý bởi thông báo khác' },
  malformed: { MaLoi: '05', MoTaLoi: 'Dữ liệu không hợp lệ' },
} as const;

/** MaXacThuc over the given values in order, the secret last. */
export function payGovChecksum(values: readonly string[], secret: string): string {
  return createHash('sha256').update([...values, secret].join('|'), 'utf8').digest('hex');
}

export function signFields<const K extends readonly string[]>(order: K, message: Readonly<Record<K[number], string>>, secret: string): string {
  return payGovChecksum(
    order.map((k: K[number]) => message[k]),
    secret,
  );
}

/** Constant-time comparison of two hex checksums (case-insensitive, as some partners send upper case). */
export function sameChecksum(a: string, b: string): boolean {
  const x = Buffer.from(a.toLowerCase(), 'utf8');
  const y = Buffer.from(b.toLowerCase(), 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

const notifySchema = z.object(Object.fromEntries([...notifyFields, 'MaXacThuc'].map((f) => [f, z.string().check(z.maxLength(500))])) as Record<(typeof notifyFields)[number] | 'MaXacThuc', z.ZodMiniString>);

const initAnswerSchema = z.object({ MaLoi: z.string(), MoTaLoi: z.optional(z.string()), UrlThanhToan: z.optional(z.string()) });
const statusAnswerSchema = z.object({
  MaLoi: z.string(),
  MoTaLoi: z.optional(z.string()),
  TrangThaiGD: z.optional(z.string()),
  SoTien: z.optional(z.string()),
  MaGiaoDich: z.optional(z.string()),
});

export function initMessage(config: MerchantConfig, request: InitRequest): Record<(typeof initFields)[number] | 'MaXacThuc', string> {
  const { payment } = request;
  const fields = {
    LoaiBanTin: messageTypes.init,
    PhienBan: PAYGOV_VERSION,
    MaDoiTac: config.merchantCode,
    MaThamChieu: payment.ref,
    SoTien: String(payment.amountVnd),
    LoaiHinhThanhToan: 'PAY',
    MaKenhThanhToan: '1',
    MaThietBi: '1',
    NgonNgu: 'vi',
    MaTienTe: 'VND',
    MaNganHang: '',
    ThongTinGiaoDich: `Thanh toan ho so ${payment.dossierCode}`,
    ThoiGianGD: vnTimestamp(request.now),
    Ip: request.clientIp,
    // the payer's name and number and the fee lines, never card or account data
    ThongTinBienLai: JSON.stringify({
      HoTen: payment.payer.fullName,
      SoGiayTo: payment.payer.idNumber,
      MaHoSo: payment.dossierCode,
      DanhSachPhi: payment.lines.map((l) => ({ TenPhi: l.name, SoTien: l.amountVnd })),
    }),
    UrlTraVe: request.returnUrl,
    UrlThongBao: request.notifyUrl,
  };
  return { ...fields, MaXacThuc: signFields(initFields, fields, config.secret) };
}

export function queryMessage(config: MerchantConfig, type: string, payment: Payment, now: Date): Record<(typeof queryFields)[number] | 'MaXacThuc', string> {
  const fields = { LoaiBanTin: type, PhienBan: PAYGOV_VERSION, MaDoiTac: config.merchantCode, MaThamChieu: payment.ref, ThoiGianGD: vnTimestamp(now) };
  return { ...fields, MaXacThuc: signFields(queryFields, fields, config.secret) };
}

const answerOf = (value: object, status = 200): GatewayAnswer => ({ status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(value) });

export class PayGovGateway implements PaymentGateway {
  readonly id = 'paygov' as const;

  constructor(private readonly config: MerchantConfig) {}

  async initiate(request: InitRequest): Promise<{ payUrl: string }> {
    const answer = initAnswerSchema.safeParse(await postJson(`${this.config.payUrl.replace(/\/$/, '')}/init`, initMessage(this.config, request)));
    if (!answer.success) throw new GatewayError('the platform answered INIT with an unexpected message', 'malformed');
    if (answer.data.MaLoi !== '00' || !answer.data.UrlThanhToan) throw new GatewayError(`the platform refused INIT: ${answer.data.MaLoi} ${answer.data.MoTaLoi ?? ''}`, answer.data.MaLoi);
    return { payUrl: answer.data.UrlThanhToan };
  }

  parseNotification(raw: RawNotification): ParsedNotification {
    let value: unknown;
    try {
      value = JSON.parse(raw.body ?? '');
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    const parsed = notifySchema.safeParse(value);
    const claimedRef = typeof (value as { MaThamChieu?: unknown } | null)?.MaThamChieu === 'string' ? String((value as { MaThamChieu: string }).MaThamChieu).slice(0, 40) : undefined;
    if (!parsed.success) return { ok: false, reason: 'malformed', ...(claimedRef ? { ref: claimedRef } : {}) };
    const m = parsed.data;
    // Before the checksum matches nothing in the message is believed; a message for another merchant is not ours either.
    if (!sameChecksum(signFields(notifyFields, m, this.config.secret), m.MaXacThuc) || m.MaDoiTac !== this.config.merchantCode || m.LoaiBanTin !== messageTypes.notify) {
      return { ok: false, reason: 'bad-signature', ref: m.MaThamChieu.slice(0, 40) };
    }
    if (!/^\d{1,15}$/.test(m.SoTien)) return { ok: false, reason: 'malformed', ref: m.MaThamChieu };
    const paid = m.TrangThaiGD === transactionStates.paid && m.MaLoi === '00';
    const pending = m.TrangThaiGD === transactionStates.pending;
    const at = fromVnTimestamp(m.ThoiGianGD);
    return {
      ok: true,
      notification: {
        ref: m.MaThamChieu,
        amountVnd: Number(m.SoTien),
        outcome: paid ? 'paid' : pending ? 'pending' : 'failed',
        ...(m.MaGiaoDich ? { gatewayTransactionId: m.MaGiaoDich } : {}),
        ...(at ? { at } : {}),
        code: `${m.TrangThaiGD}/${m.MaLoi}`,
      },
    };
  }

  answer(verdict: NotificationVerdict): GatewayAnswer {
    switch (verdict.kind) {
      case 'bad-signature':
        return answerOf(callbackAnswers.badSignature);
      case 'malformed':
        return answerOf(callbackAnswers.malformed);
      case 'unknown-reference':
        return answerOf(callbackAnswers.unknownReference);
      case 'amount-mismatch':
        return answerOf(callbackAnswers.amountMismatch);
      case 'replay':
        return answerOf(callbackAnswers.replay);
      // everything we recorded (or had recorded already) is acknowledged, so the platform stops retrying
      default:
        return answerOf(callbackAnswers.accepted);
    }
  }

  async queryStatus(payment: Payment, now: Date): Promise<GatewayStatus> {
    const answer = statusAnswerSchema.safeParse(await postJson(`${this.config.apiUrl.replace(/\/$/, '')}/status`, queryMessage(this.config, messageTypes.status, payment, now)));
    if (!answer.success) throw new GatewayError('the platform answered the status query with an unexpected message', 'malformed');
    const a = answer.data;
    if (a.MaLoi !== '00') return { outcome: 'unknown', code: a.MaLoi };
    const outcome = a.TrangThaiGD === transactionStates.paid ? 'paid' : a.TrangThaiGD === transactionStates.pending ? 'pending' : a.TrangThaiGD === transactionStates.failed ? 'failed' : 'unknown';
    return {
      outcome,
      code: `${a.TrangThaiGD ?? ''}/${a.MaLoi}`,
      ...(a.SoTien && /^\d+$/.test(a.SoTien) ? { amountVnd: Number(a.SoTien) } : {}),
      ...(a.MaGiaoDich ? { gatewayTransactionId: a.MaGiaoDich } : {}),
    };
  }

  /** The platform's receipt of a paid transaction (its own number), asked with the query checksum [seen]. */
  async requestReceipt(payment: Payment, now: Date): Promise<{ receiptNumber?: string; code: string }> {
    const answer = z
      .object({ MaLoi: z.string(), SoBienLai: z.optional(z.string()) })
      .safeParse(await postJson(`${this.config.apiUrl.replace(/\/$/, '')}/receipt`, queryMessage(this.config, messageTypes.receipt, payment, now)));
    if (!answer.success) throw new GatewayError('the platform answered the receipt request with an unexpected message', 'malformed');
    return { code: answer.data.MaLoi, ...(answer.data.SoBienLai ? { receiptNumber: answer.data.SoBienLai } : {}) };
  }
}
