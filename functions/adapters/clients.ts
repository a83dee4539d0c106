/**
 * The clients in one import, for tests and tools. Functions import the one module they call
 * (dynamo-client; sqs-client and s3-objects, which sign their requests without an SDK client) so that a
 * bundle carries only those. The S3 SDK client is the tests' and tools' only: no function uses it.
 */
export { dynamo } from './dynamo-client.js';
export { s3Client } from './s3-client.js';
export { sqsClient } from './sqs-client.js';
export { requiredEnv } from './env.js';
