import { createHmac, randomUUID } from 'node:crypto';
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
import { sameChecksum } from './paygov.js';

/**
 * A commercial gateway in the style of VNPay's published API 2.1.0, to show that the one interface fits
 * a gateway whose payment is a signed redirect (no INIT call), whose IPN is a GET with the signed query
 * string, and which expects its own RspCode answer.
 *
 * Signature: vnp_SecureHash = hex(HMAC-SHA512(secret, data)), data = the vnp_ parameters except
 * vnp_SecureHash and vnp_SecureHashType, sorted by name, as `name=value` joined by `&`, each value
 * URL-encoded with spaces as `+` (the encoding of VNPay's own samples).
 */

export const VNPAY_VERSION = '2.1.0';

/** IPN answers (RspCode) as VNPay documents them. */
export const ipnAnswers = {
  confirmed: { RspCode: '00', Message: 'Confirm Success' },
  orderNotFound: { RspCode: '01', Message: 'Order not found' },
  alreadyConfirmed: { RspCode: '02', Message: 'Order already confirmed' },
  invalidAmount: { RspCode: '04', Message: 'Invalid amount' },
  invalidSignature: { RspCode: '97', Message: 'Invalid signature' },
  unknown: { RspCode: '99', Message: 'Unknown error' },
} as const;

const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');

/** The string that is signed: sorted vnp_ parameters, the hash fields left out. */
export function vnpSignData(params: Readonly<Record<string, string | undefined>>): string {
  return Object.keys(params)
    .filter((k) => k.startsWith('vnp_') && k !== 'vnp_SecureHash' && k !== 'vnp_SecureHashType' && params[k] !== undefined && params[k] !== '')
    .sort()
    .map((k) => `${encode(k)}=${encode(params[k]!)}`)
    .join('&');
}

export function vnpSecureHash(params: Readonly<Record<string, string | undefined>>, secret: string): string {
  return createHmac('sha512', secret).update(vnpSignData(params), 'utf8').digest('hex');
}

export function paymentParams(config: MerchantConfig, request: InitRequest): Record<string, string> {
  const { payment } = request;
  return {
    vnp_Version: VNPAY_VERSION,
    vnp_Command: 'pay',
    vnp_TmnCode: config.merchantCode,
    // VNPay counts in hundredths of a đồng
    vnp_Amount: String(payment.amountVnd * 100),
    vnp_CurrCode: 'VND',
    vnp_TxnRef: payment.ref,
    vnp_OrderInfo: `Thanh toan ho so ${payment.dossierCode}`,
    vnp_OrderType: 'other',
    vnp_Locale: 'vn',
    vnp_ReturnUrl: request.returnUrl,
    vnp_IpAddr: request.clientIp,
    vnp_CreateDate: vnTimestamp(request.now),
    vnp_ExpireDate: vnTimestamp(new Date(payment.payBy)),
  };
}

const ipnSchema = z.object({
  vnp_TmnCode: z.string(),
  vnp_Amount: z.string().check(z.regex(/^\d{1,17}$/)),
  vnp_TxnRef: z.string().check(z.maxLength(40)),
  vnp_ResponseCode: z.string(),
  vnp_TransactionStatus: z.optional(z.string()),
  vnp_TransactionNo: z.optional(z.string()),
  vnp_PayDate: z.optional(z.string()),
  vnp_SecureHash: z.string(),
});

export class VnPayGateway implements PaymentGateway {
  readonly id = 'vnpay' as const;

  constructor(private readonly config: MerchantConfig) {}

  async initiate(request: InitRequest): Promise<{ payUrl: string }> {
    const params = paymentParams(this.config, request);
    const query = `${vnpSignData(params)}&vnp_SecureHash=${vnpSecureHash(params, this.config.secret)}`;
    return { payUrl: `${this.config.payUrl}?${query}` };
  }

