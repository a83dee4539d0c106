import { cancellationReasons, type DynamoTable, type TransactWriteItems } from './dynamo-table.js';
import { createHash, randomUUID } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import { FadingMax } from './fading-max.js';

/**
 * How long a claim (an Idempotency-Key, or a number in the day's sequence) belongs to the request that took it.
 * Longer than any request lives (route functions time out after 10 s in the cloud; API Gateway, and the
 * local runtime, give up after 30 s), so a claim older than this is one whose request died: a retry
 * takes it over, with the number it had reserved if it recorded one. Kept short because a client whose
 * request died in a crash waits this long (409 request_in_progress with Retry-After) before its retry
 * gets an answer.
 */
export const CLAIM_LEASE_MS = 35_000;
/** How long a request keeps retrying the write of a dossier under its allocated number before it records the number and answers 503. */
export const WRITE_BUDGET_MS = 8_000;

/**
 * The slowest recent write of a dossier in this container, fading with time (FadingMax: a burst's estimate
 * must not keep refusing once the burst is over), so that a request can tell whether
 * the time it has left is enough: a write that would land after the answer was given up (the function's
 * timeout) would store a dossier whose client saw a 5xx. Under a burst the request sheds itself first:
 * 503 with Retry-After, nothing stored, the number (if one was taken) kept on the claim for the retry.
 */
const slowestWrite = new FadingMax(200, 10_000);
const observeWrite = (ms: number) => slowestWrite.observe(ms);
/** What a write needs in hand: three times the slowest recent one, and two seconds to answer. */
const neededForWrite = () => 2_000 + 3 * slowestWrite.value();
const retryAfterUnderLoad = () => Math.max(2, Math.ceil((2 * slowestWrite.value()) / 1000));

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** DynamoDB errors after which the same write may simply be sent again. */
export function isTransient(err: unknown): boolean {
  const name = (err as { name?: string } | undefined)?.name ?? '';
  const reasons = cancellationReasons(err);
  if (reasons) return reasons.some((r) => r.Code === 'TransactionConflict' || r.Code === 'ThrottlingError' || r.Code === 'ProvisionedThroughputExceeded');
  return ['TransactionConflictException', 'ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'InternalServerError', 'ServiceUnavailable', 'TransactionInProgressException', 'TimeoutError', 'NetworkError', 'ECONNRESET'].includes(name);
}

/** Refuses before anything is written when the time left could not cover claim, number and write. */
export function shedIfLate(answerBy: number | undefined, writes: number): void {
  if (answerBy !== undefined && answerBy - Date.now() < writes * neededForWrite()) throw busy(retryAfterUnderLoad(), 'too many submissions at this moment');
}

export const busy = (retryAfterSeconds: number, what: string) =>
  new AppError('unavailable', 'busy', `${what}; nothing was stored, retry after ${retryAfterSeconds} s`, 'Hệ thống đang bận, vui lòng thử lại sau giây lát.', { retryAfterSeconds });

/**
 * A single write sent again after a transient refusal (a transaction on the same item in progress,
 * throttling past the client's own retries, a lost answer) until the request's write budget is spent,
 * then 503 with Retry-After (`what` says why): nothing of it is stored by then. `write` gets the attempt
 * number (0 first) and throws anything else through.
 */
export async function untilWritten<T>(deadline: number, what: string, write: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await write(attempt);
    } catch (err) {
      if (!isTransient(err)) throw err;
      if (Date.now() > deadline) throw busy(2, what);
      await sleep(Math.random() * Math.min(200, 10 * 2 ** attempt));
    }
  }
}

export const inProgress = () =>
  new AppError('conflict', 'request_in_progress', 'the same request is still being processed; retry in a moment to get its answer', 'Yêu cầu đang được xử lý, vui lòng thử lại sau giây lát.', { retryAfterSeconds: 2 });

/**
 * Writes a dossier under a number already allocated. Transient failures are retried with the same
 * number (and the same ClientRequestToken, so a retry of a write that did land is a no-op). Past the
 * budget, the claim is let go at once (its number stays held by the same key or draft in the day's
 * sequence) so that the client's retry (same Idempotency-Key, or the same draft) uses it, and the answer is 503 with Retry-After: the dossier is
 * not stored and its number is not lost.
 */
export async function writeAllocated(
  db: DynamoTable,
  tableName: string,
  code: string,
  items: TransactWriteItems,
  reserve: { key: Record<string, string>; owner: string } | undefined,
  answerBy: number | undefined,
  refusal: (index: number) => AppError | undefined,
): Promise<void> {
  const token = createHash('sha256').update(`${code}\u0000${reserve?.owner ?? randomUUID()}`).digest('base64url').slice(0, 36);
  const budgetEnd = Date.now() + WRITE_BUDGET_MS;
  const giveUp = async (): Promise<never> => {
    if (reserve) {
      await db
        .update({
            TableName: tableName,
            Key: reserve.key,
            UpdateExpression: 'SET claimedAt = :free',
            ConditionExpression: '#owner = :owner',
            ExpressionAttributeNames: { '#owner': 'owner' },
            ExpressionAttributeValues: { ':free': 0, ':owner': reserve.owner },
          })
        .catch(() => undefined);
    }
    throw busy(retryAfterUnderLoad(), 'the dossier could not be stored in time');
  };
  for (let attempt = 0; ; attempt++) {
    if (answerBy !== undefined && answerBy - Date.now() < neededForWrite()) return giveUp();
    const started = Date.now();
    try {
      await db.transactWrite({ TransactItems: items, ClientRequestToken: token });
      observeWrite(Date.now() - started);
      return;
    } catch (err) {
      observeWrite(Date.now() - started);
      const reasons = cancellationReasons(err);
      if (reasons && !isTransient(err)) {
        const failed = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
        const refused = failed >= 0 ? refusal(failed) : undefined;
        if (refused) throw refused;
        throw err;
      }
      if (!isTransient(err) && !(err instanceof Error && /socket|network|timeout/i.test(err.message))) throw err;
      if (Date.now() > budgetEnd) return giveUp();
      await sleep(Math.random() * Math.min(500, 20 * 2 ** attempt));
    }
  }
}
