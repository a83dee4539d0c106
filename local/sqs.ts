import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from './support.js';
import { loopback, readJson, repoRoot, writeJsonAtomic } from './support.js';

/**
 * fauxqs keeps queues in memory. To make "stop `npm start`, start it again" lose nothing, the queues and
 * their messages (ready, delayed and in flight, with receipt handles, receive counts and attributes) are
 * written to `<dataDir>/sqs/<queue>.json` on stop, every `snapshotIntervalMs` when something changed, and
 * whenever a stream poller is about to checkpoint (`snapshot()`), and put back on start. A hard kill
 * (kill -9) can lose what changed since the last snapshot, but never a message whose stream record was
 * checkpointed: that one is sent again from the stream at the next start.
 *
 * Restoring needs fauxqs's own store objects, which its package `exports` do not expose; fauxqs is pinned
 * (1.9.2), so the store modules are loaded by file from the package folder, and the shapes used here are
 * declared below rather than typed from its internals.
 */

/** fauxqs answers on this account id in queue URLs and ARNs */
export const fauxqsAccountId = '000000000000';

interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

interface SqsMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  messageAttributes: Record<string, MessageAttributeValue>;
  md5OfMessageAttributes: string;
  sentTimestamp: number;
  approximateReceiveCount: number;
  approximateFirstReceiveTimestamp?: number;
  delayUntil?: number;
  messageGroupId?: string;
  messageDeduplicationId?: string;
  sequenceNumber?: string;
}

interface InflightEntry {
  message: SqsMessage;
  receiptHandle: string;
  visibilityDeadline: number;
}

interface SqsQueue {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  attributes: Record<string, string>;
  messages: SqsMessage[];
  delayedMessages: SqsMessage[];
  inflightMessages: Map<string, InflightEntry>;
  isFifo(): boolean;
  enqueue(message: SqsMessage): void;
  inspectMessages(): { ready: SqsMessage[]; delayed: SqsMessage[]; inflight: InflightEntry[] };
}

interface SqsStore {
  host: string;
  region?: string;
  createQueue(name: string, url: string, arn: string, attributes?: Record<string, string>): SqsQueue;
  getQueueByName(name: string): SqsQueue | undefined;
  listQueues(): SqsQueue[];
}

interface FastifyLike {
  listen(options: { port: number; host: string }): Promise<string>;
  close(): Promise<void>;
}

interface FauxqsModules {
  buildApp(options: { logger: boolean; defaultRegion: string; stores: { sqsStore: SqsStore; snsStore: unknown; s3Store: unknown } }): FastifyLike;
  SqsStore: new () => SqsStore;
  SnsStore: new () => unknown;
  S3Store: new () => unknown;
}

async function loadFauxqs(): Promise<FauxqsModules> {
  const dist = join(repoRoot, 'node_modules', 'fauxqs', 'dist');
  const load = (file: string): Promise<Record<string, unknown>> => import(pathToFileURL(join(dist, file)).href) as Promise<Record<string, unknown>>;
  const [app, sqs, sns, s3] = await Promise.all([load('app.js'), load('sqs/sqsStore.js'), load('sns/snsStore.js'), load('s3/s3Store.js')]);
  const modules = { buildApp: app.buildApp, SqsStore: sqs.SqsStore, SnsStore: sns.SnsStore, S3Store: s3.S3Store };
  for (const [name, value] of Object.entries(modules)) {
    if (typeof value !== 'function') throw new Error(`fauxqs: ${name} not found in node_modules/fauxqs/dist (expected fauxqs 1.9.2)`);
  }
  return modules as FauxqsModules;
}

interface QueueSnapshot {
  readonly name: string;
  readonly arn: string;
  readonly attributes: Record<string, string>;
  readonly savedAt: string;
  readonly ready: SqsMessage[];
  readonly delayed: SqsMessage[];
  readonly inflight: InflightEntry[];
}

/** Attributes that fauxqs derives itself; saving them would only make the restored queue disagree. */
const derivedAttributes = new Set([
  'QueueArn',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
]);

