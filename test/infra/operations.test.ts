import { Template } from 'aws-cdk-lib/assertions';
import type { CfnElement } from 'aws-cdk-lib';
import { describe, expect, test } from 'vitest';
import { businessMetrics, consumers, routes } from '../../functions/declaration.js';
import { PIN_LOCKOUT_ALARM_PER_15_MIN, VERSION_CONFLICT_ALARM_PER_15_MIN } from '../../lib/operations.js';
import { liveAlias } from '../../lib/handler-function.js';
import type { MotcuaStack } from '../../lib/motcua-stack.js';
import { build, generateProvince } from './fixtures.js';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown>; UpdatePolicy?: Record<string, unknown> }>;

const province = generateProvince({ agencies: 4 });
const prod = build(province, { alarmEmail: 'vanhanh@example.gov.vn' }).stack;
const dev = build(province, { stage: 'dev' }).stack;

const resources = (stack: MotcuaStack): Resources => Template.fromStack(stack).toJSON().Resources as Resources;
/**
 * The parent's resources and those of the functions' alarm stack, whose parameters are replaced by what
 * the parent passes for them: an alarm then names its function, queue and topic as the parent does.
 */
function withAlarmStack(stack: MotcuaStack): Resources {
  const parent = resources(stack);
  const nested = stack.operations.alarmStack!;
  const passed = parent[stack.getLogicalId(nested.nestedStackResource!)]!.Properties.Parameters as Record<string, unknown>;
  const inline = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(inline);
    if (value && typeof value === 'object') {
      const ref = (value as { Ref?: string }).Ref;
      if (ref !== undefined && ref in passed) return passed[ref];
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inline(v)]));
    }
    return value;
  };
  return { ...parent, ...(inline(Template.fromStack(nested).toJSON().Resources) as Resources) };
}
const ofType = (r: Resources, type: string) => Object.entries(r).filter(([, v]) => v.Type === type);
const topicRef = (stack: MotcuaStack) => ({ Ref: stack.getLogicalId(stack.operations.topic.node.defaultChild as CfnElement) });
const sendsToTopic = (alarm: { Properties: Record<string, unknown> }, topic: unknown) => JSON.stringify(alarm.Properties.AlarmActions ?? []).includes(JSON.stringify(topic));
const logicalId = (stack: MotcuaStack, c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as CfnElement);

