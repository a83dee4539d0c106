import { isConditionFailed, type DynamoTable } from './dynamo-table.js';
import { randomUUID } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import type { DossierEvent } from '../domain/dossier.js';
import type { CreateOutcome, IdempotencyClaim } from '../app/ports.js';
import type { WorkflowDossier } from '../domain/workflow.js';
import { CLAIM_LEASE_MS, inProgress } from './allocated-write.js';
import { keys } from './dossier-items.js';

/** How long an Idempotency-Key is remembered; a retry after that creates a new dossier. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

export const idempotencyItem = (idem: IdempotencyClaim, dossierCode: string, at: Date) => ({
  ...keys.idempotency(idem.subject, idem.key),
  entity: 'idempotency',
  requestHash: idem.requestHash,
  dossierCode,
  createdAt: at.toISOString(),
  expiresAt: Math.floor(at.getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS,
});

/** Idempotency-Keys of the requests that create a dossier: taken before anything else is written, replayed after. */
export class IdempotencyKeys {
  constructor(
    private readonly db: DynamoTable,
    private readonly tableName: string,
    /** reads back the dossier a key answered with */
    private readonly read: (code: string) => Promise<{ dossier: WorkflowDossier; history: DossierEvent[] } | undefined>,
  ) {}

  /**
   * Takes an Idempotency-Key for this request before anything else is written: a duplicate replays the
   * first answer, waits (409 request_in_progress) while the first is still running, or takes over a claim
   * whose request died (the key still holds the number that request took, see day-sequence.ts).
   */
  async claim(idem: IdempotencyClaim, at: Date): Promise<{ owner: string } | { replay: CreateOutcome }> {
    const owner = randomUUID();
    try {
      await this.db.update({
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
        });
      return { owner };
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
      return { replay: await this.replay(idem) };
    }
  }

  async replay(idem: IdempotencyClaim): Promise<CreateOutcome> {
    const record = await this.db.get({ TableName: this.tableName, Key: keys.idempotency(idem.subject, idem.key), ConsistentRead: true });
    const item = record.Item;
    if (!item) throw new AppError('conflict', 'conflict', 'the request conflicted with another one, please retry', 'Vui lòng thử lại.');
    if (item.requestHash !== idem.requestHash) {
      throw new AppError(
        'unprocessable',
        'idempotency_key_reused',
        'Idempotency-Key was already used for a different request',
        'Mã Idempotency-Key đã được dùng cho một yêu cầu khác.',
        [{ field: 'Idempotency-Key', message: 'already used with a different body' }],
      );
    }
    if (typeof item.dossierCode !== 'string') throw inProgress();
    const found = await this.read(item.dossierCode);
    if (!found) throw new Error(`idempotency record points to missing dossier ${item.dossierCode}`);
    return { dossier: found.dossier, replayed: true, history: found.history };
  }
}
