import { Duration, NestedStack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, Metric, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { LambdaApplication, LambdaDeploymentConfig, LambdaDeploymentGroup } from 'aws-cdk-lib/aws-codedeploy';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { businessMetrics, type BusinessMetricName } from '../functions/declaration.js';
import type { Province } from '../provinces/schema.js';
import type { HandlerFunction } from './handler-function.js';
import { acknowledge } from './nag.js';
import { removalPolicy, type StageName } from './stage.js';

/** A stream consumer this far behind the table's stream is no longer "near real time": agencies and citizens wait. */
export const ITERATOR_AGE_ALARM_SECONDS = 5 * 60;
/**
 * Tracking lookups refused by a locked receipt in 15 minutes. A citizen who mistypes locks one receipt
 * now and then; this many means someone is guessing PINs across receipts (the lock holds each one).
 */
export const PIN_LOCKOUT_ALARM_PER_15_MIN = 20;
/**
 * Workflow steps refused as stale in 15 minutes. Two officials on one dossier meet now and then; this many
 * means something bumps versions under their feet (a consumer, the sweeper, a client that never reloads).
 */
export const VERSION_CONFLICT_ALARM_PER_15_MIN = 20;
/** CloudWatch lets an alarm's metric math read at most this many metrics. */
const METRICS_PER_ALARM = 10;

export interface OperationsProps {
  readonly province: Province;
  readonly stage: StageName;
  /** subscribed to the alarm topic (`cdk deploy -c alarmEmail=...`); confirmed by a link AWS mails to it */
  readonly alarmEmail?: string;
}

/**
 * What a province's operators are told and how code reaches production: one encrypted SNS topic every
 * alarm of the stack sends to, and, in prod, gradual deployment of each function's `live` alias
 * (10 % for 5 minutes, then all) that CodeDeploy rolls back when the function's error alarm fires.
 */
export class Operations extends Construct {
  readonly topic: Topic;
  /** declaration id → the deployment group of its `live` alias (prod only) */
  readonly deploymentGroups = new Map<string, LambdaDeploymentGroup>();
  /** the nested stack of the functions' alarms (see `alarmScope`) */
  alarmStack?: NestedStack;
  private readonly stage: StageName;
  private readonly province: Province;
  private application?: LambdaApplication;
  private deployRole?: Role;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    this.stage = props.stage;
    this.province = props.province;
    const key = new Key(this, 'AlarmKey', {
      description: `motcua ${props.province.id}: encrypts the alarm topic`,
      enableKeyRotation: true,
      removalPolicy: removalPolicy(props.stage),
    });
    // CloudWatch publishes the alarms: it must be able to use the topic's key
    key.addToResourcePolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        resources: ['*'],
      }),
    );
    this.topic = new Topic(this, 'Alarms', {
      displayName: `motcua ${props.province.name}: alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
  }

  /**
   * The function's error alarm (on its `live` alias) and, in prod, the deployment group that shifts the
   * alias to a new version gradually and rolls back on that alarm.
   */
  deploy(id: string, handler: HandlerFunction): Alarm {
    const errors = handler.alias.metricErrors({ period: Duration.minutes(1), statistic: 'Sum' }).createAlarm(this.alarmScope(id), 'Errors', {
      alarmDescription: `${id} failed (uncaught errors or timeouts of its live alias); during a deployment this rolls the new version back`,
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    if (this.stage === 'prod') {
      this.application ??= new LambdaApplication(this, 'Deployments', { applicationName: `motcua-${this.province.id}` });
      this.deployRole ??= this.codeDeployRole();
      this.deploymentGroups.set(
        id,
        new LambdaDeploymentGroup(handler, 'Deployment', {
          application: this.application,
          alias: handler.alias,
          role: this.deployRole,
          deploymentConfig: LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
          alarms: [errors],
          autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
        }),
      );
    }
    return errors;
  }

  /** How far behind the table's stream a consumer reads. */
  streamConsumer(id: string, handler: HandlerFunction): Alarm {
    return handler.alias
      .metric('IteratorAge', { period: Duration.minutes(5), statistic: 'Maximum' })
      .createAlarm(this.alarmScope(id), 'IteratorAge', {
        alarmDescription: `${id} reads the table's stream more than ${ITERATOR_AGE_ALARM_SECONDS / 60} minutes behind: notifications, counters and agency messages are late`,
        threshold: ITERATOR_AGE_ALARM_SECONDS * 1000,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
  }

  /** An alarm as soon as one message waits in a dead-letter queue. */
  deadLetters(scope: Construct, id: string, queue: Queue, description: string): Alarm {
    return queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }).createAlarm(scope, id, {
      alarmDescription: description,
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }

  /**
   * Throttled invocations, summed over groups of functions: one alarm per function would cost dozens of
   * resources in a template limited to 500, and a throttle is a capacity matter of the account (its
   * concurrency quota), read on the dashboard per function once the alarm says where to look.
   */
  throttles(functions: ReadonlyMap<string, HandlerFunction>): Alarm[] {
    const entries = [...functions.entries()];
    const alarms: Alarm[] = [];
    for (let i = 0; i < entries.length; i += METRICS_PER_ALARM) {
      const group = entries.slice(i, i + METRICS_PER_ALARM);
      const usingMetrics: Record<string, IMetric> = Object.fromEntries(group.map(([, f], n) => [`t${n}`, f.fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' })]));
      const alarm = new MathExpression({ expression: Object.keys(usingMetrics).join(' + '), usingMetrics, period: Duration.minutes(5), label: 'throttles' }).createAlarm(
        this.alarmScope('Throttles'),
        `Throttles${i / METRICS_PER_ALARM + 1}`,
        {
          alarmDescription: `Lambda throttled ${group.map(([id]) => id).join(', ')}: the account's concurrency is exhausted, requests are refused or events delayed`,
          threshold: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        },
      );
      alarms.push(alarm);
    }
    return alarms;
  }

  /** Alarms on the business figures that signal abuse or a fault rather than demand (see the thresholds). */
  businessAlarms(): Alarm[] {
    const alarm = (id: string, name: BusinessMetricName, threshold: number, description: string) =>
      businessMetric(this.province.id, name, {}, Duration.minutes(15)).createAlarm(this, id, {
        alarmDescription: description,
        threshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    return [
      alarm('PinLockouts', businessMetrics.pinLockouts, PIN_LOCKOUT_ALARM_PER_15_MIN, `${PIN_LOCKOUT_ALARM_PER_15_MIN} or more tracking lookups of ${this.province.name} refused by locked receipts in 15 minutes: someone is likely guessing PINs`),
      alarm('VersionConflicts', businessMetrics.versionConflicts, VERSION_CONFLICT_ALARM_PER_15_MIN, `${VERSION_CONFLICT_ALARM_PER_15_MIN} or more workflow steps of ${this.province.name} refused as stale (409) in 15 minutes: officials act on dossiers that keep changing under them`),
    ];
  }

  /**
   * Where the alarms of one function (or group of functions) are made: a nested stack of their own. They
   * are the per-function resources nothing else in the stack refers to but the deployment groups (by
   * name), so they leave the parent template, which CloudFormation limits to 500 resources, at no risk.
   */
  alarmScope(id: string): Construct {
    this.alarmStack ??= new NestedStack(this, 'FunctionAlarms', { description: `motcua ${this.province.id}: alarms on each function` });
    return (this.alarmStack.node.tryFindChild(id) as Construct | undefined) ?? new Construct(this.alarmStack, id);
  }

  /** Every alarm under `scope` (nested stacks included) sends to the topic; called once the stack is built. */
  notifyAll(scope: IConstruct): void {
    const action = new SnsAction(this.topic);
    for (const c of scope.node.findAll()) if (c instanceof Alarm) c.addAlarmAction(action);
  }

  private codeDeployRole(): Role {
    const role = new Role(this, 'DeployRole', {
      assumedBy: new ServicePrincipal('codedeploy.amazonaws.com'),
      description: `motcua ${this.province.id}: CodeDeploy shifts the live aliases of its functions`,
    });
    acknowledge(role, {
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]':
        "CodeDeploy's own limited Lambda role policy: it may update aliases, invoke hooks named CodeDeployHook_* and read alarms, nothing more.",
    });
    return role;
  }
}

/** The `-c alarmEmail=` context value, checked to be one address. */
export function alarmEmailContext(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) throw new Error(`-c alarmEmail must be one email address, got ${JSON.stringify(value)}`);
  return value;
}

/** A business figure the functions publish (declaration `businessMetrics`), summed over `period`. */
export function businessMetric(provinceId: string, name: BusinessMetricName, dimensions: Readonly<Record<string, string>> = {}, period = Duration.hours(1), label?: string): Metric {
  return new Metric({
    namespace: businessMetrics.namespace,
    metricName: name,
    dimensionsMap: { service: businessMetrics.service(provinceId), ...dimensions },
    period,
    statistic: 'Sum',
    ...(label ? { label } : {}),
  });
}
