import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { observed } from './request-observer.js';

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
