import { beforeEach, describe, expect, it } from 'vitest';
import { DaySequence, sequenceKey } from '../../functions/adapters/day-sequence.js';
import { conditionFailed as refused, scriptedTable } from '../support/table-fake.js';

const ddb = scriptedTable();
const db = ddb;
let sequence = new DaySequence(db, 'table', 35_000);
const key = sequenceKey('ubnd-xa-mai-pha', '260302');
const at = new Date('2026-03-02T02:00:00Z');
const conditionFailed = () => refused();
const neverUsed = async () => false;

/** The attribute name under which a holder's number is stored, as the module wrote it. */
async function holderAttribute(holder: string): Promise<string> {
  ddb.reset();
  ddb.on('get').resolves({});
  ddb.on('update').resolves({ Attributes: { value: 1 } });
  await new DaySequence(db, 'table', 35_000).take('ubnd-xa-mai-pha', '260302', holder, at, neverUsed);
  const names = ddb.calls('update')[0]!.ExpressionAttributeNames!;
  ddb.reset();
  return names['#mine']!;
}

describe('the day sequence records who holds each number', () => {
  beforeEach(() => {
    ddb.reset();
    // a container that has not seen the item yet
    sequence = new DaySequence(db, 'table', 35_000);
  });

  it('takes a fresh number and its holder in one atomic update, with no read-then-write race', async () => {
    ddb.on('get').resolves({ Item: { ...key, value: 6 } });
    ddb.on('update').resolves({ Attributes: { value: 7 } });
    expect(await sequence.take('ubnd-xa-mai-pha', '260302', 'key:citizen-a#k1', at, neverUsed)).toBe(7);
    const updates = ddb.calls('update');
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({
      Key: key,
      UpdateExpression: expect.stringContaining('#mine = if_not_exists(#v, :zero) + :one'),
      ConditionExpression: 'attribute_not_exists(#mine)',
      ExpressionAttributeValues: expect.objectContaining({ ':now': at.getTime() }),
    });
  });

  it('gives the same holder its number back, renewed, without counting another', async () => {
    const mine = await holderAttribute('key:citizen-a#k1');
    ddb.on('get').resolves({ Item: { ...key, value: 9, [mine]: 4, [`t_${mine.slice(2)}`]: at.getTime() - 60_000 } });
    ddb.on('update').resolves({});
    expect(await sequence.take('ubnd-xa-mai-pha', '260302', 'key:citizen-a#k1', at, neverUsed)).toBe(4);
    const updates = ddb.calls('update');
    expect(updates).toEqual([expect.objectContaining({ UpdateExpression: 'SET #at = :now', ConditionExpression: '#n = :n', ExpressionAttributeValues: { ':n': 4, ':now': at.getTime() } })]);
  });

  it('hands a number whose holder died before writing its dossier to the next submission: no gap', async () => {
    const dead = await holderAttribute('once:dead');
    const deadAt = `t_${dead.slice(2)}`;
    ddb.on('get').resolves({ Item: { ...key, value: 9, [dead]: 8, [deadAt]: at.getTime() - 36_000 } });
    ddb.on('update').resolves({});
    const asked: number[] = [];
    const n = await sequence.take('ubnd-xa-mai-pha', '260302', 'key:citizen-b#k2', at, async (x) => (asked.push(x), false));
    expect(n).toBe(8);
    expect(asked).toEqual([8]);
    const updates = ddb.calls('update');
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({
      ConditionExpression: '#other = :n AND #otherAt = :otherAt AND attribute_not_exists(#mine)',
      ExpressionAttributeNames: expect.objectContaining({ '#other': dead, '#otherAt': deadAt }),
      ExpressionAttributeValues: expect.objectContaining({ ':n': 8, ':otherAt': at.getTime() - 36_000 }),
    });
    expect(updates.some((u) => u.ReturnValues === 'ALL_NEW')).toBe(false);
  });

  it('leaves alone a holder still within its lease, and takes a fresh number', async () => {
    const busy = await holderAttribute('once:busy');
    ddb.on('get').resolves({ Item: { ...key, value: 9, [busy]: 9, [`t_${busy.slice(2)}`]: at.getTime() - 5_000 } });
    ddb.on('update').resolves({ Attributes: { value: 10 } });
    expect(await sequence.take('ubnd-xa-mai-pha', '260302', 'once:other', at, async () => expect.unreachable('a live holder is not checked'))).toBe(10);
  });

  it('drops a stale holder whose dossier was written (its release was lost) and does not hand its number out again', async () => {
    const done = await holderAttribute('once:done');
    ddb.on('get').resolves({ Item: { ...key, value: 3, [done]: 3, [`t_${done.slice(2)}`]: at.getTime() - 60_000 } });
    ddb.on('update').resolves({ Attributes: { value: 4 } });
    expect(await sequence.take('ubnd-xa-mai-pha', '260302', 'once:next', at, async () => true)).toBe(4);
    const updates = ddb.calls('update');
    expect(updates[0]).toMatchObject({ UpdateExpression: 'REMOVE #n, #at', ExpressionAttributeNames: { '#n': done }, ExpressionAttributeValues: { ':n': 3 } });
    expect(updates[1]).toMatchObject({ ReturnValues: 'ALL_NEW' });
  });

  it('of two reclaiming at once, the loser takes a fresh number', async () => {
    const dead = await holderAttribute('once:dead');
    ddb.on('get').resolves({ Item: { ...key, value: 9, [dead]: 8, [`t_${dead.slice(2)}`]: at.getTime() - 36_000 } });
    ddb.on('update', { ConditionExpression: '#other = :n AND #otherAt = :otherAt AND attribute_not_exists(#mine)' }).rejects(conditionFailed());
    ddb.on('update', { ReturnValues: 'ALL_NEW' }).resolves({ Attributes: { value: 10 } });
    expect(await sequence.take('ubnd-xa-mai-pha', '260302', 'once:late', at, neverUsed)).toBe(10);
  });

  it('a concurrent request of the same holder that took a number first: that number is the holder’s', async () => {
    const mine = await holderAttribute('draft:d1');
    ddb.on('get').resolvesOnce({ Item: { ...key, value: 2 } }).resolves({ Item: { ...key, value: 3, [mine]: 3 } });
    ddb.on('update').rejects(conditionFailed());
    expect(await sequence.take('ubnd-xa-mai-pha', '260302', 'draft:d1', at, neverUsed)).toBe(3);
  });

  it('takes the next number of a busy day in one update, no read, carrying the release of the dossier written before', async () => {
    // Prepare: a first take the long way; its update answers the item as it left it
    const first = await holderAttribute('draft:d1');
    ddb.on('get').resolves({ Item: { ...key, value: 4 } });
    ddb.on('update').resolves({ Attributes: { ...key, value: 5, [first]: 5, [`t_${first.slice(2)}`]: at.getTime() } });
    expect(await sequence.take('ubnd-xa-mai-pha', '260302', 'draft:d1', at, neverUsed)).toBe(5);
    sequence.release('ubnd-xa-mai-pha', '260302', 'draft:d1', 5);
    ddb.reset();
    ddb.on('update').resolves({ Attributes: { ...key, value: 6 } });
    // Act
    const n = await sequence.take('ubnd-xa-mai-pha', '260302', 'draft:d2', new Date(at.getTime() + 1_000), async () => expect.unreachable('nothing is checked'));
    // Assess
    expect(n).toBe(6);
    expect(ddb.calls('get')).toHaveLength(0);
    const updates = ddb.calls('update');
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({
      UpdateExpression: expect.stringMatching(/^SET #v = if_not_exists\(#v, :zero\) \+ :one, #mine = .* REMOVE #w0, #wt0$/),
      // the written holder is dropped only while it still holds the number it wrote
      ConditionExpression: 'attribute_not_exists(#mine) AND (#w0 = :w0 OR attribute_not_exists(#w0))',
      ExpressionAttributeNames: expect.objectContaining({ '#w0': first, '#wt0': `t_${first.slice(2)}` }),
      ExpressionAttributeValues: expect.objectContaining({ ':w0': 5 }),
      ReturnValues: 'ALL_NEW',
    });
  });

  it('after a quiet spell reads the item, and the release of the dossier written before still rides on the fresh number', async () => {
    // Prepare: a take, its dossier written; the next take comes 40 s later, so the item must be read, and
    // the written holder it shows is past its lease
    const first = await holderAttribute('draft:d1');
    ddb.on('get').resolves({ Item: { ...key, value: 4 } });
    ddb.on('update').resolves({ Attributes: { ...key, value: 5, [first]: 5, [`t_${first.slice(2)}`]: at.getTime() } });
    await sequence.take('ubnd-xa-mai-pha', '260302', 'draft:d1', at, neverUsed);
    sequence.release('ubnd-xa-mai-pha', '260302', 'draft:d1', 5);
    ddb.reset();
    ddb.on('get').resolves({ Item: { ...key, value: 5, [first]: 5, [`t_${first.slice(2)}`]: at.getTime() } });
    ddb.on('update').resolves({ Attributes: { ...key, value: 6 } });

    // Act
    const n = await sequence.take('ubnd-xa-mai-pha', '260302', 'draft:d2', new Date(at.getTime() + 40_000), async () => expect.unreachable('a holder this container wrote is not taken for abandoned'));

    // Assess: one read, one update that takes 6 and drops the written holder; no drop of its own
    expect(n).toBe(6);
    expect(ddb.calls('get')).toHaveLength(1);
    const updates = ddb.calls('update');
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({
      UpdateExpression: expect.stringMatching(/REMOVE #w0, #wt0$/),
      ConditionExpression: 'attribute_not_exists(#mine) AND (#w0 = :w0 OR attribute_not_exists(#w0))',
      ExpressionAttributeNames: expect.objectContaining({ '#w0': first }),
    });
  });

  it('reads the item first when the one last seen shows a holder past its lease, or is too old to show them all', async () => {
    const other = await holderAttribute('once:slow');
    for (const [seenTakenAt, later] of [
      [at.getTime() - 34_000, 2_000],
      [at.getTime(), 6_000],
    ] as const) {
      sequence = new DaySequence(db, 'table', 35_000);
      ddb.reset();
      ddb.on('get').resolves({ Item: { ...key, value: 1 } });
      ddb.on('update').resolves({ Attributes: { ...key, value: 2, [other]: 1, [`t_${other.slice(2)}`]: seenTakenAt } });
      await sequence.take('ubnd-xa-mai-pha', '260302', 'once:a', at, neverUsed);
      await sequence.take('ubnd-xa-mai-pha', '260302', 'once:b', new Date(at.getTime() + later), neverUsed);
      expect(ddb.calls('get'), `seen ${seenTakenAt}, ${later} ms later`).toHaveLength(2);
    }
  });

  it('a holder asking again on the quick path is refused by the update and finds its number the long way', async () => {
    const mine = await holderAttribute('key:citizen-a#k1');
    ddb.on('get').resolves({ Item: { ...key, value: 1 } });
    ddb.on('update').resolves({ Attributes: { ...key, value: 2 } });
    await sequence.take('ubnd-xa-mai-pha', '260302', 'once:a', at, neverUsed);
    ddb.reset();
    ddb.on('update', { ConditionExpression: 'attribute_not_exists(#mine)' }).rejects(conditionFailed());
    ddb.on('update', { UpdateExpression: 'SET #at = :now' }).resolves({});
    ddb.on('get').resolves({ Item: { ...key, value: 3, [mine]: 3, [`t_${mine.slice(2)}`]: at.getTime() } });
    expect(await sequence.take('ubnd-xa-mai-pha', '260302', 'key:citizen-a#k1', at, neverUsed)).toBe(3);
  });

  it('a carried release that no longer matches is dropped on its own, only while it still holds that number', async () => {
    const mine = await holderAttribute('draft:d1');
    ddb.on('get').resolves({ Item: { ...key, value: 4 } });
    ddb.on('update').resolves({ Attributes: { ...key, value: 5 } });
    await sequence.take('ubnd-xa-mai-pha', '260302', 'once:a', at, neverUsed);
    sequence.release('ubnd-xa-mai-pha', '260302', 'draft:d1', 5);
    ddb.reset();
    ddb.on('update', { ReturnValues: 'ALL_NEW' }).rejects(conditionFailed()).on('update', { UpdateExpression: 'REMOVE #n, #at' }).rejects(conditionFailed());
    ddb.on('get').resolves({ Item: { ...key, value: 7 } });
    await expect(sequence.take('ubnd-xa-mai-pha', '260302', 'once:b', at, neverUsed)).rejects.toThrow();
    const drops = ddb.calls('update').filter((u) => u.UpdateExpression === 'REMOVE #n, #at');
    expect(drops).toEqual([expect.objectContaining({ Key: key, ConditionExpression: '#n = :n', ExpressionAttributeNames: { '#n': mine, '#at': `t_${mine.slice(2)}` }, ExpressionAttributeValues: { ':n': 5 } })]);
  });
});
