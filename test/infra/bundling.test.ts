import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { describe, expect, test } from 'vitest';
import { routes } from '../../functions/declaration.js';
import { addMotcua } from '../../lib/app.js';
import { esmRequireBanner } from '../../lib/handler-function.js';
import { fromRoot } from '../../lib/paths.js';
import { loadProvince } from '../../provinces/load.js';
import { testContext } from './fixtures.js';

describe('a function bundle', { timeout: 120_000 }, () => {
  test.skipIf(!existsSync(fromRoot('provinces/lang-son.json')))('is minified ESM with a require shim and carries the province file as province.json', () => {
    // Prepare: one small route, bundled for real with the local esbuild
    const app = new App({ context: { ...testContext, 'aws:cdk:bundling-stacks': ['**'] }, builtinCloudFormationValidation: false });
    addMotcua(app, { province: loadProvince('lang-son'), stage: 'prod', nag: false, routes: routes.filter((r) => r.id === 'ListAgencies'), consumers: [] });

    // Act
    const assembly = app.synth();

    // Assess
    const bundles = readdirSync(assembly.directory).filter((d) => d.startsWith('asset.') && existsSync(join(assembly.directory, d, 'index.mjs')));
    expect(bundles).toHaveLength(1);
    const dir = join(assembly.directory, bundles[0]!);
    const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
    expect(code.startsWith(esmRequireBanner)).toBe(true);
    expect(code).toMatch(/\bexport\s*\{/);
    expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'province.json'), 'utf8'))).toEqual(JSON.parse(readFileSync(fromRoot('provinces/lang-son.json'), 'utf8')));
  });
});
