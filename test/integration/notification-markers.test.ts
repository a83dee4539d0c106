import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dynamo } from '../../functions/adapters/clients.js';
import { NotificationLog, notificationKeys } from '../../functions/adapters/notification-log.js';
import { observeRequests, type ObservedRequest } from '../../functions/adapters/request-observer.js';
import { useKeyTable } from '../support/key-table.js';

const { name: tableName } = useKeyTable('markers');
const at = (minute: number) => new Date(Date.UTC(2026, 11, 4, 2, minute));

/**
 * The markers that make a notification go at most once per event and channel, against DynamoDB Local:
 * one marker per event, a part per channel, claimed and finished in one write each.
 */
describe('notification markers against DynamoDB Local', () => {
  it('claims once, hands a retry the parts already finished, and is done once every part is', async () => {
    // Prepare
    const log = new NotificationLog(dynamo(), tableName);
    const key = randomUUID();
    const seen: ObservedRequest[] = [];
    const stop = observeRequests({ request: (r) => seen.push(r) });

    // Act: the email goes (recorded while the SMS is retried), the SMS can be neither sent nor parked; a retry finishes it
    const first = await log.claim(key, at(0), 60_000);
    const meanwhile = await log.claim(key, at(0), 60_000);
    await log.recordParts(key, { [`${key}#email`]: { state: 'sent', providerId: 'ses-1', attempts: 1 } }, at(0));
    const whileHeld = await log.claim(key, at(0), 60_000);
    await log.finish(key, {}, false, at(1));
    const retry = await log.claim(key, at(2), 60_000);
    await log.finish(key, { [`${key}#sms`]: { state: 'dead-lettered', error: 'x'.repeat(600), attempts: 4 } }, true, at(3));
    const redelivered = await log.claim(key, at(4), 60_000);
    stop();

    // Assess
    expect([first, meanwhile, whileHeld, retry, redelivered]).toEqual([
      { outcome: 'claimed', finished: [] },
      { outcome: 'busy' },
      { outcome: 'busy' },
      { outcome: 'claimed', finished: [`${key}#email`] },
      { outcome: 'done' },
    ]);
    const stored = (await dynamo().get({ TableName: tableName, Key: notificationKeys.marker(key), ConsistentRead: true })).Item!;
    expect(stored).toMatchObject({ state: 'done', parts: { [`${key}#email`]: { state: 'sent', providerId: 'ses-1' }, [`${key}#sms`]: { state: 'dead-lettered', attempts: 4 } } });
    expect(stored.leaseUntil).toBeUndefined();
    expect((stored.parts as Record<string, { error: string }>)[`${key}#sms`]!.error).toHaveLength(500);
    // each claim and finish is one write of one small item; a refused claim reads the marker once
    const writes = seen.filter((r) => r.operation === 'UpdateItem' && !r.failed);
    expect(writes).toHaveLength(5);
    expect(writes.every((r) => r.units?.write === 1)).toBe(true);
  });

  it('takes over a marker whose lease ran out, and counts a marker written before parts as done', async () => {
    const log = new NotificationLog(dynamo(), tableName);
    const crashed = randomUUID();
    await log.claim(crashed, at(0), 60_000);
    expect(await log.claim(crashed, at(0), 60_000)).toEqual({ outcome: 'busy' });
    expect(await log.claim(crashed, at(2), 60_000)).toEqual({ outcome: 'claimed', finished: [] });

    const older = `digest#2026-12-04T01#so-tu-phap#email`;
    await dynamo().put({ TableName: tableName, Item: { ...notificationKeys.marker(older), entity: 'notification', state: 'sent', providerId: 'ses-0' } });
    expect(await log.claim(older, at(5), 60_000)).toEqual({ outcome: 'done' });
  });
});
