import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { AppError } from '../domain/errors.js';
import { formatDossierCode, MAX_DAILY_SEQUENCE } from '../domain/codes.js';
import type { Dossier, DossierEvent } from '../domain/dossier.js';
import { isOpen, type WorkflowDossier } from '../domain/workflow.js';
import type { StatusCode } from '../domain/status.js';
import type { DocumentRecord } from '../domain/documents.js';
import type { Payment } from '../domain/payments.js';

/** Item keys of the single table (see `table` in the declaration). */
export const keys = {
  dossier: (code: string) => ({ pk: `DOSSIER#${code}`, sk: 'DOSSIER' }),
  event: (code: string, version: number) => ({ pk: `DOSSIER#${code}`, sk: `EVENT#${String(version).padStart(6, '0')}` }),
  sequence: (agencyId: string, day: string) => ({ pk: `SEQUENCE#${agencyId}#${day}`, sk: 'SEQUENCE' }),
  idempotency: (subject: string, key: string) => ({ pk: `IDEMPOTENCY#${subject}#${key}`, sk: 'IDEMPOTENCY' }),
  trackingFailures: (code: string) => ({ pk: `TRACKING#${code}`, sk: 'FAILURES' }),
} as const;

/** Index partitions, written by `indexKeys` and read by every query on the indexes. */
export const partitions = {
  agencyStatus: (agencyId: string, status: StatusCode) => `AGENCY#${agencyId}#${status}`,
  agencyState: (agencyId: string, open: boolean) => `AGENCY#${agencyId}#${open ? 'OPEN' : 'CLOSED'}`,
  applicant: (subject: string) => `APPLICANT#${subject}`,
} as const;

/** Index keys follow the dossier: recomputed on every write, so a status change moves it between inboxes. */
export function indexKeys(d: WorkflowDossier) {
  const order = `${d.dueAt ?? d.submittedAt}#${d.code}`;
  return {
    gsi1pk: partitions.agencyStatus(d.agencyId, d.status),
    gsi1sk: order,
    gsi2pk: partitions.applicant(d.applicantSubject),
    gsi2sk: `${d.submittedAt}#${d.code}`,
    gsi3pk: partitions.agencyState(d.agencyId, isOpen(d.status)),
    gsi3sk: order,
  };
}

const dossierItem = (d: WorkflowDossier) => ({ ...keys.dossier(d.code), entity: 'dossier', ...d, ...indexKeys(d) });

/** A draft is in its applicant's list but in no agency inbox: the agency has not received it. */
function draftItem(d: WorkflowDossier) {
  const { gsi2pk, gsi2sk } = indexKeys(d);
  return { ...keys.dossier(d.code), entity: 'dossier', ...d, gsi2pk, gsi2sk };
}

export type InboxFilter = { readonly status: StatusCode } | { readonly state: 'open' | 'closed' };

export interface InboxPage {
  readonly items: WorkflowDossier[];
  readonly nextCursor?: string;
}

/** How long an Idempotency-Key is remembered; a retry after that creates a new dossier. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

export interface IdempotencyClaim {
  readonly subject: string;
  readonly key: string;
  /** hash of the request, so the same key with a different body is refused instead of replayed */
  readonly requestHash: string;
  /** what a replay must answer that the dossier cannot (the tracking PIN exists only as a hash there) */
  readonly replayData?: Readonly<Record<string, string>>;
}

export interface CreateOutcome {
  readonly dossier: Dossier;
  readonly replayed: boolean;
  /** the history as stored: the first event of a fresh dossier, or what a replay read back */
  readonly history: readonly DossierEvent[];
  readonly replayData?: Readonly<Record<string, string>>;
}

export interface CreateDossierInput {
  readonly agencyId: string;
  readonly agencyCode: string;
  /** yyMMdd, local day of submission */
  readonly day: string;
  readonly at: Date;
  readonly idempotency?: IdempotencyClaim;
  /** builds the dossier and its first event once the code is known; a draft has no event yet (nothing is published) */
  readonly build: (code: string) => { dossier: Dossier; event: DossierEvent | undefined };
}

