import { createHash, randomUUID } from 'node:crypto';
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { AppError } from '../domain/errors.js';
import { formatDossierCode } from '../domain/codes.js';
import type { Dossier, DossierEvent } from '../domain/dossier.js';
import { isOpen, type WorkflowDossier } from '../domain/workflow.js';
import type { StatusCode } from '../domain/status.js';
import type { DocumentRecord } from '../domain/documents.js';
import { openCursor, sealCursor } from './cursor.js';
import { DaySequence, sequenceKey } from './day-sequence.js';
import { FadingMax } from './fading-max.js';
import type { Payment } from '../domain/payments.js';
import { trackingAttributes } from '../declaration.js';

/** Item keys of the single table (see `table` in the declaration). */
export const keys = {
  dossier: (code: string) => ({ pk: `DOSSIER#${code}`, sk: 'DOSSIER' }),
  event: (code: string, version: number) => ({ pk: `DOSSIER#${code}`, sk: `EVENT#${String(version).padStart(6, '0')}` }),
  /** a sweeper mark on `version`: sorts after that version's step and before the next one */
  markEvent: (code: string, version: number, mark: string) => ({ pk: `DOSSIER#${code}`, sk: `EVENT#${String(version).padStart(6, '0')}#MARK#${mark}` }),
  sequence: sequenceKey,
  idempotency: (subject: string, key: string) => ({ pk: `IDEMPOTENCY#${subject}#${key}`, sk: 'IDEMPOTENCY' }),
  trackingFailures: (code: string) => ({ pk: `TRACKING#${code}`, sk: 'FAILURES' }),
  /** the ids of a citizen's open drafts (a string set), bounded by MAX_OPEN_DRAFTS */
  openDrafts: (subject: string) => ({ pk: `DRAFTS#${subject}`, sk: 'DRAFTS' }),
} as const;

/** Index partitions, written by `indexKeys` and read by every query on the indexes. */
export const partitions = {
  agencyStatus: (agencyId: string, status: StatusCode) => `AGENCY#${agencyId}#${status}`,
  agencyState: (agencyId: string, open: boolean) => `AGENCY#${agencyId}#${open ? 'OPEN' : 'CLOSED'}`,
  applicant: (subject: string) => `APPLICANT#${subject}`,
} as const;

/**
 * Index keys follow the dossier: recomputed on every write, so a status change moves it between inboxes.
 * Open dossiers sort by the legal appointment, which an apology does not move: the sweeper reads them by it.
 */
export function indexKeys(d: WorkflowDossier) {
  const order = `${d.legalDueAt ?? d.dueAt ?? d.submittedAt}#${d.code}`;
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

/** A page asked for by `viewer` (`<role>:<subject>`), to whom its cursors are bound. */
export interface PageRequest {
  readonly limit: number;
  readonly cursor?: string | undefined;
  readonly viewer: string;
}

export interface InboxPage {
  /** as the index projects them: `inboxAttributes` (gsi1, gsi3) or `applicantListAttributes` (gsi2) of declaration.ts, not whole dossiers */
  readonly items: WorkflowDossier[];
  readonly nextCursor?: string;
}

/** How long an Idempotency-Key is remembered; a retry after that creates a new dossier. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

const idempotencyItem = (idem: IdempotencyClaim, dossierCode: string, at: Date) => ({
  ...keys.idempotency(idem.subject, idem.key),
  entity: 'idempotency',
  requestHash: idem.requestHash,
  dossierCode,
  createdAt: at.toISOString(),
  expiresAt: Math.floor(at.getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS,
});

export interface IdempotencyClaim {
  readonly subject: string;
  readonly key: string;
  /** hash of the request, so the same key with a different body is refused instead of replayed */
  readonly requestHash: string;
}

export interface CreateOutcome {
  readonly dossier: Dossier;
  readonly replayed: boolean;
  /** the history as stored: the first event of a fresh dossier, or what a replay read back */
  readonly history: readonly DossierEvent[];
}

export interface SubmitInput {
  readonly agencyId: string;
  readonly agencyCode: string;
  /** yyMMdd, local day of submission */
  readonly day: string;
  readonly at: Date;
  readonly idempotency?: IdempotencyClaim;
  /** epoch ms by which the request must have answered (the function's timeout) */
  readonly deadline?: number;
  /** builds the dossier and its first event once the code is known */
  readonly build: (code: string) => Promise<{ dossier: Dossier; event: DossierEvent }>;
}

