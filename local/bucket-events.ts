import type { S3Event, S3EventRecord } from 'aws-lambda';
import type { ConsumerDeclaration } from '../functions/declaration.js';
import { invoke as invokeLambda, lambdaContext, MissingEntryError, type LambdaHandler } from './lambda.js';
import { sleep, type Logger } from './support.js';

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
 */
export function startBucketEventDelivery(options: {
  consumers: readonly ConsumerDeclaration[];
  handler: (consumer: ConsumerDeclaration) => Promise<LambdaHandler<S3Event, unknown>>;
  subscribe: (listener: (event: { Records: unknown[] }) => void) => void;
  bucket: string;
  region: string;
  provinceId: string;
  logger: Logger;
  retryDelayMs?: number;
}): BucketEventDelivery {
  const targets = options.consumers.flatMap((consumer) => (consumer.source.kind === 'bucket-created' ? [{ consumer, prefix: consumer.source.prefix ?? '' }] : []));
  let chain: Promise<void> = Promise.resolve();
  let stopped = false;

  async function invoke(consumer: ConsumerDeclaration, event: S3Event): Promise<void> {
    const functionName = `motcua-${options.provinceId}-${consumer.id}`;
    for (let attempt = 1; attempt <= 3 && !stopped; attempt++) {
      try {
        const handler = await options.handler(consumer);
        await invokeLambda(handler, event, lambdaContext(functionName, 60_000, options.region));
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

  options.subscribe((raw) => {
    if (stopped) return;
    for (const record of raw.Records as S3EventRecord[]) {
      if (!record.eventName?.startsWith('ObjectCreated') || record.s3?.bucket?.name !== options.bucket) continue;
      const key = record.s3.object.key;
      for (const target of targets) {
        if (!key.startsWith(target.prefix)) continue;
        const event: S3Event = { Records: [{ ...record, awsRegion: options.region, s3: { ...record.s3, object: { ...record.s3.object, key: encodeKey(key) } } }] };
        chain = chain.then(() => invoke(target.consumer, event));
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
