import { type DynamoTable } from './dynamo-table.js';
import type { DeadlineCandidates } from '../app/ports.js';
import { keys, partitions, toDossier } from './dossier-items.js';
import type { WorkflowDossier } from '../domain/workflow.js';

/**
 * The open dossiers of an agency whose appointment is before an instant, from `gsi3`
 * (`AGENCY#<id>#OPEN`, sorted by `<dueAt>#code`): a Query on one partition, never a Scan. Dossiers not
 * yet received sort by their submission time and come along; the caller filters them out by status.
 * The index projects only `inboxAttributes` (declaration.ts): enough to judge a deadline, not to write
 * the mark's event, for which `dossier` reads the whole item.
 */
export class DeadlineIndex implements DeadlineCandidates {
  constructor(
    private readonly db: DynamoTable,
    private readonly tableName: string,
  ) {}

  /** The whole dossier item, as a mark's event must carry it; strongly consistent, so it is the version judged again. */
  async dossier(code: string): Promise<WorkflowDossier | undefined> {
    const answer = await this.db.get({ TableName: this.tableName, Key: keys.dossier(code), ConsistentRead: true });
    return answer.Item ? toDossier(answer.Item) : undefined;
  }

  /** Dossiers as the index holds them: the `inboxAttributes` only. */
  async *openDueBefore(agencyId: string, before: Date): AsyncGenerator<WorkflowDossier> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.query({
          TableName: this.tableName,
          IndexName: 'gsi3',
          KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk < :before',
          ExpressionAttributeValues: { ':pk': partitions.agencyState(agencyId, true), ':before': before.toISOString() },
          ExclusiveStartKey: startKey,
        });
      for (const item of page.Items ?? []) yield toDossier(item);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
}