describe('operations: where alarms go', () => {
  const r = withAlarmStack(prod);

  test('one KMS-encrypted topic, with the -c alarmEmail subscription', () => {
    const [[, topic]] = ofType(r, 'AWS::SNS::Topic') as [[string, Resources[string]]];
    expect(ofType(r, 'AWS::SNS::Topic')).toHaveLength(1);
    expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    const [[, key]] = ofType(r, 'AWS::KMS::Key') as [[string, Resources[string]]];
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(JSON.stringify(key.Properties.KeyPolicy)).toContain('cloudwatch.amazonaws.com');
    Template.fromStack(prod).hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'vanhanh@example.gov.vn', TopicArn: topicRef(prod) });
    expect(ofType(resources(dev), 'AWS::SNS::Subscription')).toHaveLength(0);
  });

  test('every alarm of the stack sends to the topic', () => {
    const alarms = ofType(r, 'AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(routes.length);
    for (const [id, alarm] of alarms) expect(sendsToTopic(alarm, topicRef(prod)), id).toBe(true);
  });

  test('every dead-letter queue has an alarm on a visible message, sent to the topic (agency queues in their nested stacks too)', () => {
    const alarms = ofType(r, 'AWS::CloudWatch::Alarm').map(([, a]) => a);
    const deadLetterQueues = ofType(r, 'AWS::SQS::Queue').filter(([, q]) => q.Properties.RedrivePolicy === undefined);
    expect(deadLetterQueues.length).toBeGreaterThan(0);
    for (const [id] of deadLetterQueues) {
      const watching = alarms.filter((a) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible' && JSON.stringify(a.Properties.Dimensions).includes(id));
      expect(watching, id).toHaveLength(1);
      expect(watching[0]!.Properties).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
      expect(sendsToTopic(watching[0]!, topicRef(prod)), id).toBe(true);
    }
    for (const shard of prod.agencyQueues.shards.values()) {
      const nested = Template.fromStack(shard).toJSON().Resources as Resources;
      const dlqAlarms = ofType(nested, 'AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible');
      expect(dlqAlarms.length).toBeGreaterThan(0);
      // the parent's topic reaches the nested stack as a parameter
      for (const [, alarm] of ofType(nested, 'AWS::CloudWatch::Alarm')) expect((alarm.Properties.AlarmActions as unknown[]).length).toBe(1);
    }
  });

  test('every stream consumer has an iterator-age alarm on its live alias, sent to the topic', () => {
    const streamConsumers = consumers.filter((c) => c.source.kind === 'table-stream');
    expect(streamConsumers.length).toBeGreaterThan(0);
    const alarms = ofType(r, 'AWS::CloudWatch::Alarm').map(([, a]) => a).filter((a) => a.Properties.MetricName === 'IteratorAge');
    expect(alarms).toHaveLength(streamConsumers.length);
    for (const c of streamConsumers) {
      const fnId = logicalId(prod, prod.functions.get(c.id)!.fn);
      const alarm = alarms.find((a) => JSON.stringify(a.Properties.Dimensions).includes(fnId));
      expect(alarm, c.id).toBeDefined();
      expect(JSON.stringify(alarm!.Properties.Dimensions)).toContain(`:${liveAlias}`);
      expect(sendsToTopic(alarm!, topicRef(prod))).toBe(true);
    }
  });

  test('every function has an error alarm, and throttles of all functions are alarmed', () => {
    const alarms = ofType(r, 'AWS::CloudWatch::Alarm').map(([, a]) => a);
    for (const [id, handler] of prod.functions) {
      const fnId = logicalId(prod, handler.fn);
      expect(alarms.filter((a) => a.Properties.MetricName === 'Errors' && JSON.stringify(a.Properties.Dimensions).includes(fnId)), id).toHaveLength(1);
    }
    const throttled = alarms.filter((a) => JSON.stringify(a.Properties.Metrics ?? []).includes('"Throttles"'));
    const covered = JSON.stringify(throttled.map((a) => a.Properties.Metrics));
    for (const [id, handler] of prod.functions) expect(covered.includes(logicalId(prod, handler.fn)), id).toBe(true);
    Template.fromStack(prod).hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/ApiGateway', MetricName: '5xx', AlarmActions: [topicRef(prod)] });
  });
});

