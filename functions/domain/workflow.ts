import type { Calendar } from '../../provinces/schema.js';
import {
  addWorkingDays,
  calendarCoverage,
  classifyFinished,
  classifyOpen,
  dueDate,
  workingTimeBetween,
  type CalendarBasis,
  type FinishedClass,
  type OpenClass,
  type ProcessingTime,
} from './calendar.js';
import type { Actor, Dossier, DossierEvent } from './dossier.js';
import { AppError } from './errors.js';
import { authorize, dossierNotFound, type Caller } from './access.js';
import { Status, type StatusCode } from './status.js';

/**
 * The one-stop workflow as a pure state machine: given a dossier, a command, who gives it and when,
 * it returns the next dossier and the event to record, or refuses. Storage writes both atomically.
 */

/** How far one apology (Form 04) may move the appointment, in working days after the current one. */
export const MAX_APOLOGY_WORKING_DAYS = 30;

export type Rating = 'satisfied' | 'normal' | 'unsatisfied';

export type Command =
  | { action: 'receive'; documentsReceived?: string[]; note?: string }
  | { action: 'refuse'; reason: string }
  | { action: 'request-supplement'; reason: string; missing: string[]; components?: string[] }
  | { action: 'supplement'; note?: string }
  | { action: 'start-processing'; note?: string }
  | { action: 'request-payment'; amountVnd: number; reason: string }
  | { action: 'confirm-payment'; note?: string }
  | { action: 'stop'; reason: string }
  | { action: 'finish'; note?: string }
  | { action: 'return'; note?: string }
  | { action: 'apologize'; reason: string; newDueAt: string }
  | { action: 'withdraw'; reason?: string }
  | { action: 'rate'; rating: Rating; comment?: string }
  /** a verified online payment (gateway notification or reconciliation): recorded as `dossier.paid` */
  | { action: 'paid'; purpose: string; paymentRef: string; amountVnd: number; gateway: string };

export type Action = Command['action'];

type Performer = 'official' | 'applicant' | 'system';

interface Rule {
  readonly by: Performer;
  readonly from: readonly StatusCode[];
}

/** Which status each action may start from, and who performs it. Everything else is refused. */
export const transitions: Readonly<Record<Action, Rule>> = {
  receive: { by: 'official', from: [Status.Submitted] },
  refuse: { by: 'official', from: [Status.Submitted] },
  'request-supplement': { by: 'official', from: [Status.Submitted, Status.Received, Status.Processing] },
  supplement: { by: 'applicant', from: [Status.SupplementRequested] },
  'start-processing': { by: 'official', from: [Status.Received] },
  'request-payment': { by: 'official', from: [Status.Received, Status.Processing] },
  'confirm-payment': { by: 'official', from: [Status.AwaitingPayment] },
  stop: { by: 'official', from: [Status.Received, Status.Processing, Status.SupplementRequested, Status.AwaitingPayment] },
  finish: { by: 'official', from: [Status.Processing] },
  return: { by: 'official', from: [Status.Resolved] },
  apologize: { by: 'official', from: [Status.Received, Status.Processing, Status.SupplementRequested, Status.AwaitingPayment] },
  withdraw: { by: 'applicant', from: [Status.Submitted, Status.Received, Status.Processing, Status.SupplementRequested, Status.AwaitingPayment] },
  rate: { by: 'applicant', from: [Status.Returned] },
  paid: { by: 'system', from: [Status.Submitted, Status.Received, Status.Processing, Status.AwaitingPayment] },
};

export type PauseKind = 'supplement' | 'payment';

export interface DossierPause {
  readonly kind: PauseKind;
  readonly from: string;
  readonly to?: string;
}

