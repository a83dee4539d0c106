import * as z from 'zod/mini';
import '../domain/zod-setup.js';
import type { DossierEvent } from '../domain/dossier.js';
import { dossierSnapshot, dossierSnapshotSchema, type DossierSnapshot } from '../domain/event-view.js';
import type { WorkflowDossier } from '../domain/workflow.js';

/**
 * The layout versions of the items this code writes. 1: a history event holds the dossier's view without
 * personal data (functions/domain/event-view.ts). 2: that view leaves out what the event itself says
 * (`sharedWithEvent`), which readers put back. Dossier items have not changed since 1 and are written as
 * 1, so that a build from before 2, rolled back to, still reads them; some were written as 2 for a while
 * and read the same. Items without the attribute are version 0, written before it existed: their event
 * items hold the whole dossier, which readers reduce to the same view. A reader meeting a version it
 * does not know refuses the item.
 */
export const EVENT_ITEM_SCHEMA_VERSION = 2;
export const DOSSIER_ITEM_SCHEMA_VERSION = 1;

/** The versions readers understand: every one written so far. */
export const READABLE_SCHEMA_VERSIONS = [0, 1, 2] as const;

/** The version an item was written with: absent is 0. */
export const itemSchemaVersion = (item: Readonly<Record<string, unknown>>): number => (typeof item.schemaVersion === 'number' ? item.schemaVersion : 0);

/**
 * The view's keys that repeat one of the event's (after a step, the event's `to` is the dossier's
 * status, its version the dossier's, its time the dossier's last update): left out of the view when equal, so that an event of a whole
 * lifecycle stays under the 1 KB of one write unit, and a copy when not.
 */
const sharedWithEvent = [
  ['code', 'dossierCode'],
  ['version', 'version'],
  ['status', 'to'],
  ['agencyId', 'agencyId'],
  ['updatedAt', 'at'],
] as const satisfies readonly (readonly [keyof DossierSnapshot, keyof DossierEvent])[];

/** A history event item: the event and the view of the dossier right after it, under the given key. */
export function eventItem(key: { readonly pk: string; readonly sk: string }, event: DossierEvent, dossier: WorkflowDossier) {
  const view: Partial<DossierSnapshot> = { ...dossierSnapshot(dossier) };
  for (const [own, shared] of sharedWithEvent) if (view[own] === event[shared]) delete view[own];
  return { ...key, entity: 'event', schemaVersion: EVENT_ITEM_SCHEMA_VERSION, ...event, dossier: view };
}

/** A version 2 item's view with the keys it left out taken back from the event; other items as they are. */
function withSharedKeys(item: unknown): unknown {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return item;
  const event = item as Record<string, unknown>;
  if (event.schemaVersion !== 2 || typeof event.dossier !== 'object' || event.dossier === null) return item;
  const view: Record<string, unknown> = { ...(event.dossier as Record<string, unknown>) };
  for (const [own, shared] of sharedWithEvent) if (view[own] === undefined) view[own] = event[shared];
  return { ...event, dossier: view };
}

const statusCode = dossierSnapshotSchema.shape.status;

const storedEventObject = z.object({
  schemaVersion: z.optional(z.literal(READABLE_SCHEMA_VERSIONS)),
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

/** A history event item as a stream record's new image holds it, of any readable version, its view whole. */
export const storedEventSchema = z.pipe(z.transform(withSharedKeys), storedEventObject);

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
  lastEvent: z.looseObject(z.omit(storedEventObject, { dossier: true, schemaVersion: true }).shape),
});

export type SteppedDossierImage = z.infer<typeof steppedDossierSchema>;
