/**
 * All SDK clients in one import, for tests and tools. Functions import the one module per client they
 * call (dynamo-client, s3-client, sqs-client) so that a bundle carries only those.
 */
export { dynamo } from './dynamo-client.js';
export { s3Client } from './s3-client.js';
export { sqsClient } from './sqs-client.js';
export { requiredEnv } from './env.js';
