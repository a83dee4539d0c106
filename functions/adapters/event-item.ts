import * as z from 'zod/mini';
import '../domain/zod-setup.js';
import type { DossierEvent } from '../domain/dossier.js';
import { dossierSnapshot, dossierSnapshotSchema } from '../domain/event-view.js';
import type { WorkflowDossier } from '../domain/workflow.js';

/**
 * The layout version of the items this code writes (dossier and history event items). 1: an event holds
 * the dossier's view without personal data (functions/domain/event-view.ts). Items without the
 * attribute are version 0, written before it existed: their event items hold the whole dossier, which
 * readers reduce to the same view. A reader meeting a version it does not know refuses the item.
 */
export const ITEM_SCHEMA_VERSION = 1;

/** The version an item was written with: absent is 0. */
export const itemSchemaVersion = (item: Readonly<Record<string, unknown>>): number => (typeof item.schemaVersion === 'number' ? item.schemaVersion : 0);

/** A history event item: the event and the view of the dossier right after it, under the given key. */
export function eventItem(key: { readonly pk: string; readonly sk: string }, event: DossierEvent, dossier: WorkflowDossier) {
  return { ...key, entity: 'event', schemaVersion: ITEM_SCHEMA_VERSION, ...event, dossier: dossierSnapshot(dossier) };
}

const statusCode = dossierSnapshotSchema.shape.status;

/** A history event item as a stream record's new image holds it, of either version. */
export const storedEventSchema = z.object({
  schemaVersion: z.optional(z.literal([0, ITEM_SCHEMA_VERSION])),
  eventId: z.string(),
  type: z.string(),
  dossierCode: z.string(),
  version: z.number(),
  at: z.string(),
  actor: z.object({ kind: z.enum(['citizen', 'official', 'admin', 'system']), subject: z.optional(z.string()), agencyId: z.optional(z.string()) }),
  from: z.nullable(statusCode),
  to: statusCode,
  note: z.optional(z.string()),
  agencyId: z.string(),
  details: z.optional(z.record(z.string(), z.unknown())),
  dossier: dossierSnapshotSchema,
});

export type StoredEventItem = z.infer<typeof storedEventSchema>;

/**
 * A dossier item as a workflow step leaves it, as its stream record's new image holds it: the dossier
 * (kept whole, its history item takes the view of it) and the step's event (`lastEvent`, see
 * steppedDossierItem in dossier-items.ts).
 */
export const steppedDossierSchema = z.looseObject({
  pk: z.string(),
  sk: z.literal('DOSSIER'),
  code: z.string(),
  version: z.number(),
  // loose: an event keeps every field its step gave it (an action's own), as the step's write of it does
  lastEvent: z.looseObject(z.omit(storedEventSchema, { dossier: true, schemaVersion: true }).shape),
});

export type SteppedDossierImage = z.infer<typeof steppedDossierSchema>;
