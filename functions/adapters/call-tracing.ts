/**
 * The seam between the two signed callers (aws-call.ts, dynamo-http.ts) and X-Ray. Like the request
 * observer, nothing happens unless a tracer is registered: `tracing.ts` registers one in the functions it
 * is applied to, so a bundle that never imports it (the catalog and statistics reads) carries these few
 * lines and no tracing code.
 */

/** One AWS call as it starts: what names its subsegment. */
export interface TracedCallStart {
  /** the service as X-Ray names it: DynamoDB, SQS, S3, SES, SNS, SecretsManager */
  readonly service: string;
  /** the API operation: PutItem, SendMessage… */
  readonly operation: string;
  readonly region: string;
  /** the resource the call acts on, under X-Ray's attribute names (table_name, table_names, queue_url, bucket_name) */
  readonly resource?: Readonly<Record<string, string | readonly string[]>>;
}

/** How the call ended, after its retries. */
export interface TracedCallEnd {
  /** how many requests were sent (1 without a retry) */
  readonly attempts: number;
  /** the last answer's HTTP status; absent when nothing answered */
  readonly status?: number;
  /** the last answer's request id (x-amzn-requestid, x-amz-request-id) */
  readonly requestId?: string;
  /** S3's extended request id (x-amz-id-2) */
  readonly extendedRequestId?: string;
  /** the failure, named by its code only: AWS error messages may echo input (SES names the refused addresses) */
  readonly error?: { readonly code: string; readonly throttling: boolean };
}

/** The request ids an answer carries, under the headers each AWS protocol uses (none without an answer). */
export function requestIdsOf(headers: Headers | undefined): Pick<TracedCallEnd, 'requestId' | 'extendedRequestId'> {
  const requestId = headers?.get('x-amzn-requestid') ?? headers?.get('x-amz-request-id');
  const extendedRequestId = headers?.get('x-amz-id-2');
  return { ...(requestId ? { requestId } : {}), ...(extendedRequestId ? { extendedRequestId } : {}) };
}

export interface TracedCall {
  /** the X-Amzn-Trace-Id header each attempt carries, so that the service joins the trace */
  readonly traceHeader?: string;
  /** never throws: the callers run it inside their retry loop, where a throw would read as a failed attempt */
  end(outcome: TracedCallEnd): void;
}

export interface CallTracer {
  /** a call that cannot be traced now (no active segment) returns undefined; never throws */
  start(call: TracedCallStart): TracedCall | undefined;
}

let current: CallTracer | undefined;

/** Registers the one tracer (a second replaces the first); returns the function that removes it. */
export function setCallTracer(tracer: CallTracer): () => void {
  current = tracer;
  return () => {
    if (current === tracer) current = undefined;
  };
}

export function activeCallTracer(): CallTracer | undefined {
  return current;
}
