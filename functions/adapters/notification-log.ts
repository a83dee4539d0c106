import { isConditionFailed, type DynamoTable } from './dynamo-table.js';
import type { DigestEntry } from '../domain/notifications.js';
import type { ClaimOutcome, DigestItem, NotificationStore } from '../app/ports.js';

/** Item keys of the notification markers and digests in the single table. */
export const notificationKeys = {
  /** one per event and channel (or per agency digest): its state says whether the send happened */
  marker: (key: string) => ({ pk: `NOTIFY#${key}`, sk: 'NOTIFY' }),
  /** the digest of one agency for one hour; queried per hour, never scanned */
  digest: (window: string, agencyId: string) => ({ pk: `DIGEST#${window}`, sk: `AGENCY#${agencyId}` }),
} as const;

/** Markers and digests outlive any stream retention (24 h) and redrive window by far, then expire. */
export const NOTIFICATION_TTL_SECONDS = 35 * 24 * 60 * 60;

export type { ClaimOutcome, DigestItem } from '../app/ports.js';

export class NotificationLog implements NotificationStore {
  constructor(
    private readonly db: DynamoTable,
    private readonly tableName: string,
  ) {}

  /**
   * Takes the marker of a send before calling the provider: absent, or left `sending` by an attempt whose
   * lease ran out (it crashed). `done`: sent or dead-lettered already. `busy`: another attempt holds it.
   */
  async claim(key: string, now: Date, leaseMs: number): Promise<ClaimOutcome> {
    try {
      await this.db.put({
          TableName: this.tableName,
          Item: {
            ...notificationKeys.marker(key),
            entity: 'notification',
            state: 'sending',
            leaseUntil: now.getTime() + leaseMs,
            claimedAt: now.toISOString(),
            expiresAt: Math.floor(now.getTime() / 1000) + NOTIFICATION_TTL_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR (#state = :sending AND leaseUntil < :now)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':sending': 'sending', ':now': now.getTime() },
        });
      return 'claimed';
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
      const current = await this.db.get({ TableName: this.tableName, Key: notificationKeys.marker(key), ConsistentRead: true });
      return current.Item?.state === 'sending' ? 'busy' : 'done';
    }
  }

  async finish(key: string, state: 'sent' | 'dead-lettered', now: Date, detail: { providerId?: string; error?: string; attempts: number }): Promise<void> {
    await this.db.update({
        TableName: this.tableName,
        Key: notificationKeys.marker(key),
        UpdateExpression:
          'SET #state = :state, finishedAt = :at, attempts = :attempts' + (detail.providerId !== undefined ? ', providerId = :pid' : '') + (detail.error ? ', lastError = :err' : '') + ' REMOVE leaseUntil',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':state': state,
          ':at': now.toISOString(),
          ':attempts': detail.attempts,
          ...(detail.providerId !== undefined ? { ':pid': detail.providerId } : {}),
          ...(detail.error ? { ':err': detail.error.slice(0, 500) } : {}),
        },
      });
  }

  /** Gives the marker back when nothing was sent and nothing was parked, so that a retry may claim it at once. */
  async release(key: string): Promise<void> {
    await this.db.delete({
        TableName: this.tableName,
        Key: notificationKeys.marker(key),
        ConditionExpression: '#state = :sending',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':sending': 'sending' },
      });
  }

  async markerState(key: string): Promise<string | undefined> {
    const answer = await this.db.get({ TableName: this.tableName, Key: notificationKeys.marker(key), ConsistentRead: true });
    return answer.Item?.state as string | undefined;
  }

  /** Files an official event in its agency's hour; keyed by eventId, so a redelivered record changes nothing. */
  async addToDigest(window: string, agencyId: string, entry: DigestEntry, now: Date): Promise<void> {
    const key = notificationKeys.digest(window, agencyId);
    // Two steps because DynamoDB cannot create a map and set a key inside it in one expression.
    await this.db.update({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: 'SET entity = :entity, agencyId = :agency, entries = if_not_exists(entries, :empty), expiresAt = :exp',
        ExpressionAttributeValues: { ':entity': 'digest', ':agency': agencyId, ':empty': {}, ':exp': Math.floor(now.getTime() / 1000) + NOTIFICATION_TTL_SECONDS },
      });
    await this.db.update({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: 'SET entries.#id = :entry',
        ExpressionAttributeNames: { '#id': entry.eventId },
        ExpressionAttributeValues: { ':entry': entry },
      });
  }

  /** Every agency's digest of one hour: one partition, paged. */
  async digestsOf(window: string): Promise<DigestItem[]> {
    const items: DigestItem[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.query({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': notificationKeys.digest(window, '').pk },
          ExclusiveStartKey: start,
        });
      for (const item of page.Items ?? []) {
        items.push({
          agencyId: String(item.agencyId),
          entries: Object.values((item.entries ?? {}) as Record<string, DigestEntry>),
          ...(item.sentAt ? { sentAt: String(item.sentAt) } : {}),
        });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async markDigestSent(window: string, agencyId: string, now: Date): Promise<void> {
    await this.db.update({
        TableName: this.tableName,
        Key: notificationKeys.digest(window, agencyId),
        UpdateExpression: 'SET sentAt = :at',
        ExpressionAttributeValues: { ':at': now.toISOString() },
      });
  }
}
