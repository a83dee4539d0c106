import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnResource } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  agencyQueue,
  applicantListAttributes,
  consumers,
  inboxAttributes,
  unsyncedAttributes,
  environment,
  paymentEnvironment,
  routes,
  table as tableDeclaration,
  type ConsumerDeclaration,
  type Grants,
  type RouteDeclaration,
} from '../../functions/declaration.js';
import { shardOf } from '../../lib/agency-queues.js';
import { addMotcua } from '../../lib/app.js';
import { bundledProvinceFile, esmRequireBanner } from '../../lib/handler-function.js';
import { fromRoot } from '../../lib/paths.js';
import { loadProvince } from '../../provinces/load.js';
import type { MotcuaStack } from '../../lib/motcua-stack.js';
import type { Province } from '../../provinces/schema.js';
import { allowedActions, build, generateProvince, statementsOf, testContext } from './fixtures.js';

const tableWrites = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
const tableReads = ['dynamodb:GetItem', 'dynamodb:Query'];

describe('the stack of a province', { timeout: 60_000 }, () => {
  let province: Province;
  let stack: MotcuaStack;
  let template: Template;

  beforeAll(() => {
    // Prepare
    province = generateProvince({ id: 'thu-nghiem', agencies: 12 });
    ({ stack } = build(province));
    template = Template.fromStack(stack);
  }, 60_000);

  test('is named after the province', () => {
    expect(stack.stackName).toBe('Motcua-thu-nghiem');
  });

  test('keeps one table with the declared keys, indexes, stream and TTL, recoverable and retained', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: tableDeclaration.partitionKey, KeyType: 'HASH' },
          { AttributeName: tableDeclaration.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: tableDeclaration.indexes.map((index) =>
          Match.objectLike({
            IndexName: index.name,
            KeySchema: [
              { AttributeName: index.partitionKey, KeyType: 'HASH' },
              { AttributeName: index.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.projected] },
          }),
        ),
        StreamSpecification: { StreamViewType: tableDeclaration.stream },
        TimeToLiveSpecification: { AttributeName: tableDeclaration.timeToLiveAttribute, Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
      }),
    });
    const attributes = Object.values(template.findResources('AWS::DynamoDB::Table'))[0]?.Properties.AttributeDefinitions as { AttributeType: string }[];
    expect(attributes.every((a) => a.AttributeType === 'S')).toBe(true);
  });

  test('copies into each index only what its readers show, never the whole dossier', () => {
    const table = Object.values(template.findResources('AWS::DynamoDB::Table'))[0]?.Properties as {
      GlobalSecondaryIndexes: { IndexName: string; Projection: { ProjectionType: string; NonKeyAttributes?: string[] } }[];
    };
    const projected = Object.fromEntries(table.GlobalSecondaryIndexes.map((i) => [i.IndexName, i.Projection]));
    expect(Object.values(projected).map((p) => p.ProjectionType)).toEqual(['INCLUDE', 'INCLUDE', 'INCLUDE']);
    expect(new Set(projected.gsi1?.NonKeyAttributes)).toEqual(new Set([...inboxAttributes, ...unsyncedAttributes]));
    expect(new Set(projected.gsi2?.NonKeyAttributes)).toEqual(new Set(applicantListAttributes));
    expect(new Set(projected.gsi3?.NonKeyAttributes)).toEqual(new Set(inboxAttributes));
    // what no list shows stays in the table: the form, the channels, the fees, the PIN hash, the citizen's id in their own list
    for (const [name, p] of Object.entries(projected)) {
      for (const kept of ['fields', 'notify', 'fees', 'trackingPinHash', 'applicantSubject', 'dossier']) expect(p.NonKeyAttributes, `${name} ${kept}`).not.toContain(kept);
    }
    expect(projected.gsi2?.NonKeyAttributes).not.toContain('applicant');
    // DynamoDB allows at most 100 projected attributes over all the indexes of a table
    expect(Object.values(projected).reduce((n, p) => n + (p.NonKeyAttributes?.length ?? 0), 0)).toBeLessThanOrEqual(100);
  });

  test('keeps documents private, encrypted, versioned, logged and reachable only over TLS', () => {
    const documents = stack.getLogicalId(stack.storage.documents.node.defaultChild as never);
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: Match.objectLike({ DestinationBucketName: Match.anyValue() }),
        CorsConfiguration: {
          CorsRules: Match.arrayWith([Match.objectLike({ AllowedOrigins: province.portalOrigins, AllowedMethods: Match.arrayWith(['PUT', 'GET']) })]),
        },
      }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: documents },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('gives every agency an encrypted, TLS-only queue that redrives to its own dead-letter queue, watched by an alarm', () => {
    for (const agency of province.agencies) {
      const shard = stack.agencyQueues.shards.get(shardOf(agency.id));
      expect(shard, agency.id).toBeDefined();
      const nested = Template.fromStack(shard!);
      const queues = nested.findResources('AWS::SQS::Queue', { Properties: { QueueName: agencyQueue.name(province.id, agency.id) } });
      const dlqs = nested.findResources('AWS::SQS::Queue', { Properties: { QueueName: agencyQueue.deadLetterName(province.id, agency.id) } });
      expect(Object.keys(queues)).toHaveLength(1);
      expect(Object.keys(dlqs)).toHaveLength(1);
      const [dlqId] = Object.keys(dlqs);
      expect(Object.values(queues)[0]?.Properties).toMatchObject({
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: agencyQueue.retentionDays * 86_400,
        VisibilityTimeout: agencyQueue.visibilityTimeoutSeconds,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: agencyQueue.maxReceiveCount },
      });
      expect(Object.values(dlqs)[0]?.Properties).toMatchObject({ SqsManagedSseEnabled: true });
      for (const [queueId] of [...Object.entries(queues), ...Object.entries(dlqs)]) {
        nested.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: [{ Ref: queueId }],
          PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
        });
      }
      nested.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    }
  });

  test('has one arm64 nodejs22.x function per declared route and consumer, with exactly the declared environment', () => {
    const declared: readonly (RouteDeclaration | ConsumerDeclaration)[] = [...routes, ...consumers];
    // besides ours, only CDK's own bucket-notification and bucket-deployment handlers (Python custom resources) may exist
    const all = Object.entries(template.findResources('AWS::Lambda::Function'));
    const others = all.filter(([, r]) => r.Properties.Runtime !== 'nodejs22.x').map(([id]) => id);
    expect(others.every((id) => id.startsWith('BucketNotificationsHandler') || id.startsWith('CustomCDKBucketDeployment')), others.join()).toBe(true);
    expect(all.length - others.length).toBe(declared.length);
    expect([...stack.functions.keys()].sort()).toEqual(declared.map((d) => d.id).sort());
    // the notification variables go only to functions that send (NOTIFY_FROM_EMAIL only when the province names a sender; SMS_HTTP_URL only locally)
    const notifyNames: string[] = [environment.notifyDeadLetterUrl, environment.smsProvider];
    const onlySome = new Set<string>([environment.notifyFromEmail, environment.smsHttpUrl, ...notifyNames, environment.stackSecretFile, environment.stackSecretArn, environment.nationalSecretId, environment.nationalConfigFile]);
    // the stack secret's file is local only; its ARN goes only to functions granted the secret, as the national portal's does
    const common = Object.values(environment).filter((n) => !onlySome.has(n));
    for (const d of declared) {
      const fn = stack.functions.get(d.id)!;
      const props = template.toJSON().Resources[stack.getLogicalId(fn.fn.node.defaultChild as never)].Properties;
      expect(props, d.id).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 512,
        Timeout: routes.some((r) => r.id === d.id) ? 10 : 60,
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON' },
      });
      const expected = [...common, ...((d.grants as Grants).notify ? notifyNames : []), ...((d.grants as Grants).secret === 'read' ? [environment.stackSecretArn] : []), ...((d.grants as Grants).paymentSecret ? [paymentEnvironment.secretId] : []), ...((d.grants as Grants).nationalPortal ? [environment.nationalSecretId] : [])].sort();
      expect(Object.keys(props.Environment.Variables).sort(), d.id).toEqual(expected);
      expect(props.Environment.Variables[environment.provinceFile]).toBe(bundledProvinceFile);
      expect(props.Environment.Variables[environment.provinceId]).toBe(province.id);
    }
  });

  test("points handlers' public links at the portal's origin and the SQS base URL at the region", () => {
    const variables = Object.values(template.findResources('AWS::Lambda::Function'))[0]?.Properties.Environment.Variables;
    expect(JSON.stringify(variables[environment.queueUrlBase])).toContain('https://sqs.');
    // the portal's CloudFront distribution, which serves the API's routes on the same origin
    expect(JSON.stringify(variables[environment.publicBaseUrl])).toContain('DomainName');
    expect(JSON.stringify(variables[environment.publicBaseUrl])).not.toContain('.execute-api.');
  });

  test('requires a JWT on every non-public route and on none of the public ones', () => {
    const authorizers = template.findResources('AWS::ApiGatewayV2::Authorizer');
    expect(Object.keys(authorizers)).toHaveLength(1);
    const [authorizerId, authorizer] = Object.entries(authorizers)[0]!;
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Audience: [{ Ref: stack.getLogicalId(stack.identity!.client.node.defaultChild as never) }] },
    });
    expect(JSON.stringify(authorizer.Properties.JwtConfiguration.Issuer)).toContain('https://cognito-idp.');

    for (const route of routes) {
      const found = template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: `${route.method} ${route.path}` } });
      expect(Object.keys(found), `${route.method} ${route.path}`).toHaveLength(1);
      const props = Object.values(found)[0]!.Properties;
      if (route.access === 'public') {
        expect(props.AuthorizationType, route.id).toBe('NONE');
        expect(props.AuthorizerId, route.id).toBeUndefined();
      } else {
        expect(props.AuthorizationType, route.id).toBe('JWT');
        expect(props.AuthorizerId, route.id).toEqual({ Ref: authorizerId });
      }
    }
  });

  test('logs and throttles the API stage and alarms on 5xx', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({ AllowOrigins: province.portalOrigins }),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/ApiGateway', MetricName: '5xx' });
  });

  test('alarms when appointments issued now reach a year counted on the statute alone', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'motcua',
      MetricName: 'StatutoryCalendarYears',
      Dimensions: [{ Name: 'service', Value: `motcua-${province.id}` }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  test('lets citizens sign up with a verified email or phone, carries roles as groups and the agency as a read-only attribute', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
      AutoVerifiedAttributes: Match.arrayWith(['email', 'phone_number']),
      Schema: Match.arrayWith([Match.objectLike({ Name: 'agencyId', AttributeDataType: 'String', Mutable: true })]),
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireSymbols: true, RequireNumbers: true }) },
      MfaConfiguration: 'OPTIONAL',
    });
    for (const group of ['official', 'admin']) template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: group });
    const client = Object.values(template.findResources('AWS::Cognito::UserPoolClient'))[0]!.Properties;
    expect(client.GenerateSecret).toBe(false);
    expect(client.ReadAttributes).toContain('custom:agencyId');
    expect(client.WriteAttributes).not.toContain('custom:agencyId');
  });

  test('grants each function only what its declaration names', () => {
    const json = template.toJSON();
    const declared: readonly (RouteDeclaration | ConsumerDeclaration)[] = [...routes, ...consumers];
    for (const d of declared) {
      const statements = statementsOf(stack, json, d.id);
      const actions = allowedActions(statements);
      const has = (list: readonly string[]) => list.some((a) => actions.has(a));
      expect(has(tableReads), `${d.id} reads the table`).toBe(d.grants.table !== undefined);
      expect(has(tableWrites), `${d.id} writes the table`).toBe(d.grants.table === 'readwrite' || (Array.isArray(d.grants.table) && d.grants.table.some((scope) => scope.access === 'readwrite')));
      expect([...actions].some((a) => a.startsWith('s3:')), `${d.id} touches documents`).toBe(d.grants.bucket !== undefined);
      const sendsToAgencies = statements.some((st) => st.Effect === 'Allow' && JSON.stringify(st.Resource).includes(agencyQueue.name(province.id, '*')));
      expect(sendsToAgencies, `${d.id} sends to agency queues`).toBe(d.grants.agencyQueues === 'send');
      expect([...actions].some((a) => a.startsWith('secretsmanager:')), `${d.id} reads a secret`).toBe(d.grants.secret === 'read' || d.grants.paymentSecret === 'read' || d.grants.nationalPortal === 'read');
      // which secret: the stack secret only where granted (the merchant secret: test/infra/payments.test.ts)
      const stackSecretId = stack.getLogicalId(stack.storage.stackSecret.node.defaultChild as never);
      const onStackSecret = statements.some((st) => st.Effect === 'Allow' && JSON.stringify(st.Resource) === JSON.stringify({ Ref: stackSecretId }));
      expect(onStackSecret, `${d.id} reads the stack secret`).toBe(d.grants.secret === 'read');
      // the national portal's credentials likewise go to their grant only
      const secretReads = statements.filter((st) => st.Effect === 'Allow' && ([] as string[]).concat(st.Action).some((a) => a.startsWith('secretsmanager:')));
      const ofNational = (st: (typeof statements)[number]) => JSON.stringify(st.Resource).includes('NationalPortalCredentials');
      expect(secretReads.some(ofNational), `${d.id} reads the national portal credentials`).toBe(d.grants.nationalPortal === 'read');
    }
  });

  test('ListServices has no data permissions at all', () => {
    const actions = allowedActions(statementsOf(stack, template.toJSON(), 'ListServices'));
    expect([...actions].filter((a) => /^(dynamodb|s3|sqs):/.test(a))).toEqual([]);
  });

  test('RouteEvents may send to agency queues, never to their dead letters, and cannot write the table', () => {
    const statements = statementsOf(stack, template.toJSON(), 'RouteEvents');
    const send = statements.find((s) => s.Effect === 'Allow' && s.Action === 'sqs:SendMessage' && JSON.stringify(s.Resource).includes('agency-*'));
    expect(JSON.stringify(send?.Resource)).toContain(`:${agencyQueue.name(province.id, '*')}`);
    const deny = statements.find((s) => s.Effect === 'Deny');
    expect(JSON.stringify(deny?.Resource)).toContain(agencyQueue.deadLetterName(province.id, '*'));
    const actions = allowedActions(statements);
    for (const write of tableWrites) expect(actions.has(write), write).toBe(false);
    // reading the stream is what the event source mapping needs
    expect(actions.has('dynamodb:GetRecords')).toBe(true);
    // and of the table, the applicant and the form on dossier items: the events carry no personal data
    const reads = statements.filter((st) => st.Effect === 'Allow' && ([] as string[]).concat(st.Action).includes('dynamodb:GetItem'));
    expect(reads.map((st) => st.Condition)).toEqual([
      {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['DOSSIER#*'] },
        'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['pk', 'sk', 'schemaVersion', 'applicant', 'fields'] },
        StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
      },
    ]);
  });

  test('feeds RouteEvents only inserted history events from the stream, with retries, bisection and a failure queue', () => {
    const consumer = consumers.find((c) => c.id === 'RouteEvents')!;
    if (consumer.source.kind !== 'table-stream') throw new Error('RouteEvents reads the table stream');
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: stack.resolve(stack.functions.get('RouteEvents')!.alias.functionName),
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: consumer.source.batchSize,
      MaximumBatchingWindowInSeconds: consumer.source.batchWindowSeconds,
      MaximumRetryAttempts: consumer.source.maxRetries,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      FilterCriteria: {
        Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'], dynamodb: { Keys: { pk: { S: [{ prefix: 'DOSSIER#' }] }, sk: { S: [{ prefix: 'EVENT#' }] } } } }) }],
      },
    });
  });

  test("feeds RecordHistory only the workflow steps' dossier items, those carrying a step's event", () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: stack.resolve(stack.functions.get('RecordHistory')!.alias.functionName),
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['MODIFY'],
              dynamodb: { Keys: { pk: { S: [{ prefix: 'DOSSIER#' }] }, sk: { S: ['DOSSIER'] } }, NewImage: { lastEvent: { M: { version: { N: [{ exists: true }] } } } } },
            }),
          },
        ],
      },
    });
  });

  test('lets RecordHistory read and write dossier partitions only', () => {
    const role = stack.resolve((stack.functions.get('RecordHistory')!.fn.role!.node.defaultChild as CfnResource).ref);
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([role]) } });
    const tableStatements = Object.values(policies)
      .flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: { Action: string | string[]; Condition?: unknown }[] } } }).Properties.PolicyDocument.Statement)
      .filter((st) => [st.Action].flat().some((a) => a.startsWith('dynamodb:') && !a.startsWith('dynamodb:DescribeStream') && !a.startsWith('dynamodb:GetRecords') && !a.startsWith('dynamodb:GetShardIterator') && !a.startsWith('dynamodb:ListStreams')));
    expect(tableStatements.length).toBeGreaterThan(0);
    for (const st of tableStatements) expect(st.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['DOSSIER#*'] } });
  });

  test('batches every stream consumer by its declared size and window, reporting failures per record', () => {
    const streamConsumers = consumers.filter((c) => c.source.kind === 'table-stream');
    expect(streamConsumers.length).toBeGreaterThan(0);
    for (const consumer of streamConsumers) {
      if (consumer.source.kind !== 'table-stream') continue;
      expect(consumer.source.batchWindowSeconds, consumer.id).toBeGreaterThan(0);
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: stack.resolve(stack.functions.get(consumer.id)!.alias.functionName),
        BatchSize: consumer.source.batchSize,
        MaximumBatchingWindowInSeconds: consumer.source.batchWindowSeconds,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    }
  });

  test('keeps S3 events the verifier could not handle in a failure queue instead of dropping them', () => {
    for (const consumer of consumers.filter((c) => c.source.kind === 'bucket-created')) {
      const fn = stack.getLogicalId(stack.functions.get(consumer.id)!.fn.node.defaultChild as never);
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: fn },
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      });
    }
  });

  test('outputs what a deployment needs to know', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    for (const name of ['ApiUrl', 'TableName', 'BucketName', 'UserPoolId', 'UserPoolClientId', 'QueueUrlBase', 'AgencyQueueNames']) {
      expect(outputs[name], name).toBeDefined();
    }
    expect(outputs.AgencyQueueNames!.Value).toContain(agencyQueue.name(province.id, '<agencyId>'));
  });
});

