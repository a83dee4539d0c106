import { detailMessageVi } from './messages-vi.js';

/**
 * Every refusal the API gives, in one shape: `{ error: { code, message, messageVi?, details? } }`.
 * Domain code throws these; the HTTP layer only maps them, it never invents rules of its own.
 */
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
    readonly status: number,
    readonly code: string,
    message: string,
    readonly messageVi?: string,
    readonly details?: readonly ErrorDetail[] | Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string, messageVi: string): AppError => new AppError(404, 'not_found', `${what} not found`, messageVi);

export const invalidInput = (details: readonly ErrorDetail[]): AppError =>
  new AppError(
    400,
    'invalid_input',
    `Invalid input: ${details.map((d) => (d.field ? `${d.field}: ${d.message}` : d.message)).join('; ')}`,
    'Thông tin gửi lên không hợp lệ, vui lòng kiểm tra lại.',
    details.map((d) => (typeof d.messageVi === 'string' ? d : { ...d, messageVi: detailMessageVi(d.message) })),
  );

/** A write over a dossier someone changed since it was read: 409, with the state that won. */
export function staleVersion(code: string, current: { readonly status: string | number; readonly version: number } | undefined): AppError {
  return new AppError(409, 'version_conflict', `dossier ${code} was changed by someone else; reload it and decide again`, 'Hồ sơ vừa được người khác cập nhật, vui lòng tải lại.', {
    status: current?.status,
    version: current?.version,
  });
}
