import type { Calendar } from '../../provinces/schema.js';
import { addWorkingDays, classifyOpen, reminderInstant, type ProcessingTime } from './calendar.js';
import type { DossierEvent } from './dossier.js';
import { Status, type StatusCode } from './status.js';
import { legalAppointment, type WorkflowDossier } from './workflow.js';

/**
 * What the scheduled deadline sweeper decides for one open dossier. Pure: the instant is passed in.
 * Only dossiers whose clock runs can become late: while a supplement or a payment is awaited (5, 6)
 * the deadline is paused, so they are neither overdue nor reminded. Both marks are judged against the
 * LEGAL appointment: an apology (form 04) promises the citizen a later date, but the dossier is overdue
 * once the appointment the law set has passed.
 */

export type SweepKind = 'overdue' | 'apology-reminder';

/** statuses whose deadline clock is running */
const RUNNING: readonly StatusCode[] = [Status.Received, Status.Processing];

export function sweepKind(d: WorkflowDossier, now: Date, calendar: Calendar, processing?: ProcessingTime): SweepKind | undefined {
  if (!RUNNING.includes(d.status)) return undefined;
  const due = legalAppointment(d, calendar, processing);
  if (!due) return undefined;
  if (classifyOpen(now, due) === 'overdue') return d.overdueAt ? undefined : 'overdue';
  // Each fires once: a dossier already reminded, or one that already apologised (form 04), is left alone.
  if (d.reminderSentAt || (d.apologies?.length ?? 0) > 0) return undefined;
  return now.getTime() >= reminderInstant(calendar, due).getTime() ? 'apology-reminder' : undefined;
}

/**
 * The upper bound of `dueAt` worth reading from the index for reminders: every dossier whose reminder
 * instant has come is due within one working day of now; a second day of margin covers the rounding
 * at period boundaries, and `sweepKind` makes the exact decision.
 */
export function candidateBound(now: Date, calendar: Calendar): Date {
  return addWorkingDays(calendar, now, 2);
}

export interface SweepTransition {
  readonly dossier: WorkflowDossier;
  /** the attribute that records the mark, and keeps it from firing again */
  readonly mark: 'overdueAt' | 'reminderSentAt';
  readonly event: Omit<DossierEvent, 'eventId'> & { readonly details: Record<string, unknown> };
}

/**
 * The recorded mark: same status and the SAME version. A mark is the system noticing time pass, not a
 * decision on the dossier, so it must not invalidate the version an official read: their
 * `expectedVersion` still holds after a sweep. The event carries the version it marks.
 */
export function sweepTransition(d: WorkflowDossier, kind: SweepKind, now: Date, legalDueAt?: Date): SweepTransition {
  const at = now.toISOString();
  const mark = kind === 'overdue' ? 'overdueAt' : 'reminderSentAt';
  const dossier: WorkflowDossier = { ...d, [mark]: at };
  return {
    dossier,
    mark,
    event: {
      type: `dossier.${kind}`,
      dossierCode: d.code,
      version: d.version,
      at,
      actor: { kind: 'system' },
      from: d.status,
      to: d.status,
      agencyId: d.agencyId,
      note: kind === 'overdue' ? 'Hồ sơ đã quá hạn giải quyết.' : 'Hồ sơ sắp đến hạn: cần gửi văn bản xin lỗi và hẹn lại ngày trả kết quả nếu không kịp.',
      details: { dueAt: d.dueAt, ...(legalDueAt ? { legalDueAt: legalDueAt.toISOString() } : {}) },
    },
  };
}
