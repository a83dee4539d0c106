import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, test } from 'vitest';
import { routes } from '../../functions/declaration.js';
import { fromRoot } from '../../lib/paths.js';
import { loadProvince } from '../../provinces/load.js';
import type { Province } from '../../provinces/schema.js';
import { build, generateProvince, type BuildOptions } from './fixtures.js';

/** cdk-nag 3 reports through the validation framework, not as annotations: ask the pack directly for a readable list. */
function unacknowledged(scope: IConstruct): string[] {
  return new AwsSolutionsChecks()
    .validateScope(scope)
    .violations.flatMap((v) => v.violatingResources.map((r) => `${v.severity} ${v.ruleName} at ${r.constructPath}: ${v.description}`));
}

function acknowledgements(scope: IConstruct): { path: string; id: string; reason: unknown }[] {
  return scope.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, unknown>).map(([id, reason]) => ({ path: c.node.path, id: id.replace(/^annotation::/i, ''), reason }))),
  );
}

function expectCleanUnderNag(province: Province, options: BuildOptions = {}) {
  // Prepare
  const { app, stack } = build(province, { nag: true, ...options });

  // Act: synthesis runs the registered AwsSolutionsChecks and throws on any unacknowledged finding
  const assembly = app.synth();

  // Assess
  expect(unacknowledged(app)).toEqual([]);
  // nested stacks report their annotations through the parent artifact
  for (const s of [stack]) {
    expect(Annotations.fromStack(s).findError('*', Match.anyValue())).toEqual([]);
    expect(Annotations.fromStack(s).findWarning('*', Match.anyValue())).toEqual([]);
  }
  const acks = acknowledgements(app);
  expect(acks.length).toBeGreaterThan(0);
  for (const ack of acks) {
    expect(typeof ack.reason === 'string' && ack.reason.trim().length >= 30, `${ack.id} at ${ack.path} needs a written reason`).toBe(true);
  }
  return { assembly, stack, acks };
}

const realProvinces = ['lang-son', 'lai-chau'].filter((id) => existsSync(fromRoot(`provinces/${id}.json`)));

describe('AWS Solutions checks (cdk-nag)', { timeout: 120_000 }, () => {
  test.each(realProvinces)('pass for the real %s file', (id) => {
    expectCleanUnderNag(loadProvince(id));
  });

  test('pass for a generated province', () => {
    expectCleanUnderNag(generateProvince({ agencies: 20 }));
  });

  test('pass for a disposable dev stack', () => {
    expectCleanUnderNag(generateProvince({ agencies: 3 }), { stage: 'dev' });
  });

  test('pass when a function is granted the document bucket', () => {
    const base = routes.find((r) => r.id === 'CreateDossier')!;
    const { acks } = expectCleanUnderNag(generateProvince({ agencies: 1 }), {
      routes: [
        { ...base, id: 'UploadDocument', path: '/dossiers/{code}/documents', grants: { table: 'readwrite', bucket: 'upload' } },
        { ...base, id: 'DownloadDocument', method: 'GET', path: '/dossiers/{code}/documents/{id}', grants: { bucket: 'read' } },
      ],
      consumers: [],
    });
    // the one wildcard left is the documents prefix of the one bucket; no action wildcard is granted any more
    expect(acks.some((a) => a.path.endsWith('UploadDocument') && a.id.includes('dossiers/*'))).toBe(true);
    expect(acks.some((a) => a.path.endsWith('DownloadDocument') && a.id.includes('dossiers/*'))).toBe(true);
    expect(acks.some((a) => /(UploadDocument|DownloadDocument)$/.test(a.path) && a.id.includes('Action::s3:'))).toBe(false);
  });

  test('acknowledge the agency-queue wildcard precisely, for the function that sends only', () => {
    const { acks } = expectCleanUnderNag(generateProvince({ id: 'thu-nghiem', agencies: 2 }));
    const wildcard = acks.filter((a) => a.id.includes(':sqs:'));
    expect(wildcard.map((a) => [a.path.split('/').at(-1), a.id])).toEqual([
      ['RouteEvents', 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sqs:<AWS::Region>:<AWS::AccountId>:motcua-thu-nghiem-agency-*]'],
    ]);
  });

  test('fail synthesis on a finding nobody acknowledged', () => {
    // Prepare: a queue without encryption policy, DLQ or TLS-only policy
    const { app, stack } = build(generateProvince({ agencies: 1 }), { nag: true, routes: [], consumers: [] });
    new Queue(stack as Stack, 'Careless');

    // Act + Assess
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS3/);
  });
});

/** CDK's built-in template linter (WebAssembly) takes seconds to start, so it runs once, here. */
describe("CDK's CloudFormation template validation", { timeout: 120_000 }, () => {
  test('finds nothing in the stack of a real province and its nested stacks', () => {
    // Prepare
    const province = realProvinces.includes('lang-son') ? loadProvince('lang-son') : generateProvince({ agencies: 30 });
    const { app } = build(province, { nag: true, cfnValidation: true });

    // Act
    const assembly = app.synth();

    // Assess
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as { pluginReports: unknown[] };
    expect(report.pluginReports).toEqual([]);
  });
});
