import type { Context } from 'aws-lambda';
import { httpRoute, type HttpEvent, type HttpResult } from '../http/route.js';
import * as input from '../contracts/inputs.js';
import { paymentDeps } from '../adapters/payment-deps.js';
import { readReceipt, type Receipt } from '../app/payments.js';
import { receiptPdf } from '../adapters/receipt-pdf.js';
import { traced } from '../adapters/tracing.js';

const route = httpRoute(input.GetPaymentReceipt, async ({ caller, params }) => ({ status: 200, body: await readReceipt(paymentDeps(), caller, params.code, params.ref) }));

function wantsPdf(event: HttpEvent): boolean {
  const format = event.queryStringParameters?.format;
  if (format) return format === 'pdf';
  return /\bapplication\/pdf\b/i.test(event.headers?.accept ?? '');
}

/** JSON by default; the same receipt as a PDF when asked. Refusals stay JSON, whatever was asked. */
export const handler = traced(async (event: HttpEvent, context: Context): Promise<HttpResult> => {
  const result = await route(event, context);
  if (!wantsPdf(event) || result.statusCode !== 200 || typeof result.body !== 'string') return result;
  const receipt = JSON.parse(result.body) as Receipt;
  const pdf = await receiptPdf(receipt);
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/pdf', 'content-disposition': `attachment; filename="bien-lai-${receipt.number}.pdf"`, 'cache-control': 'no-store' },
    body: pdf.toString('base64'),
    isBase64Encoded: true,
  };
});
