import { detailMessageVi } from './messages-vi.js';

/**
 * Every refusal the API gives, in one shape: `{ error: { code, message, messageVi?, details? } }`.
 * Domain code throws these; the HTTP layer only maps them, it never invents rules of its own.
 */

/**
 * What happened, as the domain says it. Only the HTTP wrapper turns a kind into a status code
 * (functions/http/error-status.ts); the domain and the use cases never name one.
 */
export type ErrorKind =
  /** the input breaks a rule of the contract or of the law */
  | 'invalid'
  /** no verified caller where one is required */
  | 'unauthenticated'
  /** the caller may see the dossier but not do this */
  | 'forbidden'
  /** absent, or not the caller's to know about */
  | 'not_found'
  /** the state does not allow it now (a stale version, a closed dossier, a request still in progress) */
  | 'conflict'
  | 'too_large'
  | 'unsupported_media_type'
  /** well-formed but not acceptable as it stands (e.g. an Idempotency-Key reused with another body) */
  | 'unprocessable'
  /** too many of these for now: come back after `retryAfterSeconds` */
  | 'rate_limited'
  /** a service this depends on failed */
  | 'upstream'
  /** load shed on purpose, or a dependency down: nothing was done, retry */
  | 'unavailable';

export interface ErrorDetail {
  /** dotted path of the offending input, e.g. `applicant.idNumber` or `fields.copies` */
  readonly field?: string;
  readonly message: string;
  /** the same in Vietnamese, for the citizen (functions/domain/messages-vi.ts) */
  readonly messageVi?: string;
  readonly [key: string]: unknown;
}

export class AppError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly messageVi?: string,
    readonly details?: readonly ErrorDetail[] | Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string, messageVi: string): AppError => new AppError('not_found', 'not_found', `${what} not found`, messageVi);

export const invalidInput = (details: readonly ErrorDetail[]): AppError =>
  new AppError(
    'invalid',
    'invalid_input',
    `Invalid input: ${details.map((d) => (d.field ? `${d.field}: ${d.message}` : d.message)).join('; ')}`,
    'Thông tin gửi lên không hợp lệ, vui lòng kiểm tra lại.',
    details.map((d) => (typeof d.messageVi === 'string' ? d : { ...d, messageVi: detailMessageVi(d.message) })),
  );

/** A write over a dossier someone changed since it was read: 409, with the state that won. */
export function staleVersion(code: string, current: { readonly status: string | number; readonly version: number } | undefined): AppError {
  return new AppError('conflict', 'version_conflict', `dossier ${code} was changed by someone else; reload it and decide again`, 'Hồ sơ vừa được người khác cập nhật, vui lòng tải lại.', {
    status: current?.status,
    version: current?.version,
  });
}
