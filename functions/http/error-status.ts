import type { AppError, ErrorKind } from '../domain/errors.js';

/** The one place a refusal of the domain becomes an HTTP status code. */
export const statusOfKind: Readonly<Record<ErrorKind, number>> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  upstream: 502,
  unavailable: 503,
};

export const httpStatusOf = (err: AppError): number => statusOfKind[err.kind];
