import { isConditionFailed, type DynamoTable } from './dynamo-table.js';
import type { DigestEntry } from '../domain/notifications.js';
import type { ClaimOutcome, DigestItem, NotificationStore, PartResult } from '../app/ports.js';

/** Item keys of the notification markers and digests in the single table. */
export const notificationKeys = {
  /** one per event (a part per channel) or per agency digest: its state says whether the sends happened */
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

/** `SET parts.<part> = …` for each part, its error cut to 500 characters, stamped with the time. */
function partsSet(parts: Readonly<Record<string, PartResult>>, now: Date) {
  const entries = Object.entries(parts);
  return {
    expressions: entries.map((_, i) => `parts.#p${i} = :p${i}`),
    names: Object.fromEntries(entries.map(([part], i) => [`#p${i}`, part])),
    values: Object.fromEntries(entries.map(([, r], i) => [`:p${i}`, { ...r, ...(r.error ? { error: r.error.slice(0, 500) } : {}), at: now.toISOString() }])),
  };
}

export class NotificationLog implements NotificationStore {
  constructor(
    private readonly db: DynamoTable,
    private readonly tableName: string,
  ) {}

  /**
   * Takes the marker of a group of sends before calling any provider: absent, left `partial` by an
   * attempt that could neither send nor park one of them, or left `sending` by an attempt whose lease ran
   * out (it crashed). The parts already finished come back with it (ALL_OLD), so a retry sends only the
   * rest. A marker in any other state (`done`, or the `sent` / `dead-lettered` of a single-message
   * marker written before parts existed) is done.
   */
  async claim(key: string, now: Date, leaseMs: number): Promise<ClaimOutcome> {
    try {
      const answer = await this.db.update({
        TableName: this.tableName,
        Key: notificationKeys.marker(key),
        UpdateExpression: 'SET entity = :entity, #state = :sending, leaseUntil = :lease, claimedAt = :at, expiresAt = :expires, parts = if_not_exists(parts, :none)',
        ConditionExpression: 'attribute_not_exists(pk) OR #state = :partial OR (#state = :sending AND leaseUntil < :now)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':entity': 'notification',
          ':sending': 'sending',
          ':partial': 'partial',
          ':lease': now.getTime() + leaseMs,
          ':now': now.getTime(),
          ':at': now.toISOString(),
          ':expires': expiresAtFrom(now),
          ':none': {},
        },
        ReturnValues: 'ALL_OLD',
      });
      return { outcome: 'claimed', finished: Object.keys((answer.Attributes?.parts ?? {}) as Record<string, unknown>) };
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
      const current = await this.db.get({ TableName: this.tableName, Key: notificationKeys.marker(key), ConsistentRead: true });
      return current.Item?.state === 'sending' ? { outcome: 'busy' } : { outcome: 'done' };
    }
  }

  /** One write for every part this attempt finished: the claim made the map, so each part is set in it. */
  async finish(key: string, parts: Readonly<Record<string, PartResult>>, complete: boolean, now: Date): Promise<void> {
    const set = partsSet(parts, now);
    await this.db.update({
      TableName: this.tableName,
      Key: notificationKeys.marker(key),
      UpdateExpression: ['SET #state = :state, finishedAt = :at', ...set.expressions].join(', ') + ' REMOVE leaseUntil',
      ExpressionAttributeNames: { '#state': 'state', ...set.names },
      ExpressionAttributeValues: { ':state': complete ? 'done' : 'partial', ':at': now.toISOString(), ...set.values },
    });
  }

  async recordParts(key: string, parts: Readonly<Record<string, PartResult>>, now: Date): Promise<void> {
    const set = partsSet(parts, now);
    if (set.expressions.length === 0) return;
    await this.db.update({
      TableName: this.tableName,
      Key: notificationKeys.marker(key),
      UpdateExpression: `SET ${set.expressions.join(', ')}`,
      ExpressionAttributeNames: set.names,
      ExpressionAttributeValues: set.values,
    });
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