export interface WorkflowState {
  readonly receivedAt?: string;
  /** the appointment date in force: set at reception, moved by pauses and apologies */
  readonly dueAt?: string;
  /**
   * the legal appointment: reception + processing time, moved by pauses only. An apology (form 04)
   * promises a later `dueAt` but does not move this one: lateness, the overdue mark and the inbox's days
   * left are judged against it. Absent on dossiers stored before it existed (see `legalAppointment`).
   */
  readonly legalDueAt?: string;
  readonly pauses?: readonly DossierPause[];
  readonly supplementRequests?: number;
  readonly pendingSupplement?: {
    readonly reason: string;
    readonly missing: readonly string[];
    /** the document components to replace or add: the answer needs a verified new file for each */
    readonly components?: readonly string[];
    readonly requestedAt: string;
    readonly resumeTo: StatusCode;
  };
  readonly pendingPayment?: { readonly amountVnd: number; readonly reason: string; readonly requestedAt: string; readonly resumeTo: StatusCode };
  readonly paidAt?: string;
  /** the catalog's fees due at submission were paid online */
  readonly submissionFeesPaidAt?: string;
  readonly apologies?: readonly { readonly at: string; readonly reason: string; readonly previousDueAt: string; readonly newDueAt: string }[];
  readonly receipt?: {
    readonly code: string;
    readonly documentsReceived: readonly string[];
    readonly appointmentAt: string;
    readonly issuedAt: string;
    /** whether the appointment was counted on the government's published calendar or on the statute alone */
    readonly calendarBasis?: CalendarBasis;
  };
  /**
   * the basis of the appointment in force: `statutory` when its count crosses a year whose holidays are
   * computed from the Labour Code because the government's arrangement is not in the province file yet
   */
  readonly calendarBasis?: CalendarBasis;
  readonly closingReason?: string;
  readonly finishedAt?: string;
  readonly returnedAt?: string;
  /**
   * early / on time / late against the LEGAL appointment (reception + processing time + pauses): an
   * apology (form 04) is written because a dossier is late and does not make it on time
   */
  readonly resultClass?: FinishedClass;
  /** for a late dossier: whether an apology with a new date was sent before the appointment passed */
  readonly lateApology?: 'with-apology' | 'without-apology';
  readonly rating?: { readonly value: Rating; readonly comment?: string; readonly at: string };
  /** set by the deadline sweeper when the appointment date passed with the dossier still open */
  readonly overdueAt?: string;
  readonly reminderSentAt?: string;
}

export type WorkflowDossier = Dossier & WorkflowState;

export interface WorkflowContext {
  readonly actor: Actor;
  readonly now: Date;
  readonly calendar: Calendar;
  readonly processing: ProcessingTime;
}

export interface Transition {
  readonly dossier: WorkflowDossier;
  readonly event: Omit<DossierEvent, 'eventId'> & { readonly action: Action; readonly details?: Record<string, unknown> };
}

const OPEN_STATUSES: readonly StatusCode[] = [Status.Submitted, Status.Received, Status.Processing, Status.SupplementRequested, Status.AwaitingPayment];

export const isOpen = (status: StatusCode): boolean => OPEN_STATUSES.includes(status);

/** The actor of a step as the access policy sees it; `system` steps (the sweeper) do not go through here. */
function callerOf(actor: Actor): Caller {
  if (actor.kind === 'citizen' && actor.subject) return { kind: 'citizen', subject: actor.subject };
  if (actor.kind === 'official' && actor.subject && actor.agencyId) return { kind: 'official', subject: actor.subject, agencyId: actor.agencyId };
  if (actor.kind === 'admin' && actor.subject) return { kind: 'admin', subject: actor.subject };
  return { kind: 'anonymous' };
}

function refuse(d: Dossier, action: Action, why?: string): never {
  const allowedNow = (Object.keys(transitions) as Action[]).filter((a) => transitions[a].from.includes(d.status));
  throw new AppError(
    'conflict',
    'transition_not_allowed',
    why ?? `"${action}" is not allowed while the dossier is in status ${d.status}`,
    'Thao tác không hợp lệ với trạng thái hiện tại của hồ sơ.',
    { status: d.status, version: d.version, action, allowedNow },
  );
}

