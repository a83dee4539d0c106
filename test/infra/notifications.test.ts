import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, test } from 'vitest';
import { agencyQueue, consumers, environment, notificationQueue } from '../../functions/declaration.js';
import { OLDEST_MESSAGE_ALARM_MINUTES } from '../../lib/agency-queues.js';
import type { MotcuaStack } from '../../lib/motcua-stack.js';
import { build, generateProvince, statementsOf } from './fixtures.js';

describe('notifications and queue operations in the stack', { timeout: 120_000 }, () => {
  const province = { ...generateProvince({ agencies: 3 }), notifications: { fromEmail: 'motcua@example.gov.vn', smsSenderId: 'MOTCUA' } };
  let stack: MotcuaStack;
  let template: Template;
  beforeAll(() => {
    stack = build(province, { routes: [] }).stack;
    template = Template.fromStack(stack);
  });

  test('gives the senders SES for the province identity only, SMS, and the notification dead-letter queue, and nothing else', () => {
    const json = template.toJSON();
    for (const c of consumers.filter((d) => d.grants.notify)) {
      const statements = statementsOf(stack, json, c.id);
      const ses = statements.find((s) => s.Action === 'ses:SendEmail') as { Resource: unknown; Condition?: unknown } | undefined;
      expect(JSON.stringify(ses?.Resource)).toContain('identity/motcua@example.gov.vn');
      expect(JSON.stringify(ses?.Resource)).toContain('identity/example.gov.vn');
      expect(ses?.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'motcua@example.gov.vn' } });
      expect(statements.some((s) => [s.Action].flat().includes('sns:Publish'))).toBe(true);
      const fn = json.Resources[stack.getLogicalId(stack.functions.get(c.id)!.fn.node.defaultChild as never)].Properties.Environment.Variables;
      expect(fn[environment.notifyFromEmail]).toBe('motcua@example.gov.vn');
      expect(fn[environment.smsProvider]).toBe('sns');
      expect(fn.SMS_SENDER_ID).toBe('MOTCUA');
    }
    for (const c of consumers.filter((d) => !d.grants.notify)) {
      const actions = statementsOf(stack, json, c.id).flatMap((s) => [s.Action].flat());
      expect(actions.filter((a) => a.startsWith('ses:') || a.startsWith('sns:')), c.id).toEqual([]);
    }
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: notificationQueue.deadLetterName(province.id), SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmDescription: Match.stringLikeRegexp('Notifications of .* failed every attempt'), Threshold: 0 });
  });

  test('alarms per agency on the age of the oldest message as well as on dead letters', () => {
    const alarms = [...stack.agencyQueues.shards.values()].flatMap((s) => Object.values(Template.fromStack(s).findResources('AWS::CloudWatch::Alarm')));
    const age = alarms.filter((a) => a.Properties.MetricName === 'ApproximateAgeOfOldestMessage');
    expect(age).toHaveLength(province.agencies.length);
    for (const a of age) expect(a.Properties.Threshold).toBe(OLDEST_MESSAGE_ALARM_MINUTES * 60);
    expect(alarms.filter((a) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible')).toHaveLength(province.agencies.length);
  });

  test('has one dashboard whose size does not grow with the agencies', () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]!.Properties.DashboardBody);
    expect(body).toContain(agencyQueue.name(province.id, ''));
    expect(body).toContain('ApproximateAgeOfOldestMessage');
    const large = Template.fromStack(build({ ...generateProvince({ agencies: 60 }), id: province.id }, { routes: [] }).stack);
    const largeBody = JSON.stringify(Object.values(large.findResources('AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardBody);
    expect(largeBody.length).toBeLessThan(body.length + 200);
  });
});
