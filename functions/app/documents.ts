import { randomUUID } from 'node:crypto';
import type { Province } from '../../provinces/schema.js';
import type { Caller } from '../adapters/identity.js';
import type { DossierRepository } from '../adapters/dossier-repository.js';
import type { DocumentRepository } from '../adapters/document-repository.js';
import type { DocumentStore } from '../adapters/document-store.js';
import type { DocumentRequest, ResultRequest } from '../contracts/documents.js';
import { findService } from '../domain/catalog.js';
import { dossierView, submittedEvent, trackingUrl } from '../domain/dossier.js';
import {
  checkSlot,
  componentOf,
  documentView,
  DOWNLOAD_URL_TTL_SECONDS,
  missingComponents,
  objectKey,
  parseObjectKey,
  RESULT_COMPONENT,
  RESULT_RULES,
  SLOT_GRACE_SECONDS,
  UPLOAD_URL_TTL_SECONDS,
  verdict,
  type DocumentKind,
  type DocumentRecord,
  type SlotRules,
} from '../domain/documents.js';
import { AppError, notFound } from '../domain/errors.js';
import { Status, statusView, type StatusCode } from '../domain/status.js';
import type { WorkflowDossier } from '../domain/workflow.js';

export interface DocumentDeps {
  readonly repo: Pick<DossierRepository, 'get' | 'saveTransition'>;
  readonly documents: Pick<DocumentRepository, 'putSlot' | 'get' | 'recordVerification'>;
  readonly store: Pick<DocumentStore, 'presignPut' | 'presignGet' | 'size' | 'inspect' | 'quarantine'>;
  readonly province: Province;
  readonly now: Date;
  /**
   * The real time, for what runs on it: presigned URL expiry and DynamoDB TTL. Locally `now` is the
   * settable business clock, which must not make a fresh slot look expired (or an old one alive).
   */
  readonly wallClock: Date;
  readonly baseUrl: string;
}

const missing = (code: string) => notFound(`dossier ${code}`, 'Không tìm thấy hồ sơ.');

/** The applicant files documents while the dossier is a draft, just submitted, or asked for a supplement. */
const applicantMayUpload = (d: WorkflowDossier) => d.draft === true || d.status === Status.Submitted || d.status === Status.SupplementRequested;
/** The agency returns results once it has received the dossier and until it is closed without one. */
const closedWithoutResult: readonly StatusCode[] = [Status.Submitted, Status.Refused, Status.Withdrawn, Status.Stopped];

async function issueSlot(
  deps: DocumentDeps,
  dossier: WorkflowDossier,
  existing: readonly DocumentRecord[],
  kind: DocumentKind,
  component: string,
  rules: SlotRules,
  request: ResultRequest,
  uploadedBy: DocumentRecord['uploadedBy'],
) {
  const { fileName, type } = checkSlot(rules, { ...request, component }, existing, deps.wallClock);
  const id = randomUUID();
  const key = objectKey(dossier.code, component, id);
  const urlExpires = deps.wallClock.getTime() + UPLOAD_URL_TTL_SECONDS * 1000;
  const record: DocumentRecord = {
    id,
    dossierCode: dossier.code,
    kind,
    component,
    fileName,
    objectKey: key,
    declaredType: type,
    declaredSize: request.size,
    allowedTypes: rules.allowedTypes,
    maxSizeBytes: rules.maxSizeBytes,
    status: 'pending',
    uploadedBy,
    uploadedAt: deps.now.toISOString(),
    expiresAt: Math.ceil(urlExpires / 1000) + SLOT_GRACE_SECONDS,
  };
  // The slot is stored before the URL exists, so every object the URL can write has a record to judge it by.
  await deps.documents.putSlot(record);
  const url = await deps.store.presignPut(key, UPLOAD_URL_TTL_SECONDS);
  return { document: documentView(record), upload: { method: 'PUT' as const, url, expiresAt: new Date(urlExpires).toISOString() } };
}

/** POST /dossiers/{code}/documents: an upload slot for one file of one component, refused before any URL on bad input. */
export async function requestDocumentUpload(deps: DocumentDeps, caller: Caller, code: string, request: DocumentRequest) {
  const found = await deps.repo.get(code);
  if (!found || caller.kind !== 'citizen' || caller.subject !== found.dossier.applicantSubject) throw missing(code);
  if (!applicantMayUpload(found.dossier)) {
    throw new AppError(409, 'documents_closed', `dossier ${code} is in status ${found.dossier.status}; documents are filed before the agency receives it or for a supplement`, 'Hồ sơ không còn ở bước nộp giấy tờ.', {
      status: found.dossier.status,
    });
  }
  const component = componentOf(findService(deps.province, found.dossier.serviceId, found.dossier.serviceVersion), request.component);
  return issueSlot(deps, found.dossier, found.documents ?? [], 'application', component.id, component, request, { kind: 'citizen', subject: caller.subject });
}

/** POST /dossiers/{code}/results: the responsible agency uploads a result document. */
export async function requestResultUpload(deps: DocumentDeps, caller: Caller, code: string, request: ResultRequest) {
  const found = await deps.repo.get(code);
  if (!found || caller.kind !== 'official' || caller.agencyId !== found.dossier.agencyId || found.dossier.draft) throw missing(code);
  if (closedWithoutResult.includes(found.dossier.status)) {
    throw new AppError(409, 'results_closed', `dossier ${code} is in status ${found.dossier.status}; results follow its reception`, 'Hồ sơ chưa được tiếp nhận hoặc đã dừng, không thể trả kết quả.', {
      status: found.dossier.status,
    });
  }
  return issueSlot(deps, found.dossier, found.documents ?? [], 'result', RESULT_COMPONENT, RESULT_RULES, request, {
    kind: 'official',
    subject: caller.subject,
    agencyId: caller.agencyId,
  });
}

