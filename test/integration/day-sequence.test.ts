import { describe, expect, inject, it } from 'vitest';
import { dynamo } from '../../functions/adapters/clients.js';
import { DaySequence } from '../../functions/adapters/day-sequence.js';

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
});
