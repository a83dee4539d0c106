import { cancellationReasons, isConditionFailed, isTransactionCanceled, type DynamoTable, type TransactWriteItems } from './dynamo-table.js';
import { randomUUID } from 'node:crypto';
import { AppError, staleVersion } from '../domain/errors.js';
import { formatDossierCode } from '../domain/codes.js';
import type { DossierEvent } from '../domain/dossier.js';
import type { WorkflowDossier } from '../domain/workflow.js';
import type { DocumentRecord } from '../domain/documents.js';
import { DaySequence } from './day-sequence.js';
import type { Payment } from '../domain/payments.js';
import { trackingAttributes } from '../declaration.js';
import { eventItem } from './event-item.js';
import { CLAIM_LEASE_MS, inProgress, shedIfLate, untilWritten, WRITE_BUDGET_MS, writeAllocated } from './allocated-write.js';
import { dossierItem, draftItem, keys, SLOT_COUNT_SK, stepEventOf, steppedDossierItem, toDossier, toEvent } from './dossier-items.js';
import { logger } from '../http/logger.js';
import { recordHistoryEvent, recordStepBefore } from './history-event.js';
import { idempotencyItem, IdempotencyKeys } from './idempotency.js';
import { DossierQueries } from './dossier-queries.js';
import type { CreateOutcome, DossierLists, DossierStore, DraftInput, InboxFilter, InboxPage, PageRequest, StoredDossier, SubmitDraftInput, SubmitInput, TrackingAttemptStore } from '../app/ports.js';
import { TrackingAttempts } from './tracking-attempts.js';

/**
 * The dossiers of the single table: created (one step, or as a draft and then submitted), stepped through
 * the workflow, marked by the sweeper, and read with their history. Item shapes and keys are in
 * dossier-items.ts, the retried write under an allocated number in allocated-write.ts, Idempotency-Keys in
 * idempotency.ts, the index lists in dossier-queries.ts, the tracking PIN attempts in tracking-attempts.ts.
 */
export { CLAIM_LEASE_MS } from './allocated-write.js';
export { staleVersion } from '../domain/errors.js';
export { IDEMPOTENCY_TTL_SECONDS } from './idempotency.js';
export type { CreateOutcome, DraftInput, IdempotencyClaim, InboxFilter, InboxPage, PageRequest, SubmitDraftInput, SubmitInput } from '../app/ports.js';

export const tooManyDrafts = (max: number) =>
  new AppError('rate_limited', 'too_many_drafts', `you already have ${max} open drafts; submit one first`, `Bạn đã có ${max} hồ sơ nháp chưa nộp, vui lòng nộp hồ sơ nháp trước khi tạo mới.`, { maxOpenDrafts: max });

export class DossierRepository implements DossierStore, DossierLists, TrackingAttemptStore {
  private readonly sequence: DaySequence;
  private readonly idempotency: IdempotencyKeys;
  private readonly queries: DossierQueries;
  private readonly tracking: TrackingAttempts;

  constructor(
    private readonly db: DynamoTable,
    private readonly tableName: string,
  ) {
    this.sequence = new DaySequence(db, tableName, CLAIM_LEASE_MS);
    this.idempotency = new IdempotencyKeys(db, tableName, (code) => this.get(code));
    this.queries = new DossierQueries(db, tableName);
    this.tracking = new TrackingAttempts(db, tableName);
  }

