/**
 * The reads the public statistics make (GetItem, BatchGetItem, Query), in the shapes of lib-dynamodb's
 * commands: native values in, native values out. Two implementations: `documentReads` over the SDK's
 * document client (everything that also writes), and `signedReads` (dynamo-http.ts), which signs the same
 * requests with the SDK's own SigV4 signer and sends them with Node's fetch, so that the public reads'
 * bundles carry no SDK client (see README, Performance).
 */
export type Item = Record<string, unknown>;

export interface GetInput {
  readonly TableName: string;
  readonly Key: Item;
  readonly ConsistentRead?: boolean;
  /** the attributes to read, for a function granted only those (`#name` placeholders) */
  readonly ProjectionExpression?: string;
  readonly ExpressionAttributeNames?: Record<string, string>;
}

export interface BatchGetInput {
  readonly RequestItems: Record<string, { readonly Keys: readonly Item[]; readonly ConsistentRead?: boolean }>;
}

export interface BatchGetOutput {
  readonly Responses?: Record<string, Item[]>;
  readonly UnprocessedKeys?: Record<string, { readonly Keys?: Item[] }>;
}

export interface QueryInput {
  readonly TableName: string;
  readonly IndexName?: string;
  readonly KeyConditionExpression: string;
  readonly ExpressionAttributeNames?: Record<string, string>;
  readonly ExpressionAttributeValues?: Item;
  readonly Select?: 'COUNT' | 'ALL_ATTRIBUTES' | 'ALL_PROJECTED_ATTRIBUTES' | 'SPECIFIC_ATTRIBUTES';
  readonly Limit?: number;
  readonly ExclusiveStartKey?: Item;
  readonly ScanIndexForward?: boolean;
  readonly ConsistentRead?: boolean;
}

export interface QueryOutput {
  readonly Items?: Item[];
  readonly Count?: number;
  readonly LastEvaluatedKey?: Item;
}

export interface TableReads {
  get(input: GetInput): Promise<{ readonly Item?: Item }>;
  batchGet(input: BatchGetInput): Promise<BatchGetOutput>;
  query(input: QueryInput): Promise<QueryOutput>;
}
