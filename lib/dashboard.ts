import { Duration, Stack } from 'aws-cdk-lib';
import { Dashboard, GraphWidget, MathExpression, TextWidget, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { agencyQueue, businessMetrics, consumers } from '../functions/declaration.js';
import type { Province } from '../provinces/schema.js';
import type { HandlerFunction } from './handler-function.js';
import type { Api } from './http-api.js';
import { businessMetric } from './operations.js';

/**
 * One CloudWatch dashboard per province stack. The agency queues are shown through SEARCH expressions
 * over their shared name prefix rather than one metric per queue: the dashboard stays one resource of a
 * few kilobytes for 2 or 200 agencies, and an agency added later appears without a redeploy.
 */
export function provinceDashboard(
  stack: Stack,
  props: { province: Province; api: Api; functions: ReadonlyMap<string, HandlerFunction>; notificationDeadLetter: Queue },
): Dashboard {
  const { province } = props;
  const prefix = agencyQueue.name(province.id, '');
  // search terms match whole tokens of the queue name, so the prefix finds this province's agency queues only
  const search = (metric: string, label: string, extra = '') =>
    new MathExpression({
      expression: `SEARCH('{AWS/SQS,QueueName} MetricName="${metric}" "${prefix}"${extra}', 'Maximum', 300)`,
      label,
      period: Duration.minutes(5),
      usingMetrics: {},
    });
  const consumerErrors: IMetric[] = [...props.functions.entries()]
    .filter(([id]) => consumers.some((c) => c.id === id))
    .map(([id, f]) => f.fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum', label: id }));

  const dashboard = new Dashboard(stack, 'Dashboard', {
    dashboardName: `motcua-${province.id}`,
    defaultInterval: Duration.hours(24),
  });
  dashboard.addWidgets(
    new TextWidget({
      markdown: `# motcua ${province.name}\nAgency queues: \`${prefix}<agencyId>\` (${province.agencies.length} agencies); alarms per agency on dead letters and on the oldest message.`,
      width: 24,
      height: 2,
    }),
  );
  dashboard.addWidgets(
    new GraphWidget({
      title: 'API: requests, 4xx, 5xx',
      left: [props.api.httpApi.metricCount({ period: Duration.minutes(5) }), props.api.httpApi.metricClientError({ period: Duration.minutes(5) }), props.api.httpApi.metricServerError({ period: Duration.minutes(5) })],
      width: 12,
    }),
    new GraphWidget({ title: 'API latency (p90)', left: [props.api.httpApi.metricLatency({ period: Duration.minutes(5), statistic: 'p90' })], width: 12 }),
  );
  dashboard.addWidgets(
    new GraphWidget({ title: 'Agency queues: messages waiting', left: [search('ApproximateNumberOfMessagesVisible', 'waiting')], width: 8 }),
    new GraphWidget({ title: 'Agency queues: age of the oldest message (s)', left: [search('ApproximateAgeOfOldestMessage', 'oldest')], width: 8 }),
    new GraphWidget({
      title: 'Agency dead letters',
      left: [
        new MathExpression({
          expression: `SEARCH('{AWS/SQS,QueueName} MetricName="ApproximateNumberOfMessagesVisible" "${prefix}" dlq', 'Maximum', 300)`,
          label: 'dead letters',
          period: Duration.minutes(5),
          usingMetrics: {},
        }),
      ],
      width: 8,
    }),
  );
  // the business figures the functions count (functions/http/metrics.ts), per hour
  const figure = (name: Parameters<typeof businessMetric>[1], dimensions: Record<string, string> = {}, label?: string) => businessMetric(province.id, name, dimensions, Duration.hours(1), label);
  dashboard.addWidgets(
    new GraphWidget({
      title: 'Dossiers filed, by channel (per hour)',
      left: businessMetrics.submissionChannels.map((channel) => figure(businessMetrics.submissions, { channel }, channel)),
      stacked: true,
      width: 8,
    }),
    new GraphWidget({
      title: 'Refused, stale steps, locked receipts (per hour)',
      left: [figure(businessMetrics.dossiersRefused, {}, 'dossiers refused'), figure(businessMetrics.versionConflicts, {}, 'version conflicts (409)'), figure(businessMetrics.pinLockouts, {}, 'PIN lockouts (429)')],
      width: 8,
    }),
    new GraphWidget({
      title: 'Payments settled (per hour)',
      left: businessMetrics.paymentSources.map((source) => figure(businessMetrics.paymentsSettled, { source }, `by ${source}`)),
      stacked: true,
      width: 8,
    }),
  );
  dashboard.addWidgets(
    new GraphWidget({ title: 'Consumers: errors', left: consumerErrors, width: 12 }),
    new GraphWidget({
      title: 'Notifications parked in the dead-letter queue',
      left: [props.notificationDeadLetter.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' })],
      width: 12,
    }),
  );
  return dashboard;
}