  parseNotification(raw: RawNotification): ParsedNotification {
    const query = raw.query ?? {};
    const parsed = ipnSchema.safeParse(query);
    const claimed = typeof query.vnp_TxnRef === 'string' ? query.vnp_TxnRef.slice(0, 40) : undefined;
    if (!parsed.success) return { ok: false, reason: 'malformed', ...(claimed ? { ref: claimed } : {}) };
    const m = parsed.data;
    if (!sameChecksum(vnpSecureHash(query, this.config.secret), m.vnp_SecureHash) || m.vnp_TmnCode !== this.config.merchantCode) {
      return { ok: false, reason: 'bad-signature', ref: m.vnp_TxnRef };
    }
    const amount = Number(m.vnp_Amount);
    const paid = m.vnp_ResponseCode === '00' && (m.vnp_TransactionStatus ?? '00') === '00';
    const at = fromVnTimestamp(m.vnp_PayDate);
    return {
      ok: true,
      notification: {
        ref: m.vnp_TxnRef,
        // an amount that is not whole đồng can match no payment of ours
        amountVnd: amount % 100 === 0 ? amount / 100 : -1,
        outcome: paid ? 'paid' : 'failed',
        ...(m.vnp_TransactionNo ? { gatewayTransactionId: m.vnp_TransactionNo } : {}),
        ...(at ? { at } : {}),
        code: `${m.vnp_ResponseCode}/${m.vnp_TransactionStatus ?? ''}`,
      },
    };
  }

  answer(verdict: NotificationVerdict): GatewayAnswer {
    const reply = (() => {
      switch (verdict.kind) {
        case 'bad-signature':
          return ipnAnswers.invalidSignature;
        case 'malformed':
          return ipnAnswers.unknown;
        case 'unknown-reference':
          return ipnAnswers.orderNotFound;
        case 'amount-mismatch':
          return ipnAnswers.invalidAmount;
        // VNPay's rule: a notification for an order already settled answers 02
        case 'duplicate':
        case 'stale':
        case 'replay':
          return ipnAnswers.alreadyConfirmed;
        default:
          return ipnAnswers.confirmed;
      }
    })();
    // VNPay reads the JSON body whatever the HTTP status; 200 keeps its retries to the ones it wants
    return { status: 200, contentType: 'application/json; charset=utf-8', body: JSON.stringify(reply) };
  }

  async queryStatus(payment: Payment, now: Date): Promise<GatewayStatus> {
    const body = {
      vnp_RequestId: randomUUID().replace(/-/g, '').slice(0, 32),
      vnp_Version: VNPAY_VERSION,
      vnp_Command: 'querydr',
      vnp_TmnCode: this.config.merchantCode,
      vnp_TxnRef: payment.ref,
      vnp_OrderInfo: `Truy van ${payment.ref}`,
      vnp_TransactionDate: vnTimestamp(new Date(payment.initiatedAt)),
      vnp_CreateDate: vnTimestamp(now),
      vnp_IpAddr: '127.0.0.1',
    };
    // querydr signs its fields in this fixed order, joined by "|"
    const data = [body.vnp_RequestId, body.vnp_Version, body.vnp_Command, body.vnp_TmnCode, body.vnp_TxnRef, body.vnp_TransactionDate, body.vnp_CreateDate, body.vnp_IpAddr, body.vnp_OrderInfo].join('|');
    const answer = z
      .object({ vnp_ResponseCode: z.string(), vnp_TransactionStatus: z.optional(z.string()), vnp_Amount: z.optional(z.string()), vnp_TransactionNo: z.optional(z.string()) })
      .safeParse(await postJson(this.config.apiUrl, { ...body, vnp_SecureHash: createHmac('sha512', this.config.secret).update(data).digest('hex') }));
    if (!answer.success) throw new GatewayError('VNPay answered querydr with an unexpected message', 'malformed');
    const a = answer.data;
    if (a.vnp_ResponseCode !== '00') return { outcome: 'unknown', code: a.vnp_ResponseCode };
    const outcome = a.vnp_TransactionStatus === '00' ? 'paid' : a.vnp_TransactionStatus === '01' ? 'pending' : 'failed';
    return {
      outcome,
      code: `${a.vnp_ResponseCode}/${a.vnp_TransactionStatus ?? ''}`,
      ...(a.vnp_Amount && /^\d+$/.test(a.vnp_Amount) ? { amountVnd: Number(a.vnp_Amount) / 100 } : {}),
      ...(a.vnp_TransactionNo ? { gatewayTransactionId: a.vnp_TransactionNo } : {}),
    };
  }
}
