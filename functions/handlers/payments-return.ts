import type { Context } from 'aws-lambda';
import { httpRoute, type HttpEvent, type HttpResult } from '../http/route.js';
import * as input from '../contracts/inputs.js';
import { paymentDeps } from '../adapters/payment-deps.js';
import { returnState } from '../app/payments.js';
import { returnPage } from '../http/payment-page.js';
import { traced } from '../adapters/tracing.js';

const route = httpRoute(input.PaymentReturn, async ({ query }) => {
  const ref = query.ref ?? query.MaThamChieu ?? query.vnp_TxnRef ?? '';
  const state = await returnState(paymentDeps(), ref);
  return { status: 200, body: state ?? { ref, status: 'unknown' } };
});

/** The browser lands here after paying: an HTML page (JSON when asked) that only reads the stored state. */
export const handler = traced(async (event: HttpEvent, context: Context): Promise<HttpResult> => {
  const result = await route(event, context);
  const accept = event.headers?.accept ?? '';
  if (result.statusCode !== 200 || typeof result.body !== 'string' || /application\/json/i.test(accept.split(',')[0] ?? '')) return result;
  return { statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }, body: returnPage(JSON.parse(result.body)) };
});