  /**
   * The number of `holder` in an agency's day (see day-sequence.ts): recorded with its holder in the
   * one atomic update that takes it, so that a retry of the same holder gets it back and a number whose
   * holder died before writing its dossier goes to the next submission instead of leaving a gap.
   */
  private allocate(agencyId: string, agencyCode: string, day: string, holder: string, at: Date): Promise<number> {
    return this.sequence.take(agencyId, day, holder, at, async (n) => {
      const found = await this.db.get({ TableName: this.tableName, Key: keys.dossier(formatDossierCode(agencyCode, day, n)), ConsistentRead: true, ProjectionExpression: 'pk' });
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
      const taken = await this.idempotency.claim(idem, input.at);
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
      { Put: { TableName: this.tableName, Item: eventItem(keys.event(code, event.version), event, dossier), ConditionExpression: 'attribute_not_exists(pk)' } },
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
    await writeAllocated(this.db, this.tableName, code, items, reserve, input.deadline, (index) => {
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
      this.db.transactWrite({
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
        });
    let pruned = false;
    const attempt = async (): Promise<CreateOutcome> => {
      try {
        await send();
        return { dossier: draft, replayed: false, history: [] };
      } catch (err) {
        const reasons = cancellationReasons(err) ?? [];
        if (idem && reasons[2]?.Code === 'ConditionalCheckFailed') return this.idempotency.replay(idem);
        if (reasons[1]?.Code === 'ConditionalCheckFailed') {
          // entries of drafts since submitted (their removal is best effort) free their place here
          if (!pruned && (await this.pruneOpenDrafts(draft.applicantSubject))) {
            pruned = true;
            return attempt();
          }
          throw tooManyDrafts(input.maxOpenDrafts);
        }
        throw err;
      }
    };
    return untilWritten(Date.now() + WRITE_BUDGET_MS, 'too many concurrent requests', attempt);
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
      { Put: { TableName: this.tableName, Item: eventItem(keys.event(code, event.version), event, stored), ConditionExpression: 'attribute_not_exists(pk)' } },
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
      // A slot request that read the draft before this commits would still find the draft's count as it
      // read it and store its slot beside the draft's files, while one reading after is counted on the
      // dossier's partition: both could pass maxFiles. Moving the draft's count on sends the first to read
      // again, and find the dossier (see SLOT_COUNT_SK).
      {
        Update: {
          TableName: this.tableName,
          Key: keys.slotCount(draftId),
          UpdateExpression: 'SET issued = if_not_exists(issued, :zero) + :one',
          ExpressionAttributeValues: { ':zero': 0, ':one': 1 },
        },
      },
    ];
    try {
      await writeAllocated(this.db, this.tableName, code, items, undefined, input.deadline, (index) => (index === 2 || index === 0 ? inProgress() : undefined));
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

  /** Drops from a citizen's open drafts those no longer open (submitted, or gone); true if any place was freed. */
  private async pruneOpenDrafts(subject: string): Promise<boolean> {
    const answer = await this.db.get({ TableName: this.tableName, Key: keys.openDrafts(subject), ConsistentRead: true });
    const ids = [...((answer.Item?.drafts as Set<string> | undefined) ?? [])];
    const closed: string[] = [];
    for (const id of ids) {
      const item = await this.db.get({ TableName: this.tableName, Key: keys.dossier(id), ConsistentRead: true, ProjectionExpression: 'draft' });
      if (item.Item?.draft !== true) closed.push(id);
    }
    if (closed.length === 0) return false;
    await this.db.update({ TableName: this.tableName, Key: keys.openDrafts(subject), UpdateExpression: 'DELETE drafts :ids', ExpressionAttributeValues: { ':ids': new Set(closed) } });
    return true;
  }

  /**
   * Stores a workflow step. The dossier item, carrying the step's event as `lastEvent`, is the one
   * committed write: a Put conditioned on the version read, so of two officials acting at once one wins
   * and the other gets 409 with the state that won. The event's history item follows in a write of its
   * own. Not a transaction: a transaction bills every item and every index entry it moves twice, the
   * dossier (2-3 KB) included, about 17 write units a step instead of 9. Nothing is lost when the process
   * dies between the two writes: the dossier item's stream record carries the event, from which
   * RecordHistory writes the history item (and the outbox consumers then see it), `get` shows the event
   * meanwhile, and the next step writes it first (`read.unrecorded`), so history items are still
   * inserted in version order.
   */
  async saveTransition(expectedVersion: number, dossier: WorkflowDossier, event: DossierEvent, read?: Pick<StoredDossier, 'dossier' | 'unrecorded'>): Promise<void> {
    const deadline = Date.now() + WRITE_BUDGET_MS;
    const changing = 'the dossier is being changed by another request';
    if (read?.unrecorded) await untilWritten(deadline, changing, () => recordHistoryEvent(this.db, this.tableName, read.unrecorded!, read.dossier));
    await untilWritten(deadline, changing, async (attempt) => {
      try {
        await this.db.put({
          TableName: this.tableName,
          Item: steppedDossierItem(dossier, event),
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': expectedVersion },
        });
      } catch (err) {
        if (!isConditionFailed(err)) throw err;
        const current = await this.get(dossier.code);
        // an earlier attempt landed and its answer was lost (a timeout): the step is this one
        if (attempt > 0 && current?.history.some((e) => e.eventId === event.eventId)) return;
        throw staleVersion(dossier.code, current?.dossier);
      }
    });
    // The step is committed: a failure here is the stream's to repair, not the caller's error (a retry
    // of the request would find the version moved and get 409 for a step that happened).
    await recordHistoryEvent(this.db, this.tableName, event, dossier).catch((err: unknown) => {
      logger.warn('history event left to the stream', { dossierCode: dossier.code, version: event.version, error: (err as Error).message });
    });
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
    await recordStepBefore(this.db, this.tableName, judged.code, judged.version);
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
          Item: eventItem(keys.markEvent(judged.code, judged.version, mark), event, marked),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ]);
  }

  /** Writes a dossier and its event together; a refused condition is a 409 carrying the state that won. */
  private async writeUnlessStale(code: string, items: TransactWriteItems): Promise<void> {
    try {
      await this.db.transactWrite({ TransactItems: items });
    } catch (err) {
      if (!isTransactionCanceled(err)) throw err;
      const current = await this.get(code);
      throw staleVersion(code, current?.dossier);
    }
  }

  // The lists and the tracking attempts have their own modules; these keep the one repository callers hold.
  inbox(agencyId: string, filter: InboxFilter, request: PageRequest): Promise<InboxPage> {
    return this.queries.inbox(agencyId, filter, request);
  }

  listByApplicant(subject: string, request: PageRequest): Promise<InboxPage> {
    return this.queries.listByApplicant(subject, request);
  }

  trackingFailures(code: string): Promise<{ failures: number; windowStart: string } | undefined> {
    return this.tracking.trackingFailures(code);
  }

  takeTrackingAttempt(code: string, now: Date, max: number, windowMs: number): Promise<boolean> {
    return this.tracking.takeTrackingAttempt(code, now, max, windowMs);
  }

  returnTrackingAttempt(code: string): Promise<void> {
    return this.tracking.returnTrackingAttempt(code);
  }

  /**
   * The dossier and its history in one query (they share a partition). A draft id that was submitted
   * leads to its dossier; a dossier prepared as a draft also shows the documents filed under the draft.
   */
  async get(code: string): Promise<StoredDossier | undefined> {
    const items = await this.partition(code);
    const dossierItem = items.find((i) => i.sk === 'DOSSIER');
    if (!dossierItem) return undefined;
    if (typeof dossierItem.submittedCode === 'string') return this.get(dossierItem.submittedCode);
    const history = items.filter((i) => typeof i.sk === 'string' && i.sk.startsWith('EVENT#')).map((i) => toEvent(i));
    const unrecorded = unrecordedStep(dossierItem, items);
    if (unrecorded) history.push(unrecorded);
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
    const slotCount = items.find((i) => i.sk === SLOT_COUNT_SK);
    const slotsIssued = typeof slotCount?.issued === 'number' ? slotCount.issued : 0;
    return { dossier: toDossier(dossierItem), history, documents, payments, slotsIssued, ...(unrecorded ? { unrecorded } : {}) };
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
      const page = await this.db.query({
          TableName: this.tableName,
          KeyConditionExpression: skPrefix ? 'pk = :pk AND begins_with(sk, :sk)' : 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.dossier(code).pk, ...(skPrefix ? { ':sk': skPrefix } : {}) },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
          ...(attributes ? { ProjectionExpression: attributes.map((_, i) => `#a${i}`).join(', '), ExpressionAttributeNames: Object.fromEntries(attributes.map((a, i) => [`#a${i}`, a])) } : {}),
        });
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }
}

/**
 * The last step's event when its history item is not written yet (the step's process died between its
 * two writes, and RecordHistory has not caught up): the dossier item carries it as `lastEvent`. Only the
 * event of the version the dossier is at counts; a sweeper mark has a key of its own and is not it.
 */
function unrecordedStep(dossierItem: Record<string, unknown>, items: readonly Record<string, unknown>[]): DossierEvent | undefined {
  const step = stepEventOf(dossierItem);
  if (!step) return undefined;
  const sk = keys.event(String(dossierItem.code), step.version).sk;
  return items.some((i) => i.sk === sk) ? undefined : step;
}
