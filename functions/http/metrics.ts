import { AsyncLocalStorage } from 'node:async_hooks';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { AppError } from '../domain/errors.js';
import { businessMetrics, environment, type BusinessMetricName, type SubmissionChannel } from '../declaration.js';

type Dimensions = Readonly<Record<string, string>>;
interface Recorded {
  readonly name: BusinessMetricName;
  readonly dimensions: Dimensions;
  readonly value: number;
}

const invocation = new AsyncLocalStorage<Recorded[]>();

/**
 * Counts one business figure (declaration `businessMetrics`) for the invocation running now; it leaves
 * with the invocation's other figures when `withMetrics` flushes. Outside an invocation it leaves at once.
 */
export function countMetric(name: BusinessMetricName, dimensions: Dimensions = {}, value = 1): void {
  const recorded = invocation.getStore();
  if (recorded) recorded.push({ name, dimensions, value });
  else publish([{ name, dimensions, value }]);
}

/**
 * Wraps a handler so that what it counted is written as EMF once, when the invocation ends (answered or
 * thrown). The figures live in the invocation's own store, not in one module-wide Metrics instance: the
 * local runtime runs overlapping invocations of a function in one process, as the logger notes too.
 */
export function withMetrics<E, C, R>(handler: (event: E, context: C) => Promise<R>): (event: E, context: C) => Promise<R> {
  return async (event, context) => {
    const recorded: Recorded[] = [];
    try {
      return await invocation.run(recorded, () => handler(event, context));
    } finally {
      publish(recorded);
    }
  };
}

/** One EMF document per set of dimensions (EMF gives a document one set); nothing at all for none. */
function publish(recorded: readonly Recorded[]): void {
  const groups = new Map<string, Recorded[]>();
  for (const r of recorded) {
    const key = JSON.stringify(Object.entries(r.dimensions).sort(([a], [b]) => a.localeCompare(b)));
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const serviceName = businessMetrics.service(process.env[environment.provinceId] ?? 'local');
  for (const group of groups.values()) {
    // created per flush: a Metrics instance reads POWERTOOLS_* (disabled, dev mode) when it is made
    const metrics = new Metrics({ namespace: businessMetrics.namespace, serviceName, defaultDimensions: { ...group[0]!.dimensions } });
    for (const r of group) metrics.addMetric(r.name, MetricUnit.Count, r.value);
    metrics.publishStoredMetrics();
  }
}

/** A dossier filed, first time only (a replayed answer was counted when it was given). */
export const countSubmission = (channel: SubmissionChannel): void => countMetric(businessMetrics.submissions, { channel });

/** Runs `run`; a refusal with this error code is counted as `name` on its way out (the answer is unchanged). */
export async function countRefusal<T>(code: string, name: BusinessMetricName, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof AppError && err.code === code) countMetric(name);
    throw err;
  }
}
