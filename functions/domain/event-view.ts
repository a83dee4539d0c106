import * as z from 'zod/mini';
import './zod-setup.js';
import type { WorkflowDossier } from './workflow.js';

/**
 * The dossier as a history event carries it: what the stream consumers need of the dossier right after
 * the step (procedure, agency, status, dates, channel, fees, pending requests), and nothing that
 * identifies the applicant. The applicant, the form's fields, the identity subject and the tracking PIN
 * hash stay on the dossier item, which a consumer that needs them reads by key: every history item and
 * every stream record would otherwise hold a copy that no erasure or correction of the dossier reaches.
 *
 * The schema is the allowlist: a key it does not name is not copied on write and is dropped on read, so
 * an event item written before the view existed (carrying the whole dossier) reads as the same view.
 * Keys no consumer reads stay out too (the draft id, the calendar basis, the fee lines, the receipt's
 * code and issue time): every event is written once and streamed once, and an item over 1 KB costs a second write unit.
 */

const statusCode = z.literal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
const instant = z.string();
const list = <T extends z.core.SomeType>(item: T) => z.readonly(z.array(item));

export const dossierSnapshotSchema = z.object({
  code: z.string(),
  serviceId: z.string(),
  serviceCode: z.string(),
  serviceName: z.string(),
  serviceVersion: z.optional(z.number()),
  origin: z.optional(z.literal('dvcqg')),
  nationalCode: z.optional(z.string()),
  agencyId: z.string(),
  agencyCode: z.string(),
  agencyName: z.string(),
  channel: z.enum(['online', 'counter', 'post']),
  status: statusCode,
  version: z.number(),
  submittedAt: instant,
  updatedAt: instant,
  // the statistics count the total asked; the lines are the dossier's, shown from it
  fees: z.optional(z.object({ totalVnd: z.number() })),
  receivedAt: z.optional(instant),
  dueAt: z.optional(instant),
  legalDueAt: z.optional(instant),
  pauses: z.optional(list(z.object({ kind: z.enum(['supplement', 'payment']), from: instant, to: z.optional(instant) }))),
  supplementRequests: z.optional(z.number()),
  pendingSupplement: z.optional(
    z.object({ reason: z.string(), missing: list(z.string()), components: z.optional(list(z.string())), requestedAt: instant, resumeTo: statusCode }),
  ),
  pendingPayment: z.optional(z.object({ amountVnd: z.number(), reason: z.string(), requestedAt: instant, resumeTo: statusCode })),
  paidAt: z.optional(instant),
  submissionFeesPaidAt: z.optional(instant),
  apologies: z.optional(list(z.object({ at: instant, reason: z.string(), previousDueAt: instant, newDueAt: instant }))),
  // of the receipt (form 01), what consumers act on: the national portal's list, the appointment in messages
  receipt: z.optional(z.object({ documentsReceived: list(z.string()), appointmentAt: instant })),
  closingReason: z.optional(z.string()),
  finishedAt: z.optional(instant),
  returnedAt: z.optional(instant),
  resultClass: z.optional(z.enum(['early', 'on-time', 'late'])),
  lateApology: z.optional(z.enum(['with-apology', 'without-apology'])),
  // the rating's comment is the applicant's own words: it stays on the dossier
  rating: z.optional(z.object({ value: z.enum(['satisfied', 'normal', 'unsatisfied']), at: instant })),
  overdueAt: z.optional(instant),
  reminderSentAt: z.optional(instant),
});

export type DossierSnapshot = z.infer<typeof dossierSnapshotSchema>;

// Every dossier is a snapshot with more keys: the copy below only drops keys, it never changes a value's type.
type DossierFitsSnapshot = WorkflowDossier extends DossierSnapshot ? true : never;
const dossierFitsSnapshot: DossierFitsSnapshot = true;
void dossierFitsSnapshot;

const snapshotKeys = Object.keys(dossierSnapshotSchema.shape) as (keyof DossierSnapshot)[];

/** The view of `d` a history event stores: the schema's keys only, the rating without its comment, the fees' total, the receipt's two read fields. */
export function dossierSnapshot(d: WorkflowDossier): DossierSnapshot {
  const view: Record<string, unknown> = {};
  for (const key of snapshotKeys) if (d[key] !== undefined) view[key] = d[key];
  if (d.rating) view.rating = { value: d.rating.value, at: d.rating.at };
  if (d.fees) view.fees = { totalVnd: d.fees.totalVnd };
  if (d.receipt) view.receipt = { documentsReceived: d.receipt.documentsReceived, appointmentAt: d.receipt.appointmentAt };
  // the keys were copied from a WorkflowDossier, which fits the snapshot (checked above)
  return view as DossierSnapshot;
}