export interface DraftInput {
  /** the draft, its `code` being its draft id */
  readonly draft: Dossier;
  readonly at: Date;
  readonly maxOpenDrafts: number;
  readonly idempotency?: IdempotencyClaim;
}

export interface SubmitDraftInput {
  /** the draft as read, its `code` being its draft id */
  readonly draft: WorkflowDossier;
  readonly day: string;
  readonly at: Date;
  /** epoch ms by which the request must have answered (the function's timeout) */
  readonly deadline?: number;
  readonly build: (code: string) => Promise<{ dossier: WorkflowDossier; event: DossierEvent }>;
}

/**
 * How long a claim (an Idempotency-Key, or a number in the day's sequence) belongs to the request that took it.
 * Longer than any request lives (route functions time out after 10 s in the cloud; API Gateway, and the
 * local runtime, give up after 30 s), so a claim older than this is one whose request died: a retry
 * takes it over, with the number it had reserved if it recorded one. Kept short because a client whose
 * request died in a crash waits this long (409 request_in_progress with Retry-After) before its retry
 * gets an answer.
 */
export const CLAIM_LEASE_MS = 35_000;
/** How long a request keeps retrying the write of a dossier under its allocated number before it records the number and answers 503. */
const WRITE_BUDGET_MS = 8_000;

/**
 * The slowest recent write of a dossier in this container, fading with time (FadingMax: a burst's estimate
 * must not keep refusing once the burst is over), so that a request can tell whether
 * the time it has left is enough: a write that would land after the answer was given up (the function's
 * timeout) would store a dossier whose client saw a 5xx. Under a burst the request sheds itself first:
 * 503 with Retry-After, nothing stored, the number (if one was taken) kept on the claim for the retry.
 */