describe('operations: gradual deployment', () => {
  test('every function has its live alias, and the API routes, stream mappings and schedules invoke it', () => {
    const r = resources(prod);
    const aliases = ofType(r, 'AWS::Lambda::Alias');
    expect(aliases).toHaveLength(prod.functions.size);
    for (const [, a] of aliases) expect(a.Properties.Name).toBe(liveAlias);
    const aliasIds = new Set(aliases.map(([id]) => id));
    const pointsAtAlias = (value: unknown) => [...aliasIds].some((id) => JSON.stringify(value).includes(id));
    for (const [id, integration] of ofType(r, 'AWS::ApiGatewayV2::Integration')) expect(pointsAtAlias(integration.Properties.IntegrationUri), id).toBe(true);
    for (const [id, mapping] of ofType(r, 'AWS::Lambda::EventSourceMapping')) expect(pointsAtAlias(mapping.Properties.FunctionName), id).toBe(true);
    for (const [id, rule] of ofType(r, 'AWS::Events::Rule')) expect(pointsAtAlias(rule.Properties.Targets), id).toBe(true);
  });

  test('prod deploys each alias 10 % for 5 minutes and rolls back on its error alarm', () => {
    const r = resources(prod);
    const groups = ofType(r, 'AWS::CodeDeploy::DeploymentGroup');
    expect(groups).toHaveLength(prod.functions.size);
    expect(ofType(r, 'AWS::CodeDeploy::Application')).toHaveLength(1);
    for (const [id, group] of groups) {
      expect(group.Properties.DeploymentConfigName, id).toBe('CodeDeployDefault.LambdaCanary10Percent5Minutes');
      expect(group.Properties.AutoRollbackConfiguration, id).toMatchObject({ Enabled: true, Events: expect.arrayContaining(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM']) });
      expect((group.Properties.AlarmConfiguration as { Alarms: unknown[] }).Alarms).toHaveLength(1);
    }
    const nested = prod.operations.alarmStack!;
    const outputs = Template.fromStack(nested).toJSON().Outputs as Record<string, { Value: unknown }>;
    for (const [id, handler] of prod.functions) {
      const alias = r[logicalId(prod, handler.alias)]!;
      expect(alias.UpdatePolicy?.CodeDeployLambdaAliasUpdate, id).toBeDefined();
      const errorAlarm = prod.operations.alarmScope(id).node.findChild('Errors');
      const group = prod.operations.deploymentGroups.get(id)!;
      const cfn = r[logicalId(prod, group)]!;
      // the alarm's name, an output of the alarm stack
      const [{ Name }] = (cfn.Properties.AlarmConfiguration as { Alarms: [{ Name: { 'Fn::GetAtt': [string, string] } }] }).Alarms;
      const output = Name['Fn::GetAtt'][1].replace(/^Outputs\./, '');
      expect(outputs[output]?.Value, id).toEqual({ Ref: nested.getLogicalId(errorAlarm.node.defaultChild as CfnElement) });
    }
    // one CodeDeploy role for all groups, not one per function
    expect(ofType(r, 'AWS::IAM::Role').filter(([, role]) => JSON.stringify(role.Properties.AssumeRolePolicyDocument).includes('codedeploy'))).toHaveLength(1);
  });

  test('dev has aliases but deploys at once', () => {
    const r = resources(dev);
    expect(ofType(r, 'AWS::Lambda::Alias')).toHaveLength(dev.functions.size);
    expect(ofType(r, 'AWS::CodeDeploy::DeploymentGroup')).toHaveLength(0);
  });
});

describe('operations: business figures', () => {
  const template = Template.fromStack(prod);
  const service = businessMetrics.service(province.id);

  test('the dashboard graphs each figure under the namespace and service the functions publish it with', () => {
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    // the body is one JSON string, joined with the tokens it refers to (which stand in as strings here)
    const raw = dashboard!.Properties.DashboardBody as string | { 'Fn::Join': [string, unknown[]] };
    const text = typeof raw === 'string' ? raw : raw['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : 'token')).join('');
    const body = JSON.parse(text) as { widgets: { properties: { metrics?: unknown[][] } }[] };
    const graphed = body.widgets.flatMap((w) => w.properties.metrics ?? []).filter((m) => m[0] === businessMetrics.namespace);
    // [namespace, name, dimension, value, dimension, value, ..., options]
    const dimensionsOf = (m: unknown[]) => Object.fromEntries(Array.from({ length: Math.floor((m.length - 2) / 2) }, (_, i) => [m[2 + 2 * i], m[3 + 2 * i]]));
    const series = (name: string) => graphed.filter((m) => m[1] === name && dimensionsOf(m).service === service).map(dimensionsOf);
    expect(series(businessMetrics.submissions).map((d) => d.channel)).toEqual([...businessMetrics.submissionChannels]);
    expect(series(businessMetrics.paymentsSettled).map((d) => d.source)).toEqual([...businessMetrics.paymentSources]);
    for (const name of [businessMetrics.versionConflicts, businessMetrics.pinLockouts, businessMetrics.dossiersRefused]) expect(series(name), name).toHaveLength(1);
  });

  test('PIN lockouts and version conflicts are alarmed over 15 minutes and sent to the topic', () => {
    for (const [name, threshold] of [
      [businessMetrics.pinLockouts, PIN_LOCKOUT_ALARM_PER_15_MIN],
      [businessMetrics.versionConflicts, VERSION_CONFLICT_ALARM_PER_15_MIN],
    ] as const) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: businessMetrics.namespace,
        MetricName: name,
        Dimensions: [{ Name: 'service', Value: service }],
        Statistic: 'Sum',
        Period: 900,
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [topicRef(prod)],
      });
    }
  });

  test('publishing them needs no permission: EMF goes through the function logs, no role may put metric data', () => {
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).not.toContain('cloudwatch:PutMetricData');
  });
});
