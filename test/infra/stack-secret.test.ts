import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, test } from 'vitest';
import { consumers, environment, routes, type ConsumerDeclaration, type RouteDeclaration } from '../../functions/declaration.js';
import type { MotcuaStack } from '../../lib/motcua-stack.js';
import { allowedActions, build, generateProvince, statementsOf } from './fixtures.js';

describe('the stack secret', { timeout: 60_000 }, () => {
  let stack: MotcuaStack;
  let template: Template;

  beforeAll(() => {
    // Prepare
    ({ stack } = build(generateProvince({ id: 'bi-mat', agencies: 3 })));
    template = Template.fromStack(stack);
  }, 60_000);

  test('is one generated Secrets Manager secret, retained even when the stack goes', () => {
    // Assess
    // three secrets in all: this one, the national portal's credentials and the payment gateway's merchant enrolment (test/infra/payments.test.ts)
    template.resourceCountIs('AWS::SecretsManager::Secret', 3);
    const stackSecretId = stack.getLogicalId(stack.storage.stackSecret.node.defaultChild as never);
    const secret = template.findResources('AWS::SecretsManager::Secret')[stackSecretId]!;
    expect(secret).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { GenerateSecretString: { PasswordLength: 64 } } });
    expect(secret.Properties.SecretString).toBeUndefined();
  });

  test('is readable, and named, only by the functions whose declaration grants it', () => {
    const json = template.toJSON();
    const secretId = stack.getLogicalId(stack.storage.stackSecret.node.defaultChild as never);
    const declared: readonly (RouteDeclaration | ConsumerDeclaration)[] = [...routes, ...consumers];
    const granted = declared.filter((d) => d.grants.secret === 'read').map((d) => d.id);
    expect(granted.length).toBeGreaterThan(0);
    for (const d of declared) {
      const statements = statementsOf(stack, json, d.id);
      // the merchant secret of the payment gateway is granted on its own (test/infra/payments.test.ts)
      const reads = statements.filter((s) => s.Effect === 'Allow' && allowedActions([s]).has('secretsmanager:GetSecretValue') && JSON.stringify(s.Resource) === JSON.stringify({ Ref: secretId }));
      const variables = json.Resources[stack.getLogicalId(stack.functions.get(d.id)!.fn.node.defaultChild as never)].Properties.Environment.Variables;
      if (granted.includes(d.id)) {
        // exactly this secret, and nothing but reading it
        expect(reads.map((s) => s.Resource), d.id).toEqual([{ Ref: secretId }]);
        expect([...allowedActions(reads)].every((a) => a === 'secretsmanager:GetSecretValue' || a === 'secretsmanager:DescribeSecret'), d.id).toBe(true);
        expect(variables[environment.stackSecretArn], d.id).toEqual({ Ref: secretId });
      } else {
        expect(reads, d.id).toEqual([]);
        expect(variables[environment.stackSecretArn], d.id).toBeUndefined();
      }
      expect(variables[environment.stackSecretFile], d.id).toBeUndefined();
    }
  });

  test("names the national portal's credentials only to the functions granted the portal", () => {
    const json = template.toJSON();
    const nationalId = stack.getLogicalId(stack.nationalSecret.node.defaultChild as never);
    const declared: readonly (RouteDeclaration | ConsumerDeclaration)[] = [...routes, ...consumers];
    expect(declared.some((d) => d.grants.nationalPortal === 'read')).toBe(true);
    for (const d of declared) {
      const variables = json.Resources[stack.getLogicalId(stack.functions.get(d.id)!.fn.node.defaultChild as never)].Properties.Environment.Variables;
      if (d.grants.nationalPortal === 'read') expect(variables[environment.nationalSecretId], d.id).toEqual({ Ref: nationalId });
      else expect(variables[environment.nationalSecretId], d.id).toBeUndefined();
      // the local runtime's file of credentials has no place in the cloud
      expect(variables[environment.nationalConfigFile], d.id).toBeUndefined();
    }
  });
});
