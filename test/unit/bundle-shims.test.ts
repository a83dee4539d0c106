import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { gte } from '../../functions/adapters/bundle-shims/semver.js';
import { bundleAliases } from '../../lib/bundling.js';

/**
 * The packages lib/bundling.ts replaces inside bundles: each shim must cover what its importers in the
 * bundles call, and answer as the original does where it answers at all.
 */
const require = createRequire(import.meta.url);
/** the semver the X-Ray SDK gets unbundled (it ships no types) */
const realSemver = createRequire(require.resolve('aws-xray-sdk-core'))('semver') as { gte(a: string, b: string): boolean };

describe('semver shim', () => {
  it('covers all the X-Ray SDK uses of semver: gte, in its AWS SDK v2 patcher', () => {
    expect(Object.keys(bundleAliases)).toContain('semver');
    const patcher = readFileSync(require.resolve('aws-xray-sdk-core/dist/lib/patchers/aws_p.js'), 'utf8');
    expect([...new Set([...patcher.matchAll(/semver\.(\w+)/g)].map((m) => m[1]))]).toEqual(['gte']);
  });

  it('compares plain versions as semver does, and refuses any other form rather than guess', () => {
    const pairs: [string, string][] = [['2.7.15', '2.7.15'], ['2.8.0', '2.7.15'], ['2.7.9', '2.7.15'], ['3.0.0', '2.99.99'], ['v2.1692.0', '2.7.15'], ['10.0.0', '9.0.0']];
    for (const [a, b] of pairs) expect(gte(a, b), `${a} >= ${b}`).toBe(realSemver.gte(a, b));
    expect(() => gte('2.7.15-beta.1', '2.7.15')).toThrow('semver is not bundled');
  });
});