const MAX_ATTEMPTS = 80;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class DossierRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Allocates the next code of the agency's day and stores the dossier, its first event and the
   * idempotency record in one transaction guarded by the counter's current value. A code is therefore
   * used only if the dossier is stored (never skipped) and by one dossier only (never reused); losers of
   * a race re-read the counter and try the next number.
   */
  async create(input: CreateDossierInput): Promise<CreateOutcome> {
    const seqKey = keys.sequence(input.agencyId, input.day);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await this.db.send(new GetCommand({ TableName: this.tableName, Key: seqKey, ConsistentRead: true }));
      const last = typeof current.Item?.value === 'number' ? current.Item.value : 0;
      const next = last + 1;
      if (next > MAX_DAILY_SEQUENCE) {
        throw new AppError(503, 'sequence_exhausted', `agency ${input.agencyId} has used all ${MAX_DAILY_SEQUENCE} codes of ${input.day}`, 'Hệ thống đã hết số hồ sơ trong ngày, vui lòng thử lại vào ngày mai.');
      }
      const code = formatDossierCode(input.agencyCode, input.day, next);
      const { dossier, event } = input.build(code);
      const idem = input.idempotency;
      try {
        await this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.tableName,
                  Key: seqKey,
                  UpdateExpression: 'SET #v = :next, updatedAt = :at',
                  ConditionExpression: last === 0 ? 'attribute_not_exists(#v)' : '#v = :last',
                  ExpressionAttributeNames: { '#v': 'value' },
                  ExpressionAttributeValues: { ':next': next, ':at': input.at.toISOString(), ...(last === 0 ? {} : { ':last': last }) },
                },
              },
              {
                Put: {
                  TableName: this.tableName,
                  Item: dossier.draft ? draftItem(dossier) : dossierItem(dossier),
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              ...(event
                ? [
                    {
                      Put: {
                        TableName: this.tableName,
                        Item: { ...keys.event(code, event.version), entity: 'event', ...event, dossier },
                        ConditionExpression: 'attribute_not_exists(pk)',
                      },
                    },
                  ]
                : []),
              ...(idem
                ? [
                    {
                      Put: {
                        TableName: this.tableName,
                        Item: {
                          ...keys.idempotency(idem.subject, idem.key),
                          entity: 'idempotency',
                          requestHash: idem.requestHash,
                          dossierCode: code,
                          ...(idem.replayData ? { replayData: idem.replayData } : {}),
                          createdAt: input.at.toISOString(),
                          expiresAt: Math.floor(input.at.getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS,
                        },
                        ConditionExpression: 'attribute_not_exists(pk)',
                      },
                    },
                  ]
                : []),
            ],
          }),
        );
        return { dossier, replayed: false, history: event ? [event] : [] };
      } catch (err) {
        if (!(err instanceof TransactionCanceledException)) throw err;
        const reasons = err.CancellationReasons ?? [];
        if (idem && reasons[event ? 3 : 2]?.Code === 'ConditionalCheckFailed') return this.replay(idem);
        const retryable = reasons.some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict');
        if (!retryable) throw err;
        // Jittered backoff keeps 20+ concurrent submissions for one agency from colliding in lockstep.
        await sleep(Math.random() * Math.min(50, 5 * (attempt + 1)));
      }
    }
    throw new AppError(503, 'busy', 'too many concurrent submissions for this agency, please retry', 'Hệ thống đang bận, vui lòng thử lại.');
  }

  private async replay(idem: IdempotencyClaim): Promise<CreateOutcome> {
    const record = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.idempotency(idem.subject, idem.key), ConsistentRead: true }));
    const item = record.Item;
    if (!item) throw new AppError(409, 'conflict', 'the request conflicted with another one, please retry', 'Vui lòng thử lại.');
    if (item.requestHash !== idem.requestHash) {
      throw new AppError(
        422,
        'idempotency_key_reused',
        'Idempotency-Key was already used for a different request',
        'Mã Idempotency-Key đã được dùng cho một yêu cầu khác.',
        [{ field: 'Idempotency-Key', message: 'already used with a different body' }],
      );
    }
    const found = await this.get(String(item.dossierCode));
    if (!found) throw new Error(`idempotency record points to missing dossier ${String(item.dossierCode)}`);
    return { dossier: found.dossier, replayed: true, history: found.history, ...(item.replayData ? { replayData: item.replayData as Record<string, string> } : {}) };
  }

  /**
   * Stores a workflow step: the dossier (state, version, index keys) and its event together, only if
   * nobody changed the dossier since `expectedVersion` was read. The loser of a race gets 409 with the
   * state that won.
   */
  async saveTransition(expectedVersion: number, dossier: WorkflowDossier, event: DossierEvent): Promise<void> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: dossierItem(dossier),
                ConditionExpression: 'version = :expected',
                ExpressionAttributeValues: { ':expected': expectedVersion },
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: { ...keys.event(dossier.code, event.version), entity: 'event', ...event, dossier },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
    } catch (err) {
      if (!(err instanceof TransactionCanceledException)) throw err;
      const current = await this.get(dossier.code);
      throw staleVersion(dossier.code, current?.dossier);
    }
  }

  /** One page of an agency's dossiers from an index, soonest appointment first. */
  inbox(agencyId: string, filter: InboxFilter, limit: number, cursor?: string): Promise<InboxPage> {
    if ('status' in filter) return this.page('gsi1', partitions.agencyStatus(agencyId, filter.status), { limit, cursor, newestFirst: false });
    return this.page('gsi3', partitions.agencyState(agencyId, filter.state === 'open'), { limit, cursor, newestFirst: false });
  }

  /** The applicant's own dossiers, newest first, from their index. */
  listByApplicant(subject: string, limit: number, cursor?: string): Promise<InboxPage> {
    return this.page('gsi2', partitions.applicant(subject), { limit, cursor, newestFirst: true });
  }

  /** One page of one index partition; the cursor must come from the same partition. */
  private async page(index: 'gsi1' | 'gsi2' | 'gsi3', partition: string, options: { limit: number; cursor?: string | undefined; newestFirst: boolean }): Promise<InboxPage> {
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': `${index}pk` },
        ExpressionAttributeValues: { ':pk': partition },
        ScanIndexForward: !options.newestFirst,
        Limit: options.limit,
        ExclusiveStartKey: options.cursor ? decodeCursor(options.cursor, index, partition) : undefined,
      }),
    );
    return {
      items: (page.Items ?? []).map((i) => toDossier(i)),
      ...(page.LastEvaluatedKey ? { nextCursor: encodeCursor(index, page.LastEvaluatedKey) } : {}),
    };
  }

  /** Wrong tracking PINs of a dossier in the current window (see domain/tracking.ts). */
  async trackingFailures(code: string): Promise<{ failures: number; windowStart: string } | undefined> {
    const answer = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.trackingFailures(code), ConsistentRead: true }));
    if (!answer.Item) return undefined;
    return { failures: Number(answer.Item.failures), windowStart: String(answer.Item.windowStart) };
  }

  /** Counts one wrong PIN atomically; a new window starts the count again. Expires by itself. */
  async recordTrackingFailure(code: string, now: Date, newWindow: boolean, ttlSeconds: number): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.trackingFailures(code),
        UpdateExpression: newWindow ? 'SET failures = :one, windowStart = :now, expiresAt = :exp' : 'ADD failures :one SET expiresAt = :exp',
        ExpressionAttributeValues: { ':one': 1, ':exp': Math.floor(now.getTime() / 1000) + ttlSeconds, ...(newWindow ? { ':now': now.toISOString() } : {}) },
      }),
    );
  }

  /** The dossier and its history in one query (they share a partition). */
  async get(code: string): Promise<{ dossier: WorkflowDossier; history: DossierEvent[]; documents: DocumentRecord[]; payments: Payment[] } | undefined> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.dossier(code).pk },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    const dossierItem = items.find((i) => i.sk === 'DOSSIER');
    if (!dossierItem) return undefined;
    const history = items.filter((i) => typeof i.sk === 'string' && i.sk.startsWith('EVENT#')).map((i) => toEvent(i));
    // Documents share the partition, so the dossier view shows them without another read.
    // (not `strip`: a pending document's expiresAt is part of it, it tells a slot that never got its file)
    const documents = items
      .filter((i) => typeof i.sk === 'string' && i.sk.startsWith('DOC#'))
      .map((i) => Object.fromEntries(Object.entries(i).filter(([k]) => k !== 'pk' && k !== 'sk' && k !== 'entity')) as unknown as DocumentRecord);
    // payments share the partition too (functions/adapters/payment-repository.ts writes them)
    const payments = items
      .filter((i) => typeof i.sk === 'string' && i.sk.startsWith('PAYMENT#'))
      .map((i) => Object.fromEntries(Object.entries(i).filter(([k]) => !['pk', 'sk', 'entity', 'gsi1pk', 'gsi1sk'].includes(k))) as unknown as Payment);
    return { dossier: toDossier(dossierItem), history, documents, payments };
  }
}

