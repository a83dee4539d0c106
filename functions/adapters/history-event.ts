import { isConditionFailed, type DynamoTable } from './dynamo-table.js';
import { keys, stepEventOf, toDossier } from './dossier-items.js';
import { eventItem } from './event-item.js';
import type { DossierEvent } from '../domain/dossier.js';
import type { WorkflowDossier } from '../domain/workflow.js';

/**
 * Writes a step's history item unless it is there: the step wrote it, RecordHistory did from the
 * stream, or a later step did. Whoever writes it writes the event and the view of the dossier at the
 * event's version (from a later write at that version, a sweeper mark may show in it). `readFirst`: look
 * before writing, for a writer that expects to find it (a consistent read is 1 read unit, a refused
 * conditional write 1 write unit, five times the price).
 */
export async function recordHistoryEvent(db: DynamoTable, tableName: string, event: DossierEvent, dossier: WorkflowDossier, options: { readFirst?: boolean } = {}): Promise<'written' | 'present'> {
  const key = keys.event(dossier.code, event.version);
  if (options.readFirst && (await db.get({ TableName: tableName, Key: key, ConsistentRead: true, ProjectionExpression: 'pk' })).Item) return 'present';
  try {
    await db.put({ TableName: tableName, Item: eventItem(key, event, dossier), ConditionExpression: 'attribute_not_exists(pk)' });
    return 'written';
  } catch (err) {
    if (isConditionFailed(err)) return 'present';
    throw err;
  }
}

/**
 * Before a write that records a step of its own outside `saveTransition` (a sweeper mark, a payment
 * settled): the event of the step the dossier is at, if its history item was never written (the step's
 * process died between its two writes), so that history items still reach the outbox in version order.
 * One consistent read of the dossier item, and one of the event item when the dossier carries its event.
 */
export async function recordStepBefore(db: DynamoTable, tableName: string, code: string, version: number): Promise<void> {
  const item = (await db.get({ TableName: tableName, Key: keys.dossier(code), ConsistentRead: true })).Item;
  if (!item || item.version !== version) return;
  const step = stepEventOf(item);
  if (step) await recordHistoryEvent(db, tableName, step, toDossier(item), { readFirst: true });
}