describe('a dev stack', { timeout: 60_000 }, () => {
  test('can be thrown away: nothing retained, no deletion protection', () => {
    const { stack } = build(generateProvince({ agencies: 2 }), { stage: 'dev' });
    const template = Template.fromStack(stack);
    expect(stack.stackName).toBe('Motcua-generated-dev');
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ DeletionProtectionEnabled: false }) });
    for (const bucket of Object.values(template.findResources('AWS::S3::Bucket'))) expect(bucket.DeletionPolicy).toBe('Delete');
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 2);
    template.hasResource('AWS::Cognito::UserPool', { DeletionPolicy: 'Delete' });
  });
});

describe('a scheduled consumer', { timeout: 60_000 }, () => {
  test('is invoked by an EventBridge rule at its declared rate', () => {
    // Prepare: none is declared yet, so declare one over an existing handler file
    const { stack } = build(generateProvince({ agencies: 1 }), {
      routes: [],
      consumers: [{ id: 'Sweep', entry: consumers[0]!.entry, source: { kind: 'schedule', everyMinutes: 15 }, grants: { table: 'read' }, summary: 'deadline sweep' }],
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { Ref: stack.getLogicalId(stack.functions.get('Sweep')!.alias.node.defaultChild as never) } })],
    });
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
  });
});

describe('a function bundle', { timeout: 120_000 }, () => {
  test('is minified ESM with a require shim and carries the province file as province.json', () => {
    // Prepare: one small route, bundled for real with the local esbuild
    const app = new App({ context: { ...testContext, 'aws:cdk:bundling-stacks': ['**'] }, builtinCloudFormationValidation: false });
    addMotcua(app, { province: loadProvince('lang-son'), stage: 'prod', nag: false, routes: routes.filter((r) => r.id === 'ListAgencies'), consumers: [] });

    // Act
    const assembly = app.synth();

    // Assess
    const bundles = readdirSync(assembly.directory).filter((d) => d.startsWith('asset.') && existsSync(join(assembly.directory, d, 'index.mjs')));
    expect(bundles).toHaveLength(1);
    const dir = join(assembly.directory, bundles[0]!);
    const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
    expect(code.startsWith(esmRequireBanner)).toBe(true);
    expect(code).toMatch(/\bexport\s*\{/);
    expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'province.json'), 'utf8'))).toEqual(JSON.parse(readFileSync(fromRoot('provinces/lang-son.json'), 'utf8')));
  });
});
