import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { BlockPublicAccess, Bucket, BucketEncryption, HttpMethods, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { table as tableDeclaration } from '../functions/declaration.js';
import type { Province } from '../provinces/schema.js';
import { acknowledge } from './nag.js';
import { removalPolicy, type StageName } from './stage.js';

export interface StorageProps {
  readonly province: Province;
  readonly stage: StageName;
}

/** The stateful part: the single table (dossiers, history, counters, sequences) and the document bucket. */
export class Storage extends Construct {
  readonly table: Table;
  readonly documents: Bucket;
  readonly accessLogs: Bucket;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    const { stage, province } = props;
    const dev = stage === 'dev';

    this.table = new Table(this, 'Table', {
      partitionKey: { name: tableDeclaration.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableDeclaration.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      stream: StreamViewType[tableDeclaration.stream],
      timeToLiveAttribute: tableDeclaration.timeToLiveAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // An AWS-owned key would do too; the AWS-managed one at least shows up in CloudTrail at no extra key cost.
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: !dev,
      removalPolicy: removalPolicy(stage),
    });
    for (const index of tableDeclaration.indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
      });
    }

    this.accessLogs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(dev ? 30 : 400) }],
      removalPolicy: removalPolicy(stage),
      autoDeleteObjects: dev,
    });
    acknowledge(this.accessLogs, {
      'AwsSolutions-S1': 'This is the server access log bucket itself; logging it into itself would loop.',
    });

    this.documents = new Bucket(this, 'Documents', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // Uploaded documents are evidence of what the citizen submitted: an overwrite must not erase it.
      versioned: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'documents/',
      lifecycleRules: [
        // upload URLs live ten minutes, so a multipart upload still open after a day is abandoned
        { abortIncompleteMultipartUploadAfter: Duration.days(1) },
        // rejected uploads are kept a while for inspection, then go (see the verifier's quarantine)
        { id: 'ExpireRejected', prefix: 'rejected/', expiration: Duration.days(dev ? 7 : 30), noncurrentVersionExpiration: Duration.days(1) },
        { noncurrentVersionExpiration: Duration.days(dev ? 7 : 365) },
      ],
      // Browsers upload and download with presigned URLs straight from the portal.
      cors: province.portalOrigins.length
        ? [
            {
              allowedOrigins: [...province.portalOrigins],
              allowedMethods: [HttpMethods.PUT, HttpMethods.GET, HttpMethods.HEAD],
              allowedHeaders: ['*'],
              exposedHeaders: ['ETag'],
              maxAge: 3000,
            },
          ]
        : undefined,
      removalPolicy: dev ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      autoDeleteObjects: dev,
    });
  }
}
