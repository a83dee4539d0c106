import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { repoRoot } from '../../lib/paths.js';
import { parseProvince, ProvinceFileError } from '../../provinces/load.js';
import { generateProvinceInput } from './fixtures.js';

function synth(context: Record<string, unknown>) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'bin/motcua.ts'], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: mkdtempSync(join(tmpdir(), 'motcua-synth-')) },
  });
}

describe('a province that cannot be deployed', { timeout: 60_000 }, () => {
  test('an agency with an unknown tier is rejected naming agencies[0].tier', () => {
    // Prepare
    const input = generateProvinceInput({ agencies: 2 });
    const broken = { ...input, agencies: input.agencies.map((a, i) => (i === 0 ? { ...a, tier: 'hamlet' } : a)) };

    // Act
    const attempt = () => parseProvince(broken, 'provinces/broken.json');

    // Assess
    expect(attempt).toThrow(ProvinceFileError);
    expect(attempt).toThrow(/provinces\/broken\.json: .*agencies\[0\]\.tier: unknown tier "hamlet"/);
  });

  test('stops `cdk synth` with a non-zero exit and the file named', () => {
    const result = synth({ province: 'khong-ton-tai' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('khong-ton-tai.json');
    expect(result.stderr).toContain('cannot read the file');
  });
});
