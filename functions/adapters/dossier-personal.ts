import * as z from 'zod/mini';
import '../domain/zod-setup.js';
import { agencyMessageAttributes } from '../declaration.js';
import type { ApplicantContact } from '../domain/notifications.js';
import { READABLE_SCHEMA_VERSIONS } from './event-item.js';
import { describeIssues } from './stream-image.js';
import type { TableReads } from './table-reads.js';

/**
 * The personal data of a dossier, read from the dossier item by key by the stream consumers that need
 * it: history events carry none (functions/domain/event-view.ts). Each read names its attributes, so a
 * function granted only those (the declaration's `attributes`) can make it. Strongly consistent: the
 * event that led here was written with the dossier in one transaction, so the dossier item is there.
 * Over `TableReads`, so that a function that only reads these (the agency router) can sign its one
 * request instead of bundling the SDK's DynamoDB client (dynamo-http.ts).
 */

const applicantSchema = z.object({
  fullName: z.string(),
  idNumber: z.string(),
  phone: z.string(),
  email: z.optional(z.string()),
  address: z.string(),
});

// a dossier item without a schema version is version 0; every version has these attributes
const schemaVersion = z.optional(z.literal(READABLE_SCHEMA_VERSIONS));

const contactSchema = z.object({
  schemaVersion,
  applicant: applicantSchema,
  notify: z.optional(z.object({ channels: z.optional(z.readonly(z.array(z.enum(['email', 'sms'])))), optOut: z.optional(z.boolean()) })),
});

const agencyMessagePartSchema = z.object({ schemaVersion, applicant: applicantSchema, fields: z.record(z.string(), z.unknown()) });

export type AgencyMessagePersonalData = Omit<z.infer<typeof agencyMessagePartSchema>, 'schemaVersion'>;

/** A dossier item that is there but does not have the shape its version promises. */
export class DossierItemShapeError extends Error {}

const contactAttributes = ['schemaVersion', 'applicant', 'notify'] as const;

export class DossierPersonalData {
  constructor(
    private readonly reads: Pick<TableReads, 'get'>,
    private readonly tableName: string,
  ) {}

  /** Where to reach the applicant, and how they asked to be reached. */
  async contactOf(code: string): Promise<ApplicantContact | undefined> {
    const item = await this.read(code, contactAttributes);
    if (!item) return undefined;
    const { schemaVersion: _, ...contact } = parseItem(contactSchema, item, code);
    return contact;
  }

  /** What an agency message carries of the applicant and the form. */
  async forAgencyMessage(code: string): Promise<AgencyMessagePersonalData | undefined> {
    const item = await this.read(code, agencyMessageAttributes.filter((a) => a !== 'pk' && a !== 'sk'));
    if (!item) return undefined;
    const { schemaVersion: _, ...part } = parseItem(agencyMessagePartSchema, item, code);
    return part;
  }

  private async read(code: string, attributes: readonly string[]): Promise<Record<string, unknown> | undefined> {
    const answer = await this.reads.get({
      TableName: this.tableName,
      Key: { pk: `DOSSIER#${code}`, sk: 'DOSSIER' },
      ConsistentRead: true,
      ProjectionExpression: attributes.map((_, i) => `#a${i}`).join(', '),
      ExpressionAttributeNames: Object.fromEntries(attributes.map((a, i) => [`#a${i}`, a])),
    });
    return answer.Item;
  }
}

/** Parses an item; what does not fit is named by path and issue only, never by value. */
function parseItem<T>(schema: z.ZodMiniType<T>, item: unknown, code: string): T {
  const parsed = schema.safeParse(item);
  if (parsed.success) return parsed.data;
  throw new DossierItemShapeError(`dossier item ${code} does not fit its schema: ${describeIssues(parsed.error.issues)}`);
}

