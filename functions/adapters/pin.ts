import { createHmac, timingSafeEqual } from 'node:crypto';
import { stackKey } from './stack-secret.js';
import type { PinHasher } from '../app/ports.js';

/**
 * The 6-digit tracking PIN printed on a receipt. It is derived from the dossier code with a key of the
 * stack (HMAC-SHA256 with `stackKey('pin')`), so any answer that must show it again (a replayed
 * submission, a repeated submit) recomputes it instead of keeping it, and nothing stores it in the clear:
 * the dossier keeps only a keyed hash. A keyed hash, not a slow password hash: without the key a leaked
 * table reveals nothing to brute-force, and online guessing is stopped by the per-dossier attempt limit.
 * An HMAC costs microseconds, where scrypt blocked the request path for tens of milliseconds.
 */
const pinKey = () => stackKey('pin');

export async function trackingPinFor(code: string): Promise<string> {
  const mac = createHmac('sha256', await pinKey()).update(`pin\u0000${code}`).digest();
  // 48 bits modulo a million: the bias (under 10^-8) is far below what guessing could use
  return String(mac.readUIntBE(0, 6) % 1_000_000).padStart(6, '0');
}

const SCHEME = 'hmac-sha256';

export async function hashPin(code: string, pin: string): Promise<string> {
  const mac = createHmac('sha256', await pinKey()).update(`verify\u0000${code}\u0000${pin}`).digest('base64url');
  return `${SCHEME}$${mac}`;
}

/** The PIN and the keyed hash a new dossier stores. */
export async function newTrackingPin(code: string): Promise<{ pin: string; hash: string }> {
  const pin = await trackingPinFor(code);
  return { pin, hash: await hashPin(code, pin) };
}

export async function verifyPin(code: string, pin: string, stored: string | undefined): Promise<boolean> {
  if (!stored) return false;
  const [scheme, mac] = stored.split('$');
  if (scheme !== SCHEME || !mac) return false;
  const expected = Buffer.from(mac, 'base64url');
  const actual = Buffer.from((await hashPin(code, pin)).slice(SCHEME.length + 1), 'base64url');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** The PIN port of the use cases. */
export const pinHasher: PinHasher = { pinFor: trackingPinFor, newPin: newTrackingPin, verify: verifyPin };
