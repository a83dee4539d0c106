import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { EventType } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Construct } from 'constructs';
import { agencyQueue, calendarMetric, consumers, notificationQueue, outboxKeyPrefixes, routes, steppedDossierKeys, table as tableDeclaration, type ConsumerDeclaration, type RouteDeclaration } from '../functions/declaration.js';
import { provinceDashboard } from './dashboard.js';
import type { Province } from '../provinces/schema.js';
import { AgencyQueues } from './agency-queues.js';
import { HandlerFunction } from './handler-function.js';
import { Api, type Throttle } from './http-api.js';
import { Identity } from './identity.js';
import { acknowledge } from './nag.js';
import { removalPolicy, type StageName } from './stage.js';
import { Storage } from './storage.js';
import { WebPortal } from './web-portal.js';
import { Operations } from './operations.js';

export interface MotcuaStackProps extends StackProps {
  readonly province: Province;
  /** the province file relative to the repository root; it is shipped in every bundle */
  readonly provinceFile: string;
  /** an imported catalog directory relative to the repository root, shipped in every bundle beside the province file */
  readonly catalogDir?: string;
  readonly stage: StageName;
  readonly throttle?: Throttle;
  /** defaults to the declaration; tests pass their own to exercise other shapes */
  readonly routes?: readonly RouteDeclaration[];
  readonly consumers?: readonly ConsumerDeclaration[];
  /** subscribed to the alarm topic */
  readonly alarmEmail?: string;
}

/** Construct ids are stable names in CloudFormation: derive them from declaration ids, never from order. */
export function stackName(provinceId: string, stage: StageName): string {
  return `Motcua-${provinceId}${stage === 'dev' ? '-dev' : ''}`;
}

/** One province: its API, functions, table, bucket, user pool and agency queues. */
export class MotcuaStack extends Stack {
  readonly storage: Storage;
  /** the user pool, unless the province names an external OpenID Connect issuer */
  readonly identity?: Identity;
  readonly api: Api;
  readonly agencyQueues: AgencyQueues;
  /** the portal: the web app on CloudFront, with the API on the same origin */
  readonly web: WebPortal;
  readonly nationalSecret: Secret;
  /** the alarm topic and the gradual deployments */
  readonly operations: Operations;
  /** declaration id → function */
  readonly functions = new Map<string, HandlerFunction>();

