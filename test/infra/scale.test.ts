import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, test } from 'vitest';
import { agencyQueue } from '../../functions/declaration.js';
import { MAX_AGENCIES_PER_SHARD, SHARDS, shardOf } from '../../lib/agency-queues.js';
import { build, generateProvince, resourceCount } from './fixtures.js';

const limit = 500;

describe('a province with 200 agencies', { timeout: 120_000 }, () => {
  test('fits: the parent template and every nested template stay under 500 resources', () => {
    // Prepare
    const province = generateProvince({ agencies: 200 });
    const { stack } = build(province);

    // Act
    const parent = Template.fromStack(stack).toJSON();
    const nested = [...stack.agencyQueues.shards.entries()].map(([shard, s]) => ({ shard, template: Template.fromStack(s).toJSON() }));

    // Assess
    const counts = { parent: resourceCount(parent), shards: nested.map((n) => resourceCount(n.template)) };
    console.info(`200 agencies: parent ${counts.parent} resources, shards ${counts.shards.join(', ')}`);
    expect(counts.parent).toBeLessThan(limit);
    // CloudFormation reads at most 1 MB of template from S3
    for (const t of [parent, ...nested.map((n) => n.template)]) expect(JSON.stringify(t).length).toBeLessThan(1_000_000);
    for (const count of counts.shards) expect(count).toBeLessThan(limit);
    expect(Object.keys(parent.Resources).filter((id) => parent.Resources[id].Type === 'AWS::CloudFormation::Stack')).toHaveLength(nested.length);

    const names = nested.flatMap((n) =>
      Object.values(n.template.Resources as Record<string, { Type: string; Properties: { QueueName?: string } }>)
        .filter((r) => r.Type === 'AWS::SQS::Queue')
        .map((r) => r.Properties.QueueName),
    );
    const expected = province.agencies.flatMap((a) => [agencyQueue.name(province.id, a.id), agencyQueue.deadLetterName(province.id, a.id)]);
    expect(names.sort()).toEqual(expected.sort());
  });
});

describe('placing agencies in shards', () => {
  test('depends only on the agency id, so adding an agency never moves another one', () => {
    const before = generateProvince({ agencies: 50 }).agencies.map((a) => a.id);
    const placed = new Map(before.map((id) => [id, shardOf(id)]));
    const after = ['so-moi', ...before];
    for (const id of after.slice(1)) expect(shardOf(id)).toBe(placed.get(id));
  });

  test('spreads 200 agencies so that no shard comes near its capacity', () => {
    const counts = new Array<number>(SHARDS).fill(0);
    for (const a of generateProvince({ agencies: 200 }).agencies) counts[shardOf(a.id)]!++;
    expect(Math.max(...counts)).toBeLessThan(MAX_AGENCIES_PER_SHARD / 2);
  });

  test('refuses a province too large for its shards instead of failing at deploy time', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => `xa-${i}`);
    const crowded = ids.filter((id) => shardOf(id) === 0).slice(0, MAX_AGENCIES_PER_SHARD + 1);
    const province = generateProvince({ agencies: 1 });
    const agencies = crowded.map((id, i) => ({ ...province.agencies[0]!, id, code: province.agencies[0]!.code, name: `Agency ${i}` }));
    expect(() => build({ ...province, agencies }, { routes: [], consumers: [] })).toThrow(/shard 0 would hold \d+ agencies/);
  });
});
