import { isOpen, type WorkflowDossier } from '../domain/workflow.js';
import type { DossierEvent } from '../domain/dossier.js';
import type { StatusCode } from '../domain/status.js';
import { sequenceKey } from './day-sequence.js';
import { DOSSIER_ITEM_SCHEMA_VERSION } from './event-item.js';

/**
 * The count of slots issued in a dossier's partition, which each new slot moves on in its own transaction
 * only from the value read with the dossier: two requests that counted the same slots cannot both add
 * one, so `maxFiles` and the pending limit hold under concurrent requests. Its sort key sorts before
 * `DOC#`, so a read of the partition meets it before the slots: a count that includes a slot is never
 * read with a list that lacks it.
 */
export const SLOT_COUNT_SK = 'DOC!COUNT';

/** Item keys of the single table (see `table` in the declaration). */
export const keys = {
  dossier: (code: string) => ({ pk: `DOSSIER#${code}`, sk: 'DOSSIER' }),
  event: (code: string, version: number) => ({ pk: `DOSSIER#${code}`, sk: `EVENT#${String(version).padStart(6, '0')}` }),
  /** a sweeper mark on `version`: sorts after that version's step and before the next one */
  markEvent: (code: string, version: number, mark: string) => ({ pk: `DOSSIER#${code}`, sk: `EVENT#${String(version).padStart(6, '0')}#MARK#${mark}` }),
  sequence: sequenceKey,
  idempotency: (subject: string, key: string) => ({ pk: `IDEMPOTENCY#${subject}#${key}`, sk: 'IDEMPOTENCY' }),
  trackingFailures: (code: string) => ({ pk: `TRACKING#${code}`, sk: 'FAILURES' }),
  /** the ids of a citizen's open drafts (a string set), bounded by MAX_OPEN_DRAFTS */
  openDrafts: (subject: string) => ({ pk: `DRAFTS#${subject}`, sk: 'DRAFTS' }),
  /** the count of upload slots issued in a dossier's (or a draft's) partition */
  slotCount: (code: string) => ({ pk: `DOSSIER#${code}`, sk: SLOT_COUNT_SK }),
} as const;

/** Index partitions, written by `indexKeys` and read by every query on the indexes. */
export const partitions = {
  agencyStatus: (agencyId: string, status: StatusCode) => `AGENCY#${agencyId}#${status}`,
  agencyState: (agencyId: string, open: boolean) => `AGENCY#${agencyId}#${open ? 'OPEN' : 'CLOSED'}`,
  applicant: (subject: string) => `APPLICANT#${subject}`,
} as const;

/**
 * Index keys follow the dossier: recomputed on every write, so a status change moves it between inboxes.
 * Open dossiers sort by the legal appointment, which an apology does not move: the sweeper reads them by it.
 */
export function indexKeys(d: WorkflowDossier) {
  const order = `${d.legalDueAt ?? d.dueAt ?? d.submittedAt}#${d.code}`;
  return {
    gsi1pk: partitions.agencyStatus(d.agencyId, d.status),
    gsi1sk: order,
    gsi2pk: partitions.applicant(d.applicantSubject),
    gsi2sk: `${d.submittedAt}#${d.code}`,
    gsi3pk: partitions.agencyState(d.agencyId, isOpen(d.status)),
    gsi3sk: order,
  };
}

export const dossierItem = (d: WorkflowDossier) => ({ ...keys.dossier(d.code), entity: 'dossier', ...d, schemaVersion: DOSSIER_ITEM_SCHEMA_VERSION, ...indexKeys(d) });

/**
 * The dossier as a workflow step leaves it, carrying the step's event (`lastEvent`): the item is the
 * step's one committed write, and its stream record is the outbox from which the event's history item is
 * written if the step's own write of it was cut off (functions/handlers/record-history.ts).
 */
export const steppedDossierItem = (d: WorkflowDossier, event: DossierEvent) => ({ ...dossierItem(d), lastEvent: event });

/**
 * The step event a dossier item carries, when it is the event of the version the item is at: one of an
 * earlier version was copied along by a later writer and is not this item's step; a sweeper mark keeps
 * the step's version and event.
 */
export function stepEventOf(item: Readonly<Record<string, unknown>>): DossierEvent | undefined {
  const last = item.lastEvent as DossierEvent | undefined;
  return last && last.version === item.version ? last : undefined;
}

/** A draft is in its applicant's list but in no agency inbox: the agency has not received it. */
export function draftItem(d: WorkflowDossier) {
  const { gsi2pk, gsi2sk } = indexKeys(d);
  return { ...keys.dossier(d.code), entity: 'dossier', ...d, schemaVersion: DOSSIER_ITEM_SCHEMA_VERSION, gsi2pk, gsi2sk };
}

// owner/claimedAt/reservedCode belong to a draft's submission claim, lastEvent to the history: not to the dossier
const itemOnly = new Set(['pk', 'sk', 'entity', 'schemaVersion', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', 'dossier', 'expiresAt', 'owner', 'claimedAt', 'reservedCode', 'lastEvent']);

function strip(item: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).filter(([k]) => !itemOnly.has(k)));
}

// The table is written only through the dossier adapters, so items have exactly these shapes.
export const toDossier = (item: Record<string, unknown>): WorkflowDossier => strip(item) as unknown as WorkflowDossier;

export const toEvent = (item: Record<string, unknown>): DossierEvent => strip(item) as unknown as DossierEvent;
