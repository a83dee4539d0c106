import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, QueryCommand, type BatchGetCommandInput } from '@aws-sdk/lib-dynamodb';
import { observed } from './request-observer.js';
import type { TableReads } from './table-reads.js';

/**
 * The DynamoDB client, created once per Lambda container. Each AWS client has its own module so that a
 * function bundles only the clients it calls. Endpoints come from the SDK's own service-specific
 * variables (AWS_ENDPOINT_URL_DYNAMODB…), which the local runtime sets; in the cloud they are unset.
 */
let documentClient: DynamoDBDocumentClient | undefined;

export function dynamo(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(observed(new DynamoDBClient({}), 'DynamoDB'), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return documentClient;
}

/** The statistics' reads over the document client, for the functions that carry it anyway. */
export function documentReads(db: DynamoDBDocumentClient = dynamo()): TableReads {
  return {
    get: (input) => db.send(new GetCommand(input)),
    batchGet: (input) => db.send(new BatchGetCommand(input as BatchGetCommandInput)),
    query: (input) => db.send(new QueryCommand(input)),
  };
}
