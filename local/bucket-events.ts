import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { S3Event, S3EventRecord } from 'aws-lambda';
import type { ConsumerDeclaration } from '../functions/declaration.js';
import { lambdaContext, MissingEntryError, type LambdaHandler } from './lambda.js';
import { readJson, sleep, writeJsonAtomic, type Logger } from './support.js';

export interface BucketEventDelivery {
  /** resolves once every event received so far has been handled (or given up on) */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** S3 notifications carry keys URL-encoded per segment, spaces as `+`; s3rver sends them raw. */
const encodeKey = (key: string) =>
  key
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/%20/g, '+'))
    .join('/');

/**
 * Feeds `bucket-created` consumers the ObjectCreated events that s3rver emits, shaped as S3 sends them
 * to Lambda (one record per event, key URL-encoded, the runtime's region), with the asynchronous
 * invocation's semantics: delivered after the write, retried twice on error, then logged and dropped.
 * Events are delivered one at a time in write order, which is stricter than the cloud and keeps tests
 * deterministic.
 *
 * S3 queues an event durably before it acknowledges the write; here each event is written to
 * `<dataDir>/bucket-events/` inside s3rver's event callback, which runs before s3rver answers the PUT, and
 * removed once handled. A start delivers first what an earlier run left there, so an upload acknowledged
 * before a kill is still checked (perhaps twice: the verifier re-reads the object, so that is harmless).
 */
export function startBucketEventDelivery(options: {
  consumers: readonly ConsumerDeclaration[];
  handler: (consumer: ConsumerDeclaration) => Promise<LambdaHandler<S3Event, unknown>>;
  subscribe: (listener: (event: { Records: unknown[] }) => void) => void;
  bucket: string;
  region: string;
  provinceId: string;
  logger: Logger;
  /** where pending events are kept; without it they live only in memory */
  dataDir?: string;
  /**
   * Events are recorded from the start but handed to handlers only once this resolves: the runtime
   * subscribes as soon as S3 listens and delivers once the handlers' environment is in place.
   */
  deliverFrom?: Promise<void>;
  retryDelayMs?: number;
}): BucketEventDelivery {
  const targets = options.consumers.flatMap((consumer) => (consumer.source.kind === 'bucket-created' ? [{ consumer, prefix: consumer.source.prefix ?? '' }] : []));
  let chain: Promise<void> = (options.deliverFrom ?? Promise.resolve()).catch(() => undefined);
  let stopped = false;
  const journal = options.dataDir === undefined ? undefined : join(options.dataDir, 'bucket-events');
  // Names sort in arrival order, across restarts too: a time stamp, then a counter within the millisecond.
  let lastStamp = 0;
  let counter = 0;
  const nextName = (): string => {
    const stamp = Date.now();
    counter = stamp === lastStamp ? counter + 1 : 0;
    lastStamp = stamp;
    return `${String(stamp).padStart(15, '0')}-${String(counter).padStart(6, '0')}.json`;
  };

  async function invoke(consumer: ConsumerDeclaration, event: S3Event): Promise<void> {
    const functionName = `motcua-${options.provinceId}-${consumer.id}`;
    for (let attempt = 1; attempt <= 3 && !stopped; attempt++) {
      try {
        const handler = await options.handler(consumer);
        await handler(event, lambdaContext(functionName, 60_000, options.region));
        return;
      } catch (err) {
        if (err instanceof MissingEntryError) {
          options.logger.error(`bucket ${consumer.id}: ${err.message}; the event is dropped`);
          return;
        }
        options.logger.error(`bucket ${consumer.id}: the handler threw (attempt ${attempt})`, err);
        if (attempt < 3) await sleep(options.retryDelayMs ?? 200 * attempt);
      }
    }
  }

  interface Pending {
    readonly consumerId: string;
    readonly event: S3Event;
  }

  const enqueue = (pending: Pending, file: string | undefined): void => {
    const consumer = targets.find((t) => t.consumer.id === pending.consumerId)?.consumer;
    chain = chain.then(async () => {
      if (consumer) await invoke(consumer, pending.event);
      else options.logger.error(`bucket: no consumer ${pending.consumerId} is declared any more; its pending event is dropped`);
      // Kept when stopped before the handler finished: the next start delivers it.
      if (file && !stopped) rmSync(file, { force: true });
    });
  };

  // What a killed run had not handled yet goes first, in its order.
  if (journal) {
    let left: string[] = [];
    try {
      left = readdirSync(journal).filter((f) => f.endsWith('.json')).sort();
    } catch {
      // no journal yet
    }
    for (const name of left) {
      const file = join(journal, name);
      let pending: Pending | undefined;
      try {
        pending = readJson<Pending>(file);
      } catch (err) {
        options.logger.error(`bucket: ignoring unreadable pending event ${file}`, err);
      }
      if (pending) enqueue(pending, file);
    }
    if (left.length > 0) options.logger.info(`bucket: delivering ${left.length} event(s) left pending by an earlier run`);
  }

  options.subscribe((raw) => {
    if (stopped) return;
    for (const record of raw.Records as S3EventRecord[]) {
      if (!record.eventName?.startsWith('ObjectCreated') || record.s3?.bucket?.name !== options.bucket) continue;
      const key = record.s3.object.key;
      for (const target of targets) {
        if (!key.startsWith(target.prefix)) continue;
        const event: S3Event = { Records: [{ ...record, awsRegion: options.region, s3: { ...record.s3, object: { ...record.s3.object, key: encodeKey(key) } } }] };
        const pending: Pending = { consumerId: target.consumer.id, event };
        // Synchronous on purpose: s3rver acknowledges the PUT only after this callback has returned.
        const file = journal ? join(journal, nextName()) : undefined;
        if (file) writeJsonAtomic(file, pending);
        enqueue(pending, file);
      }
    }
  });

  return {
    idle: async () => {
      let seen: Promise<void> | undefined;
      // events handled may cause more events (a quarantine copy), so wait until the chain stops growing
      while (seen !== chain) {
        seen = chain;
        await chain;
      }
    },
    async stop() {
      stopped = true;
      await chain;
    },
  };
}
