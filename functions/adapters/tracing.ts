import middy from '@middy/core';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context } from 'aws-lambda';
import { codePattern } from '../domain/codes.js';
import { logger } from '../http/logger.js';
import { setCallTracer } from './call-tracing.js';
import { subsegmentTracer } from './call-subsegments.js';

/**
 * X-Ray tracing of a function's invocations and of every AWS call it makes, with Powertools Tracer.
 * Importing this module is what turns it on: it registers the call tracer of the two signed callers
 * (call-tracing.ts), so the functions that never import it (the catalog and statistics reads, the
 * OpenAPI document) carry no tracing code and keep Lambda's own segments only.
 *
 * Outside Lambda (the local runtime, tests) Powertools leaves tracing off, so nothing is registered and
 * no datagram is sent. What is never traced: request and response bodies and error messages (personal
 * data; the handler's answer is not captured, and errors are flagged, their message and stack stay in
 * the function's log, which is scrubbed and carries the trace id).
 */
// Never an error's message or stack in a trace, whatever the environment says: they may carry what was
// sent (the log has them, scrubbed); Powertools reads this when the tracer is made
process.env.POWERTOOLS_TRACER_CAPTURE_ERROR = 'false';

export const tracer = new Tracer({
  serviceName: `motcua-${process.env.PROVINCE_ID ?? 'local'}`,
  // Powertools' fetch instrumentation would record every signed AWS call a second time, as a bare
  // `remote` subsegment named after the host, and add a second trace header: the signed callers record them
  captureHTTPsRequests: false,
});

if (tracer.isTracingEnabled()) {
  setCallTracer(subsegmentTracer(() => tracer.getSegment(), (message, error) => logger.warn(message, { error: (error as Error).message })));
}

const DOSSIER_CODE = 'dossierCode';
/** a draft's id, as `draftIdPattern` of dossier.ts (repeated: a consumer would otherwise bundle the dossier module) */
const draftId = /^draft-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** only a well-formed code or draft id: a path holds whatever the caller sent */
const annotatable = (code: string | undefined): code is string => code !== undefined && (codePattern.test(code) || draftId.test(code));

/** Annotates the invocation with the dossier code of its path (`/dossiers/{code}/…`), when it is one. */
const annotatePathCode = {
  before(request: { event: unknown }): void {
    const code = (request.event as { pathParameters?: Record<string, string | undefined> | null }).pathParameters?.code;
    if (annotatable(code)) tracer.putAnnotation(DOSSIER_CODE, code);
  },
};

/**
 * The handler in Powertools' `captureLambdaHandler` (a `## <handler>` subsegment with the cold start and
 * service annotations, every AWS call under it), response not captured. The handler itself when tracing
 * is off.
 */
export function traced<H extends (event: never, context: never) => Promise<unknown>>(handler: H): H {
  if (!tracer.isTracingEnabled()) return handler;
  // middy's types want one event and result type; the handler's own signature is given back below
  const wrapped = middy((event: unknown, context: Context) => (handler as unknown as (event: unknown, context: Context) => Promise<unknown>)(event, context))
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(annotatePathCode);
  return ((event: unknown, context: Context) => wrapped(event, context)) as unknown as H;
}

/**
 * One unit of work of an invocation (a stream record, an uploaded object) as a subsegment of its own,
 * annotated with its dossier code, so that a filter on the code finds the record and the calls it made.
 */
export async function tracedRecord<T>(name: string, dossierCode: string | undefined, work: () => Promise<T>): Promise<T> {
  const parent = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
  if (!parent) return work();
  const subsegment = parent.addNewSubsegment(`## ${name}`);
  if (annotatable(dossierCode)) subsegment.addAnnotation(DOSSIER_CODE, dossierCode);
  tracer.setSegment(subsegment);
  try {
    return await work();
  } catch (err) {
    subsegment.addErrorFlag();
    throw err;
  } finally {
    subsegment.close();
    tracer.setSegment(parent);
  }
}
