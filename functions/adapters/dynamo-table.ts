import type {
  BatchGetCommandInput,
  BatchGetCommandOutput,
  DeleteCommandInput,
  DeleteCommandOutput,
  GetCommandInput,
  GetCommandOutput,
  PutCommandInput,
  PutCommandOutput,
  QueryCommandInput,
  QueryCommandOutput,
  TransactWriteCommandInput,
  TransactWriteCommandOutput,
  UpdateCommandInput,
  UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';

/**
 * The DynamoDB operations the adapters make, in the shapes of lib-dynamodb's commands (native values in,
 * native values out; types only, so no bundle carries the SDK client for them). Functions use the signed
 * implementation (`signedTable`, dynamo-http.ts); unit tests a scripted fake of the same port.
 */
type Answer<T> = Omit<T, '$metadata'>;

export type TransactWriteItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

export interface DynamoTable {
  get(input: GetCommandInput): Promise<Answer<GetCommandOutput>>;
  put(input: PutCommandInput): Promise<Answer<PutCommandOutput>>;
  update(input: UpdateCommandInput): Promise<Answer<UpdateCommandOutput>>;
  delete(input: DeleteCommandInput): Promise<Answer<DeleteCommandOutput>>;
  query(input: QueryCommandInput): Promise<Answer<QueryCommandOutput>>;
  batchGet(input: BatchGetCommandInput): Promise<Answer<BatchGetCommandOutput>>;
  transactWrite(input: TransactWriteCommandInput): Promise<Answer<TransactWriteCommandOutput>>;
}

/** Why each item of a cancelled transaction was refused, in its order (`Item`, if asked for, unmarshalled). */
export interface CancellationReason {
  readonly Code?: string;
  readonly Message?: string;
  readonly Item?: Record<string, unknown>;
}

const nameOf = (err: unknown): string | undefined => (err as { name?: unknown } | null | undefined)?.name as string | undefined;

/** A write refused by its ConditionExpression. */
export const isConditionFailed = (err: unknown): boolean => nameOf(err) === 'ConditionalCheckFailedException';

export const isTransactionCanceled = (err: unknown): boolean => nameOf(err) === 'TransactionCanceledException';

/** The reasons of a cancelled transaction; undefined for any other error. */
export function cancellationReasons(err: unknown): readonly CancellationReason[] | undefined {
  if (!isTransactionCanceled(err)) return undefined;
  return ((err as { CancellationReasons?: readonly CancellationReason[] }).CancellationReasons ?? []) as readonly CancellationReason[];
}

/**
 * Writes a transaction, trying again (up to 8 attempts, with a short random pause) while DynamoDB cancels
 * it only because another transaction touched one of its items at the same moment: nothing was applied
 * then, so trying again is safe. Shared counters (statistics, the national sync's counts) meet this under
 * concurrent events. Resolves to undefined once applied, or to the reasons when a condition refused an
 * item; any other failure is thrown.
 */
export async function transactRetryingConflicts(db: DynamoTable, input: TransactWriteCommandInput): Promise<readonly CancellationReason[] | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      await db.transactWrite(input);
      return undefined;
    } catch (err) {
      const reasons = cancellationReasons(err);
      if (!reasons) throw err;
      if (reasons.some((r) => r.Code === 'ConditionalCheckFailed')) return reasons;
      if (attempt < 8 && reasons.some((r) => r.Code === 'TransactionConflict')) {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
        continue;
      }
      throw err;
    }
  }
}