/** Closing a pause moves the appointment by the working (or calendar) time the applicant held it. */
function closePause(d: WorkflowDossier, kind: PauseKind, ctx: WorkflowContext): Pick<WorkflowState, 'pauses' | 'dueAt' | 'legalDueAt' | 'calendarBasis'> {
  const pauses = (d.pauses ?? []).map((p) => (p.kind === kind && !p.to ? { ...p, to: ctx.now.toISOString() } : p));
  if (!d.receivedAt || !d.dueAt) return { pauses };
  const resumed = { ...d, pauses };
  const due = effectiveDueAt(resumed, ctx.calendar, ctx.processing);
  const legal = legalDueAt(resumed, ctx.calendar, ctx.processing);
  const latest = due.getTime() > legal.getTime() ? due : legal;
  return { pauses, dueAt: due.toISOString(), legalDueAt: legal.toISOString(), calendarBasis: basisBetween(ctx.calendar, new Date(d.receivedAt), latest) };
}

/** The calendar basis of an appointment: every local year from reception to the due date counts. */
export function basisBetween(calendar: Calendar, from: Date, to: Date): CalendarBasis {
  return calendarCoverage(calendar, from, to).basis;
}

/**
 * The appointment date in force. Without apology: reception + processing time, shifted by the closed
 * pauses. After an apology (form 04) the new date it promised, shifted by pauses that began after it.
 */
export function effectiveDueAt(d: WorkflowDossier, calendar: Calendar, processing: ProcessingTime): Date {
  const closed = closedPauses(d);
  const apology = d.apologies?.at(-1);
  if (!apology) return legalDueAt(d, calendar, processing);
  const after = closed.filter((p) => p.from.getTime() >= Date.parse(apology.at));
  const held = after.reduce((sum, p) => sum + workingTimeBetween(calendar, p.from, p.to), 0);
  return addWorkingDays(calendar, new Date(apology.newDueAt), held);
}

function closedPauses(d: WorkflowDossier): { from: Date; to: Date }[] {
  return (d.pauses ?? []).filter((p) => p.to).map((p) => ({ from: new Date(p.from), to: new Date(p.to!) }));
}

/**
 * The legal appointment: reception + the procedure's processing time, shifted by the closed pauses
 * (supplement, payment), whatever apologies promised. Lateness is judged against it.
 */
export function legalDueAt(d: WorkflowDossier, calendar: Calendar, processing: ProcessingTime): Date {
  if (!d.receivedAt) throw new Error(`dossier ${d.code} has no appointment date before reception`);
  return dueDate(calendar, new Date(d.receivedAt), processing, closedPauses(d));
}