/** GET /dossiers/{code}/results/{id}: a short-lived download URL, for the applicant and the agency only. */
export async function downloadResult(deps: DocumentDeps, caller: Caller, code: string, id: string) {
  const found = await deps.repo.get(code);
  const d = found?.dossier;
  const allowed = d && ((caller.kind === 'citizen' && caller.subject === d.applicantSubject) || (caller.kind === 'official' && caller.agencyId === d.agencyId));
  if (!found || !allowed) throw missing(code);
  const doc = (found.documents ?? []).find((x) => x.id === id && x.kind === 'result');
  // Only checked bytes leave the bucket: a pending or rejected result answers like a missing one.
  if (!doc || doc.status !== 'verified' || !doc.actualType || doc.actualSize === undefined || !doc.sha256) {
    throw notFound(`result ${id}`, 'Không tìm thấy kết quả.');
  }
  const url = await deps.store.presignGet(doc.objectKey, DOWNLOAD_URL_TTL_SECONDS, { fileName: doc.fileName, contentType: doc.actualType, ...(doc.versionId ? { versionId: doc.versionId } : {}) });
  return {
    url,
    expiresAt: new Date(deps.wallClock.getTime() + DOWNLOAD_URL_TTL_SECONDS * 1000).toISOString(),
    fileName: doc.fileName,
    contentType: doc.actualType,
    size: doc.actualSize,
    sha256: doc.sha256,
  };
}

/**
 * POST /dossiers/{code}/submit: a draft goes to the agency only with a verified file for every required
 * component. It then becomes exactly what a one-step submission stores: status 1, version 1 and the
 * `dossier.submitted` event that the router publishes to the agency queue.
 */
export async function submitDraft(deps: DocumentDeps, caller: Caller, code: string) {
  const found = await deps.repo.get(code);
  if (!found || caller.kind !== 'citizen' || caller.subject !== found.dossier.applicantSubject) throw missing(code);
  const { draft, ...rest } = found.dossier;
  if (!draft) {
    throw new AppError(409, 'already_submitted', `dossier ${code} was already submitted`, 'Hồ sơ đã được nộp.', { status: rest.status, version: rest.version });
  }
  const lacking = missingComponents(findService(deps.province, rest.serviceId, rest.serviceVersion), found.documents ?? []);
  if (lacking.length) {
    throw new AppError(
      409,
      'documents_missing',
      `a verified file is still needed for: ${lacking.map((c) => c.id).join(', ')}`,
      `Còn thiếu giấy tờ: ${lacking.map((c) => c.name).join('; ')}.`,
      lacking.map((c) => ({ field: `documents.${c.id}`, message: `required: ${c.name}`, component: c.id })),
    );
  }
  const at = deps.now.toISOString();
  const dossier: WorkflowDossier = { ...rest, status: Status.Submitted, version: 1, submittedAt: at, updatedAt: at };
  const event = submittedEvent(dossier, randomUUID(), { kind: 'citizen', subject: caller.subject });
  await deps.repo.saveTransition(found.dossier.version, dossier, event);
  const view = dossierView(dossier, [event], deps.baseUrl, true, deps.now);
  return { code, trackingUrl: trackingUrl(deps.baseUrl, code), status: statusView(dossier.status), dossier: { ...view, documents: (found.documents ?? []).filter((x) => x.status !== 'pending').map(documentView) } };
}

export type VerifyOutcome = 'verified' | 'rejected' | 'ignored';

/**
 * Judges one uploaded object against its slot: actual size, type by content, SHA-256. A failure is
 * recorded with its reason and the object is quarantined; an object without a slot (not written through
 * an issued URL) is quarantined too. Runs again on every write to the key, so a second PUT to the same
 * URL is judged like the first.
 */
export async function verifyUpload(deps: Pick<DocumentDeps, 'documents' | 'store' | 'now'>, key: string, versionId?: string): Promise<VerifyOutcome> {
  const parsed = parseObjectKey(key);
  if (!parsed) {
    await deps.store.quarantine(key, versionId);
    return 'rejected';
  }
  const slot = await deps.documents.get(parsed.dossierCode, parsed.id);
  if (!slot || slot.objectKey !== key) {
    await deps.store.quarantine(key, versionId);
    return 'rejected';
  }
  // Judged by the version the event names: with two quick PUTs, each event judges its own bytes.
  const size = await deps.store.size(key, versionId);
  // Gone already: an earlier delivery of the same event quarantined it.
  if (size === undefined) return 'ignored';
  const at = deps.now.toISOString();
  const inspected = size > slot.maxSizeBytes || size === 0 ? { size, head: new Uint8Array() } : await deps.store.inspect(key, versionId);
  const result = verdict(slot, inspected);
  if (result.status === 'verified') {
    await deps.documents.recordVerification(parsed.dossierCode, parsed.id, { status: 'verified', size: inspected.size, type: result.type, sha256: inspected.sha256 ?? '', at, ...(versionId ? { versionId } : {}) });
    return 'verified';
  }
  await deps.store.quarantine(key, versionId);
  await deps.documents.recordVerification(parsed.dossierCode, parsed.id, {
    status: 'rejected',
    size: inspected.size,
    ...(inspected.sha256 ? { sha256: inspected.sha256 } : {}),
    reason: result.reason,
    reasonVi: result.reasonVi,
    at,
  });
  return 'rejected';
}
