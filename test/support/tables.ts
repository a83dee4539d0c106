import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * A throwaway table with the single table's key shape (pk, sk), on demand, for tests and the bench that
 * must not share the run's table. With `stream`, its stream carries new images, as the real table's does;
 * the answer is the stream's ARN ('' without one).
 */
export async function createKeyTable(client: DynamoDBClient, tableName: string, options: { stream?: boolean } = {}): Promise<string> {
  const created = await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      ...(options.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } } : {}),
    }),
  );
  return created.TableDescription?.LatestStreamArn ?? '';
}
