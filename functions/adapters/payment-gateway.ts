import type { GatewayId, NotificationDecision, Payment, VerifiedNotification } from '../domain/payments.js';

/**
 * One interface for every payment gateway. The use cases (functions/app/payments.ts) only speak this;
 * each provider maps it onto its protocol: the national Payment Platform (PayGov, `paygov.ts`) first,
 * and a commercial gateway in the style of VNPay 2.1.0 (`vnpay.ts`) to show that the interface fits both.
 */

/** The merchant's enrolment with one gateway: from Secrets Manager in the cloud, the data folder locally. */
export interface MerchantConfig {
  readonly provider: GatewayId;
  /** MaDoiTac / vnp_TmnCode: the merchant code the gateway gave the province */
  readonly merchantCode: string;
  /** the shared secret of the checksums; never logged, never in the province file */
  readonly secret: string;
  /** where INIT is sent (PayGov) or the browser is sent (VNPay) */
  readonly payUrl: string;
  /** the server-to-server API: status query (and receipts for PayGov) */
  readonly apiUrl: string;
}

export interface InitRequest {
  readonly payment: Payment;
  /** where the gateway sends the browser back (it only shows the state) */
  readonly returnUrl: string;
  /** where the gateway sends its server-to-server notification */
  readonly notifyUrl: string;
  /** the applicant's IP as API Gateway saw it */
  readonly clientIp: string;
  readonly now: Date;
}

/** What a gateway callback looked like on the wire, whatever its protocol (JSON body, query string). */
export interface RawNotification {
  readonly body?: string;
  readonly query?: Readonly<Record<string, string | undefined>>;
  readonly contentType?: string;
}

export type ParsedNotification =
  | { readonly ok: true; readonly notification: VerifiedNotification }
  /** `ref` is what the message claims, kept for the record of the attempt only */
  | { readonly ok: false; readonly reason: 'bad-signature' | 'malformed'; readonly ref?: string };

/** What the use case decided, for the protocol's answer. */
export type NotificationVerdict = NotificationDecision | { readonly kind: 'bad-signature' } | { readonly kind: 'malformed' };

export interface GatewayAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

export interface GatewayStatus {
  readonly outcome: 'paid' | 'pending' | 'failed' | 'unknown';
  readonly amountVnd?: number;
  readonly gatewayTransactionId?: string;
  readonly code: string;
}

export interface PaymentGateway {
  readonly id: GatewayId;
  /** registers the transaction and returns where the browser must go to pay */
  initiate(request: InitRequest): Promise<{ readonly payUrl: string }>;
  /** checks the checksum and maps the fields; never trusts anything before the checksum matched */
  parseNotification(raw: RawNotification): ParsedNotification;
  /** the answer the protocol expects for what was decided */
  answer(verdict: NotificationVerdict): GatewayAnswer;
  /** the status query used by the reconciliation */
  queryStatus(payment: Payment, now: Date): Promise<GatewayStatus>;
}

/** Refusals a gateway may answer with; thrown by adapters when the gateway itself refuses or is unreachable. */
export class GatewayError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

/** A POST of JSON with a timeout: a gateway that hangs must not hold a request for 30 seconds. */
export async function postJson(url: string, body: unknown, timeoutMs = 8000): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  if (!res.ok) throw new GatewayError(`gateway answered HTTP ${res.status}`, `http-${res.status}`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new GatewayError('gateway answered something that is not JSON', 'not-json');
  }
}

/** yyyyMMddHHmmss in Vietnam time (UTC+7, no DST), the date format of both gateways. */
export function vnTimestamp(at: Date): string {
  return new Date(at.getTime() + 7 * 3600_000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** The inverse of vnTimestamp; undefined when it is not one. */
export function fromVnTimestamp(stamp: string | undefined): string | undefined {
  const m = stamp ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(stamp) : null;
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+07:00`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
