import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { activeObserver, runObserved } from '../functions/adapters/request-observer.js';
import { repoRoot } from './support.js';

/** A handler as Lambda calls it: event and context in, a promise of the result out. */
export type LambdaHandler<TEvent, TResult> = (event: TEvent, context: Context) => Promise<TResult>;

export class MissingEntryError extends Error {
  constructor(readonly entry: string) {
    super(`${entry} does not exist (yet): the declaration names it, but no handler module is there`);
    this.name = 'MissingEntryError';
  }
}

const loaded = new Map<string, Promise<LambdaHandler<unknown, unknown>>>();

export function entryExists(entry: string): boolean {
  return existsSync(join(repoRoot, entry));
}

/**
 * Imports an entry of the declaration once, like a warm Lambda container. A missing file is not cached,
 * so a handler written while `npm start` runs is picked up at the next request.
 */
export function loadHandler<TEvent, TResult>(entry: string): Promise<LambdaHandler<TEvent, TResult>> {
  let pending = loaded.get(entry);
  if (!pending) {
    if (!entryExists(entry)) return Promise.reject(new MissingEntryError(entry));
    pending = (import(join(repoRoot, entry)) as Promise<Record<string, unknown>>).then((module) => {
      if (typeof module.handler !== 'function') throw new Error(`${entry} does not export a function named handler`);
      return counted(module.handler as LambdaHandler<unknown, unknown>);
    });
    pending.catch(() => loaded.delete(entry));
    loaded.set(entry, pending);
  }
  return pending as Promise<LambdaHandler<TEvent, TResult>>;
}

/** Reports each invocation and its duration to a registered observer (the bench's cost count). */
function counted(handler: LambdaHandler<unknown, unknown>): LambdaHandler<unknown, unknown> {
  return async (event, context) => {
    const observer = activeObserver();
    if (!observer) return handler(event, context);
    const started = performance.now();
    try {
      return await runObserved(context.functionName, () => handler(event, context));
    } finally {
      observer.invocation?.({ functionName: context.functionName, durationMs: performance.now() - started });
    }
  };
}

export function lambdaContext(functionName: string, timeoutMs: number, region: string): Context {
  const deadline = Date.now() + timeoutMs;
  const requestId = randomUUID();
  const unsupported = (): never => {
    throw new Error('callback-style context methods are not supported: return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${requestId.replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