  constructor(scope: Construct, id: string, props: MotcuaStackProps) {
    super(scope, id, props);
    const { province, stage } = props;

    this.operations = new Operations(this, 'Operations', { province, stage, ...(props.alarmEmail ? { alarmEmail: props.alarmEmail } : {}) });
    this.storage = new Storage(this, 'Storage', { province, stage });
    const external = province.identity;
    if (!external) this.identity = new Identity(this, 'Identity', { province, stage });
    this.web = new WebPortal(this, 'Web', { province, stage, documents: this.storage.documents, userPool: this.identity?.userPool, client: this.identity?.client });
    this.api = new Api(this, 'Api', {
      province,
      stage,
      issuer: external?.issuer ?? this.identity!.issuer,
      audience: external?.audience ?? [this.identity!.client.userPoolClientId],
      throttle: props.throttle,
    });
    this.agencyQueues = new AgencyQueues(this, 'AgencyQueues', { province });

    const notificationDeadLetter = new Queue(this, 'NotificationDeadLetter', {
      queueName: notificationQueue.deadLetterName(province.id),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(notificationQueue.retentionDays),
    });
    acknowledge(notificationDeadLetter, {
      'AwsSolutions-SQS3': 'This queue is itself a dead-letter queue: notifications that failed every attempt wait here with their reason; it is watched by an alarm.',
    });
    this.operations.deadLetters(this, 'NotificationDeadLetterNotEmpty', notificationDeadLetter, `Notifications of ${province.name} failed every attempt and wait in ${notificationQueue.deadLetterName(province.id)}`);
    // The merchant enrolment with the national Payment Platform (code, secret, URLs) as JSON, put by the
    // operator after deployment (README "Payments"); never in the province file or the repository.
    const paymentSecret = new Secret(this, 'PaymentMerchant', {
      description: `motcua ${province.id}: merchant enrolment with the payment gateway (JSON: provider, merchantCode, secret, payUrl, apiUrl)`,
      removalPolicy: removalPolicy(stage),
    });
    acknowledge(paymentSecret, {
      'AwsSolutions-SMG4': 'The merchant secret is issued by the payment platform at enrolment and changed through its procedure; the operator puts the new value, no Lambda can rotate it.',
    });
    new CfnOutput(this, 'PaymentSecretArn', { value: paymentSecret.secretArn, description: 'put the merchant enrolment JSON here (aws secretsmanager put-secret-value)' });

    // The national portal issues the credentials; operators put them here as JSON (see README). Until then
    // the value is a random placeholder, which the sync reads as "not configured" and leaves dossiers waiting.
    this.nationalSecret = new Secret(this, 'NationalPortalCredentials', {
      description: `motcua ${province.id}: national portal (DVCQG) sync credentials {url, username, password, dstcode, madonvi, inboundSecret}`,
      removalPolicy: stage === 'dev' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    acknowledge(this.nationalSecret, {
      'AwsSolutions-SMG4': 'The national portal issues and changes these credentials; they are replaced by hand when it does, so there is no rotation Lambda to run.',
    });

    const common = {
      paymentSecret,
      nationalSecret: this.nationalSecret,
      provinceId: province.id,
      provinceFile: props.provinceFile,
      ...(props.catalogDir ? { catalogDir: props.catalogDir } : {}),
      stage,
      storage: this.storage,
      // Links citizens follow (the receipt's tracking link, the payment platform's return page) go to the
      // portal's origin, where CloudFront serves the API's routes beside the pages. The distribution depends
      // only on the API resource, not on its routes, so functions may reference it without a cycle.
      publicBaseUrl: this.web.url,
      notifications: {
        deadLetter: notificationDeadLetter,
        ...(province.notifications?.fromEmail ? { fromEmail: province.notifications.fromEmail } : {}),
        ...(province.notifications?.smsSenderId ? { smsSenderId: province.notifications.smsSenderId } : {}),
      },
    };

    const functions = new Construct(this, 'Functions');
    for (const route of (props.routes ?? routes) as readonly RouteDeclaration[]) {
      const handler = new HandlerFunction(functions, route.id, {
        ...common,
        declarationId: route.id,
        entry: route.entry,
        summary: route.summary,
        grants: route.grants,
        timeout: Duration.seconds(10),
        ...(route.assets ? { assets: route.assets } : {}),
      });
      this.functions.set(route.id, handler);
      this.operations.deploy(route.id, handler);
      const [created] = this.api.httpApi.addRoutes({
        path: route.path,
        methods: [Api.method(route.method)],
        integration: new HttpLambdaIntegration(`${route.id}Integration`, handler.alias),
        authorizer: route.access === 'public' ? undefined : this.api.authorizer,
      });
      if (route.access === 'public' && created) {
        acknowledge(created, {
          'AwsSolutions-APIG4': `${route.method} ${route.path} is public by design (${route.summary}): citizens read it before signing in.`,
        });
      }
    }

    const declared: readonly RouteDeclaration[] = props.routes ?? routes;
    this.api.throttleRoutes(new Map(declared.flatMap((r) => (r.throttle ? [[`${r.method} ${r.path}`, r.throttle] as const] : []))));

    for (const consumer of props.consumers ?? consumers) {
      const handler = new HandlerFunction(functions, consumer.id, {
        ...common,
        declarationId: consumer.id,
        entry: consumer.entry,
        summary: consumer.summary,
        grants: consumer.grants,
        timeout: Duration.seconds(60),
      });
      this.functions.set(consumer.id, handler);
      this.operations.deploy(consumer.id, handler);
      this.wireConsumer(consumer, handler);
    }
    this.operations.throttles(this.functions);

    // Appointments counted on a year whose holidays are only the statute's may move when the government
    // publishes its arrangement: someone must add it to the province file. EMF metric, so no IAM grant.
    new Metric({
      namespace: calendarMetric.namespace,
      metricName: calendarMetric.name,
      dimensionsMap: { service: calendarMetric.service(province.id) },
      period: Duration.hours(1),
      statistic: 'Maximum',
    }).createAlarm(this, 'StatutoryCalendar', {
      alarmDescription: `Appointments of ${province.name} issued now reach a year whose holidays are computed from the Labour Code only: add the government's arrangement for that year to provinces/${province.id}.json`,
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.operations.businessAlarms();
    provinceDashboard(this, { province, api: this.api, functions: this.functions, notificationDeadLetter });

    this.web.publish(this.api.httpApi.apiId, declared);
    // last, so that every alarm above (and the agency queues' in their nested stacks) reaches the operators
    this.operations.notifyAll(this);

    new CfnOutput(this, 'ApiUrl', { value: this.api.httpStage.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'PortalUrl', { value: this.web.url, description: 'The web portal, with the API on the same origin' });
    new CfnOutput(this, 'TableName', { value: this.storage.table.tableName });
    new CfnOutput(this, 'BucketName', { value: this.storage.documents.bucketName });
    if (this.identity) {
      new CfnOutput(this, 'UserPoolId', { value: this.identity.userPool.userPoolId });
      new CfnOutput(this, 'UserPoolClientId', { value: this.identity.client.userPoolClientId });
    } else {
      new CfnOutput(this, 'TokenIssuer', { value: external!.issuer, description: 'the external OpenID Connect issuer the API trusts' });
    }
    new CfnOutput(this, 'QueueUrlBase', { value: `https://sqs.${this.region}.${this.urlSuffix}/${this.account}` });
    new CfnOutput(this, 'AgencyQueueNames', {
      value: `${agencyQueue.name(province.id, '<agencyId>')} (dead letters: ${agencyQueue.deadLetterName(province.id, '<agencyId>')}), for the ${province.agencies.length} agencies of provinces/${province.id}.json`,
      description: 'How agency queue names are formed; queue URL = QueueUrlBase/<name>',
    });
  }

  private wireConsumer(consumer: ConsumerDeclaration, handler: HandlerFunction): void {
    const source = consumer.source;
    switch (source.kind) {
      case 'table-stream': {
        const failures = this.failureQueue(consumer, handler, 'StreamFailures', 'the on-failure destination of the table stream mapping: it holds the metadata of stream batches that failed all retries');
        this.operations.streamConsumer(consumer.id, handler);
        handler.alias.addEventSource(
          new DynamoEventSource(this.storage.table, {
            startingPosition: StartingPosition.TRIM_HORIZON,
            batchSize: source.batchSize,
            maxBatchingWindow: Duration.seconds(source.batchWindowSeconds),
            retryAttempts: source.maxRetries,
            bisectBatchOnError: true,
            reportBatchItemFailures: true,
            onFailure: new SqsDlq(failures),
            filters: [
              source.records === 'steps'
                ? // the workflow steps: dossier items modified with a step's event on them (exists works on leaves only)
                  FilterCriteria.filter({
                    eventName: FilterRule.isEqual('MODIFY'),
                    dynamodb: {
                      Keys: {
                        [tableDeclaration.partitionKey]: { S: FilterRule.beginsWith(steppedDossierKeys.partition) },
                        [tableDeclaration.sortKey]: { S: FilterRule.isEqual(steppedDossierKeys.sort) },
                      },
                      NewImage: { lastEvent: { M: { version: { N: FilterRule.exists() } } } },
                    },
                  })
                : // the outbox: only newly written history events, never updates to the dossier itself
                  FilterCriteria.filter({
                    eventName: FilterRule.isEqual('INSERT'),
                    dynamodb: {
                      Keys: {
                        [tableDeclaration.partitionKey]: { S: FilterRule.beginsWith(outboxKeyPrefixes.partition) },
                        [tableDeclaration.sortKey]: { S: FilterRule.beginsWith(outboxKeyPrefixes.sort) },
                      },
                    },
                  }),
            ],
          }),
        );
        break;
      }
      case 'schedule': {
        new Rule(handler, 'Schedule', {
          description: `${consumer.id}: ${consumer.summary}`,
          schedule: Schedule.rate(Duration.minutes(source.everyMinutes)),
          targets: [new LambdaFunction(handler.alias, { retryAttempts: 2 })],
        });
        break;
      }
      case 'bucket-created': {
        this.storage.documents.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(handler.alias), ...(source.prefix ? [{ prefix: source.prefix }] : []));
        acknowledgeBucketNotifications(this);
        // S3 invokes asynchronously: after Lambda's two retries an event would be dropped, leaving an upload
        // that is never verified; keep it instead so it can be replayed.
        const failures = this.failureQueue(consumer, handler, 'InvokeFailures', 'the on-failure destination of the asynchronous S3 invocations: it holds the events that failed all retries');
        handler.alias.configureAsyncInvoke({ retryAttempts: 2, onFailure: new SqsDestination(failures) });
        break;
      }
    }
  }

  /** Where a consumer's events go once every retry failed, so that none is dropped silently; alarmed. */
  private failureQueue(consumer: ConsumerDeclaration, handler: HandlerFunction, id: string, role: string): Queue {
    const failures = new Queue(handler, id, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(failures, {
      'AwsSolutions-SQS3': `This queue is itself a dead-letter queue, ${role}; it is watched by an alarm.`,
    });
    this.operations.deadLetters(this.operations.alarmScope(consumer.id), `${id}NotEmpty`, failures, `${consumer.id} gave up on some events; see its ${id} queue`);
    return failures;
  }
}

/**
 * `addEventNotification` puts CDK's own singleton handler into the stack (a custom resource that writes the
 * bucket's notification configuration at deploy time). Its role and runtime are CDK's, not ours.
 */
function acknowledgeBucketNotifications(stack: Stack): void {
  const handler = stack.node.tryFindChild('BucketNotificationsHandler050a0587b7544547bf325f094a3db834');
  if (!handler) return;
  acknowledge(handler, {
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]':
      "CDK's bucket-notification custom resource runs once per deploy with the basic execution role that CDK gives it.",
    'AwsSolutions-IAM5[Resource::*]': "CDK's bucket-notification custom resource calls s3:PutBucketNotification, which it grants on '*'.",
  });
}
