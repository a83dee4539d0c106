import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How the national portal authenticates the dossiers it forwards: an HMAC-SHA256 of `<timestamp>.<body>`
 * under the key the province shares with it, in `x-dvcqg-signature`, the Unix time in
 * `x-dvcqg-timestamp`. INFERRED: the portal's own scheme is not published; this is the shape of a
 * signed webhook, checked in constant time and refused outside a 5-minute window against replays.
 */
export const signatureHeaders = { signature: 'x-dvcqg-signature', timestamp: 'x-dvcqg-timestamp' } as const;
export const SIGNATURE_WINDOW_SECONDS = 300;

export function signBody(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export function verifySignature(secret: string, headers: { signature?: string; timestamp?: string }, body: string, nowSeconds: number): boolean {
  const timestamp = Number(headers.timestamp);
  if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > SIGNATURE_WINDOW_SECONDS) return false;
  if (!headers.signature || !/^[0-9a-f]{64}$/.test(headers.signature)) return false;
  const expected = Buffer.from(signBody(secret, timestamp, body), 'hex');
  return timingSafeEqual(expected, Buffer.from(headers.signature, 'hex'));
}
