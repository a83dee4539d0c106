import { randomUUID } from 'node:crypto';
import type { Caller } from '../adapters/identity.js';
import type { DossierRepository } from '../adapters/dossier-repository.js';
import { staleVersion } from '../adapters/dossier-repository.js';
import type { Province } from '../../provinces/schema.js';
import { findService } from '../domain/catalog.js';
import { dossierView, type Actor } from '../domain/dossier.js';
import { AppError, notFound } from '../domain/errors.js';
import { applyCommand, deadlineStanding, type Command } from '../domain/workflow.js';
import { statusView, type StatusCode } from '../domain/status.js';

export interface WorkflowDeps {
  readonly repo: Pick<DossierRepository, 'get' | 'saveTransition' | 'inbox'>;
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
      throw new AppError(401, 'unauthorized', 'a valid token is required', 'Vui lòng đăng nhập.');
  }
}

/** One workflow step: read, decide in the domain, write conditionally on the version read. */
export async function actOnDossier(deps: WorkflowDeps, caller: Caller, code: string, command: Command, expectedVersion?: number) {
  const found = await deps.repo.get(code);
  if (!found) throw notFound(`dossier ${code}`, 'Không tìm thấy hồ sơ.');
  const before = found.dossier;
  // A draft has not reached the agency: no step applies until the applicant submits it.
  if (before.draft) {
    if (caller.kind === 'citizen' && caller.subject === before.applicantSubject) {
      throw new AppError(409, 'dossier_draft', 'the dossier is a draft; submit it first (POST /dossiers/{code}/submit)', 'Hồ sơ chưa được nộp.');
    }
    throw notFound(`dossier ${code}`, 'Không tìm thấy hồ sơ.');
  }
  const service = findService(deps.province, before.serviceId, before.serviceVersion);
  const { dossier, event } = applyCommand(before, command, {
    actor: actorOf(caller),
    now: deps.now,
    calendar: deps.province.calendar,
    processing: service.processing,
  });
  // Checked after the domain so that a stranger learns nothing from a version mismatch.
  if (expectedVersion !== undefined && expectedVersion !== before.version) throw staleVersion(code, before);
  const stored = { ...event, eventId: randomUUID() };
  await deps.repo.saveTransition(before.version, dossier, stored);
  return dossierView(dossier, [...found.history, stored], deps.baseUrl, true, deps.now);
}

export async function agencyInbox(
  deps: WorkflowDeps,
  caller: Caller,
  agencyId: string,
  query: { status: 'open' | 'closed' | number; limit: number; cursor?: string | undefined },
) {
  // An official sees only their own agency; another agency's inbox answers as if it did not exist.
  const mine = caller.kind === 'admin' || (caller.kind === 'official' && caller.agencyId === agencyId);
  if (!mine || !deps.province.agencies.some((a) => a.id === agencyId)) throw notFound(`agency ${agencyId}`, 'Không tìm thấy cơ quan.');
  const filter = typeof query.status === 'number' ? { status: query.status as StatusCode } : { state: query.status };
  const page = await deps.repo.inbox(agencyId, filter, query.limit, query.cursor);
  return {
    items: page.items.map((d) => ({
      code: d.code,
      service: { id: d.serviceId, name: d.serviceName },
      status: statusView(d.status),
      applicantName: d.applicant.fullName,
      submittedAt: d.submittedAt,
      ...(d.dueAt ? { dueAt: d.dueAt } : {}),
      standing: deadlineStanding(d, deps.now),
      version: d.version,
    })),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  };
}
