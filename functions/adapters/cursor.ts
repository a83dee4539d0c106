import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import { stackKey } from './stack-secret.js';

/**
 * Pagination cursors: the index key DynamoDB answered as LastEvaluatedKey, sealed with AES-256-GCM under
 * the stack's `cursor` key. The ciphertext hides the key (it names the applicant's index partition and
 * dossier codes) and the tag makes any change, or any cursor not made here, fail to open. What the cursor
 * is bound to, the caller and the query (index, partition, filter), is the GCM additional data: a cursor
 * replayed by someone else or on another list fails the same way. Only a key of the exact expected shape
 * ever reaches ExclusiveStartKey.
 */

export interface CursorBinding {
  /** who asked for the page: `<role>:<subject>` */
  readonly caller: string;
  readonly index: string;
  readonly partition: string;
  /** anything else that shapes the list (e.g. the inbox filter) */
  readonly query?: string;
}

export type IndexKey = Readonly<Record<string, string>>;

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** a cursor holds four short strings; anything far longer is not one of ours */
export const MAX_CURSOR_CHARS = 2000;

const aad = (b: CursorBinding) => Buffer.from(JSON.stringify(['motcua-cursor', VERSION, b.caller, b.index, b.partition, b.query ?? '']), 'utf8');

export const invalidCursor = () =>
  new AppError('invalid', 'invalid_input', 'query.cursor: not a cursor of this list', 'Tham số phân trang không hợp lệ.', [
    { field: 'query.cursor', message: 'not a cursor of this list; pass nextCursor of the previous page unchanged' },
  ]);

/** The attribute names of an index key: the table's keys plus the index's own. */
const keyNames = (index: string) => [`${index}pk`, `${index}sk`, 'pk', 'sk'].sort();

export async function sealCursor(key: Record<string, unknown>, binding: CursorBinding): Promise<string> {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', await stackKey('cursor'), iv);
  cipher.setAAD(aad(binding));
  const body = Buffer.concat([cipher.update(JSON.stringify(key), 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, body, cipher.getAuthTag()]).toString('base64url');
}

/** The ExclusiveStartKey a cursor stands for, or 400 if it is not a cursor this caller got for this query. */
export async function openCursor(cursor: string, binding: CursorBinding): Promise<IndexKey> {
  if (cursor.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalidCursor();
  const raw = Buffer.from(cursor, 'base64url');
  if (raw.length < 1 + IV_BYTES + TAG_BYTES + 2 || raw[0] !== VERSION) throw invalidCursor();
  const iv = raw.subarray(1, 1 + IV_BYTES);
  const tag = raw.subarray(raw.length - TAG_BYTES);
  const body = raw.subarray(1 + IV_BYTES, raw.length - TAG_BYTES);
  // outside the try: a missing key is our fault and must surface as such, not as a bad cursor
  const secretKey = await stackKey('cursor');
  let plain: string;
  try {
    const decipher = createDecipheriv('aes-256-gcm', secretKey, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(binding));
    decipher.setAuthTag(tag);
    plain = Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    // the tag did not match: changed, forged, or sealed for another caller or list
    throw invalidCursor();
  }
  let key: unknown;
  try {
    key = JSON.parse(plain);
  } catch {
    throw invalidCursor();
  }
  // We sealed it, so this holds; checked anyway so that nothing unverified can ever reach the query.
  if (!key || typeof key !== 'object' || Array.isArray(key)) throw invalidCursor();
  const entries = Object.entries(key as Record<string, unknown>);
  const names = entries.map(([k]) => k).sort();
  if (JSON.stringify(names) !== JSON.stringify(keyNames(binding.index))) throw invalidCursor();
  if (!entries.every(([, v]) => typeof v === 'string' && v.length > 0 && v.length <= 1024)) throw invalidCursor();
  const typed = key as IndexKey;
  if (typed[`${binding.index}pk`] !== binding.partition) throw invalidCursor();
  return typed;
}
