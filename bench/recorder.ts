import { observeRequests, type ObservedInvocation, type ObservedRequest } from '../functions/adapters/request-observer.js';
import { billed } from './capacity.js';

/**
 * Keeps what the request observer reports, so that a bench section can count the SDK requests and the
 * invocations between two points of its run; a DynamoDB transaction is kept with the write units AWS
 * would bill for it (capacity.ts). Registered before the stack starts, so that every client
 * the handlers create carries the counting middleware.
 */
export class Recorder {
  requests: ObservedRequest[] = [];
  invocations: ObservedInvocation[] = [];
  private lastInvocationAt = performance.now();
  readonly stop: () => void;

  constructor() {
    this.stop = observeRequests({
      request: (r) => {
        this.requests.push(billed(r));
        this.lastInvocationAt = performance.now();
      },
      invocation: (i) => {
        this.invocations.push(i);
        this.lastInvocationAt = performance.now();
      },
    });
  }

  reset(): void {
    this.requests = [];
    this.invocations = [];
  }

  /** Waits until no function has finished and no request was made for `quietMs` (the consumers have caught up), at most `maxMs`. */
  async settle(quietMs = 4000, maxMs = 120_000): Promise<void> {
    const started = performance.now();
    this.lastInvocationAt = Math.max(this.lastInvocationAt, started);
    while (performance.now() - this.lastInvocationAt < quietMs && performance.now() - started < maxMs) {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** `motcua-<province>-<id>` → `<id>` */
export const declarationId = (functionName: string): string => functionName.replace(/^motcua-[a-z0-9-]+?-(?=[A-Z])/, '');
