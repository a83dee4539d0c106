import { Aws, Duration, Stack } from 'aws-cdk-lib';
import { PolicyStatement, Effect, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Alias, Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { agencyQueue, bucketLayout, environment, paymentEnvironment, type Grants, type TableScope } from '../functions/declaration.js';
import { acknowledge, nagResourceId } from './nag.js';
import { aliasArgs, bundleSettings } from './bundling.js';
import { fromRoot } from './paths.js';
import { logRetention, removalPolicy, type StageName } from './stage.js';
import type { Storage } from './storage.js';
import type { Queue } from 'aws-cdk-lib/aws-sqs';

/** What functions granted `notify` need: where failed notifications go and who sends the emails. */
export interface NotificationSetup {
  readonly deadLetter: Queue;
  readonly fromEmail?: string;
  readonly smsSenderId?: string;
}

/** The alias every invocation goes through. */
export const liveAlias = 'live';

/** Where the province file lands inside every bundle; PROVINCE_FILE points here. */
export const bundledProvinceFile = '/var/task/province.json';
/** Where an imported catalog lands inside every bundle; CATALOG_DIR points here. */
export const bundledCatalogDir = '/var/task/catalog';

export { esmRequireBanner } from './bundling.js';

export interface HandlerFunctionProps {
  /** declaration id, e.g. `CreateDossier` */
  readonly declarationId: string;
  /** entry file relative to the repository root */
  readonly entry: string;
  readonly summary: string;
  readonly grants: Grants;
  readonly timeout: Duration;
  readonly provinceId: string;
  /** the province JSON, relative to the repository root; copied into the bundle as province.json */
  readonly provinceFile: string;
  /** an imported catalog directory, relative to the repository root; copied into the bundle as catalog/ */
  readonly catalogDir?: string;
  readonly stage: StageName;
  readonly storage: Storage;
  readonly publicBaseUrl: string;
  readonly notifications: NotificationSetup;
  /** the merchant enrolment with the payment gateway; only functions granted `paymentSecret` learn its ARN */
  readonly paymentSecret: ISecret;
  /** repository folders copied into the bundle (declaration `assets`) */
  readonly assets?: readonly string[];
  /** the national portal (DVCQG) credentials, for functions granted `nationalPortal` */
  readonly nationalSecret?: ISecret;
}

/** One Lambda function for one declared route or consumer, with exactly the permissions its grants name. */
export class HandlerFunction extends Construct {
  readonly fn: NodejsFunction;
  /**
   * What routes, event sources and schedules invoke: the version CodeDeploy has shifted traffic to
   * (lib/operations.ts), never `$LATEST`, so a deployment can be gradual and rolled back.
   */
  readonly alias: Alias;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);

    const logGroup = new LogGroup(this, 'Logs', {
      retention: logRetention(props.stage),
      removalPolicy: removalPolicy(props.stage),
    });
    // An own role instead of the default one: the default attaches the AWSLambdaBasicExecutionRole managed
    // policy, which may write to every log group of the account; this one writes only to its own.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `motcua ${props.provinceId} ${props.declarationId}`,
    });
    logGroup.grantWrite(this.role);

    const provinceFile = props.provinceFile;
    const catalogDir = props.catalogDir;
    this.fn = new NodejsFunction(this, 'Function', {
      entry: fromRoot(props.entry),
      depsLockFilePath: fromRoot('package-lock.json'),
      projectRoot: fromRoot('.'),
      handler: 'handler',
      description: props.summary,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: props.timeout,
      tracing: Tracing.ACTIVE,
      role: this.role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      environment: {
        [environment.tableName]: props.storage.table.tableName,
        [environment.bucketName]: props.storage.documents.bucketName,
        [environment.provinceId]: props.provinceId,
        [environment.provinceFile]: bundledProvinceFile,
        [environment.queueUrlBase]: `https://sqs.${Aws.REGION}.${Aws.URL_SUFFIX}/${Aws.ACCOUNT_ID}`,
        [environment.publicBaseUrl]: props.publicBaseUrl,
        ...(props.grants.notify
          ? {
              [environment.notifyDeadLetterUrl]: props.notifications.deadLetter.queueUrl,
              [environment.smsProvider]: 'sns',
              ...(props.notifications.fromEmail ? { [environment.notifyFromEmail]: props.notifications.fromEmail } : {}),
              ...(props.notifications.smsSenderId ? { SMS_SENDER_ID: props.notifications.smsSenderId } : {}),
            }
          : {}),
        ...(props.grants.paymentSecret ? { [paymentEnvironment.secretId]: props.paymentSecret.secretArn } : {}),
        [environment.catalogDir]: catalogDir ? bundledCatalogDir : '',
        // an ARN, not a secret, yet named only to the functions granted `nationalPortal` (as the payment
        // secret is): a function that has no business with the portal is not told where its credentials are
        ...(props.grants.nationalPortal && props.nationalSecret ? { [environment.nationalSecretId]: props.nationalSecret.secretArn } : {}),
      },
      bundling: {
        format: OutputFormat.ESM,
        target: bundleSettings.target,
        platform: bundleSettings.platform,
        mainFields: [...bundleSettings.mainFields],
        banner: bundleSettings.banner,
        minify: bundleSettings.minify,
        esbuildArgs: aliasArgs(),
        sourceMap: true,
        sourcesContent: false,
        // Ship the pinned signer and utilities rather than the runtime's SDK: the same versions then run
        // locally and in the cloud.
        externalModules: [],
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          // inputDir is the repository root (projectRoot), locally or inside a bundling container
          afterBundling: (inputDir: string, outputDir: string) => [
            `cp "${inputDir}/${provinceFile}" "${outputDir}/province.json"`,
            ...(props.assets ?? []).map((dir) => `mkdir -p "${outputDir}/${dir}" && cp -R "${inputDir}/${dir}/." "${outputDir}/${dir}/"`),
            ...(catalogDir ? [`cp -R "${inputDir}/${catalogDir}" "${outputDir}/catalog"`] : []),
          ],
        },
      },
    });

    this.alias = new Alias(this, 'Live', { aliasName: liveAlias, version: this.fn.currentVersion });

    acknowledge(this, {
      'AwsSolutions-L1':
        'Pinned to nodejs22.x on purpose: the bundle targets node22 and the local runtime and tests run the same major; the move to a newer runtime is made for all functions at once.',
      'AwsSolutions-IAM5[Resource::*]':
        `X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords)${props.grants.notify ? ', sns:Publish of SMS to phone numbers' : ''} and, for stream consumers, dynamodb:ListStreams have no resource-level permissions; every other statement names its resources.`,
    });
    this.applyGrants(props);
  }

  private applyGrants(props: HandlerFunctionProps): void {
    const { table, documents } = props.storage;
    const { grants } = props;
    if (typeof grants.table === 'string') {
      if (grants.table === 'read') table.grantReadData(this.role);
      else table.grantReadWriteData(this.role);
      acknowledge(this, {
        [`AwsSolutions-IAM5[${nagResourceId(this, `${table.tableArn}/index/*`)}]`]:
          "Queries on this table's own global secondary indexes (agency inbox, applicant's dossiers); the wildcard covers only that table's indexes.",
      });
    } else if (grants.table) {
      for (const scope of grants.table) this.role.addToPrincipalPolicy(scopedTableStatement(table.tableArn, scope, 'read'));
      for (const scope of grants.table.filter((s) => s.access === 'readwrite')) this.role.addToPrincipalPolicy(scopedTableStatement(table.tableArn, scope, 'write'));
      // a customer-managed key would need kms:Decrypt too; the table's key is AWS-owned today (lib/storage.ts)
      if (table.encryptionKey) table.encryptionKey.grantDecrypt(this.role);
    }
    if (grants.bucket) {
      const objects = (prefix: string) => documents.arnForObjects(`${prefix}*`);
      // every function reads (or writes) documents only under their prefix, never the quarantine
      if (grants.bucket === 'read' || grants.bucket === 'verify') {
        this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [objects(bucketLayout.documents)] }));
      }
      // presigning a PUT is all an upload function does: write without delete or read, the object is evidence
      if (grants.bucket === 'upload') {
        this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:PutObject'], resources: [objects(bucketLayout.documents)] }));
      }
      // the verifier alone moves a rejected object to quarantine: copy it there, then delete that exact version
      if (grants.bucket === 'verify') {
        this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:PutObject'], resources: [objects(bucketLayout.quarantine)] }));
        this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:DeleteObject', 's3:DeleteObjectVersion'], resources: [objects(bucketLayout.documents)] }));
      }
      if (documents.encryptionKey) documents.encryptionKey.grantEncryptDecrypt(this.role);
      acknowledge(this, {
        [`AwsSolutions-IAM5[${nagResourceId(this, `${documents.bucketArn}/${bucketLayout.documents}*`)}]`]:
          `Objects are named per dossier at run time (${bucketLayout.documents}<code>/<component>/<id>), so the grant covers that prefix of this one bucket.`,
        ...(grants.bucket === 'verify'
          ? { [`AwsSolutions-IAM5[${nagResourceId(this, `${documents.bucketArn}/${bucketLayout.quarantine}*`)}]`]: 'The quarantine copy of a rejected upload keeps its key under the quarantine prefix; put only, no read or delete there.' }
          : {}),
      });
    }
    if (grants.secret === 'read') {
      // The variable goes only where the permission goes: a function without the grant cannot even name the secret.
      props.storage.stackSecret.grantRead(this.role);
      this.fn.addEnvironment(environment.stackSecretArn, props.storage.stackSecret.secretArn);
    }
    if (grants.notify === 'send') {
      const stack = Stack.of(this);
      const { deadLetter, fromEmail } = props.notifications;
      deadLetter.grantSendMessages(this.role);
      if (fromEmail) {
        // SES authorizes SendEmail on the sending identity: the address itself or its verified domain.
        const identity = (name: string) => `arn:${stack.partition}:ses:${stack.region}:${stack.account}:identity/${name}`;
        this.role.addToPrincipalPolicy(
          new PolicyStatement({
            actions: ['ses:SendEmail'],
            resources: [identity(fromEmail), identity(fromEmail.split('@')[1]!)],
            conditions: { StringEquals: { 'ses:FromAddress': fromEmail } },
          }),
        );
      }
      // Direct SMS to a phone number has no resource ARN to name (SNS authorizes it on '*').
      this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] }));
    }
    // read only, and only this one secret; it is encrypted with the account's Secrets Manager key
    if (grants.paymentSecret === 'read') props.paymentSecret.grantRead(this.role);
    if (grants.nationalPortal === 'read' && props.nationalSecret) {
      // GetSecretValue and DescribeSecret on this one secret: nothing else of Secrets Manager
      props.nationalSecret.grantRead(this.role);
    }
    if (grants.agencyQueues === 'send') {
      const stack = Stack.of(this);
      const arn = (name: string) => `arn:${stack.partition}:sqs:${stack.region}:${stack.account}:${name}`;
      // Agency queues are derived from the province file and live in nested stacks; naming them by
      // pattern keeps the functions free of references into those stacks and of one statement per agency.
      const queues = arn(agencyQueue.name(props.provinceId, '*'));
      this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queues] }));
      // the pattern also matches the dead-letter queues; a router must never write there
      this.role.addToPrincipalPolicy(
        new PolicyStatement({ effect: Effect.DENY, actions: ['sqs:SendMessage'], resources: [arn(agencyQueue.deadLetterName(props.provinceId, '*'))] }),
      );
      acknowledge(this, {
        [`AwsSolutions-IAM5[${nagResourceId(this, queues)}]`]:
          `sqs:SendMessage only, to the queues named ${agencyQueue.name(props.provinceId, '<agencyId>')}: one per agency of the province file (up to hundreds, in nested stacks); their dead-letter queues are denied explicitly.`,
      });
    }
  }
}

/** The actions of a scoped grant: item reads and writes on the table itself (no index, no Scan). */
export const scopedTableActions = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'],
  write: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'],
} as const;

/**
 * One statement of a scoped grant. `ForAllValues` holds for a request without the key, so the actions
 * exclude Scan (which has no leading key); an attribute list also demands a projection (`dynamodb:Select`),
 * which is how AWS documents column-level access.
 */
function scopedTableStatement(tableArn: string, scope: TableScope, kind: 'read' | 'write'): PolicyStatement {
  const attributes = kind === 'read' && scope.attributes;
  return new PolicyStatement({
    actions: [...scopedTableActions[kind]],
    resources: [tableArn],
    conditions: {
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...scope.leadingKeys] },
      ...(attributes ? { 'ForAllValues:StringEquals': { 'dynamodb:Attributes': [...attributes] }, StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' } } : {}),
    },
  });
}
