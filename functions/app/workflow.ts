import { randomUUID } from 'node:crypto';
import type { DossierLists, DossierStore } from './ports.js';
import type { Province, Service } from '../../provinces/schema.js';
import { findService, processingOf } from '../domain/catalog.js';
import type { Actor } from '../domain/dossier.js';
import { dossierView } from './views.js';
import { AppError, invalidInput, notFound, staleVersion } from '../domain/errors.js';
import { authorize, canListAgency, viewerOf, type Caller } from '../domain/access.js';
import { supplementBringsNothing, supplementLacking, type DocumentRecord } from '../domain/documents.js';
import { applyCommand, deadlineStanding, legalAppointment, workingDaysLeft, type Command, type WorkflowDossier } from '../domain/workflow.js';
import { statusView, type StatusCode } from '../domain/status.js';

export interface WorkflowDeps {
  readonly repo: Pick<DossierStore, 'get' | 'saveTransition'> & Pick<DossierLists, 'inbox'>;
  readonly province: Province;
  readonly now: Date;
  readonly baseUrl: string;
}

function actorOf(caller: Caller): Actor {
  switch (caller.kind) {
    case 'citizen':
      return { kind: 'citizen', subject: caller.subject };
    case 'official':
      return { kind: 'official', subject: caller.subject, agencyId: caller.agencyId };
    case 'admin':
      return { kind: 'admin', subject: caller.subject };
    case 'anonymous':
      throw new AppError('unauthenticated', 'unauthorized', 'a valid token is required', 'Vui lòng đăng nhập.');
  }
}

/** A step a caller may ask for: `paid` follows only a verified gateway notification (functions/app/payments.ts). */
export type CallerCommand = Exclude<Command, { action: 'paid' }>;

/** One workflow step: read, decide in the domain, write conditionally on the version read. */
export async function actOnDossier(deps: WorkflowDeps, caller: Caller, code: string, command: CallerCommand, expectedVersion?: number) {
  const found = await deps.repo.get(code);
  authorize(caller, command.action, found?.dossier, code);
  const before = found!.dossier;
  // A draft has not reached the agency (only its applicant gets this far): no step applies until it is submitted.
  if (before.draft) {
    throw new AppError('conflict', 'dossier_draft', 'the dossier is a draft; submit it first (POST /dossiers/{code}/submit)', 'Hồ sơ chưa được nộp.');
  }
  const service = findService(deps.province, before.serviceId, before.serviceVersion);
  checkSupplementDocuments(service, before, command, found.documents ?? []);
  const { dossier, event } = applyCommand(before, command, {
    actor: actorOf(caller),
    now: deps.now,
    calendar: deps.province.calendar,
    processing: service.processing,
  });
  // Checked after the domain so that a stranger learns nothing from a version mismatch.
  if (expectedVersion !== undefined && expectedVersion !== before.version) throw staleVersion(code, before);
  const stored = { ...event, eventId: randomUUID() };
  await deps.repo.saveTransition(before.version, dossier, stored, found);
  return dossierView(dossier, [...found!.history, stored], deps.baseUrl, true, deps.now);
}

/**
 * A supplement request names components of the procedure; its answer is accepted only when each has a
 * verified file filed since the request (uploaded and checked like any other document). One naming none
 * asks for information, and its answer must bring some: a note or a new verified file.
 */
function checkSupplementDocuments(service: Service, d: WorkflowDossier, command: Command, documents: readonly DocumentRecord[]): void {
  if (command.action === 'request-supplement' && command.components) {
    const known = new Set(service.documents.map((c) => c.id));
    const unknown = command.components.filter((c) => !known.has(c));
    if (unknown.length) {
      throw invalidInput(unknown.map((c) => ({ field: 'components', message: `"${c}" is not a document of this procedure; expected one of: ${[...known].join(', ') || '(none)'}` })));
    }
  }
  if (command.action === 'supplement' && d.pendingSupplement) {
    const lacking = supplementLacking(d.pendingSupplement, documents);
    if (lacking.length) {
      throw new AppError(
        'conflict',
        'documents_missing',
        `a verified new file is still needed for: ${lacking.join(', ')}`,
        'Chưa bổ sung đủ giấy tờ được yêu cầu.',
        lacking.map((c) => ({ field: `documents.${c}`, message: 'a verified file filed after the supplement request', component: c })),
      );
    }
    if (supplementBringsNothing(d.pendingSupplement, documents, command.note)) {
      throw new AppError(
        'unprocessable',
        'supplement_empty',
        'the supplement request names no document: answer it with a note carrying the information asked for, or a new verified file',
        'Vui lòng ghi nội dung bổ sung hoặc tải lên giấy tờ bổ sung.',
        [{ field: 'note', message: 'required: the information the supplement request asks for (or a verified file filed after the request)', messageVi: 'Bắt buộc: nội dung bổ sung theo yêu cầu.' }],
      );
    }
  }
}

export async function agencyInbox(
  deps: WorkflowDeps,
  caller: Caller,
  agencyId: string,
  query: { status: 'open' | 'closed' | number; limit: number; cursor?: string | undefined },
) {
  // An official sees only their own agency; another agency's inbox answers as if it did not exist.
  if (!canListAgency(caller, agencyId) || !deps.province.agencies.some((a) => a.id === agencyId)) throw notFound(`agency ${agencyId}`, 'Không tìm thấy cơ quan.');
  const filter = typeof query.status === 'number' ? { status: query.status as StatusCode } : { state: query.status };
  const page = await deps.repo.inbox(agencyId, filter, { limit: query.limit, cursor: query.cursor, viewer: viewerOf(caller) });
  const { calendar } = deps.province;
  return {
    items: page.items.map((d) => {
      // the legal appointment, not the date an apology promised: flags and days left are judged against it
      const processing = d.legalDueAt ? undefined : processingOf(deps.province, d);
      const legal = legalAppointment(d, calendar, processing);
      const left = workingDaysLeft(d, deps.now, calendar, processing);
      return {
        code: d.code,
        service: { id: d.serviceId, name: d.serviceName },
        status: statusView(d.status),
        applicantName: d.applicant.fullName,
        submittedAt: d.submittedAt,
        ...(d.dueAt ? { dueAt: d.dueAt } : {}),
        ...(legal ? { legalDueAt: legal.toISOString() } : {}),
        ...(left !== undefined ? { workingDaysLeft: left } : {}),
        standing: deadlineStanding(d, deps.now, calendar, processing),
        version: d.version,
      };
    }),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  };
}
