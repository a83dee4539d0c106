import type { Segment, Subsegment } from 'aws-xray-sdk-core';
import type { CallTracer, TracedCallEnd, TracedCallStart } from './call-tracing.js';

/**
 * AWS calls as X-Ray subsegments, with the fields the X-Ray SDK's `captureAWSv3Client` gives an SDK
 * command: namespace `aws`, named after the service, `aws.operation`, `aws.region`, `aws.request_id`
 * (`id_2` for S3), the resource (table_name, table_names, queue_url, bucket_name), `aws.retries`,
 * `http.response.status`, and the error (4xx), throttle (429 or a throttling code) and fault (5xx, no
 * answer) flags. Two differences, both on purpose: `retries` counts the retries (the SDK writes its
 * attempts there, so a call sent once says 1), and a failure is recorded by its error code alone, never
 * AWS's message, which may echo what was sent (SES names the addresses it refused).
 *
 * Nothing of a request or an answer body is recorded: they carry applicants' personal data.
 */

type Parent = Segment | Subsegment;

const rootOf = (parent: Parent): Segment => ('segment' in parent && parent.segment ? parent.segment : (parent as Segment));

/** The header a downstream service reads to join the trace, as the X-Ray SDK writes it for an SDK command. */
function traceHeaderOf(parent: Parent, subsegment: Subsegment): string {
  const root = rootOf(parent);
  let header = `Root=${root.trace_id};Parent=${subsegment.id};Sampled=${subsegment.notTraced ? '0' : '1'}`;
  for (const [key, value] of Object.entries(root.additionalTraceData ?? {})) header += `;${key}=${String(value)}`;
  return header;
}

function finish(subsegment: Subsegment, start: TracedCallStart, end: TracedCallEnd): void {
  subsegment.addAttribute('aws', {
    operation: start.operation,
    region: start.region,
    ...(end.requestId ? { request_id: end.requestId } : {}),
    ...(end.extendedRequestId && start.service === 'S3' ? { id_2: end.extendedRequestId } : {}),
    ...start.resource,
    retries: Math.max(0, end.attempts - 1),
  });
  if (end.status !== undefined) subsegment.addAttribute('http', { response: { status: end.status } });
  if (end.error?.throttling || end.status === 429) subsegment.addThrottleFlag();
  if (end.status === undefined) {
    if (end.error) subsegment.addFaultFlag();
  } else if (end.status >= 500) {
    subsegment.addFaultFlag();
  } else if (end.status >= 400) {
    subsegment.addErrorFlag();
  }
  if (end.error) {
    // the remote flag says AWS failed the call; the message is the code and status, nothing AWS wrote
    const error = { name: end.error.code, message: end.status === undefined ? `${end.error.code}: no answer` : `${end.error.code} (HTTP ${end.status})` };
    subsegment.addError(error as Error, true);
    // addError sets the fault flag too (a 4xx of the SDK's middleware then says both); X-Ray's meaning is
    // kept instead: a 4xx is an error of the caller, a fault is the service's
    if (end.status !== undefined && end.status < 500) delete (subsegment as Subsegment & { fault?: boolean }).fault;
  }
  subsegment.close();
}

/**
 * A call tracer that opens each call's subsegment under the segment active when the call starts
 * (`current`: the tracer's, i.e. the handler's or a record's subsegment).
 */
export function subsegmentTracer(current: () => Parent | undefined, warn: (message: string, error: unknown) => void = () => {}): CallTracer {
  return {
    start(start) {
      try {
        const parent = current();
        if (!parent) return undefined;
        const subsegment = parent.notTraced ? parent.addNewSubsegmentWithoutSampling(start.service) : parent.addNewSubsegment(start.service);
        subsegment.namespace = 'aws';
        let ended = false;
        return {
          traceHeader: traceHeaderOf(parent, subsegment),
          end(end) {
            if (ended) return;
            ended = true;
            try {
              finish(subsegment, start, end);
            } catch (err) {
              // a trace is never worth a failed call
              warn('call subsegment not recorded', err);
            }
          },
        };
      } catch (err) {
        warn('call subsegment not opened', err);
        return undefined;
      }
    },
  };
}