export interface LocalSqs {
  readonly port: number;
  readonly endpoint: string;
  /** `${queueUrlBase}/${queueName}` is the URL fauxqs answers with for a queue */
  readonly queueUrlBase: string;
  /** number of messages put back from the snapshots */
  readonly restoredMessages: number;
  snapshot(): void;
  stop(): Promise<void>;
}

export async function startLocalSqs(options: {
  port: number;
  region: string;
  dataDir: string;
  logger: Logger;
  snapshotIntervalMs?: number;
}): Promise<LocalSqs> {
  const fauxqs = await loadFauxqs();
  const sqsStore = new fauxqs.SqsStore();
  // An empty host makes fauxqs build queue URLs from the request's Host, i.e. http://127.0.0.1:<port>/...,
  // instead of its default http://sqs.<region>.localhost:<port>/..., which not every resolver knows.
  sqsStore.host = '';
  sqsStore.region = options.region;
  const app = fauxqs.buildApp({
    logger: false,
    defaultRegion: options.region,
    stores: { sqsStore, snsStore: new fauxqs.SnsStore(), s3Store: new fauxqs.S3Store() },
  });
  const address = await app.listen({ port: options.port, host: loopback });
  const port = Number(new URL(address).port);
  const endpoint = `http://${loopback}:${port}`;
  const queueUrlBase = `${endpoint}/${fauxqsAccountId}`;
  const dir = join(options.dataDir, 'sqs');
  mkdirSync(dir, { recursive: true });

  const restoredMessages = restore(sqsStore, dir, queueUrlBase, options.logger);

  const written = new Map<string, string>();
  const snapshot = (): void => {
    const present = new Set<string>();
    for (const queue of sqsStore.listQueues()) {
      present.add(queue.name);
      const { ready, delayed, inflight } = queue.inspectMessages();
      const attributes = Object.fromEntries(Object.entries(queue.attributes).filter(([k]) => !derivedAttributes.has(k)));
      const content = JSON.stringify({ name: queue.name, arn: queue.arn, attributes, ready, delayed, inflight });
      if (written.get(queue.name) === content) continue;
      const value: QueueSnapshot = { name: queue.name, arn: queue.arn, attributes, savedAt: new Date().toISOString(), ready, delayed, inflight };
      writeJsonAtomic(join(dir, `${queue.name}.json`), value);
      written.set(queue.name, content);
    }
    // A queue deleted through the API must not come back on the next start.
    for (const file of readdirSync(dir)) {
      if (file.endsWith('.json') && !present.has(file.slice(0, -'.json'.length))) rmSync(join(dir, file), { force: true });
    }
  };
  const timer = setInterval(() => {
    try {
      snapshot();
    } catch (err) {
      options.logger.error('sqs: could not write the queue snapshot', err);
    }
  }, options.snapshotIntervalMs ?? 2000);
  timer.unref();

  let stopped = false;
  return {
    port,
    endpoint,
    queueUrlBase,
    restoredMessages,
    snapshot,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      snapshot();
      await app.close();
    },
  };
}

function restore(store: SqsStore, dir: string, queueUrlBase: string, logger: Logger): number {
  let count = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    let saved: QueueSnapshot | undefined;
    try {
      saved = readJson<QueueSnapshot>(join(dir, file));
    } catch (err) {
      logger.error(`sqs: ignoring unreadable snapshot ${file}`, err);
      continue;
    }
    if (!saved) continue;
    // The URL is rebuilt with the current port: a restart may listen elsewhere (tests use port 0).
    const queue = store.getQueueByName(saved.name) ?? store.createQueue(saved.name, `${queueUrlBase}/${saved.name}`, saved.arn, saved.attributes);
    for (const message of [...saved.ready, ...saved.delayed]) queue.enqueue(message);
    for (const entry of saved.inflight) {
      if (queue.isFifo()) {
        // A FIFO group lock cannot be rebuilt from outside; the message becomes visible again instead.
        queue.enqueue(entry.message);
      } else {
        // Same receipt handle and deadline: a consumer that received it before the restart can still delete it.
        queue.inflightMessages.set(entry.receiptHandle, entry);
      }
    }
    count += saved.ready.length + saved.delayed.length + saved.inflight.length;
  }
  return count;
}
