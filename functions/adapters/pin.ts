import { randomBytes, randomInt, scryptSync, timingSafeEqual } from 'node:crypto';

/** A 6-digit PIN printed on the receipt; only its salted scrypt hash is stored. */
export function newTrackingPin(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

const KEY_LENGTH = 32;

export function hashPin(pin: string): string {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('base64url')}$${scryptSync(pin, salt, KEY_LENGTH).toString('base64url')}`;
}

export function verifyPin(pin: string, stored: string | undefined): boolean {
  if (!stored) return false;
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = scryptSync(pin, Buffer.from(salt, 'base64url'), expected.length);
  return timingSafeEqual(actual, expected);
}
