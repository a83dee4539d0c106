import { describe, expect, inject, it } from 'vitest';
import { dynamo } from '../../functions/adapters/clients.js';
import type { DynamoTable } from '../../functions/adapters/dynamo-table.js';
import { DaySequence, sequenceKey } from '../../functions/adapters/day-sequence.js';

const stack = inject('localStack');

describe('the day sequence against DynamoDB Local', () => {
  it('numbers concurrent holders 1..n, gives a holder its number back, and reclaims one whose holder died', async () => {
    // Prepare
    const sequence = new DaySequence(dynamo(), stack.tableName, 35_000);
    const agency = `seq-${Date.now().toString(36)}`;
    const at = new Date();
    const written = new Set<number>();
    const used = async (n: number) => written.has(n);
    // Act: 40 holders at once, each writing its dossier and releasing, but one that dies after taking its number
    const numbers = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const n = await sequence.take(agency, '990101', `key:c#${i}`, at, used);
        if (i !== 17) {
          written.add(n);
          await sequence.release(agency, '990101', `key:c#${i}`, n);
        }
        return n;
      }),
    );
    const again = await sequence.take(agency, '990101', 'key:c#17', at, used);
    const later = new Date(at.getTime() + 36_000);
    const reclaimed = await sequence.take(agency, '990101', 'once:next', later, used);
    const fresh = await sequence.take(agency, '990101', 'once:after', later, used);
    // Assess
    expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(again).toBe(numbers[17]);
    expect(reclaimed).toBe(numbers[17]);
    expect(fresh).toBe(41);
  });

  it('on a busy day takes each next number in one update, no read, and the releases ride along', async () => {
    // Prepare: the table client, counting what the sequence sends
    const sent: string[] = [];
    const db = dynamo();
    const counted: DynamoTable = { ...db, get: (input) => (sent.push('get'), db.get(input)), update: (input) => (sent.push('update'), db.update(input)) };
    const sequence = new DaySequence(counted, stack.tableName, 35_000);
    const agency = `busy-${Date.now().toString(36)}`;
    const used = async () => false;
    // Act: twenty submissions one after another, each releasing its number once written
    const numbers: number[] = [];
    for (let i = 0; i < 20; i++) {
      const n = await sequence.take(agency, '990103', `once:${i}`, new Date(), used);
      numbers.push(n);
      sequence.release(agency, '990103', `once:${i}`, n);
    }
    // Assess: 1..20, one read for the first only, and the counter holds only the last holder (its release waits for the next)
    expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(sent.filter((c) => c === 'get')).toHaveLength(1);
    expect(sent.filter((c) => c === 'update')).toHaveLength(20);
    const item = (await db.get({ TableName: stack.tableName, Key: sequenceKey(agency, '990103'), ConsistentRead: true })).Item ?? {};
    expect(Object.keys(item).filter((k) => k.startsWith('h_'))).toHaveLength(1);
    expect(item.value).toBe(20);
  });
});
