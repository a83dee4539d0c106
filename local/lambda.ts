import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';
import type { Context } from 'aws-lambda';
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
      return module.handler as LambdaHandler<unknown, unknown>;
    });
    pending.catch(() => loaded.delete(entry));
    loaded.set(entry, pending);
  }
  return pending as Promise<LambdaHandler<TEvent, TResult>>;
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

/**
 * Handlers of every function share this one process, and an API request, a stream batch and an upload
 * check run at the same time; in the cloud each has a container of its own. Lambda's runtime for
 * concurrent invocations (managed instances) keeps what belongs to one invocation in its InvokeStore, an
 * AsyncLocalStorage behind `globalThis.awslambda.InvokeStore`, and announces it with
 * `AWS_LAMBDA_MAX_CONCURRENCY`; Powertools then keeps the Logger's Lambda context and temporary keys per
 * invocation. The local runtime does the same, so a log line carries the name of the function that wrote it.
 */
export const localMaxConcurrency = '64';

let store: Promise<InvokeStoreBase> | undefined;

/** Creates the store before any handler runs; `invoke` does it too when called first. */
export async function prepareInvocations(): Promise<void> {
  await invokeStore();
}

function invokeStore(): Promise<InvokeStoreBase> {
  store ??= InvokeStore.getInstanceAsync(true).then((instance) => {
    // Set only once the store exists: Powertools refuses to log when the variable is set without one.
    process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= localMaxConcurrency;
    return instance;
  });
  return store;
}

/** Calls a handler as one invocation of its own, as Lambda's runtime does. */
export async function invoke<TEvent, TResult>(handler: LambdaHandler<TEvent, TResult>, event: TEvent, context: Context): Promise<TResult> {
  const invocations = await invokeStore();
  return invocations.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: context.awsRequestId }, () => handler(event, context));
}