export function applyCommand(d: WorkflowDossier, command: Command, ctx: WorkflowContext): Transition {
  const rule = transitions[command.action];
  // who may: the one access policy (404 for whoever may not see the dossier, then 403). A verified payment
  // is the system's own step (gateway notification, reconciliation): no caller may give it, and to any
  // caller trying it is the answer of a dossier that does not exist.
  if (command.action === 'paid') {
    if (ctx.actor.kind !== 'system') throw dossierNotFound(d.code);
  } else authorize(callerOf(ctx.actor), command.action, d, d.code);
  if (!rule.from.includes(d.status)) refuse(d, command.action);
  const at = ctx.now.toISOString();
  let next: Partial<WorkflowDossier> & { status: StatusCode };
  let note: string | undefined;
  let details: Record<string, unknown> | undefined;

  switch (command.action) {
    case 'receive': {
      const dueAt = dueDate(ctx.calendar, ctx.now, ctx.processing);
      const due = dueAt.toISOString();
      const calendarBasis = basisBetween(ctx.calendar, ctx.now, dueAt);
      next = {
        status: Status.Received,
        receivedAt: at,
        dueAt: due,
        legalDueAt: due,
        calendarBasis,
        receipt: { code: d.code, documentsReceived: command.documentsReceived ?? [], appointmentAt: due, issuedAt: at, calendarBasis },
      };
      note = command.note;
      details = { appointmentAt: due, calendarBasis };
      break;
    }
    case 'refuse':
      next = { status: Status.Refused, closingReason: command.reason };
      note = command.reason;
      break;
    case 'request-supplement': {
      // Decree 107/2021: one request per dossier; a second would make it count as late nationally.
      if ((d.supplementRequests ?? 0) >= 1) refuse(d, command.action, 'a supplement was already requested once for this dossier (Decree 107/2021 allows one)');
      next = {
        status: Status.SupplementRequested,
        supplementRequests: (d.supplementRequests ?? 0) + 1,
        pendingSupplement: { reason: command.reason, missing: command.missing, ...(command.components?.length ? { components: command.components } : {}), requestedAt: at, resumeTo: d.status },
        pauses: [...(d.pauses ?? []), { kind: 'supplement', from: at }],
      };
      note = command.reason;
      details = { missing: command.missing, ...(command.components?.length ? { components: command.components } : {}) };
      break;
    }
    case 'supplement': {
      const resumeTo = d.pendingSupplement?.resumeTo ?? Status.Received;
      next = { status: resumeTo, pendingSupplement: undefined, ...closePause(d, 'supplement', ctx) };
      note = command.note;
      break;
    }
    case 'start-processing':
      next = { status: Status.Processing };
      note = command.note;
      break;
    case 'request-payment':
      next = {
        status: Status.AwaitingPayment,
        pendingPayment: { amountVnd: command.amountVnd, reason: command.reason, requestedAt: at, resumeTo: d.status },
        pauses: [...(d.pauses ?? []), { kind: 'payment', from: at }],
      };
      note = command.reason;
      details = { amountVnd: command.amountVnd };
      break;
    case 'confirm-payment': {
      const resumeTo = d.pendingPayment?.resumeTo ?? Status.Processing;
      next = { status: resumeTo, pendingPayment: undefined, paidAt: at, ...closePause(d, 'payment', ctx) };
      note = command.note;
      if (d.pendingPayment) details = { amountVnd: d.pendingPayment.amountVnd };
      break;
    }
    case 'paid': {
      // A request (status 6) resumes exactly like confirm-payment; the submission fees leave the status as it is.
      const resumes = d.status === Status.AwaitingPayment && command.purpose !== 'submission';
      next = resumes
        ? { status: d.pendingPayment?.resumeTo ?? Status.Processing, pendingPayment: undefined, paidAt: at, ...closePause(d, 'payment', ctx) }
        : { status: d.status, submissionFeesPaidAt: at };
      details = { purpose: command.purpose, paymentRef: command.paymentRef, amountVnd: command.amountVnd, gateway: command.gateway };
      break;
    }
    case 'stop':
      next = { status: Status.Stopped, closingReason: command.reason, ...closeOpenPauses(d, ctx) };
      note = command.reason;
      break;
    case 'finish': {
      const due = d.receivedAt ? legalDueAt(d, ctx.calendar, ctx.processing) : undefined;
      const resultClass = due ? classifyFinished(ctx.now, due) : undefined;
      next = {
        status: Status.Resolved,
        finishedAt: at,
        ...(resultClass ? { resultClass } : {}),
        ...(resultClass === 'late' ? { lateApology: (d.apologies?.length ?? 0) > 0 ? 'with-apology' : 'without-apology' } : {}),
      };
      note = command.note;
      break;
    }
    case 'return':
      next = { status: Status.Returned, returnedAt: at };
      note = command.note;
      break;
    case 'apologize': {
      if (!d.dueAt) refuse(d, command.action, 'the dossier has no appointment date yet');
      const current = new Date(d.dueAt);
      const promised = new Date(command.newDueAt);
      // Form 04 must reach the citizen before the appointment is missed, and must promise a later date.
      if (ctx.now.getTime() >= current.getTime()) refuse(d, command.action, 'an apology must be made before the appointment date passes');
      if (promised.getTime() <= current.getTime()) {
        throw new AppError('invalid', 'invalid_input', 'newDueAt: must be later than the current appointment date', 'Ngày hẹn mới phải sau ngày hẹn hiện tại.', [
          { field: 'newDueAt', message: `must be after ${d.dueAt}` },
        ]);
      }
      // an apology postpones, it does not open an unbounded wait: at most so many working days past the appointment
      const latest = addWorkingDays(ctx.calendar, current, MAX_APOLOGY_WORKING_DAYS);
      if (!(promised.getTime() <= latest.getTime())) {
        throw new AppError('invalid', 'invalid_input', `newDueAt: at most ${MAX_APOLOGY_WORKING_DAYS} working days after the current appointment`, `Ngày hẹn mới không được quá ${MAX_APOLOGY_WORKING_DAYS} ngày làm việc sau ngày hẹn hiện tại.`, [
          { field: 'newDueAt', message: `at most ${latest.toISOString()}` },
        ]);
      }
      next = {
        status: d.status,
        dueAt: promised.toISOString(),
        calendarBasis: basisBetween(ctx.calendar, new Date(d.receivedAt ?? at), promised),
        apologies: [...(d.apologies ?? []), { at, reason: command.reason, previousDueAt: d.dueAt, newDueAt: promised.toISOString() }],
      };
      note = command.reason;
      details = { previousDueAt: d.dueAt, newDueAt: promised.toISOString() };
      break;
    }
    case 'withdraw':
      next = { status: Status.Withdrawn, closingReason: command.reason ?? 'withdrawn by the applicant', ...closeOpenPauses(d, ctx) };
      note = command.reason;
      break;
    case 'rate':
      if (d.rating) refuse(d, command.action, 'the service was already rated for this dossier');
      next = { status: d.status, rating: { value: command.rating, ...(command.comment ? { comment: command.comment } : {}), at } };
      note = command.comment;
      details = { rating: command.rating };
      break;
  }

  const dossier: WorkflowDossier = { ...d, ...next, version: d.version + 1, updatedAt: at };
  return {
    dossier,
    event: {
      type: `dossier.${command.action}`,
      action: command.action,
      dossierCode: d.code,
      version: dossier.version,
      at,
      actor: ctx.actor,
      from: d.status,
      to: dossier.status,
      agencyId: d.agencyId,
      ...(note ? { note } : {}),
      ...(details ? { details } : {}),
    },
  };
}