const slowestWrite = new FadingMax(200, 10_000);
const observeWrite = (ms: number) => slowestWrite.observe(ms);
/** What a write needs in hand: three times the slowest recent one, and two seconds to answer. */
const neededForWrite = () => 2_000 + 3 * slowestWrite.value();
const retryAfterUnderLoad = () => Math.max(2, Math.ceil((2 * slowestWrite.value()) / 1000));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** DynamoDB errors after which the same write may simply be sent again. */
function isTransient(err: unknown): boolean {
  const name = (err as { name?: string } | undefined)?.name ?? '';
  if (err instanceof TransactionCanceledException) return (err.CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict' || r.Code === 'ThrottlingError' || r.Code === 'ProvisionedThroughputExceeded');
  return ['TransactionConflictException', 'ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'InternalServerError', 'ServiceUnavailable', 'TransactionInProgressException', 'TimeoutError', 'ECONNRESET'].includes(name);
}

/** Refuses before anything is written when the time left could not cover claim, number and write. */
function shedIfLate(answerBy: number | undefined, writes: number): void {
  if (answerBy !== undefined && answerBy - Date.now() < writes * neededForWrite()) throw busy(retryAfterUnderLoad(), 'too many submissions at this moment');
}

const busy = (retryAfterSeconds: number, what: string) =>
  new AppError(503, 'busy', `${what}; nothing was stored, retry after ${retryAfterSeconds} s`, 'Hệ thống đang bận, vui lòng thử lại sau giây lát.', { retryAfterSeconds });

const inProgress = () =>
  new AppError(409, 'request_in_progress', 'the same request is still being processed; retry in a moment to get its answer', 'Yêu cầu đang được xử lý, vui lòng thử lại sau giây lát.', { retryAfterSeconds: 2 });

export const tooManyDrafts = (max: number) =>
  new AppError(429, 'too_many_drafts', `you already have ${max} open drafts; submit one first`, `Bạn đã có ${max} hồ sơ nháp chưa nộp, vui lòng nộp hồ sơ nháp trước khi tạo mới.`, { maxOpenDrafts: max });

export class DossierRepository {
  private readonly sequence: DaySequence;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.sequence = new DaySequence(db, tableName, CLAIM_LEASE_MS);
  }

  /**
   * The number of `holder` in an agency's day (see day-sequence.ts): recorded with its holder in the
   * one atomic update that takes it, so that a retry of the same holder gets it back and a number whose
   * holder died before writing its dossier goes to the next submission instead of leaving a gap.
   */
  private allocate(agencyId: string, agencyCode: string, day: string, holder: string, at: Date): Promise<number> {
    return this.sequence.take(agencyId, day, holder, at, async (n) => {
      const found = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.dossier(formatDossierCode(agencyCode, day, n)), ConsistentRead: true, ProjectionExpression: 'pk' }));
      return found.Item !== undefined;
    });
  }

  /**
   * One-step submission: claims the Idempotency-Key (if any) before a number is allocated, so that
   * duplicates never consume one; allocates; writes dossier, first event and the key's answer in one
   * transaction, retried with the same number.
   */
  async submit(input: SubmitInput): Promise<CreateOutcome> {
    const idem = input.idempotency;
    shedIfLate(input.deadline, 2);
    let claim: { owner: string } | undefined;
    if (idem) {
      const taken = await this.claimIdempotency(idem, input.at);
      if ('replay' in taken) return taken.replay;
      claim = taken;
    }
    // the key is the holder of the number: a retry with it (after a crash, or a 503) gets the same one
    const holder = idem ? `key:${idem.subject}#${idem.key}` : `once:${randomUUID()}`;
    const number = await this.allocate(input.agencyId, input.agencyCode, input.day, holder, input.at);
    const code = formatDossierCode(input.agencyCode, input.day, number);
    const { dossier, event } = await input.build(code);
    const items = [
      { Put: { TableName: this.tableName, Item: dossierItem(dossier), ConditionExpression: 'attribute_not_exists(pk)' } },
      { Put: { TableName: this.tableName, Item: { ...keys.event(code, event.version), entity: 'event', ...event, dossier }, ConditionExpression: 'attribute_not_exists(pk)' } },
      ...(idem && claim
        ? [
            {
              Update: {
                TableName: this.tableName,
                Key: keys.idempotency(idem.subject, idem.key),
                UpdateExpression: 'SET dossierCode = :code REMOVE #owner, claimedAt',
                ConditionExpression: '#owner = :owner',
                ExpressionAttributeNames: { '#owner': 'owner' },
                ExpressionAttributeValues: { ':code': code, ':owner': claim.owner },
              },
            },
          ]
        : []),
    ];
    const reserve = idem && claim ? { key: keys.idempotency(idem.subject, idem.key), owner: claim.owner } : undefined;
    await this.writeAllocated(code, items, reserve, input.deadline, (index) => {
      // the key's claim was taken over (only after CLAIM_LEASE_MS, longer than this request may live), or
      // an earlier attempt of this key wrote the dossier after all: the retry replays it
      if (index === 2 || (index === 0 && idem)) return inProgress();
      return undefined;
    });
    this.sequence.release(input.agencyId, input.day, holder, number);
    return { dossier, replayed: false, history: [event] };
  }

  /**
   * Stores a draft under its own id: no code is allocated (the agency's sequence is for submitted
   * dossiers only), and the citizen's set of open drafts takes it only below the limit, in the same
   * transaction, so concurrent requests cannot exceed it.
   */
  async createDraft(input: DraftInput): Promise<CreateOutcome> {
    const { draft, idempotency: idem } = input;
    const send = () =>
      this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.tableName, Item: draftItem(draft), ConditionExpression: 'attribute_not_exists(pk)' } },
            {
              Update: {
                TableName: this.tableName,
                Key: keys.openDrafts(draft.applicantSubject),
                UpdateExpression: 'ADD drafts :id',
                ConditionExpression: 'attribute_not_exists(drafts) OR size(drafts) < :max',
                ExpressionAttributeValues: { ':id': new Set([draft.code]), ':max': input.maxOpenDrafts },
              },
            },
            ...(idem
              ? [
                  {
                    Put: {
                      TableName: this.tableName,
                      Item: idempotencyItem(idem, draft.code, input.at),
                      ConditionExpression: 'attribute_not_exists(pk)',
                    },
                  },
                ]
              : []),
          ],
        }),
      );
    let pruned = false;
    const deadline = Date.now() + WRITE_BUDGET_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        await send();
        return { dossier: draft, replayed: false, history: [] };
      } catch (err) {
        const reasons = err instanceof TransactionCanceledException ? (err.CancellationReasons ?? []) : [];
        if (idem && reasons[2]?.Code === 'ConditionalCheckFailed') return this.replay(idem);
        if (reasons[1]?.Code === 'ConditionalCheckFailed') {
          // entries of drafts since submitted (their removal is best effort) free their place here
          if (!pruned && (await this.pruneOpenDrafts(draft.applicantSubject))) {
            pruned = true;
            continue;
          }
          throw tooManyDrafts(input.maxOpenDrafts);
        }
        if (!isTransient(err) || Date.now() > deadline) throw isTransient(err) ? busy(2, 'too many concurrent requests') : err;
        await sleep(Math.random() * Math.min(200, 10 * 2 ** attempt));
      }
    }
  }

  /**
   * Submits a draft: allocates the code with the draft as the number's holder, and in one transaction
   * writes the dossier under its code with its `dossier.submitted` event and turns the draft item into a
   * pointer to that code, so the draft id keeps answering. The draft needs no claim of its own: two
   * submits of it at once hold the same number (the holder is the draft), so only one transaction can
   * write it, and the other finds the pointer and answers the same dossier; a submit cut off by a crash
   * is retried with the same number. A repeated submit finds the pointer and gets the same dossier.
   */
  async submitDraft(input: SubmitDraftInput): Promise<{ dossier: WorkflowDossier; event?: DossierEvent; replayed: boolean }> {
    const draftId = input.draft.code;
    shedIfLate(input.deadline, 2);
    // the draft is the holder of the number: submitting it again (after a crash, or a 503) gets the same one
    const holder = `draft:${draftId}`;
    const number = await this.allocate(input.draft.agencyId, input.draft.agencyCode, input.day, holder, input.at);
    const code = formatDossierCode(input.draft.agencyCode, input.day, number);
    const { dossier, event } = await input.build(code);
    const stored: WorkflowDossier = { ...dossier, code, draftId };
    const items = [
      { Put: { TableName: this.tableName, Item: dossierItem(stored), ConditionExpression: 'attribute_not_exists(pk)' } },
      { Put: { TableName: this.tableName, Item: { ...keys.event(code, event.version), entity: 'event', ...event, dossier: stored }, ConditionExpression: 'attribute_not_exists(pk)' } },
      {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.dossier(draftId), entity: 'submitted-draft', submittedCode: code, applicantSubject: stored.applicantSubject },
          // still the draft that was read: not submitted meanwhile, not changed
          ConditionExpression: 'draft = :true AND #v = :v',
          ExpressionAttributeNames: { '#v': 'version' },
          ExpressionAttributeValues: { ':true': true, ':v': input.draft.version },
        },
      },
    ];
    try {
      await this.writeAllocated(code, items, undefined, input.deadline, (index) => (index === 2 || index === 0 ? inProgress() : undefined));
    } catch (err) {
      // another submit of the same draft won: its dossier is the answer (a number this one took after
      // the winner had let go of the draft's stays held by the draft, and goes to the next submission)
      if (!(err instanceof AppError) || err.code !== 'request_in_progress') throw err;
      const now = await this.get(draftId);
      if (now && !now.dossier.draft) return { dossier: now.dossier, replayed: true };
      throw err;
    }
    this.sequence.release(input.draft.agencyId, input.day, holder, number);
    // The citizen's open-draft entry is not removed here (one write less per submission, and no contention
    // on that item among a citizen's submissions): entries of submitted drafts are pruned at the limit.
    return { dossier: stored, event, replayed: false };
  }

  /**
   * Writes a dossier under a number already allocated. Transient failures are retried with the same
   * number (and the same ClientRequestToken, so a retry of a write that did land is a no-op). Past the
   * budget, the claim is let go at once (its number stays held by the same key or draft in the day's
   * sequence) so that the client's retry (same Idempotency-Key, or the same draft) uses it, and the answer is 503 with Retry-After: the dossier is
   * not stored and its number is not lost.
   */
  private async writeAllocated(
    code: string,
    items: NonNullable<TransactWriteCommandInput['TransactItems']>,
    reserve: { key: Record<string, string>; owner: string } | undefined,
    answerBy: number | undefined,
    refusal: (index: number) => AppError | undefined,
  ): Promise<void> {
    const token = createHash('sha256').update(`${code}\u0000${reserve?.owner ?? randomUUID()}`).digest('base64url').slice(0, 36);
    const budgetEnd = Date.now() + WRITE_BUDGET_MS;
    const giveUp = async (): Promise<never> => {
      if (reserve) {
        await this.db
          .send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: reserve.key,
              UpdateExpression: 'SET claimedAt = :free',
              ConditionExpression: '#owner = :owner',
              ExpressionAttributeNames: { '#owner': 'owner' },
              ExpressionAttributeValues: { ':free': 0, ':owner': reserve.owner },
            }),
          )
          .catch(() => undefined);
      }
      throw busy(retryAfterUnderLoad(), 'the dossier could not be stored in time');
    };
    for (let attempt = 0; ; attempt++) {
      if (answerBy !== undefined && answerBy - Date.now() < neededForWrite()) return giveUp();
      const started = Date.now();
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: items, ClientRequestToken: token }));
        observeWrite(Date.now() - started);
        return;
      } catch (err) {
        observeWrite(Date.now() - started);
        if (err instanceof TransactionCanceledException && !isTransient(err)) {
          const reasons = err.CancellationReasons ?? [];
          const failed = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
          const refused = failed >= 0 ? refusal(failed) : undefined;
          if (refused) throw refused;
          throw err;
        }
        if (!isTransient(err) && !(err instanceof Error && /socket|network|timeout/i.test(err.message))) throw err;
        if (Date.now() > budgetEnd) return giveUp();
        await sleep(Math.random() * Math.min(500, 20 * 2 ** attempt));
      }
    }
  }

  /**
   * Takes an Idempotency-Key for this request before anything else is written: a duplicate replays the
   * first answer, waits (409 request_in_progress) while the first is still running, or takes over a claim
   * whose request died (the key still holds the number that request took, see day-sequence.ts).
   */
  private async claimIdempotency(idem: IdempotencyClaim, at: Date): Promise<{ owner: string } | { replay: CreateOutcome }> {
    const owner = randomUUID();
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.idempotency(idem.subject, idem.key),
          UpdateExpression: 'SET entity = :e, requestHash = :h, #owner = :owner, claimedAt = :now, createdAt = if_not_exists(createdAt, :iso), expiresAt = if_not_exists(expiresAt, :exp)',
          ConditionExpression: 'attribute_not_exists(pk) OR (attribute_not_exists(dossierCode) AND requestHash = :h AND claimedAt < :stale)',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: {
            ':e': 'idempotency',
            ':h': idem.requestHash,
            ':owner': owner,
            ':now': at.getTime(),
            ':stale': at.getTime() - CLAIM_LEASE_MS,
            ':iso': at.toISOString(),
            ':exp': Math.floor(at.getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS,
          },
        }),
      );
      return { owner };
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      return { replay: await this.replay(idem) };
    }
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
    if (typeof item.dossierCode !== 'string') throw inProgress();
    const found = await this.get(item.dossierCode);
    if (!found) throw new Error(`idempotency record points to missing dossier ${item.dossierCode}`);
    return { dossier: found.dossier, replayed: true, history: found.history };
  }

  /** Drops from a citizen's open drafts those no longer open (submitted, or gone); true if any place was freed. */
  private async pruneOpenDrafts(subject: string): Promise<boolean> {
    const answer = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.openDrafts(subject), ConsistentRead: true }));
    const ids = [...((answer.Item?.drafts as Set<string> | undefined) ?? [])];
    const closed: string[] = [];
    for (const id of ids) {
      const item = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.dossier(id), ConsistentRead: true, ProjectionExpression: 'draft' }));
      if (item.Item?.draft !== true) closed.push(id);
    }
    if (closed.length === 0) return false;
    await this.db.send(new UpdateCommand({ TableName: this.tableName, Key: keys.openDrafts(subject), UpdateExpression: 'DELETE drafts :ids', ExpressionAttributeValues: { ':ids': new Set(closed) } }));
    return true;
  }

  /**
   * Stores a workflow step: the dossier (state, version, index keys) and its event together, only if
   * nobody changed the dossier since `expectedVersion` was read. The loser of a race gets 409 with the
   * state that won.
   */
  async saveTransition(expectedVersion: number, dossier: WorkflowDossier, event: DossierEvent): Promise<void> {
    await this.writeUnlessStale(dossier.code, [
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
    ]);
  }

  /**
   * Stores a sweeper mark (`overdueAt` or `reminderSentAt`) and its history event without changing the
   * version: only if the dossier is still at the version and status that were judged and not yet marked.
   * Officials keep acting on the version they read. Made twice, the second write changes nothing and
   * gets 409 like any stale write, so the caller counts it as skipped.
   */
  async saveMark(judged: WorkflowDossier, mark: 'overdueAt' | 'reminderSentAt', event: DossierEvent, marked: WorkflowDossier): Promise<void> {
    const at = marked[mark];
    if (typeof at !== 'string') throw new Error(`saveMark: ${mark} is not set on ${judged.code}`);
    await this.writeUnlessStale(judged.code, [
      {
        Update: {
          TableName: this.tableName,
          Key: keys.dossier(judged.code),
          UpdateExpression: 'SET #mark = :at',
          ConditionExpression: 'version = :version AND #status = :status AND attribute_not_exists(#mark)',
          ExpressionAttributeNames: { '#mark': mark, '#status': 'status' },
          ExpressionAttributeValues: { ':at': at, ':version': judged.version, ':status': judged.status },
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.markEvent(judged.code, judged.version, mark), entity: 'event', ...event, dossier: marked },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ]);
  }

  /** Writes a dossier and its event together; a refused condition is a 409 carrying the state that won. */
  private async writeUnlessStale(code: string, items: NonNullable<TransactWriteCommandInput['TransactItems']>): Promise<void> {
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (err) {
      if (!(err instanceof TransactionCanceledException)) throw err;
      const current = await this.get(code);
      throw staleVersion(code, current?.dossier);
    }
  }

  /** One page of an agency's dossiers from an index, soonest appointment first. */
  inbox(agencyId: string, filter: InboxFilter, request: PageRequest): Promise<InboxPage> {
    if ('status' in filter) return this.page('gsi1', partitions.agencyStatus(agencyId, filter.status), request, false);
    return this.page('gsi3', partitions.agencyState(agencyId, filter.state === 'open'), request, false);
  }

  /** The applicant's own dossiers, newest first, from their index. */
  listByApplicant(subject: string, request: PageRequest): Promise<InboxPage> {
    return this.page('gsi2', partitions.applicant(subject), request, true);
  }

  /**
   * One page of one index partition. The cursor is opened (authenticated, bound to the viewer, the index
   * and the partition) before anything is queried, so only a key this list produced can be a start key.
   */
  private async page(index: 'gsi1' | 'gsi2' | 'gsi3', partition: string, request: PageRequest, newestFirst: boolean): Promise<InboxPage> {
    const binding = { caller: request.viewer, index, partition };
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': `${index}pk` },
        ExpressionAttributeValues: { ':pk': partition },
        ScanIndexForward: !newestFirst,
        Limit: request.limit,
        ExclusiveStartKey: request.cursor ? await openCursor(request.cursor, binding) : undefined,
      }),
    );
    return {
      items: (page.Items ?? []).map((i) => toDossier(i)),
      ...(page.LastEvaluatedKey ? { nextCursor: await sealCursor(page.LastEvaluatedKey, binding) } : {}),
    };
  }

  /** Wrong tracking PINs of a dossier in the current window (see domain/tracking.ts). */
  async trackingFailures(code: string): Promise<{ failures: number; windowStart: string } | undefined> {
    const answer = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.trackingFailures(code), ConsistentRead: true }));
    if (!answer.Item) return undefined;
    return { failures: Number(answer.Item.failures), windowStart: String(answer.Item.windowStart) };
  }

  /**
   * Takes one PIN attempt before the PIN is evaluated, atomically: a conditional update that counts it,
   * and refuses once `max` attempts were counted in the current window. Of any number of concurrent
   * tries, at most `max` are evaluated per window. An expired window starts again at one.
   */
  async takeTrackingAttempt(code: string, now: Date, max: number, windowMs: number): Promise<boolean> {
    const key = keys.trackingFailures(code);
    const cutoff = new Date(now.getTime() - windowMs).toISOString();
    const expiresAt = Math.floor(now.getTime() / 1000) + Math.ceil(windowMs / 1000);
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET failures = :one, windowStart = :now, expiresAt = :exp',
          // (a window starting over a minute ahead is one of a clock set back: it starts again too; a smaller
          // margin would let concurrent requests, whose clocks differ by milliseconds, restart each other's window)
          ConditionExpression: 'attribute_not_exists(windowStart) OR windowStart <= :cutoff OR windowStart > :ahead',
          ExpressionAttributeValues: { ':one': 1, ':now': now.toISOString(), ':cutoff': cutoff, ':ahead': new Date(now.getTime() + 60_000).toISOString(), ':exp': expiresAt },
        }),
      );
      return true;
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'ADD failures :one',
          ConditionExpression: 'failures < :max AND windowStart > :cutoff',
          ExpressionAttributeValues: { ':one': 1, ':max': max, ':cutoff': cutoff },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  /** Gives an attempt back: the right PIN is not a failure. */
  async returnTrackingAttempt(code: string): Promise<void> {
    await this.db
      .send(new UpdateCommand({ TableName: this.tableName, Key: keys.trackingFailures(code), UpdateExpression: 'ADD failures :minus', ConditionExpression: 'failures > :zero', ExpressionAttributeValues: { ':minus': -1, ':zero': 0 } }))
      .catch((err: unknown) => {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
      });
  }

  /**
   * The dossier and its history in one query (they share a partition). A draft id that was submitted
   * leads to its dossier; a dossier prepared as a draft also shows the documents filed under the draft.
   */
  async get(code: string): Promise<{ dossier: WorkflowDossier; history: DossierEvent[]; documents: DocumentRecord[]; payments: Payment[] } | undefined> {
    const items = await this.partition(code);
    const dossierItem = items.find((i) => i.sk === 'DOSSIER');
    if (!dossierItem) return undefined;
    if (typeof dossierItem.submittedCode === 'string') return this.get(dossierItem.submittedCode);
    const history = items.filter((i) => typeof i.sk === 'string' && i.sk.startsWith('EVENT#')).map((i) => toEvent(i));
    const draftId = typeof dossierItem.draftId === 'string' ? dossierItem.draftId : undefined;
    const filed = draftId ? await this.partition(draftId, 'DOC#') : [];
    // Documents share the partition, so the dossier view shows them without another read.
    // (not `strip`: a pending document's expiresAt is part of it, it tells a slot that never got its file)
    const documents = [...filed, ...items]
      .filter((i) => typeof i.sk === 'string' && i.sk.startsWith('DOC#'))
      .map((i) => Object.fromEntries(Object.entries(i).filter(([k]) => k !== 'pk' && k !== 'sk' && k !== 'entity')) as unknown as DocumentRecord);
    // payments share the dossier's partition too (functions/adapters/payment-repository.ts writes them);
    // a draft cannot be paid, so the draft's partition holds none
    const payments = items
      .filter((i) => typeof i.sk === 'string' && i.sk.startsWith('PAYMENT#'))
      .map((i) => Object.fromEntries(Object.entries(i).filter(([k]) => !['pk', 'sk', 'entity', 'gsi1pk', 'gsi1sk'].includes(k))) as unknown as Payment);
    return { dossier: toDossier(dossierItem), history, documents, payments };
  }

  /**
   * The dossier and its history as the public tracking page may read them: only `trackingAttributes`
   * (the function's grant allows no other). A draft, or a draft id that was submitted, is not tracked.
   */
  async getForTracking(code: string): Promise<{ dossier: WorkflowDossier; history: DossierEvent[] } | undefined> {
    const items = await this.partition(code, undefined, trackingAttributes);
    const dossierItem = items.find((i) => i.sk === 'DOSSIER');
    if (!dossierItem || typeof dossierItem.submittedCode === 'string') return undefined;
    const history = items.filter((i) => typeof i.sk === 'string' && i.sk.startsWith('EVENT#')).map((i) => toEvent(i));
    return { dossier: toDossier(dossierItem), history };
  }

  private async partition(code: string, skPrefix?: string, attributes?: readonly string[]): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: skPrefix ? 'pk = :pk AND begins_with(sk, :sk)' : 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.dossier(code).pk, ...(skPrefix ? { ':sk': skPrefix } : {}) },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
          ...(attributes ? { ProjectionExpression: attributes.map((_, i) => `#a${i}`).join(', '), ExpressionAttributeNames: Object.fromEntries(attributes.map((a, i) => [`#a${i}`, a])) } : {}),
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }
}

// owner/claimedAt/reservedCode belong to a draft's submission claim, not to the dossier
const itemOnly = new Set(['pk', 'sk', 'entity', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', 'dossier', 'expiresAt', 'owner', 'claimedAt', 'reservedCode']);

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

export const toEvent = (item: Record<string, unknown>): DossierEvent => strip(item) as unknown as DossierEvent;