const itemOnly = new Set(['pk', 'sk', 'entity', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'dossier', 'expiresAt']);

function strip(item: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).filter(([k]) => !itemOnly.has(k)));
}

// The table is written only through this module, so items have exactly these shapes.
export const toDossier = (item: Record<string, unknown>): WorkflowDossier => strip(item) as unknown as WorkflowDossier;

export function staleVersion(code: string, current: WorkflowDossier | undefined): AppError {
  return new AppError(409, 'version_conflict', `dossier ${code} was changed by someone else; reload it and decide again`, 'Hồ sơ vừa được người khác cập nhật, vui lòng tải lại.', {
    status: current?.status,
    version: current?.version,
  });
}

/** Cursors are opaque to clients but checked here: a cursor from another inbox is refused, not followed. */
function encodeCursor(index: string, key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ index, key })).toString('base64url');
}

function decodeCursor(cursor: string, index: string, partition: string): Record<string, unknown> {
  const invalid = new AppError(400, 'invalid_input', 'cursor: not a cursor of this list', 'Tham số phân trang không hợp lệ.', [{ field: 'cursor', message: 'not a cursor of this list' }]);
  let decoded: { index?: unknown; key?: Record<string, unknown> };
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  if (decoded.index !== index || !decoded.key || decoded.key[`${index}pk`] !== partition) throw invalid;
  return decoded.key;
}
export const toEvent = (item: Record<string, unknown>): DossierEvent => strip(item) as unknown as DossierEvent;
