import { isTransactionCanceled, type DynamoTable } from './dynamo-table.js';
import type { DossierEvent } from '../domain/dossier.js';
import type { Payment, PaymentStatus } from '../domain/payments.js';
import type { WorkflowDossier } from '../domain/workflow.js';
import { paymentReturnAttributes } from '../declaration.js';
import { PaymentConflict, type NotificationAttempt, type PaymentStore } from '../app/ports.js';
import { indexKeys, keys as dossierKeys, toDossier, toEvent } from './dossier-items.js';
import { eventItem, DOSSIER_ITEM_SCHEMA_VERSION } from './event-item.js';
import { recordStepBefore } from './history-event.js';

/**
 * Payments in the single table. A payment lives in its dossier's partition (`DOSSIER#<code>` /
 * `PAYMENT#<ref>`), so the dossier view reads it with the dossier and a success is written with the
 * dossier's step in one transaction. Beside it:
 *  - `PAYREF#<ref>`: the reference → dossier lookup a gateway callback starts from;
 *  - `DOSSIER#<code>` / `PAYOPEN#<purpose>`: which payment is the open one of a purpose, so that two
 *    concurrent requests cannot open two;
 *  - `PAYLOG#<ref>` / `<at>#<id>`: every notification attempt, accepted or refused, with our reading of
 *    it (never the raw message, so never card or account data);
 *  - while initiated, the payment is in gsi1 under `PAYMENTS#INITIATED`, ordered by INIT time: the
 *    reconciliation reads its window from there, never with a Scan.
 */
export const paymentKeys = {
  payment: (code: string, ref: string) => ({ pk: `DOSSIER#${code}`, sk: `PAYMENT#${ref}` }),
  lookup: (ref: string) => ({ pk: `PAYREF#${ref}`, sk: 'PAYREF' }),
  open: (code: string, purpose: string) => ({ pk: `DOSSIER#${code}`, sk: `PAYOPEN#${purpose}` }),
  attempt: (ref: string, at: string, id: string) => ({ pk: `PAYLOG#${ref}`, sk: `${at}#${id}` }),
} as const;

export { PaymentConflict, type NotificationAttempt } from '../app/ports.js';

export const INITIATED_PARTITION = 'PAYMENTS#INITIATED';

const paymentItem = (p: Payment) => ({
  ...paymentKeys.payment(p.dossierCode, p.ref),
  entity: 'payment',
  ...p,
  ...(p.status === 'initiated' ? { gsi1pk: INITIATED_PARTITION, gsi1sk: `${p.initiatedAt}#${p.ref}` } : {}),
});

const paymentOnly = new Set(['pk', 'sk', 'entity', 'gsi1pk', 'gsi1sk']);
export const toPayment = (item: Record<string, unknown>): Payment => Object.fromEntries(Object.entries(item).filter(([k]) => !paymentOnly.has(k))) as unknown as Payment;

export class PaymentRepository implements PaymentStore {
  constructor(
    private readonly db: DynamoTable,
    private readonly tableName: string,
  ) {}

  async forDossier(code: string): Promise<Payment[]> {
    const answer = await this.db.query({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': dossierKeys.dossier(code).pk, ':prefix': 'PAYMENT#' },
        ConsistentRead: true,
      });
    return (answer.Items ?? []).map(toPayment);
  }

