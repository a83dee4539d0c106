import { isConditionFailed, type DynamoTable } from './dynamo-table.js';
import { keys } from './dossier-items.js';
import type { TrackingAttemptStore } from '../app/ports.js';

/** The tracking page's PIN attempts per dossier, counted in a window (see domain/tracking.ts). */
export class TrackingAttempts implements TrackingAttemptStore {
  constructor(
    private readonly db: DynamoTable,
    private readonly tableName: string,
  ) {}

  /** Wrong tracking PINs of a dossier in the current window (see domain/tracking.ts). */
  async trackingFailures(code: string): Promise<{ failures: number; windowStart: string } | undefined> {
    const answer = await this.db.get({ TableName: this.tableName, Key: keys.trackingFailures(code), ConsistentRead: true });
    if (!answer.Item) return undefined;
    return { failures: Number(answer.Item.failures), windowStart: String(answer.Item.windowStart) };
  }

  /**
   * Takes one PIN attempt before the PIN is evaluated, atomically: a conditional update that counts it,
   * and refuses once `max` attempts were counted in the current window. Of any number of concurrent
   * tries, at most `max` are evaluated per window. An expired window starts again at one.
   */
  async takeTrackingAttempt(code: string, now: Date, max: number, windowMs: number): Promise<boolean> {
    const key = keys.trackingFailures(code);
    const cutoff = new Date(now.getTime() - windowMs).toISOString();
    const expiresAt = Math.floor(now.getTime() / 1000) + Math.ceil(windowMs / 1000);
    try {
      await this.db.update({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET failures = :one, windowStart = :now, expiresAt = :exp',
          // (a window starting over a minute ahead is one of a clock set back: it starts again too; a smaller
          // margin would let concurrent requests, whose clocks differ by milliseconds, restart each other's window)
          ConditionExpression: 'attribute_not_exists(windowStart) OR windowStart <= :cutoff OR windowStart > :ahead',
          ExpressionAttributeValues: { ':one': 1, ':now': now.toISOString(), ':cutoff': cutoff, ':ahead': new Date(now.getTime() + 60_000).toISOString(), ':exp': expiresAt },
        });
      return true;
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
    }
    try {
      await this.db.update({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'ADD failures :one',
          ConditionExpression: 'failures < :max AND windowStart > :cutoff',
          ExpressionAttributeValues: { ':one': 1, ':max': max, ':cutoff': cutoff },
        });
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }

  /** Gives an attempt back: the right PIN is not a failure. */
  async returnTrackingAttempt(code: string): Promise<void> {
    await this.db
      .update({ TableName: this.tableName, Key: keys.trackingFailures(code), UpdateExpression: 'ADD failures :minus', ConditionExpression: 'failures > :zero', ExpressionAttributeValues: { ':minus': -1, ':zero': 0 } })
      .catch((err: unknown) => {
        if (!isConditionFailed(err)) throw err;
      });
  }
}
