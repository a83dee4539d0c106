import { describe, expect, it } from 'vitest';
import { readAgencyRanking, type StatsDeps } from '../../functions/app/statistics.js';
import { routeById } from '../../functions/declaration.js';
import { RANKING_MAX_ITEMS, shardsOf, type Scope } from '../../functions/domain/statistics.js';
import { AppError } from '../../functions/domain/errors.js';
import { generateProvince } from '../infra/fixtures.js';
import { httpStatusOf } from '../../functions/http/error-status.js';

describe('GET /stats/agencies reads little, and eventually consistent', () => {
  const province = generateProvince({ agencies: 12 });
  const recording = () => {
    const calls: { items: number; consistent: boolean | undefined }[] = [];
    const stats: StatsDeps['stats'] = {
      read: async (scopes, periods, options) => {
        calls.push({ items: scopes.reduce((n, s: Scope) => n + shardsOf(s), 0) * periods.length, consistent: options?.consistent });
        return new Map();
      },
    };
    return { calls, stats };
  };

  it('reads the counters of a month without strong consistency, within the cap', async () => {
    // Prepare
    const { calls, stats } = recording();
    // Act
    await readAgencyRanking({ stats, province, now: new Date('2026-06-15T03:00:00Z') }, { month: '2026-05' });
    // Assert
    expect(calls).toHaveLength(1);
    expect(calls[0]!.consistent).toBe(false);
    expect(calls[0]!.items).toBeLessThanOrEqual(RANKING_MAX_ITEMS);
  });

  it('refuses with a 400, before reading anything, a range that would read more than the cap', async () => {
    // Prepare: ten years of 200 agencies is over the cap whatever the periods
    const { calls, stats } = recording();
    // Act
    const answer = readAgencyRanking({ stats, province: generateProvince({ agencies: 200 }), now: new Date('2026-06-15T03:00:00Z') }, { from: '2017-01-01', to: '2026-06-01' });
    // Assert
    await expect(answer).rejects.toSatisfy((e) => e instanceof AppError && httpStatusOf(e) === 400);
    expect(calls).toEqual([]);
  });

  it('declares how long a ranking may be cached', () => {
    expect(routeById('RankAgencies').cacheSeconds).toBeGreaterThan(0);
  });
});
