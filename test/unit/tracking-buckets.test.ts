import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DossierRepository } from '../../functions/adapters/dossier-repository.js';
import { TRACKING_BUCKETS, trackingBucket } from '../../functions/adapters/pin.js';
import { TRACKING_MAX_FAILURES, TRACKING_WINDOW_MS } from '../../functions/domain/tracking.js';

const ddb = mockClient(DynamoDBDocumentClient);
const repo = new DossierRepository(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'ap-southeast-1' })), 'table');

describe('wrong tracking PINs are counted on a fixed set of buckets', () => {
  beforeEach(() => ddb.reset());

  it('a scan of 5,000 never-issued codes touches at most the fixed buckets, keyed without the code, each by one conditional update', async () => {
    ddb.on(UpdateCommand).resolves({});
    const codes = Array.from({ length: 5_000 }, (_, i) => `000.00.05.H37-990101-${String(i + 1).padStart(4, '0')}`);
    for (const code of codes) await repo.takeTrackingAttempt(code, new Date(), TRACKING_MAX_FAILURES, TRACKING_WINDOW_MS);
    const calls = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(codes.length);
    expect(calls.every((c) => typeof c.ConditionExpression === 'string')).toBe(true);
    const pks = calls.map((c) => String(c.Key!.pk));
    for (const pk of pks) {
      expect(pk).toMatch(/^TRACKING#\d+$/);
      expect(Number(pk.slice('TRACKING#'.length))).toBeLessThan(TRACKING_BUCKETS);
    }
    // 5,000 codes into 65,536 buckets: some share one, so the count of items is not the count of guesses
    expect(new Set(pks).size).toBeLessThan(codes.length);
  });

  it('the same code always counts on the same bucket', async () => {
    expect(await trackingBucket('000.00.05.H37-990101-0042')).toBe(await trackingBucket('000.00.05.H37-990101-0042'));
    const buckets = new Set(await Promise.all(Array.from({ length: 200 }, (_, i) => trackingBucket(`000.00.05.H37-990101-${i}`))));
    expect(buckets.size).toBeGreaterThan(150);
  });
});
