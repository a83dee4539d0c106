import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, test } from 'vitest';
import { withCatalog } from '../../functions/adapters/catalog-store.js';
import { agencyQueue, environment, routeById, routes, type RouteDeclaration, type RouteId } from '../../functions/declaration.js';
import { bundledCatalogDir } from '../../lib/handler-function.js';
import { rootRelative } from '../../lib/paths.js';
import { writeGeneratedWorkbook } from '../../provinces/catalog/generate.js';
import { importCatalog } from '../../provinces/catalog/store.js';
import { loadProvince } from '../../provinces/load.js';
import { MAX_AGENCIES_PER_SHARD, SHARDS, shardOf } from '../../lib/agency-queues.js';
import { build, generateProvince, resourceCount } from './fixtures.js';

const limit = 500;
/** Routes (each with its function, alias, alarms and deployment) the parent template must still have room for. */
const PARENT_ROUTES_HEADROOM = 6;

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
    // the agency shards and the functions' alarm stack
    expect(Object.keys(parent.Resources).filter((id) => parent.Resources[id].Type === 'AWS::CloudFormation::Stack')).toHaveLength(nested.length + 1);
    expect(resourceCount(Template.fromStack(stack.operations.alarmStack!).toJSON())).toBeLessThan(limit);

    // room to grow: the parent's resources are per function, not per agency, so the margin is counted in routes
    const small = generateProvince({ agencies: 2 });
    const extra: RouteDeclaration = { ...routeById('GetService'), id: 'GetServiceAgain' as RouteId, path: '/services-again/{id}' };
    const perRoute = resourceCount(Template.fromStack(build(small, { routes: [...routes, extra] }).stack).toJSON()) - resourceCount(Template.fromStack(build(small).stack).toJSON());
    console.info(`a route with its function adds ${perRoute} resources to the parent: room for ${Math.floor((limit - counts.parent) / perRoute)} more`);
    expect(perRoute).toBeGreaterThan(0);
    expect(limit - counts.parent).toBeGreaterThanOrEqual(PARENT_ROUTES_HEADROOM * perRoute);

    const names = nested.flatMap((n) =>
      Object.values(n.template.Resources as Record<string, { Type: string; Properties: { QueueName?: string } }>)
        .filter((r) => r.Type === 'AWS::SQS::Queue')
        .map((r) => r.Properties.QueueName),
    );
    const expected = province.agencies.flatMap((a) => [agencyQueue.name(province.id, a.id), agencyQueue.deadLetterName(province.id, a.id)]);
    expect(names.sort()).toEqual(expected.sort());
  });
});

describe('a province with an imported catalog of 2,000 procedures and 200 more agencies', { timeout: 180_000 }, () => {
  test('synthesizes: 231 agencies with their queues, every function told where the catalog is, the catalog itself not in any template', async () => {
    // Prepare: generated and imported as `npm run catalog` does, then merged as bin/motcua.ts does
    const work = mkdtempSync(join(tmpdir(), 'motcua-scale-catalog-'));
    try {
      const base = loadProvince('lang-son');
      const file = join(work, 'catalog.xlsx');
      await writeGeneratedWorkbook(file, { province: base, procedures: 2000, agencies: 200 });
      const catalogDir = join(work, 'catalog');
      const imported = await importCatalog({ file, province: base, outDir: catalogDir, now: new Date('2026-12-01T03:00:00Z') });
      if (!imported.ok) throw new Error(`the generated catalog did not import: ${imported.problems.length} problems`);
      const province = withCatalog(base, catalogDir);

      // Act
      const { stack } = build(province, { catalogDir: rootRelative(catalogDir) });
      const parent = Template.fromStack(stack).toJSON();
      const nested = [...stack.agencyQueues.shards.values()].map((s) => Template.fromStack(s).toJSON());

      // Assess
      expect(province.agencies).toHaveLength(231);
      expect(resourceCount(parent)).toBeLessThan(limit);
      for (const t of nested) expect(resourceCount(t)).toBeLessThan(limit);
      for (const t of [parent, ...nested]) expect(JSON.stringify(t).length).toBeLessThan(1_000_000);
      const queues = nested.flatMap((t) =>
        Object.values(t.Resources as Record<string, { Type: string; Properties: { QueueName?: string } }>)
          .filter((r) => r.Type === 'AWS::SQS::Queue')
          .map((r) => r.Properties.QueueName),
      );
      expect(queues).toHaveLength(2 * 231);
      const functions = Object.values(parent.Resources as Record<string, { Type: string; Properties: { Environment?: { Variables?: Record<string, unknown> } } }>).filter(
        (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.[environment.tableName] !== undefined,
      );
      expect(functions.length).toBeGreaterThan(10);
      for (const f of functions) expect(f.Properties.Environment?.Variables?.[environment.catalogDir]).toBe(bundledCatalogDir);
      // the procedures travel in the bundles (one file each), never inlined into a template or a variable
      const someName = province.catalog!.entries()[1234]!.name;
      for (const t of [parent, ...nested]) expect(JSON.stringify(t)).not.toContain(someName);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
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