function closeOpenPauses(d: WorkflowDossier, ctx: WorkflowContext): Pick<WorkflowState, 'pauses'> {
  return { pauses: (d.pauses ?? []).map((p) => (p.to ? p : { ...p, to: ctx.now.toISOString() })) };
}

/**
 * The legal appointment of a received dossier (see `WorkflowState.legalDueAt`). Dossiers stored before
 * the field existed have it computed from the procedure when `processing` is given; otherwise the date
 * in force before the first apology stands for it (exact unless a pause followed that apology).
 */
export function legalAppointment(d: WorkflowDossier, calendar?: Calendar, processing?: ProcessingTime): Date | undefined {
  if (d.legalDueAt) return new Date(d.legalDueAt);
  if (!d.receivedAt) return undefined;
  if (calendar && processing) return legalDueAt(d, calendar, processing);
  const before = d.apologies?.[0]?.previousDueAt ?? d.dueAt;
  return before ? new Date(before) : undefined;
}

/** While a supplement or a payment is awaited the clock is stopped: the dossier stands where it was when the pause began. */
function clockAt(d: WorkflowDossier, now: Date): Date {
  const open = (d.pauses ?? []).find((p) => !p.to);
  return open && Date.parse(open.from) < now.getTime() ? new Date(open.from) : now;
}

/**
 * Where a dossier stands against its LEGAL appointment at an instant: finished ones by their class; an
 * open one is overdue once the legal appointment passed on a running clock, whatever an apology promised.
 */
export function deadlineStanding(d: WorkflowDossier, now: Date, calendar?: Calendar, processing?: ProcessingTime): FinishedClass | OpenClass | 'no-deadline' {
  if (d.resultClass) return d.resultClass;
  if (!isOpen(d.status)) return 'no-deadline';
  const legal = legalAppointment(d, calendar, processing);
  if (!legal) return 'no-deadline';
  return classifyOpen(clockAt(d, now), legal);
}

/**
 * Working days of office time from now to the legal appointment, to one decimal; negative once it has
 * passed. A paused dossier keeps what it had left when the pause began. Undefined for a dossier closed
 * or not received.
 */
export function workingDaysLeft(d: WorkflowDossier, now: Date, calendar: Calendar, processing?: ProcessingTime): number | undefined {
  if (!isOpen(d.status)) return undefined;
  const legal = legalAppointment(d, calendar, processing);
  if (!legal) return undefined;
  const left = Math.round(workingTimeBetween(calendar, clockAt(d, now), legal) * 10) / 10;
  // -0 would read as "overdue by nothing"
  return left === 0 ? 0 : left;
}
