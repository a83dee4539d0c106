import { httpRoute } from '../http/route.js';
import * as input from '../contracts/inputs.js';
import { paymentDeps } from '../adapters/payment-deps.js';
import { openPayment } from '../app/payments.js';
import { traced } from '../adapters/tracing.js';

export const handler = traced(httpRoute(input.CreatePayment, async ({ caller, params, event }) => {
  const { created, payment } = await openPayment(paymentDeps(), caller, params.code, event.requestContext.http.sourceIp);
  return { status: created ? 201 : 200, body: payment, headers: created ? {} : ({ 'idempotent-replayed': 'true' } as Record<string, string>) };
}));
