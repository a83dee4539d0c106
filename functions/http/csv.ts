import type { Context } from 'aws-lambda';
import type { HttpEvent, HttpResult } from './route.js';

/**
 * Every CSV export writes its cells with `csvCell`: quoted where needed, and a text cell that starts with
 * = + - @, a tab or a carriage return is prefixed with an apostrophe so that a spreadsheet shows it rather
 * than running it as a formula (`=HYPERLINK(…)` in a name or a form field).
 */
export { csvCell } from '../domain/text.js';

/** True when the caller asks for CSV: `?format=csv`, or an Accept header preferring text/csv. */
export function wantsCsv(event: HttpEvent): boolean {
  if (event.queryStringParameters?.format === 'csv') return true;
  if (event.queryStringParameters?.format === 'json') return false;
  const accept = event.headers?.accept ?? event.headers?.Accept ?? '';
  return /\btext\/csv\b/i.test(accept) && !/\bapplication\/json\b/i.test(accept.split(',')[0] ?? '');
}

/**
 * httpRoute answers JSON; a successful answer is turned into CSV here when asked, so validation, errors
 * and logging stay those of every other route (errors stay JSON, whatever was asked).
 */
export async function asCsvWhenAsked<T>(
  route: (event: HttpEvent, context: Context) => Promise<HttpResult>,
  event: HttpEvent,
  context: Context,
  toCsv: (body: T) => string,
): Promise<HttpResult> {
  const result = await route(event, context);
  if (!wantsCsv(event) || result.statusCode !== 200 || typeof result.body !== 'string') return result;
  // The body was produced by this route from a value of type T a moment ago.
  const csv = toCsv(JSON.parse(result.body) as T);
  return { statusCode: 200, headers: { ...result.headers, 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'inline; filename="stats.csv"' }, body: csv };
}
