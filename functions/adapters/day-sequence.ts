import { isConditionFailed, type DynamoTable } from './dynamo-table.js';
import { createHash } from 'node:crypto';

/** The counter item of an agency's day (shares the single table's key shape). */
export const sequenceKey = (agencyId: string, day: string) => ({ pk: `SEQUENCE#${agencyId}#${day}`, sk: 'SEQUENCE' });

/** Attribute names of a holder on the counter item: its number, and when it took or last renewed it. */
function holderAttributes(holder: string) {
  const id = createHash('sha256').update(holder).digest('base64url').slice(0, 22);
  return { number: `h_${id}`, takenAt: `t_${id}` };
}

/** How many abandoned numbers one allocation looks at before taking a fresh one (bounds its cost). */
const MAX_RECLAIM_CHECKS = 5;

const conditionFailed = (err: unknown) => isConditionFailed(err);

/**
 * The per-agency daily sequence. The counter item records, beside the last number handed out, who holds
 * each number not yet written (`h_<holder>` = number, `t_<holder>` = epoch ms), set in the same atomic
 * update that takes the number: there is no instant at which a number is taken and nobody holds it. So
 * - the same holder (an Idempotency-Key, a draft) asking again gets its number back, even after a crash;
 * - a number whose holder went silent for longer than a request lives (`leaseMs`) and whose dossier was
 *   never written is handed to the next allocation of that agency and day instead of leaving a gap;
 * - once the dossier is written, `release` drops the holder (best effort: a holder left behind after its
 *   dossier was written is dropped by the next allocation that finds it).
 *
 * Two requests are saved on a busy day, without changing what is handed out:
 * - the read before a fresh number is needed only to find a held or abandoned number. The item as the
 *   last allocation of this container left it (the update returns it) shows every holder that could be
 *   abandoned by now, as long as it is younger than `leaseMs - requestLifetimeMs` (a holder taken since
 *   carries the time its request began, at most a request's lifetime earlier): with none past its
 *   lease in it, the fresh number is taken straight away, and a holder asking again is refused by the
 *   update's own condition and goes the long way;
 * - `release` is carried by the next allocation of the same agency and day in this container, in the
 *   same update (`REMOVE`, on the condition that each holder still has the number it wrote). What a
 *   container never carries (it went cold, or the day ended) is the left-behind case above.
 */
type Holder = { readonly number: string; readonly takenAt: string };

export class DaySequence {
  /** per counter item: the item as this container's last update of it returned it, and when (wall clock and request clock) */
  private readonly seen = new Map<string, { item: Record<string, unknown>; wallMs: number; atMs: number }>();
  /** per counter item: holders whose dossier is written, to be dropped by the next update of it */
  private readonly written = new Map<string, { holder: Holder; n: number }[]>();

  constructor(
    private readonly db: DynamoTable,
    private readonly tableName: string,
    private readonly leaseMs: number,
    /** how long a request may live: the route timeout, or the 30 s after which the API gives up */
    private readonly requestLifetimeMs = 30_000,
  ) {}

  /** The item as last seen, if it still shows every holder that may be past its lease at `now`. */
  private recent(id: string, now: number): Record<string, unknown> | undefined {
    const seen = this.seen.get(id);
    const horizon = this.leaseMs - this.requestLifetimeMs;
    // (a request that began before the one that saw the item judges leases by an earlier clock: it finds
    // fewer past their lease, as the long way would; a clock moved forward goes the long way)
    if (!seen || Date.now() - seen.wallMs >= horizon || now - seen.atMs >= horizon) return undefined;
    const stale = Object.entries(seen.item).some(([name, value]) => name.startsWith('t_') && typeof value === 'number' && value < now - this.leaseMs);
    return stale ? undefined : seen.item;
  }

  /** `REMOVE` of the written holders of an item, each on the condition that it still holds its number. */
  private carried(id: string, mine: Holder) {
    // never the holder asking (one update cannot set and remove the same attribute); it is dropped on its own later
    const list = (this.written.get(id) ?? []).filter((w) => w.holder.number !== mine.number);
    const names: Record<string, string> = {};
    const values: Record<string, number> = {};
    const conditions: string[] = [];
    list.forEach(({ holder, n }, i) => {
      names[`#w${i}`] = holder.number;
      names[`#wt${i}`] = holder.takenAt;
      values[`:w${i}`] = n;
      conditions.push(`(#w${i} = :w${i} OR attribute_not_exists(#w${i}))`);
    });
    return { list, remove: list.flatMap((_, i) => [`#w${i}`, `#wt${i}`]), names, values, conditions };
  }

  /** Drops the written holders one by one (when carrying them was refused); each drop checks its own number. */
  private async dropWritten(key: Record<string, string>, id: string): Promise<void> {
    const list = this.written.get(id) ?? [];
    this.written.delete(id);
    for (const { holder, n } of list) await this.drop(key, holder, n).catch(() => undefined);
  }

  /**
   * A fresh number straight away when the item as last seen allows it (see above): one update, which
   * also drops the holders written since. Undefined when it cannot be done that way.
   */
  private async quick(key: Record<string, string>, id: string, mine: Holder, now: number, at: Date): Promise<number | undefined> {
    if (!this.recent(id, now)) return undefined;
    // refused: this holder asked before (the long way finds its number), or a written holder moved
    return this.fresh(key, id, mine, now, at);
  }

