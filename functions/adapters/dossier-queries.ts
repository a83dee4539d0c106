import { type DynamoTable } from './dynamo-table.js';
import type { DossierLists, InboxFilter, InboxPage, PageRequest } from '../app/ports.js';
import { openCursor, sealCursor } from './cursor.js';
import { partitions, toDossier } from './dossier-items.js';

/** The lists of dossiers: an agency's inboxes and an applicant's own, read from the indexes. */
export class DossierQueries implements DossierLists {
  constructor(
    private readonly db: DynamoTable,
    private readonly tableName: string,
  ) {}

  /** One page of an agency's dossiers from an index, soonest appointment first. */
  inbox(agencyId: string, filter: InboxFilter, request: PageRequest): Promise<InboxPage> {
    if ('status' in filter) return this.page('gsi1', partitions.agencyStatus(agencyId, filter.status), request, false);
    return this.page('gsi3', partitions.agencyState(agencyId, filter.state === 'open'), request, false);
  }

  /** The applicant's own dossiers, newest first, from their index. */
  listByApplicant(subject: string, request: PageRequest): Promise<InboxPage> {
    return this.page('gsi2', partitions.applicant(subject), request, true);
  }

  /**
   * One page of one index partition. The cursor is opened (authenticated, bound to the viewer, the index
   * and the partition) before anything is queried, so only a key this list produced can be a start key.
   */
  private async page(index: 'gsi1' | 'gsi2' | 'gsi3', partition: string, request: PageRequest, newestFirst: boolean): Promise<InboxPage> {
    const binding = { caller: request.viewer, index, partition };
    const page = await this.db.query({
        TableName: this.tableName,
        IndexName: index,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': `${index}pk` },
        ExpressionAttributeValues: { ':pk': partition },
        ScanIndexForward: !newestFirst,
        Limit: request.limit,
        ExclusiveStartKey: request.cursor ? await openCursor(request.cursor, binding) : undefined,
      });
    return {
      items: (page.Items ?? []).map((i) => toDossier(i)),
      ...(page.LastEvaluatedKey ? { nextCursor: await sealCursor(page.LastEvaluatedKey, binding) } : {}),
    };
  }
}
