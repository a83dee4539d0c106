import { signedTable } from './dynamo-http.js';
import type { DynamoTable } from './dynamo-table.js';

/**
 * The table's operations, created once per Lambda container: signed requests over Node's fetch
 * (dynamo-http.ts), not the SDK's client. Each AWS client has its own module so that a function bundles
 * only the clients it calls. The endpoint comes from AWS_ENDPOINT_URL_DYNAMODB, which the local runtime
 * sets; in the cloud it is unset.
 */
let table: DynamoTable | undefined;

export function dynamo(): DynamoTable {
  table ??= signedTable();
  return table;
}