  /**
   * A fresh number: one atomic update that counts, records the holder (no read-then-write race) and drops
   * the holders this container wrote since its last update, each only while it still has its number.
   * Undefined when refused (the holder has a number already, or a written holder moved: those are then
   * dropped one by one).
   */
  private async fresh(key: Record<string, string>, id: string, mine: Holder, now: number, at: Date): Promise<number | undefined> {
    const carry = this.carried(id, mine);
    try {
      const answer = await this.db.update({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: `SET #v = if_not_exists(#v, :zero) + :one, #mine = if_not_exists(#v, :zero) + :one, #mineAt = :now, updatedAt = :at${carry.remove.length ? ` REMOVE ${carry.remove.join(', ')}` : ''}`,
          ConditionExpression: ['attribute_not_exists(#mine)', ...carry.conditions].join(' AND '),
          ExpressionAttributeNames: { '#v': 'value', '#mine': mine.number, '#mineAt': mine.takenAt, ...carry.names },
          ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':now': now, ':at': at.toISOString(), ...carry.values },
          ReturnValues: 'ALL_NEW',
        });
      this.forgetCarried(id, carry.list);
      this.remember(id, answer.Attributes ?? {}, now);
      return Number(answer.Attributes?.value);
    } catch (err) {
      if (!conditionFailed(err)) throw err;
      this.seen.delete(id);
      if (carry.list.length) await this.dropWritten(key, id);
      return undefined;
    }
  }

  private remember(id: string, item: Record<string, unknown>, now: number): void {
    this.seen.set(id, { item, wallMs: Date.now(), atMs: now });
  }

  private forgetCarried(id: string, carried: readonly { holder: Holder; n: number }[]): void {
    const left = (this.written.get(id) ?? []).filter((w) => !carried.includes(w));
    if (left.length) this.written.set(id, left);
    else this.written.delete(id);
  }

  /**
   * The number of `holder` for this agency and day. `used(n)` says whether a dossier was written under
   * number n (asked only of abandoned numbers, before they are handed out again).
   */
  async take(agencyId: string, day: string, holder: string, at: Date, used: (n: number) => Promise<boolean>): Promise<number> {
    const key = sequenceKey(agencyId, day);
    const id = key.pk;
    const mine = holderAttributes(holder);
    const now = at.getTime();
    const quick = await this.quick(key, id, mine, now, at);
    if (quick !== undefined) return quick;
    // the long way; what this container still carries rides on its fresh number below, and is not taken for abandoned
    const written = new Set((this.written.get(id) ?? []).map((w) => w.holder.number));
    const item: Record<string, unknown> = (await this.db.get({ TableName: this.tableName, Key: key, ConsistentRead: true }))?.Item ?? {};

    // the same holder again (a retry after a crash or a refusal): its number, renewed so nobody reclaims it
    const held = item[mine.number];
    if (typeof held === 'number' && (await this.renew(key, mine, held, now))) return held;

    // numbers abandoned by a holder that died before writing its dossier, lowest first
    const abandoned = Object.entries(item)
      .filter(([name, value]) => name.startsWith('h_') && name !== mine.number && !written.has(name) && typeof value === 'number')
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
        await this.db.update({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: 'SET #mine = :n, #mineAt = :now, updatedAt = :at REMOVE #other, #otherAt',
            ConditionExpression: '#other = :n AND #otherAt = :otherAt AND attribute_not_exists(#mine)',
            ExpressionAttributeNames: { '#mine': mine.number, '#mineAt': mine.takenAt, '#other': other.number, '#otherAt': other.takenAt },
            ExpressionAttributeValues: { ':n': other.n, ':now': now, ':otherAt': item[other.takenAt], ':at': at.toISOString() },
          });
        return other.n;
      } catch (err) {
        // someone else reclaimed it, or its holder came back: look at the next one
        if (!conditionFailed(err)) throw err;
      }
    }

    const fresh = await this.fresh(key, id, mine, now, at);
    if (fresh !== undefined) return fresh;
    // refused: a concurrent request of the same holder took one meanwhile (that one is ours), or a written
    // holder moved (dropped one by one above): then once more, carrying nothing
    const again = await this.db.get({ TableName: this.tableName, Key: key, ConsistentRead: true });
    const number = again?.Item?.[mine.number];
    if (typeof number === 'number') return number;
    const retried = await this.fresh(key, id, mine, now, at);
    if (retried !== undefined) return retried;
    throw new Error(`the day sequence ${id} refused a fresh number for a holder that has none`);
  }

  /** The holder's dossier is written under `n`: the number is no longer held (dropped by the next allocation of this container, see above). */
  release(agencyId: string, day: string, holder: string, n: number): void {
    const id = sequenceKey(agencyId, day).pk;
    this.written.set(id, [...(this.written.get(id) ?? []), { holder: holderAttributes(holder), n }]);
  }

  private async renew(key: Record<string, string>, holder: Holder, n: number, now: number): Promise<boolean> {
    try {
      await this.db.update({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET #at = :now',
          ConditionExpression: '#n = :n',
          ExpressionAttributeNames: { '#n': holder.number, '#at': holder.takenAt },
          ExpressionAttributeValues: { ':n': n, ':now': now },
        });
      return true;
    } catch (err) {
      if (conditionFailed(err)) return false;
      throw err;
    }
  }

  private async drop(key: Record<string, string>, holder: Holder, n: number): Promise<void> {
    try {
      await this.db.update({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'REMOVE #n, #at',
          ConditionExpression: '#n = :n',
          ExpressionAttributeNames: { '#n': holder.number, '#at': holder.takenAt },
          ExpressionAttributeValues: { ':n': n },
        });
    } catch (err) {
      if (!conditionFailed(err)) throw err;
    }
  }
}
