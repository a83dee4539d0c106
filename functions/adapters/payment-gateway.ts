import { GatewayError } from '../app/ports.js';

// The gateway interface is a port of the use cases (functions/app/ports.ts); its providers import it from here.
export { GatewayError, type GatewayAnswer, type GatewayStatus, type InitRequest, type MerchantConfig, type NotificationVerdict, type ParsedNotification, type PaymentGateway, type RawNotification } from '../app/ports.js';

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
