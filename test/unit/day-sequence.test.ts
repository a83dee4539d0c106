import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DaySequence, sequenceKey } from '../../functions/adapters/day-sequence.js';

const ddb = mockClient(DynamoDBDocumentClient);
const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'ap-southeast-1' }));
const sequence = new DaySequence(db, 'table', 35_000);
const key = sequenceKey('ubnd-xa-mai-pha', '260302');
const at = new Date('2026-03-02T02:00:00Z');
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'no', $metadata: {} });
const neverUsed = async () => false;

/** The attribute name under which a holder's number is stored, as the module wrote it. */
async function holderAttribute(holder: string): Promise<string> {
  ddb.reset();
  ddb.on(GetCommand).resolves({});
  ddb.on(UpdateCommand).resolves({ Attributes: { value: 1 } });
  await sequence.take('ubnd-xa-mai-pha', '260302', holder, at, neverUsed);
  const names = ddb.commandCalls(UpdateCommand)[0]!.args[0].input.ExpressionAttributeNames!;
  ddb.reset();
  return names['#mine']!;
}

describe('the day sequence records who holds each number', () => {
  beforeEach(() => ddb.reset());

  it('takes a fresh number and its holder in one atomic update, with no read-then-write race', async () => {
    ddb.on(GetCommand).resolves({ Item: { ...key, value: 6 } });
    ddb.on(UpdateCommand).resolves({ Attributes: { value: 7 } });
    expect(await sequence.take('ubnd-xa-mai-pha', '260302', 'key:citizen-a#k1', at, neverUsed)).toBe(7);
    const updates = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
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
    ddb.on(GetCommand).resolves({ Item: { ...key, value: 9, [mine]: 4, [`t_${mine.slice(2)}`]: at.getTime() - 60_000 } });
    ddb.on(UpdateCommand).resolves({});
    expect(await sequence.take('ubnd-xa-mai-pha', '260302', 'key:citizen-a#k1', at, neverUsed)).toBe(4);
    const updates = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(updates).toEqual([expect.objectContaining({ UpdateExpression: 'SET #at = :now', ConditionExpression: '#n = :n', ExpressionAttributeValues: { ':n': 4, ':now': at.getTime() } })]);
  });

  it('hands a number whose holder died before writing its dossier to the next submission: no gap', async () => {
    const dead = await holderAttribute('once:dead');
    const deadAt = `t_${dead.slice(2)}`;
    ddb.on(GetCommand).resolves({ Item: { ...key, value: 9, [dead]: 8, [deadAt]: at.getTime() - 36_000 } });
    ddb.on(UpdateCommand).resolves({});
    const asked: number[] = [];
    const n = await sequence.take('ubnd-xa-mai-pha', '260302', 'key:citizen-b#k2', at, async (x) => (asked.push(x), false));
    expect(n).toBe(8);
    expect(asked).toEqual([8]);
    const updates = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({
      ConditionExpression: '#other = :n AND #otherAt = :otherAt AND attribute_not_exists(#mine)',
      ExpressionAttributeNames: expect.objectContaining({ '#other': dead, '#otherAt': deadAt }),
      ExpressionAttributeValues: expect.objectContaining({ ':n': 8, ':otherAt': at.getTime() - 36_000 }),
    });
    expect(updates.some((u) => u.ReturnValues === 'UPDATED_NEW')).toBe(false);
  });

  it('leaves alone a holder still within its lease, and takes a fresh number', async () => {
    const busy = await holderAttribute('once:busy');
    ddb.on(GetCommand).resolves({ Item: { ...key, value: 9, [busy]: 9, [`t_${busy.slice(2)}`]: at.getTime() - 5_000 } });
    ddb.on(UpdateCommand).resolves({ Attributes: { value: 10 } });
    expect(await sequence.take('ubnd-xa-mai-pha', '260302', 'once:other', at, async () => expect.unreachable('a live holder is not checked'))).toBe(10);
  });

  it('drops a stale holder whose dossier was written (its release was lost) and does not hand its number out again', async () => {
    const done = await holderAttribute('once:done');
    ddb.on(GetCommand).resolves({ Item: { ...key, value: 3, [done]: 3, [`t_${done.slice(2)}`]: at.getTime() - 60_000 } });
    ddb.on(UpdateCommand).resolves({ Attributes: { value: 4 } });
    expect(await sequence.take('ubnd-xa-mai-pha', '260302', 'once:next', at, async () => true)).toBe(4);
    const updates = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(updates[0]).toMatchObject({ UpdateExpression: 'REMOVE #n, #at', ExpressionAttributeNames: { '#n': done }, ExpressionAttributeValues: { ':n': 3 } });
    expect(updates[1]).toMatchObject({ ReturnValues: 'UPDATED_NEW' });
  });

  it('of two reclaiming at once, the loser takes a fresh number', async () => {
    const dead = await holderAttribute('once:dead');
    ddb.on(GetCommand).resolves({ Item: { ...key, value: 9, [dead]: 8, [`t_${dead.slice(2)}`]: at.getTime() - 36_000 } });
    ddb.on(UpdateCommand, { ConditionExpression: '#other = :n AND #otherAt = :otherAt AND attribute_not_exists(#mine)' }).rejects(conditionFailed());
    ddb.on(UpdateCommand, { ReturnValues: 'UPDATED_NEW' }).resolves({ Attributes: { value: 10 } });
    expect(await sequence.take('ubnd-xa-mai-pha', '260302', 'once:late', at, neverUsed)).toBe(10);
  });

  it('a concurrent request of the same holder that took a number first: that number is the holder’s', async () => {
    const mine = await holderAttribute('draft:d1');
    ddb.on(GetCommand).resolvesOnce({ Item: { ...key, value: 2 } }).resolves({ Item: { ...key, value: 3, [mine]: 3 } });
    ddb.on(UpdateCommand).rejects(conditionFailed());
    expect(await sequence.take('ubnd-xa-mai-pha', '260302', 'draft:d1', at, neverUsed)).toBe(3);
  });

  it('release drops the holder only while it still holds that number', async () => {
    const mine = await holderAttribute('draft:d1');
    ddb.on(UpdateCommand).rejects(conditionFailed());
    await expect(sequence.release('ubnd-xa-mai-pha', '260302', 'draft:d1', 5)).resolves.toBeUndefined();
    expect(ddb.commandCalls(UpdateCommand)[0]!.args[0].input).toMatchObject({ Key: key, ConditionExpression: '#n = :n', ExpressionAttributeNames: { '#n': mine }, ExpressionAttributeValues: { ':n': 5 } });
  });
});
