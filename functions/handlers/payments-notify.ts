import type { Context } from 'aws-lambda';
import { httpRoute, type HttpEvent, type HttpResult } from '../http/route.js';
import * as input from '../contracts/inputs.js';
import { paymentDeps } from '../adapters/payment-deps.js';
import { takeNotification } from '../app/payments.js';
import { logger } from '../http/logger.js';
import { businessMetrics } from '../declaration.js';
import { countMetric, withMetrics } from '../http/metrics.js';
import { traced } from '../adapters/tracing.js';

/** A callback is small; anything bigger is not one (and is not read). */
const MAX_NOTIFICATION_BYTES = 16 * 1024;

const route = httpRoute(input.PaymentNotification, async ({ params, event }) => {
  const raw = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : undefined;
  const body = raw !== undefined && Buffer.byteLength(raw) <= MAX_NOTIFICATION_BYTES ? raw : undefined;
  const answer = await takeNotification(
    paymentDeps(),
    params.gateway,
    { ...(body !== undefined ? { body } : {}), query: event.queryStringParameters ?? {}, ...(event.headers['content-type'] ? { contentType: event.headers['content-type'] } : {}) },
    event.requestContext.http.sourceIp,
  );
  // what was decided, never the message itself (it may carry payer data); one not signed by the platform
  // is kept only here, with where it came from
  if (answer.unverified) logger.warn('payment notification refused', { gateway: params.gateway, verdict: answer.verdict, ...answer.unverified, sourceIp: event.requestContext.http.sourceIp, answer: answer.body });
  else logger.info('payment notification', { gateway: params.gateway, answer: answer.body });
  if (answer.verdict === 'settle-paid') countMetric(businessMetrics.paymentsSettled, { source: 'notification' });
  return { status: answer.status, body: JSON.parse(answer.body) as unknown };
});

/** One module for both routes (POST with a JSON body, GET with a signed query string): the contract is the same. */
export const handler = traced(withMetrics((event: HttpEvent, context: Context): Promise<HttpResult> => route(event, context)));
