/**
 * List prices in Asia Pacific (Singapore), ap-southeast-1, in US dollars, without free tiers or volume
 * tiers (the first tier applies up to hundreds of millions of requests a month). Looked up on 2 December
 * 2026 in stored copies of the pages named; the AWS pricing pages render their regional tables with
 * JavaScript, so where only a US East figure or a third-party copy could be read, `verified` says so.
 * Update the figure and `checked` together.
 */
export interface Price {
  readonly usd: number;
  /** what one `usd` buys */
  readonly per: string;
  readonly source: string;
  readonly checked: string;
  /** how far the figure could be confirmed for ap-southeast-1 */
  readonly verified: string;
}

const checked = '2026-12-02';

export const prices = {
  httpApiRequest: {
    usd: 1.0 / 1e6,
    per: 'HTTP API request (first 300 million a month)',
    source: 'https://aws.amazon.com/api-gateway/pricing/ (via the AWS whitepaper "Best Practices for Designing Amazon API Gateway Private APIs", Cost optimization, table 4)',
    checked,
    verified: 'US East figure read; ap-southeast-1 not readable in the stored page, taken as equal (not verified)',
  },
  lambdaRequest: {
    usd: 0.2 / 1e6,
    per: 'Lambda invocation',
    source: 'https://aws.amazon.com/lambda/pricing/',
    checked,
    verified: 'US East figure read; ap-southeast-1 taken as equal (not verified)',
  },
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    per: 'GB-second on Arm (first 7.5 billion GB-s a month)',
    source: 'https://aws.amazon.com/lambda/pricing/ (Arm tier table as copied in cloudchipr.com/blog/aws-lambda-pricing)',
    checked,
    verified: 'US East figure read; ap-southeast-1 taken as equal (not verified)',
  },
  dynamoWriteUnit: {
    usd: 1.4135 / 2 / 1e6,
    per: 'on-demand write request unit (standard table class)',
    source:
      'https://aws.amazon.com/dynamodb/pricing/on-demand/ ($1.4135 per million in Singapore before 1 November 2024, as copied in engineering-ed7.pages.dev; halved by the on-demand price cut of that date, airbyte.com/data-engineering-resources/dynamodb-pricing)',
    checked,
    verified: 'derived: the pre-cut Singapore figure from a third-party copy, halved as announced (not verified on the AWS page)',
  },
  dynamoReadUnit: {
    usd: 0.283 / 2 / 1e6,
    per: 'on-demand read request unit (standard table class)',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/ ($0.283 per million before the cut, same copies as the write unit)',
    checked,
    verified: 'derived as the write unit (not verified on the AWS page)',
  },
  dynamoStreamReadByLambda: {
    usd: 0,
    per: 'DynamoDB Streams GetRecords call made by a Lambda trigger',
    source:
      'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CostOptimization_StreamsUsage.html ("Read requests made by AWS Lambda-based consumers of DynamoDB Streams are free")',
    checked,
    verified: 'verified: free in every region; all stream consumers here are Lambda triggers',
  },
  s3PutRequest: {
    usd: 0.005 / 1000,
    per: 'S3 Standard PUT, COPY, POST or LIST request',
    source: 'https://aws.amazon.com/s3/pricing/ (per-1,000 figure as explained in cloudkaramchari.com on PUT/COPY/POST/LIST pricing)',
    checked,
    verified: 'figure read without its region; ap-southeast-1 taken as equal (not verified)',
  },
  s3GetRequest: {
    usd: 0.0004 / 1000,
    per: 'S3 Standard GET, HEAD or other request (DELETE is free)',
    source: 'https://aws.amazon.com/s3/pricing/',
    checked,
    verified: 'not found in the stored pages: the US East list price from the same page (not verified)',
  },
  sqsRequest: {
    usd: 0.4 / 1e6,
    per: 'SQS standard queue request (each 64 KB of payload)',
    source: 'https://aws.amazon.com/sqs/pricing/ (as copied in cloudburn.io/blog/amazon-sqs-pricing and factualminds.com)',
    checked,
    verified: 'US East figure read; ap-southeast-1 taken as equal (not verified)',
  },
  sesEmail: {
    usd: 0.1 / 1000,
    per: 'SES outbound email (outside the request-cost target: a message, not a request)',
    source: 'https://aws.amazon.com/ses/pricing/',
    checked,
    verified: 'not looked up in the stored pages: list price as commonly published (not verified)',
  },
  secretsManagerCall: {
    usd: 0.05 / 10_000,
    per: 'Secrets Manager API call (a cold container reads its secret once)',
    source: 'https://aws.amazon.com/secrets-manager/pricing/',
    checked,
    verified: 'not looked up in the stored pages (not verified)',
  },
} as const satisfies Record<string, Price>;

/** Lambda memory of every function (lib/handler-function.ts) */
export const lambdaMemoryGb = 512 / 1024;
