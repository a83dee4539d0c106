import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, test } from 'vitest';
import { consumers, paymentEnvironment, routes, type ConsumerDeclaration, type RouteDeclaration } from '../../functions/declaration.js';
import type { MotcuaStack } from '../../lib/motcua-stack.js';
import { allowedActions, build, generateProvince, statementsOf } from './fixtures.js';

describe('the merchant secret of the payment gateway', { timeout: 60_000 }, () => {
  let stack: MotcuaStack;
  let template: Template;

  const merchantId = () => stack.getLogicalId(stack.node.findChild('PaymentMerchant').node.defaultChild as never);

  beforeAll(() => {
    ({ stack } = build(generateProvince({ id: 'thanh-toan', agencies: 3 })));
    template = Template.fromStack(stack);
  }, 60_000);

  test('is one Secrets Manager secret, kept when a production stack is deleted', () => {
    // the stack's other secrets: the one keys are derived from (test/infra/stack-secret.test.ts) and the
    // national portal's credentials
    const secrets = template.findResources('AWS::SecretsManager::Secret');
    const others = Object.keys(secrets).filter((id) => id !== merchantId());
    expect(others.sort()).toEqual(
      [stack.getLogicalId(stack.storage.stackSecret.node.defaultChild as never), stack.getLogicalId(stack.nationalSecret.node.defaultChild as never)].sort(),
    );
    expect(secrets[merchantId()]!.DeletionPolicy).toBe('Retain');
  });

  test('is readable only by the functions whose declaration grants it, which alone learn its ARN', () => {
    const json = template.toJSON();
    const declared: readonly (RouteDeclaration | ConsumerDeclaration)[] = [...routes, ...consumers];
    const readers: string[] = [];
    for (const d of declared) {
      // only the statements on the merchant secret: a function may also read the stack secret
      const onMerchant = statementsOf(stack, json, d.id).filter((st) => JSON.stringify(st.Resource) === JSON.stringify({ Ref: merchantId() }));
      const actions = allowedActions(onMerchant);
      const reads = actions.has('secretsmanager:GetSecretValue');
      expect(reads, `${d.id} reads the merchant secret`).toBe(d.grants.paymentSecret === 'read');
      expect([...actions].filter((a) => a.startsWith('secretsmanager:') && !['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'].includes(a)), d.id).toEqual([]);
      const fn = stack.functions.get(d.id)!;
      const env = json.Resources[stack.getLogicalId(fn.fn.node.defaultChild as never)].Properties.Environment.Variables as Record<string, unknown>;
      expect(paymentEnvironment.secretId in env, `${d.id} has the secret id`).toBe(reads);
      if (reads) readers.push(d.id);
    }
    expect(readers.sort()).toEqual(['CreatePayment', 'PaymentNotification', 'PaymentNotificationQuery', 'ReconcilePayments']);
  });

  test('the province file holds no merchant data', () => {
    const raw = JSON.stringify(generateProvince({ id: 'thanh-toan', agencies: 3 }));
    expect(raw).not.toMatch(/secret|merchant/i);
  });
});
