import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import { PrivacyLogFormatter } from './log-privacy.js';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';
import type { Context } from 'aws-lambda';

/** Powertools' documented way to extend the Logger: `createLogger` makes `createChild` return this class. */
class FunctionLogger extends Logger {
  /**
   * A child carrying one invocation's Lambda context. Only the first invocation of an execution
   * environment is a cold start, so the child takes that answer from this (long-lived) logger.
   */
  forInvocation(context: Context): FunctionLogger {
    const coldStart = this.getColdStart();
    const child = this.createChild() as FunctionLogger;
    child.coldStart = coldStart;
    child.addContext(context);
    return child;
  }

  /** A child whose every line carries `keys`, for one unit of work (a stream record). */
  withKeys(keys: Record<string, string>): FunctionLogger {
    const coldStart = this.getColdStart();
    const child = this.createChild({ persistentKeys: keys }) as FunctionLogger;
    child.coldStart = coldStart;
    return child;
  }

  protected override createLogger(options?: ConstructorOptions): FunctionLogger {
    return new FunctionLogger(options);
  }
}

const root = new FunctionLogger({
  serviceName: `motcua-${process.env.PROVINCE_ID ?? 'local'}`,
  logLevel: (process.env.LOG_LEVEL as 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT' | undefined) ?? 'INFO',
  // ID numbers, phone numbers and e-mail addresses are scrubbed from every line (see log-privacy.ts)
  logFormatter: new PrivacyLogFormatter(),
});

const invocation = new AsyncLocalStorage<FunctionLogger>();

/**
 * One structured logger per function; the service name groups a province's logs. Calls go to the logger
 * of the invocation running now (see `withInvocationLogger`), so that the Lambda context a line carries
 * is its own even where invocations overlap in one process, as all functions do in the local runtime (in
 * the cloud a container runs one at a time). Outside an invocation it is the plain function logger.
 */
export const logger: Logger = new Proxy<Logger>(root, {
  get(target, property) {
    const active = invocation.getStore() ?? target;
    const value: unknown = Reflect.get(active, property, active);
    // Methods run on the real instance: Powertools keeps its state in private fields.
    return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(active) : value;
  },
});

/** Runs one invocation with a logger of its own, carrying that invocation's Lambda context. */
export function withInvocationLogger<T>(context: Context, run: () => T): T {
  return invocation.run(root.forInvocation(context), run);
}

/**
 * Runs one unit of work (a stream record) with `keys` (the dossier code) on every line it logs, through
 * the same `logger`; the keys end with it, so the next record starts without them.
 */
export function withLogKeys<T>(keys: Record<string, string>, run: () => T): T {
  return invocation.run((invocation.getStore() ?? root).withKeys(keys), run);
}
