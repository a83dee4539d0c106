import { isConditionFailed, type DynamoTable } from './dynamo-table.js';
import type { DigestEntry } from '../domain/notifications.js';
import type { ClaimOutcome, DigestItem, NotificationStore } from '../app/ports.js';

/** Item keys of the notification markers and digests in the single table. */
export const notificationKeys = {
  /** one per event and channel (or per agency digest): its state says whether the send happened */
  marker: (key: string) => ({ pk: `NOTIFY#${key}`, sk: 'NOTIFY' }),
  /**
   * One hour's digests, one partition queried per hour, never scanned: an item per entry (keyed by its
   * event, so a redelivered record rewrites the same item) and one per agency mailed. Entries written
   * before this layout sit in one item per agency (`AGENCY#<id>`, a map of entries), still read.
   */
  digest: (window: string, agencyId: string) => ({ pk: `DIGEST#${window}`, sk: `AGENCY#${agencyId}` }),
  digestEntry: (window: string, agencyId: string, eventId: string) => ({ pk: `DIGEST#${window}`, sk: `ENTRY#${agencyId}#${eventId}` }),
  digestSent: (window: string, agencyId: string) => ({ pk: `DIGEST#${window}`, sk: `SENT#${agencyId}` }),
} as const;

/** Markers and digests outlive any stream retention (24 h) and redrive window by far, then expire. */
export const NOTIFICATION_TTL_SECONDS = 35 * 24 * 60 * 60;

/** The TTL attribute of a marker or digest item written at `now`. */
const expiresAtFrom = (now: Date): number => Math.floor(now.getTime() / 1000) + NOTIFICATION_TTL_SECONDS;

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
            expiresAt: expiresAtFrom(now),
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

  /**
   * Files an official event in its agency's hour: an item of its own, keyed by the event, so a
   * redelivered record writes the same item again. One map per agency and hour made every addition
   * rewrite (and bill) the whole hour so far: a busy agency's hundredth dossier cost as much as its
   * ninety-nine before it.
   */
  async addToDigest(window: string, agencyId: string, entry: DigestEntry, now: Date): Promise<void> {
    await this.db.put({
      TableName: this.tableName,
      Item: { ...notificationKeys.digestEntry(window, agencyId, entry.eventId), entity: 'digest-entry', agencyId, entry, expiresAt: expiresAtFrom(now) },
    });
  }

  /** Every agency's digest of one hour, entries oldest first: one partition, paged. */
  async digestsOf(window: string): Promise<DigestItem[]> {
    const byAgency = new Map<string, { entries: DigestEntry[]; sentAt?: string }>();
    const of = (agencyId: string) => {
      let digest = byAgency.get(agencyId);
      if (!digest) byAgency.set(agencyId, (digest = { entries: [] }));
      return digest;
    };
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.query({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': notificationKeys.digest(window, '').pk },
          ExclusiveStartKey: start,
        });
      for (const item of page.Items ?? []) {
        const sk = String(item.sk);
        const digest = of(String(item.agencyId));
        if (sk.startsWith('ENTRY#')) digest.entries.push(item.entry as DigestEntry);
        else if (sk.startsWith('SENT#')) digest.sentAt = String(item.sentAt);
        else {
          // the earlier layout: the agency's hour in one item
          digest.entries.push(...Object.values((item.entries ?? {}) as Record<string, DigestEntry>));
          if (item.sentAt) digest.sentAt = String(item.sentAt);
        }
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return [...byAgency].map(([agencyId, { entries, sentAt }]) => ({
      agencyId,
      entries: entries.sort((a, b) => a.at.localeCompare(b.at) || a.eventId.localeCompare(b.eventId)),
      ...(sentAt ? { sentAt } : {}),
    }));
  }

  async markDigestSent(window: string, agencyId: string, now: Date): Promise<void> {
    await this.db.put({
      TableName: this.tableName,
      Item: { ...notificationKeys.digestSent(window, agencyId), entity: 'digest-sent', agencyId, sentAt: now.toISOString(), expiresAt: expiresAtFrom(now) },
    });
  }
}
