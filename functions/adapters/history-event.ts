import { isConditionFailed, type DynamoTable } from './dynamo-table.js';
import { keys } from './dossier-items.js';
import { eventItem } from './event-item.js';
import type { DossierEvent } from '../domain/dossier.js';
import type { WorkflowDossier } from '../domain/workflow.js';

/**
 * Writes a step's history item unless it is there: the step wrote it, RecordHistory did from the
 * stream, or a later step did. Its content is the same whoever writes it (the event and the view of the
 * dossier as the step left it). `readFirst`: look before writing, for a writer that expects to find it
 * (a consistent read is 1 read unit, a refused conditional write 1 write unit, five times the price).
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