  /** The payment of a reference and its dossier, read consistently; undefined for a reference we never issued. */
  async byRef(ref: string): Promise<{ payment: Payment; dossier: WorkflowDossier; history: DossierEvent[] } | undefined> {
    const lookup = await this.db.get({ TableName: this.tableName, Key: paymentKeys.lookup(ref), ConsistentRead: true });
    const code = lookup.Item?.dossierCode;
    if (typeof code !== 'string') return undefined;
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.query({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': dossierKeys.dossier(code).pk }, ConsistentRead: true, ExclusiveStartKey: startKey });
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    const payment = items.find((i) => i.sk === `PAYMENT#${ref}`);
    const dossier = items.find((i) => i.sk === 'DOSSIER');
    if (!payment || !dossier) return undefined;
    const history = items.filter((i) => typeof i.sk === 'string' && i.sk.startsWith('EVENT#')).map((i) => toEvent(i));
    return { payment: toPayment(payment), dossier: toDossier(dossier), history };
  }

  /**
   * What the browser's return page shows of a payment (`paymentReturnAttributes`, all its function may
   * read): the lookup, then the payment item alone, never the dossier's partition.
   */
  async stateByRef(ref: string): Promise<Pick<Payment, 'ref' | 'status' | 'amountVnd' | 'dossierCode'> | undefined> {
    const names = Object.fromEntries(paymentReturnAttributes.map((a, i) => [`#a${i}`, a]));
    const projection = { ProjectionExpression: Object.keys(names).join(', '), ExpressionAttributeNames: names };
    const lookup = await this.db.get({ TableName: this.tableName, Key: paymentKeys.lookup(ref), ConsistentRead: true, ...projection });
    const code = lookup.Item?.dossierCode;
    if (typeof code !== 'string') return undefined;
    const answer = await this.db.get({ TableName: this.tableName, Key: paymentKeys.payment(code, ref), ConsistentRead: true, ...projection });
    const item = answer.Item;
    return item ? { ref, status: item.status as PaymentStatus, amountVnd: item.amountVnd as number, dossierCode: code } : undefined;
  }

  /**
   * Stores a new open payment with its lookup and makes it the open one of its purpose, only if the open
   * one is still `previousRef` (or there was none). A concurrent request that opened one first wins.
   */
  async create(payment: Payment, previousRef: string | undefined): Promise<void> {
    try {
      await this.db.transactWrite({
          TransactItems: [
            { Put: { TableName: this.tableName, Item: paymentItem(payment), ConditionExpression: 'attribute_not_exists(pk)' } },
            {
              Put: {
                TableName: this.tableName,
                Item: { ...paymentKeys.lookup(payment.ref), entity: 'payment-ref', dossierCode: payment.dossierCode },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: { ...paymentKeys.open(payment.dossierCode, payment.purpose), entity: 'payment-open', ref: payment.ref, at: payment.initiatedAt },
                ConditionExpression: previousRef ? '#ref = :previous' : 'attribute_not_exists(pk)',
                ...(previousRef ? { ExpressionAttributeNames: { '#ref': 'ref' }, ExpressionAttributeValues: { ':previous': previousRef } } : {}),
              },
            },
          ],
        });
    } catch (err) {
      if (isTransactionCanceled(err)) throw new PaymentConflict();
      throw err;
    }
  }

  /** The open payment of a purpose as the pointer says (the one a lost race must answer). */
  async openRef(code: string, purpose: string): Promise<string | undefined> {
    const answer = await this.db.get({ TableName: this.tableName, Key: paymentKeys.open(code, purpose), ConsistentRead: true });
    return typeof answer.Item?.ref === 'string' ? answer.Item.ref : undefined;
  }

  /**
   * Settles a payment: its new state (conditioned on the state it was decided from), the dossier's step
   * when it has one (conditioned on the dossier's version), and the attempt that caused it, all in one
   * transaction. Whoever changed either first wins; the caller reads again and decides again.
   */
  async settle(
    from: PaymentStatus,
    next: Payment,
    attempt: NotificationAttempt,
    step?: { expectedVersion: number; dossier: WorkflowDossier; event: DossierEvent },
  ): Promise<void> {
    if (step) await recordStepBefore(this.db, this.tableName, step.dossier.code, step.expectedVersion);
    try {
      await this.db.transactWrite({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: paymentItem(next),
                ConditionExpression: '#status = :from',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':from': from },
              },
            },
            ...(step
              ? [
                  {
                    Put: {
                      TableName: this.tableName,
                      Item: { ...dossierKeys.dossier(step.dossier.code), entity: 'dossier', ...step.dossier, schemaVersion: DOSSIER_ITEM_SCHEMA_VERSION, ...indexKeys(step.dossier) },
                      ConditionExpression: 'version = :expected',
                      ExpressionAttributeValues: { ':expected': step.expectedVersion },
                    },
                  },
                  {
                    Put: {
                      TableName: this.tableName,
                      Item: eventItem(dossierKeys.event(step.dossier.code, step.event.version), step.event, step.dossier),
                      ConditionExpression: 'attribute_not_exists(pk)',
                    },
                  },
                ]
              : []),
            { Put: { TableName: this.tableName, Item: { ...paymentKeys.attempt(attempt.ref, attempt.at, attempt.id), entity: 'payment-attempt', ...attempt } } },
          ],
        });
    } catch (err) {
      if (isTransactionCanceled(err)) throw new PaymentConflict();
      throw err;
    }
  }

  /** An attempt that changed nothing (refused, duplicate, stale, pending) is still recorded. */
  async recordAttempt(attempt: NotificationAttempt): Promise<void> {
    await this.db.put({ TableName: this.tableName, Item: { ...paymentKeys.attempt(attempt.ref, attempt.at, attempt.id), entity: 'payment-attempt', ...attempt } });
  }

  async attempts(ref: string): Promise<NotificationAttempt[]> {
    const answer = await this.db.query({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `PAYLOG#${ref}` }, ConsistentRead: true });
    return (answer.Items ?? []).map((i) => Object.fromEntries(Object.entries(i).filter(([k]) => k !== 'pk' && k !== 'sk' && k !== 'entity')) as unknown as NotificationAttempt);
  }

  /** Payments still initiated that were sent at or before `initiatedBefore` (ISO), oldest first. */
  async *initiatedBefore(initiatedBefore: string): AsyncGenerator<Payment> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.query({
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk <= :bound',
          ExpressionAttributeValues: { ':pk': INITIATED_PARTITION, ':bound': `${initiatedBefore}#~` },
          ExclusiveStartKey: startKey,
        });
      // the index projects no payment attributes (declaration.ts): each one found is read from the table,
      // which also drops one settled since the index was read
      for (const item of page.Items ?? []) {
        const answer = await this.db.get({ TableName: this.tableName, Key: { pk: item.pk, sk: item.sk }, ConsistentRead: true });
        if (answer.Item?.status === 'initiated') yield toPayment(answer.Item);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  /** Marks a paid payment as owed back; once only (a redelivered event finds it done). */
  async markRefundDue(p: Payment, reason: string, at: string): Promise<boolean> {
    try {
      await this.db.update({
          TableName: this.tableName,
          Key: paymentKeys.payment(p.dossierCode, p.ref),
          UpdateExpression: 'SET #status = :due, refund = :refund',
          ConditionExpression: '#status = :paid',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':due': 'refund-due', ':paid': 'paid', ':refund': { reason, recordedAt: at, amountVnd: p.amountVnd } },
        });
      return true;
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException') return false;
      throw err;
    }
  }
}
