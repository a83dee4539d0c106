import { createHash } from 'node:crypto';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/** The counter item of an agency's day (shares the single table's key shape). */
export const sequenceKey = (agencyId: string, day: string) => ({ pk: `SEQUENCE#${agencyId}#${day}`, sk: 'SEQUENCE' });

/** Attribute names of a holder on the counter item: its number, and when it took or last renewed it. */
function holderAttributes(holder: string) {
  const id = createHash('sha256').update(holder).digest('base64url').slice(0, 22);
  return { number: `h_${id}`, takenAt: `t_${id}` };
}

/** How many abandoned numbers one allocation looks at before taking a fresh one (bounds its cost). */
const MAX_RECLAIM_CHECKS = 5;

const conditionFailed = (err: unknown) => err instanceof ConditionalCheckFailedException;

/**
 * The per-agency daily sequence. The counter item records, beside the last number handed out, who holds
 * each number not yet written (`h_<holder>` = number, `t_<holder>` = epoch ms), set in the same atomic
 * update that takes the number: there is no instant at which a number is taken and nobody holds it. So
 * - the same holder (an Idempotency-Key, a draft) asking again gets its number back, even after a crash;
 * - a number whose holder went silent for longer than a request lives (`leaseMs`) and whose dossier was
 *   never written is handed to the next allocation of that agency and day instead of leaving a gap;
 * - once the dossier is written, `release` drops the holder (best effort: a holder left behind after its
 *   dossier was written is dropped by the next allocation that finds it).
 */
export class DaySequence {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly leaseMs: number,
  ) {}

  /**
   * The number of `holder` for this agency and day. `used(n)` says whether a dossier was written under
   * number n (asked only of abandoned numbers, before they are handed out again).
   */
  async take(agencyId: string, day: string, holder: string, at: Date, used: (n: number) => Promise<boolean>): Promise<number> {
    const key = sequenceKey(agencyId, day);
    const mine = holderAttributes(holder);
    const now = at.getTime();
    const item: Record<string, unknown> = (await this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true })))?.Item ?? {};

    // the same holder again (a retry after a crash or a refusal): its number, renewed so nobody reclaims it
    const held = item[mine.number];
    if (typeof held === 'number' && (await this.renew(key, mine, held, now))) return held;

    // numbers abandoned by a holder that died before writing its dossier, lowest first
    const abandoned = Object.entries(item)
      .filter(([name, value]) => name.startsWith('h_') && name !== mine.number && typeof value === 'number')
      .map(([name, value]) => ({ number: name, takenAt: `t_${name.slice(2)}`, n: value as number }))
      .filter((h) => typeof item[h.takenAt] === 'number' && (item[h.takenAt] as number) < now - this.leaseMs)
      .sort((a, b) => a.n - b.n)
      .slice(0, MAX_RECLAIM_CHECKS);
    for (const other of abandoned) {
      if (await used(other.n)) {
        await this.drop(key, other, other.n);
        continue;
      }
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: 'SET #mine = :n, #mineAt = :now, updatedAt = :at REMOVE #other, #otherAt',
            ConditionExpression: '#other = :n AND #otherAt = :otherAt AND attribute_not_exists(#mine)',
            ExpressionAttributeNames: { '#mine': mine.number, '#mineAt': mine.takenAt, '#other': other.number, '#otherAt': other.takenAt },
            ExpressionAttributeValues: { ':n': other.n, ':now': now, ':otherAt': item[other.takenAt], ':at': at.toISOString() },
          }),
        );
        return other.n;
      } catch (err) {
        // someone else reclaimed it, or its holder came back: look at the next one
        if (!conditionFailed(err)) throw err;
      }
    }

    // a fresh number: one atomic update that counts and records the holder, no read-then-write race
    try {
      const answer = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET #v = if_not_exists(#v, :zero) + :one, #mine = if_not_exists(#v, :zero) + :one, #mineAt = :now, updatedAt = :at',
          ConditionExpression: 'attribute_not_exists(#mine)',
          ExpressionAttributeNames: { '#v': 'value', '#mine': mine.number, '#mineAt': mine.takenAt },
          ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':now': now, ':at': at.toISOString() },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(answer?.Attributes?.value);
    } catch (err) {
      if (!conditionFailed(err)) throw err;
      // a concurrent request of the same holder took one meanwhile: that one is ours
      const again = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
      const number = again?.Item?.[mine.number];
      if (typeof number !== 'number') throw err;
      return number;
    }
  }

  /** The holder's dossier is written under `n`: the number is no longer held. */
  async release(agencyId: string, day: string, holder: string, n: number): Promise<void> {
    await this.drop(sequenceKey(agencyId, day), holderAttributes(holder), n).catch(() => undefined);
  }

  private async renew(key: Record<string, string>, holder: { number: string; takenAt: string }, n: number, now: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET #at = :now',
          ConditionExpression: '#n = :n',
          ExpressionAttributeNames: { '#n': holder.number, '#at': holder.takenAt },
          ExpressionAttributeValues: { ':n': n, ':now': now },
        }),
      );
      return true;
    } catch (err) {
      if (conditionFailed(err)) return false;
      throw err;
    }
  }

  private async drop(key: Record<string, string>, holder: { number: string; takenAt: string }, n: number): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'REMOVE #n, #at',
          ConditionExpression: '#n = :n',
          ExpressionAttributeNames: { '#n': holder.number, '#at': holder.takenAt },
          ExpressionAttributeValues: { ':n': n },
        }),
      );
    } catch (err) {
      if (!conditionFailed(err)) throw err;
    }
  }
}
