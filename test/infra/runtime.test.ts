import { readFileSync } from 'node:fs';
import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, test } from 'vitest';
import { bundleSettings } from '../../lib/bundling.js';
import { fromRoot } from '../../lib/paths.js';
import { build, generateProvince, statementsOf } from './fixtures.js';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

const { stack } = build(generateProvince({ agencies: 2 }));
const template = Template.fromStack(stack).toJSON();
const resources = template.Resources as Resources;
const ours = [...stack.functions.entries()].map(([id, h]) => ({ id, h, fn: resources[stack.getLogicalId(h.fn.node.defaultChild as CfnElement)]! }));

describe('Node 22 everywhere', () => {
  test('the Lambda runtime, the bundle target, engines and @types/node name the same major', () => {
    const pkg = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { engines: { node: string }; devDependencies: Record<string, string> };
    expect(ours.length).toBe(stack.functions.size);
    for (const { id, fn } of ours) expect(fn.Properties.Runtime, id).toBe('nodejs22.x');
    expect(bundleSettings.target).toBe('node22');
    expect(pkg.engines.node).toBe('>=22');
    // exact, as every dependency of the repository
    expect(pkg.devDependencies['@types/node']).toMatch(/^22\.\d+\.\d+$/);
  });
});

describe('tracing', () => {
  test('every function is traced by Lambda (active X-Ray) and may write its segments, nothing more of X-Ray', () => {
    for (const { id, fn } of ours) {
      expect(fn.Properties.TracingConfig, id).toEqual({ Mode: 'Active' });
      // X-Ray has no resource-level permissions for these (CDK may merge them with other '*' actions)
      const xray = statementsOf(stack, template, id).filter((s) => s.Effect === 'Allow' && [s.Action].flat().some((a) => a.startsWith('xray:')));
      for (const s of xray) expect(s.Resource, id).toBe('*');
      expect(xray.flatMap((s) => [s.Action].flat().filter((a) => a.startsWith('xray:'))).sort(), id).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    }
  });

  test('Powertools Tracer is pinned to the version of the logger and metrics', () => {
    const pkg = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies['@aws-lambda-powertools/tracer']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pkg.dependencies['@aws-lambda-powertools/tracer']).toBe(pkg.dependencies['@aws-lambda-powertools/logger']);
    expect(pkg.dependencies['@aws-lambda-powertools/tracer']).toBe(pkg.dependencies['@aws-lambda-powertools/metrics']);
  });
});
