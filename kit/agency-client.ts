import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { agencyMessageV1Schema, type AgencyMessageV1 } from '../functions/contracts/agency-message.js';

/**
 * The agency consumer kit: what a department's own system needs to run on its queue.
 * - `parseAgencyMessage` reads `schemaVersion` first and validates the body against its schema;
 * - `EventIdMemory` remembers handled `eventId`s, because delivery is at least once;
 * - `consumeQueue` long-polls, hands each new message to the agency's code, deletes what was handled and
 *   leaves what failed on the queue, so the redrive policy moves it to the dead-letter queue after
 *   `maxReceiveCount` receives instead of losing it;
 * - `AgencyApi` acts back on a dossier through the HTTP API with an official's token.
 */

/** The schema versions this kit understands; see "Agency message schema changes" in the README. */
export const supportedSchemaVersions = [1] as const;

export type ParsedMessage = { ok: true; message: AgencyMessageV1 } | { ok: false; reason: string };

export function parseAgencyMessage(body: string | undefined): ParsedMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(body ?? '');
  } catch {
    return { ok: false, reason: 'the body is not JSON' };
  }
  const version = (raw as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== 1) return { ok: false, reason: `schemaVersion ${JSON.stringify(version)} is not one this consumer reads (${supportedSchemaVersions.join(', ')})` };
  const parsed = agencyMessageV1Schema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: `not an AgencyMessageV1: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
  return { ok: true, message: parsed.data };
}

/** Where handled event ids are remembered. Bounded in memory by default; a real system keeps them in its own database. */
export interface EventIdStore {
  has(eventId: string): Promise<boolean> | boolean;
  add(eventId: string): Promise<void> | void;
}

export class EventIdMemory implements EventIdStore {
  private readonly seen = new Set<string>();
  constructor(private readonly capacity = 100_000) {}
  has(eventId: string): boolean {
    return this.seen.has(eventId);
  }
  add(eventId: string): void {
    this.seen.add(eventId);
    // A Set iterates in insertion order: the first is the oldest.
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.values().next().value as string);
  }
}

export type Outcome = 'handled' | 'duplicate' | 'failed' | 'unreadable';

export interface ConsumeOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  /** the agency's own processing; throwing leaves the message for a retry */
  readonly handle: (message: AgencyMessageV1) => Promise<void>;
  readonly seen?: EventIdStore;
  /** long poll, 1–20 s (default 20) */
  readonly waitTimeSeconds?: number;
  /**
   * After a failure, make the message visible again after this many seconds instead of the queue's
   * visibility timeout (60 s): a quicker retry, still counted towards the redrive policy.
   */
  readonly retryAfterSeconds?: number;
  /** stop after this many receives that returned nothing (default: never) */
  readonly stopWhenIdle?: number;
  readonly signal?: AbortSignal;
  readonly onOutcome?: (outcome: Outcome, message: Message, detail: AgencyMessageV1 | string) => void;
}

export interface ConsumeSummary {
  readonly handled: number;
  readonly duplicates: number;
  readonly failed: number;
  readonly unreadable: number;
}

export async function consumeQueue(options: ConsumeOptions): Promise<ConsumeSummary> {
  const seen = options.seen ?? new EventIdMemory();
  const counts = { handled: 0, duplicates: 0, failed: 0, unreadable: 0 };
  let idle = 0;
  const leave = async (m: Message) => {
    if (options.retryAfterSeconds === undefined || !m.ReceiptHandle) return;
    await options.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: options.queueUrl, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: options.retryAfterSeconds }));
  };
  const remove = (m: Message) => options.sqs.send(new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: m.ReceiptHandle! }));
  while (!options.signal?.aborted) {
    const answer = await options.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: options.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: options.waitTimeSeconds ?? 20, MessageAttributeNames: ['All'] }),
      { abortSignal: options.signal },
    );
    const messages = answer.Messages ?? [];
    if (messages.length === 0) {
      idle += 1;
      if (options.stopWhenIdle !== undefined && idle >= options.stopWhenIdle) break;
      continue;
    }
    idle = 0;
    for (const m of messages) {
      const parsed = parseAgencyMessage(m.Body);
      if (!parsed.ok) {
        // A message this consumer cannot read is not deleted: after the redrive policy it waits in the
        // dead-letter queue for a consumer that can (a newer schema version, a fixed bug).
        counts.unreadable += 1;
        options.onOutcome?.('unreadable', m, parsed.reason);
        await leave(m);
        continue;
      }
      const message = parsed.message;
      if (await seen.has(message.eventId)) {
        counts.duplicates += 1;
        options.onOutcome?.('duplicate', m, message);
        await remove(m);
        continue;
      }
      try {
        await options.handle(message);
      } catch (err) {
        counts.failed += 1;
        options.onOutcome?.('failed', m, err instanceof Error ? err.message : String(err));
        await leave(m);
        continue;
      }
      await seen.add(message.eventId);
      await remove(m);
      counts.handled += 1;
      options.onOutcome?.('handled', m, message);
    }
  }
  return counts;
}

export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** The motcua HTTP API as an official sees it; `token` is an official's JWT (custom:agencyId = this agency). */
export class AgencyApi {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  private async call(path: string, init: { method?: string; body?: unknown } = {}): Promise<ApiAnswer> {
    const res = await fetch(`${this.baseUrl.replace(/\/$/, '')}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: { authorization: `Bearer ${this.token}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body };
  }

  dossier(code: string): Promise<ApiAnswer> {
    return this.call(`/dossiers/${encodeURIComponent(code)}`);
  }

  /** One workflow step, e.g. `{action: 'receive'}`; `expectedVersion` (the message's dossier.version) refuses a stale step with 409. */
  act(code: string, command: { action: string; expectedVersion?: number } & Record<string, unknown>): Promise<ApiAnswer> {
    return this.call(`/dossiers/${encodeURIComponent(code)}/actions`, { body: command });
  }
}
