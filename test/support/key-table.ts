import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, inject } from 'vitest';
import { createKeyTable } from './tables.js';

export interface KeyTable {
  /** `<prefix>-<random>`: its own, so that no other test file's writes land in it */
  readonly name: string;
  /** a client of the run's DynamoDB Local, closed once the tests are done */
  readonly client: DynamoDBClient;
  /** the keys it signs with, for the tests' other clients of the same emulator (its stream) */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** its stream's ARN (with `stream`), known once the tests start */
  readonly streamArn: string;
}

/**
 * A throwaway table of the single table's key shape for the tests of a file or a describe block: made
 * before them on the run's DynamoDB Local, deleted after them.
 */
export function useKeyTable(prefix: string, options: { stream?: boolean } = {}): KeyTable {
  const stack = inject('localStack');
  const credentials = { accessKeyId: stack.env.AWS_ACCESS_KEY_ID!, secretAccessKey: stack.env.AWS_SECRET_ACCESS_KEY! };
  const client = new DynamoDBClient({ region: stack.region, endpoint: stack.endpoints.dynamodb, credentials });
  const table = { name: `${prefix}-${randomUUID().slice(0, 8)}`, client, credentials, streamArn: '' };
  beforeAll(async () => {
    table.streamArn = await createKeyTable(client, table.name, options);
  });
  afterAll(async () => {
    await client.send(new DeleteTableCommand({ TableName: table.name }));
    client.destroy();
  });
  return table;
}
