import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, test } from 'vitest';
import type { MotcuaStack } from '../../lib/motcua-stack.js';
import { allowedActions, build, generateProvince, statementsOf } from './fixtures.js';

describe('the document bucket of a province', { timeout: 60_000 }, () => {
  let stack: MotcuaStack;
  let template: Template;

  beforeAll(() => {
    // Prepare
    ({ stack } = build(generateProvince({ id: 'tai-lieu', agencies: 4, portalOrigins: ['https://dichvucong.example.vn'] })));
    template = Template.fromStack(stack);
  }, 60_000);

  test('sends ObjectCreated under dossiers/ to the verifier (its live alias), and nothing else', () => {
    const verifier = stack.getLogicalId(stack.functions.get('VerifyDocuments')!.alias.node.defaultChild as never);
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'dossiers/' }] } },
            LambdaFunctionArn: { Ref: verifier },
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com', FunctionName: { Ref: verifier } });
  });

  test('aborts abandoned multipart uploads after a day and expires the quarantine', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' }),
          Match.objectLike({ Prefix: 'rejected/', ExpirationInDays: 30, Status: 'Enabled' }),
        ]),
      },
    });
  });

  test('lets browsers PUT and GET from the portal origin only', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      // besides the portal origins of the province file, the stack's own portal distribution (test/infra/web.test.ts)
      CorsConfiguration: { CorsRules: Match.arrayWith([Match.objectLike({ AllowedOrigins: ['https://dichvucong.example.vn'], AllowedMethods: Match.arrayWith(['PUT', 'GET']) })]) },
    });
  });

  test('gives delete to the verifier only; upload routes may put, the download route may only read', () => {
    const json = template.toJSON() as Parameters<typeof statementsOf>[1];
    const verifier = allowedActions(statementsOf(stack, json, 'VerifyDocuments'));
    expect(verifier).toContain('s3:DeleteObjectVersion');
    expect(verifier).toContain('s3:DeleteObject');
    expect([...verifier].some((a) => a.startsWith('s3:PutObject'))).toBe(true);
    for (const id of ['UploadDocument', 'UploadResult']) {
      const actions = allowedActions(statementsOf(stack, json, id));
      expect([...actions].some((a) => a.startsWith('s3:PutObject'))).toBe(true);
      expect([...actions].some((a) => a.startsWith('s3:Delete'))).toBe(false);
    }
    const download = allowedActions(statementsOf(stack, json, 'GetResult'));
    expect([...download].some((a) => a.startsWith('s3:Put') || a.startsWith('s3:Delete'))).toBe(false);
    for (const [id, handler] of stack.functions) {
      if (id === 'VerifyDocuments') continue;
      expect([...allowedActions(statementsOf(stack, json, id))].some((a) => a.startsWith('s3:Delete')), id).toBe(false);
      expect(handler).toBeDefined();
    }
  });
});
