import { cancellationReasons, isConditionFailed, transactRetryingConflicts, type DynamoTable } from './dynamo-table.js';
import type { DocumentRecord } from '../domain/documents.js';
import type { DocumentSlots, VerificationOutcome } from '../app/ports.js';

export type { VerificationOutcome } from '../app/ports.js';
import { keys } from './dossier-items.js';

export const documentKey = (code: string, id: string) => ({ pk: keys.dossier(code).pk, sk: `DOC#${id}` });

const itemOnly = new Set(['pk', 'sk', 'entity']);
const toRecord = (item: Record<string, unknown>): DocumentRecord => Object.fromEntries(Object.entries(item).filter(([k]) => !itemOnly.has(k))) as unknown as DocumentRecord;

/** Document items live in their dossier's partition (`DOSSIER#<code> / DOC#<id>`), so one query reads a dossier whole. */
export class DocumentRepository implements DocumentSlots {
  constructor(
    private readonly db: DynamoTable,
    private readonly tableName: string,
  ) {}

  /** A new pending slot; it carries `expiresAt`, so a file that never arrives leaves nothing behind. */
  async putSlot(record: DocumentRecord): Promise<void> {
    await this.db.put({
        TableName: this.tableName,
        Item: { ...documentKey(record.dossierCode, record.id), entity: 'document', ...record },
        // the dossier must exist and the id must be new; a uuid collision would be a bug, not a retry
        ConditionExpression: 'attribute_not_exists(pk)',
      });
  }

  /**
   * Stores a new slot if no other slot was issued in the partition since `issuedBefore` was read:
   * 'stored', 'exists' (a slot with this id is there: a concurrent request with the same
   * Idempotency-Key), or 'moved' (another slot was issued first; read again and decide again).
   */
  async putSlotOnce(record: DocumentRecord, issuedBefore: number): Promise<'stored' | 'exists' | 'moved'> {
    const expires = record.expiresAt !== undefined ? { ':e': record.expiresAt } : undefined;
    const reasons = await transactRetryingConflicts(this.db, {
      TransactItems: [
        {
          Put: {
            TableName: this.tableName,
            Item: { ...documentKey(record.dossierCode, record.id), entity: 'document', ...record },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Update: {
            TableName: this.tableName,
            Key: keys.slotCount(record.dossierCode),
            // it lives as long as the newest slot: a count gone by TTL starts again from none, read so too
            UpdateExpression: expires ? 'SET issued = :next, expiresAt = :e' : 'SET issued = :next',
            ConditionExpression: issuedBefore === 0 ? 'attribute_not_exists(issued)' : 'issued = :before',
            ExpressionAttributeValues: { ':next': issuedBefore + 1, ...expires, ...(issuedBefore === 0 ? {} : { ':before': issuedBefore }) },
          },
        },
      ],
    }).catch((err: unknown) => {
      // still contended after its retries: as if another slot came first, the caller reads again; any
      // other cancellation (throttling, a validation error) is not a race and is not hidden as one
      if (cancellationReasons(err)?.some((r) => r.Code === 'TransactionConflict')) return [] as const;
      throw err;
    });
    if (!reasons) return 'stored';
    if (reasons[0]?.Code === 'ConditionalCheckFailed') return 'exists';
    return 'moved';
  }

  /** A replayed slot request issues a fresh URL: a still-pending slot lives on with it. */
  async extendSlot(code: string, id: string, expiresAt: number): Promise<void> {
    await this.db
      .update({
          TableName: this.tableName,
          Key: documentKey(code, id),
          UpdateExpression: 'SET expiresAt = :e',
          ConditionExpression: '#s = :pending',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':e': expiresAt, ':pending': 'pending' },
        })
      .catch((err: unknown) => {
        if (!isConditionFailed(err)) throw err;
      });
  }

  /** Cancels a slot whose file has not arrived; false if it is no longer pending (or gone). */
  async cancelSlot(code: string, id: string): Promise<boolean> {
    try {
      await this.db.delete({
          TableName: this.tableName,
          Key: documentKey(code, id),
          ConditionExpression: '#s = :pending',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':pending': 'pending' },
        });
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }

  async get(code: string, id: string): Promise<DocumentRecord | undefined> {
    const answer = await this.db.get({ TableName: this.tableName, Key: documentKey(code, id), ConsistentRead: true });
    return answer.Item ? toRecord(answer.Item) : undefined;
  }

  /**
   * Records what the verifier found. The item must still exist (a slot expired by TTL is not revived);
   * the expiry is removed either way, because the object now exists and is accounted for.
   */
  async recordVerification(code: string, id: string, outcome: VerificationOutcome): Promise<boolean> {
    const verified = outcome.status === 'verified';
    try {
      await this.db.update({
          TableName: this.tableName,
          Key: documentKey(code, id),
          UpdateExpression: verified
            ? `SET #s = :s, actualSize = :size, actualType = :type, sha256 = :sha, verifiedAt = :at${outcome.versionId ? ', versionId = :v' : ''} REMOVE expiresAt, reason, reasonVi${outcome.versionId ? '' : ', versionId'}`
            : `SET #s = :s, actualSize = :size, reason = :reason, reasonVi = :reasonVi, verifiedAt = :at${outcome.sha256 ? ', sha256 = :sha' : ''} REMOVE expiresAt, actualType, versionId`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: verified
            ? { ':s': 'verified', ':size': outcome.size, ':type': outcome.type, ':sha': outcome.sha256, ':at': outcome.at, ...(outcome.versionId ? { ':v': outcome.versionId } : {}) }
            : { ':s': 'rejected', ':size': outcome.size, ':reason': outcome.reason, ':reasonVi': outcome.reasonVi, ':at': outcome.at, ...(outcome.sha256 ? { ':sha': outcome.sha256 } : {}) },
        });
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }
}
