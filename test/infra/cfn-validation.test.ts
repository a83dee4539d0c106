import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { fromRoot } from '../../lib/paths.js';
import { loadProvince } from '../../provinces/load.js';
import { build, generateProvince } from './fixtures.js';

/** Its own file because CDK's built-in template linter (WebAssembly) takes many seconds to start. */
describe("CDK's CloudFormation template validation", { timeout: 120_000 }, () => {
  test('finds nothing in the stack of a real province and its nested stacks', () => {
    // Prepare
    const province = existsSync(fromRoot('provinces/lang-son.json')) ? loadProvince('lang-son') : generateProvince({ agencies: 30 });
    const { app } = build(province, { nag: true, cfnValidation: true });

    // Act
    const assembly = app.synth();

    // Assess
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as { pluginReports: unknown[] };
    expect(report.pluginReports).toEqual([]);
  });
});
