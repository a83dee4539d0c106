import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dynamo } from '../../functions/adapters/clients.js';
import { NotificationLog, notificationKeys } from '../../functions/adapters/notification-log.js';
import { observeRequests, type ObservedRequest } from '../../functions/adapters/request-observer.js';
import type { DigestEntry } from '../../functions/domain/notifications.js';
import { useKeyTable } from '../support/key-table.js';

const { name: tableName } = useKeyTable('digests');

const now = new Date('2026-12-03T02:10:00.000Z');
const entry = (i: number): DigestEntry => ({
  eventId: randomUUID(),
  kind: 'new',
  code: `000.00.14.H37-261203-${String(i).padStart(4, '0')}`,
  service: 'Cấp phiếu lý lịch tư pháp cho công dân Việt Nam',
  dueAt: '2026-12-10T10:00:00.000Z',
  at: `2026-12-03T02:${String(i).padStart(2, '0')}:00.000Z`,
});

describe("an agency's hourly digest against DynamoDB Local", () => {
  it('files each entry as one small write however full the hour already is, and reads them back oldest first', async () => {
    // Prepare
    const log = new NotificationLog(dynamo(), tableName);
    const window = '2026-12-03T02';
    const entries = Array.from({ length: 40 }, (_, i) => entry(i));
    const seen: ObservedRequest[] = [];
    const stop = observeRequests({ request: (r) => seen.push(r) });

    // Act: filed out of order, the last one delivered twice
    try {
      for (const e of [...entries].reverse()) await log.addToDigest(window, 'so-tu-phap', e, now);
      await log.addToDigest(window, 'so-tu-phap', entries[0]!, now);
    } finally {
      stop();
    }
    const [digest, ...others] = await log.digestsOf(window);

    // Assess: one request of one write unit per entry, the fortieth as cheap as the first
    expect(seen.map((r) => r.operation)).toEqual(Array.from({ length: 41 }, () => 'PutItem'));
    expect(seen.map((r) => r.units?.write)).toEqual(Array.from({ length: 41 }, () => 1));
    expect(others).toEqual([]);
    expect(digest).toEqual({ agencyId: 'so-tu-phap', entries });
  });

  it('reads an hour filed in the earlier one-item layout beside the new one, and knows either as mailed', async () => {
    // Prepare: the agency's hour as one map, mailed; another agency's in the new layout, then mailed
    const log = new NotificationLog(dynamo(), tableName);
    const window = '2026-12-03T03';
    const old = [entry(1), entry(2)];
    await dynamo().put({
      TableName: tableName,
      Item: { ...notificationKeys.digest(window, 'so-xay-dung'), entity: 'digest', agencyId: 'so-xay-dung', entries: Object.fromEntries(old.map((e) => [e.eventId, e])), sentAt: '2026-12-03T04:05:00.000Z' },
    });
    const fresh = entry(3);
    await log.addToDigest(window, 'ubnd-xa-a', fresh, now);
    const before = await log.digestsOf(window);

    // Act
    await log.markDigestSent(window, 'ubnd-xa-a', new Date('2026-12-03T04:06:00.000Z'));
    const after = await log.digestsOf(window);

    // Assess
    expect(before.sort((a, b) => a.agencyId.localeCompare(b.agencyId))).toEqual([
      { agencyId: 'so-xay-dung', entries: old, sentAt: '2026-12-03T04:05:00.000Z' },
      { agencyId: 'ubnd-xa-a', entries: [fresh] },
    ]);
    expect(after.find((d) => d.agencyId === 'ubnd-xa-a')).toEqual({ agencyId: 'ubnd-xa-a', entries: [fresh], sentAt: '2026-12-03T04:06:00.000Z' });
  });
});
