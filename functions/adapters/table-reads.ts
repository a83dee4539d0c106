import type { DynamoTable } from './dynamo-table.js';

/**
 * The reads the public statistics make (GetItem, BatchGetItem, Query): the slice of `DynamoTable`
 * (dynamo-table.ts) that a function that only reads needs, so that it can take `signedReads`
 * (dynamo-http.ts) and leave the writes out of its bundle.
 */
export type Item = Record<string, unknown>;

export type TableReads = Pick<DynamoTable, 'get' | 'batchGet' | 'query'>;
