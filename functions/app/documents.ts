import { createHash, randomUUID } from 'node:crypto';
import { canonicalHash, idempotencyKeyPattern } from './dossiers.js';
import type { Province } from '../../provinces/schema.js';
import type { Admission, DocumentSlots, DossierStore, FileStore, FileUrls, PinHasher } from './ports.js';
import type { DocumentRequest, ResultRequest } from '../contracts/documents.js';
import { findService } from '../domain/catalog.js';
import { submittedEvent, trackingUrl, type DossierEvent } from '../domain/dossier.js';
import { documentView, dossierView } from './views.js';
import { localDayStamp } from '../domain/codes.js';
import {
  checkSlot,
  componentOf,
  DOWNLOAD_URL_TTL_SECONDS,
  downloadName,
  isShown,
  missingComponents,
  occupiesSlot,
  objectKey,
  parseObjectKey,
  RESULT_COMPONENT,
  RESULT_RULES,
  SLOT_GRACE_SECONDS,
  supplementSlotFiles,
  UPLOAD_URL_TTL_SECONDS,
  verdict,
  type DocumentKind,
  type DocumentRecord,
  type SlotRules,
} from '../domain/documents.js';
import { AppError, notFound } from '../domain/errors.js';
import { authorize, dossierNotFound, type Caller } from '../domain/access.js';
import { Status, statusView, type StatusCode } from '../domain/status.js';
import type { WorkflowDossier } from '../domain/workflow.js';

export interface DocumentDeps {
  readonly repo: Pick<DossierStore, 'get' | 'saveTransition' | 'submitDraft'>;
  readonly documents: DocumentSlots;
  /** presigned URLs only: the routes never call S3 themselves */
  readonly store: FileUrls;
  readonly pins: Pick<PinHasher, 'pinFor' | 'newPin'>;
  readonly admit: Admission;
  readonly province: Province;
  readonly now: Date;
  /**
   * The real time, for what runs on it: presigned URL expiry and DynamoDB TTL. Locally `now` is the
   * settable business clock, which must not make a fresh slot look expired (or an old one alive).
   */
  readonly wallClock: Date;
  readonly baseUrl: string;
}


/** Documents are filed while the dossier is a draft, just submitted (or registered at the desk), or asked for a supplement. */
const applicantMayUpload = (d: WorkflowDossier) => d.draft === true || d.status === Status.Submitted || d.status === Status.SupplementRequested;
/** The agency returns results once it has received the dossier and until it is closed without one. */
const closedWithoutResult: readonly StatusCode[] = [Status.Submitted, Status.Refused, Status.Withdrawn, Status.Stopped];

/** Another slot of the dossier was stored between the read and the write: the limits are checked again on a new read. */
class SlotRace extends Error {}

/** How often a slot request reads again after losing a race, before it answers 409 and the client retries. */
const SLOT_ATTEMPTS = 4;

async function untilSlotSettled<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n += 1) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof SlotRace)) throw err;
      if (n >= SLOT_ATTEMPTS) {
        throw new AppError('conflict', 'conflict', 'other uploads to this dossier were requested at the same moment; please retry', 'Hồ sơ đang nhận nhiều yêu cầu tải tệp cùng lúc, vui lòng thử lại.');
      }
    }
  }
}

async function issueSlot(
  deps: DocumentDeps,
  dossier: WorkflowDossier,
  slotsIssued: number,
  existing: readonly DocumentRecord[],
  kind: DocumentKind,
  component: string,
  rules: SlotRules,
  request: ResultRequest,
  uploadedBy: DocumentRecord['uploadedBy'],
  idempotent?: { readonly id: string; readonly requestHash: string },
) {
  const urlExpires = deps.wallClock.getTime() + UPLOAD_URL_TTL_SECONDS * 1000;
  const freshUrl = async (slot: DocumentRecord) => {
    if (slot.requestHash !== idempotent?.requestHash) {
      throw new AppError('unprocessable', 'idempotency_key_reused', 'Idempotency-Key was already used for a different upload slot', 'Mã Idempotency-Key đã được dùng cho một yêu cầu khác.', [
        { field: 'Idempotency-Key', message: 'already used with a different body' },
      ]);
    }
    // a slot whose URL lapsed no longer holds its place (another may have taken it): its key cannot revive it
    if (slot.status === 'pending' && !occupiesSlot(slot, deps.wallClock)) {
      throw new AppError('conflict', 'slot_expired', 'the upload slot of this Idempotency-Key has expired; ask for a new one with another key', 'Lượt tải lên này đã hết hạn, vui lòng tạo lượt mới.', [
        { field: 'Idempotency-Key', message: 'its slot has expired' },
      ]);
    }
    if (slot.status === 'pending') await deps.documents.extendSlot(slot.dossierCode, slot.id, Math.ceil(urlExpires / 1000) + SLOT_GRACE_SECONDS);
    const url = await deps.store.presignPut(slot.objectKey, UPLOAD_URL_TTL_SECONDS, slot.declaredSize);
    return { document: documentView(slot), upload: { method: 'PUT' as const, url, expiresAt: new Date(urlExpires).toISOString() } };
  };
  // The same key again (its answer was lost): the same slot, with a URL that works from now.
  const earlier = idempotent && existing.find((d) => d.id === idempotent.id);
  if (earlier) return freshUrl(earlier);
  const { fileName, type } = checkSlot(rules, { ...request, component }, existing, deps.wallClock);
  const id = idempotent?.id ?? randomUUID();
  const key = objectKey(dossier.code, component, id);
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
    ...(idempotent ? { requestHash: idempotent.requestHash } : {}),
  };
  // The slot is stored before the URL exists, so every object the URL can write has a record to judge it by.
  const put = await deps.documents.putSlotOnce(record, slotsIssued);
  if (put === 'moved') throw new SlotRace();
  if (put === 'exists') {
    // a concurrent request with the same key stored it first
    const stored = await deps.documents.get(dossier.code, id);
    if (stored) return freshUrl(stored);
    throw new AppError('conflict', 'conflict', 'the slot request conflicted with another one, please retry', 'Vui lòng thử lại.');
  }
  const url = await deps.store.presignPut(key, UPLOAD_URL_TTL_SECONDS, record.declaredSize);
  return { document: documentView(record), upload: { method: 'PUT' as const, url, expiresAt: new Date(urlExpires).toISOString() } };
}

/**
 * POST /dossiers/{code}/documents: an upload slot for one file of one component, refused before any URL
 * on bad input. With an Idempotency-Key the slot id is derived from the dossier, the caller and the key,
 * so a retry finds the same slot.
 */
export function requestDocumentUpload(deps: DocumentDeps, caller: Caller, code: string, request: DocumentRequest, idempotencyKey?: string) {
  return untilSlotSettled(() => documentUploadOnce(deps, caller, code, request, idempotencyKey));
}

async function documentUploadOnce(deps: DocumentDeps, caller: Caller, code: string, request: DocumentRequest, idempotencyKey?: string) {
  if (idempotencyKey !== undefined && !idempotencyKeyPattern.test(idempotencyKey)) {
    throw new AppError('invalid', 'invalid_input', 'Idempotency-Key: 8 to 128 letters, digits or . _ : -', 'Idempotency-Key không hợp lệ.', [
      { field: 'Idempotency-Key', message: '8 to 128 letters, digits or . _ : -' },
    ]);
  }
  const found = await deps.repo.get(code);
  authorize(caller, 'upload-document', found?.dossier, code);
  // the applicant, or (the policy let them through only for a desk dossier) an official of its agency
  if (caller.kind !== 'citizen' && caller.kind !== 'official') throw dossierNotFound(code);
  if (!applicantMayUpload(found.dossier)) {
    throw new AppError('conflict', 'documents_closed', `dossier ${code} is in status ${found.dossier.status}; documents are filed before the agency receives it or for a supplement`, 'Hồ sơ không còn ở bước nộp giấy tờ.', {
      status: found.dossier.status,
    });
  }
  const component = componentOf(findService(deps.province, found.dossier.serviceId, found.dossier.serviceVersion), request.component);
  let existing: readonly DocumentRecord[] = found.documents ?? [];
  const pending = found.dossier.status === Status.SupplementRequested ? found.dossier.pendingSupplement : undefined;
  if (pending) {
    // A supplement replaces or adds files for exactly the components asked for.
    const counted = supplementSlotFiles(pending, component.id, existing);
    if (!counted) {
      throw new AppError('conflict', 'component_not_requested', `the supplement request asks for: ${pending.components?.join(', ')}`, 'Thành phần này không nằm trong yêu cầu bổ sung.', [
        { field: 'component', message: `one of: ${pending.components?.join(', ')}` },
      ]);
    }
    existing = counted;
  }
  const idempotent = idempotencyKey ? { id: slotIdFor(found.dossier.code, caller.subject, idempotencyKey), requestHash: canonicalHash(request) } : undefined;
  const uploadedBy: DocumentRecord['uploadedBy'] = caller.kind === 'official' ? { kind: 'official', subject: caller.subject, agencyId: caller.agencyId } : { kind: 'citizen', subject: caller.subject };
  return issueSlot(deps, found.dossier, found.slotsIssued ?? 0, existing, 'application', component.id, component, request, uploadedBy, idempotent);
}

/** A UUID-shaped id (version 8: custom) from a hash, so object keys keep their one pattern. */
function slotIdFor(code: string, subject: string, key: string): string {
  const h = createHash('sha256').update(`slot\u0000${code}\u0000${subject}\u0000${key}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * DELETE /dossiers/{code}/documents/{id}: the applicant gives up a slot whose file has not arrived. Its
 * place is free at once; an object still PUT to its URL finds no slot and is quarantined.
 */
export async function cancelDocumentUpload(deps: DocumentDeps, caller: Caller, code: string, id: string): Promise<void> {
  const found = await deps.repo.get(code);
  // cancelling a slot is part of uploading: the same rule decides
  authorize(caller, 'upload-document', found?.dossier, code);
  if (caller.kind !== 'citizen' && caller.kind !== 'official') throw dossierNotFound(code);
  const doc = (found.documents ?? []).find((d) => d.id === id && d.kind === 'application' && isShown(d, deps.wallClock));
  if (!doc) throw notFound(`document ${id}`, 'Không tìm thấy giấy tờ.');
  const notPending = () =>
    new AppError('conflict', 'document_not_pending', `document ${id} is ${doc.status}; only a slot whose file has not arrived can be cancelled`, 'Tệp đã được tải lên, không thể hủy.', { status: doc.status });
  if (doc.status !== 'pending') throw notPending();
  if (!(await deps.documents.cancelSlot(doc.dossierCode, id))) throw notPending();
}

/** POST /dossiers/{code}/results: the responsible agency uploads a result document. */
export function requestResultUpload(deps: DocumentDeps, caller: Caller, code: string, request: ResultRequest) {
  return untilSlotSettled(() => resultUploadOnce(deps, caller, code, request));
}

async function resultUploadOnce(deps: DocumentDeps, caller: Caller, code: string, request: ResultRequest) {
  const found = await deps.repo.get(code);
  authorize(caller, 'upload-result', found?.dossier, code);
  if (caller.kind !== 'official') throw dossierNotFound(code);
  if (closedWithoutResult.includes(found.dossier.status)) {
    throw new AppError('conflict', 'results_closed', `dossier ${code} is in status ${found.dossier.status}; results follow its reception`, 'Hồ sơ chưa được tiếp nhận hoặc đã dừng, không thể trả kết quả.', {
      status: found.dossier.status,
    });
  }
  return issueSlot(deps, found.dossier, found.slotsIssued ?? 0, found.documents ?? [], 'result', RESULT_COMPONENT, RESULT_RULES, request, {
    kind: 'official',
    subject: caller.subject,
    agencyId: caller.agencyId,
  });
}

/** GET /dossiers/{code}/results/{id}: a short-lived download URL, for the applicant and the agency only. */
export function downloadResult(deps: DocumentDeps, caller: Caller, code: string, id: string) {
  return download(deps, caller, code, id, 'result');
}

/** GET /dossiers/{code}/documents/{id}: the responsible agency (and the applicant) open a verified file the applicant filed. */
export function downloadDocument(deps: DocumentDeps, caller: Caller, code: string, id: string) {
  return download(deps, caller, code, id, 'application');
}

async function download(deps: DocumentDeps, caller: Caller, code: string, id: string, kind: DocumentKind) {
  const found = await deps.repo.get(code);
  authorize(caller, kind === 'result' ? 'read-result' : 'read-document', found?.dossier, code);
  const doc = (found.documents ?? []).find((x) => x.id === id && x.kind === kind);
  // Only checked bytes leave the bucket: a pending or rejected file answers like a missing one.
  if (!doc || doc.status !== 'verified' || !doc.actualType || doc.actualSize === undefined || !doc.sha256) {
    throw kind === 'result' ? notFound(`result ${id}`, 'Không tìm thấy kết quả.') : notFound(`document ${id}`, 'Không tìm thấy giấy tờ.');
  }
  const url = await deps.store.presignGet(doc.objectKey, DOWNLOAD_URL_TTL_SECONDS, { fileName: downloadName(doc.fileName, doc.actualType), contentType: doc.actualType, ...(doc.versionId ? { versionId: doc.versionId } : {}) });
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
export async function submitDraft(deps: DocumentDeps, caller: Caller, code: string, deadline?: number) {
  return deps.admit(deadline, async () => {
    const found = await deps.repo.get(code);
    authorize(caller, 'submit', found?.dossier, code);
    if (caller.kind !== 'citizen') throw dossierNotFound(code);
    const { draft, ...rest } = found.dossier;
    if (!draft) {
      // the same draft submitted again (an answer was lost): the dossier it became
      if (rest.draftId === code) return { replayed: true, body: await submittedAnswer(deps, found.dossier, found.history, found.documents ?? []) };
      throw new AppError('conflict', 'already_submitted', `dossier ${code} was already submitted`, 'Hồ sơ đã được nộp.', { status: rest.status, version: rest.version });
    }
    const lacking = missingComponents(findService(deps.province, rest.serviceId, rest.serviceVersion), found.documents ?? []);
    if (lacking.length) {
      throw new AppError(
        'conflict',
        'documents_missing',
        `a verified file is still needed for: ${lacking.map((c) => c.id).join(', ')}`,
        `Còn thiếu giấy tờ: ${lacking.map((c) => c.name).join('; ')}.`,
        lacking.map((c) => ({ field: `documents.${c.id}`, message: `required: ${c.name}`, component: c.id })),
      );
    }
    const at = deps.now.toISOString();
    const outcome = await deps.repo.submitDraft({
      draft: found.dossier,
      day: localDayStamp(deps.now),
      at: deps.now,
      ...(deadline !== undefined ? { deadline } : {}),
      build: async (dossierCode) => {
        const { hash } = await deps.pins.newPin(dossierCode);
        const dossier: WorkflowDossier = { ...rest, code: dossierCode, status: Status.Submitted, version: 1, submittedAt: at, updatedAt: at, trackingPinHash: hash };
        return { dossier, event: submittedEvent(dossier, randomUUID(), { kind: 'citizen', subject: caller.subject }) };
      },
    });
    if (outcome.replayed) {
      const again = await deps.repo.get(outcome.dossier.code);
      return { replayed: true, body: await submittedAnswer(deps, outcome.dossier, again?.history ?? [], again?.documents ?? []) };
    }
    return { replayed: false, body: await submittedAnswer(deps, outcome.dossier, outcome.event ? [outcome.event] : [], found.documents ?? []) };
  });
}

/** The submitted dossier with its PIN, recomputed from its code, so a repeated submit answers the same one. */
async function submittedAnswer(deps: Pick<DocumentDeps, 'baseUrl' | 'now' | 'pins'>, dossier: WorkflowDossier, history: readonly DossierEvent[], documents: readonly DocumentRecord[]) {
  const view = dossierView(dossier, history, deps.baseUrl, true, deps.now);
  const trackingPin = await deps.pins.pinFor(dossier.code);
  return {
    code: dossier.code,
    trackingUrl: trackingUrl(deps.baseUrl, dossier.code),
    status: statusView(dossier.status),
    trackingPin,
    dossier: { ...view, documents: documents.filter((x) => x.status !== 'pending').map(documentView) },
  };
}

export type VerifyOutcome = 'verified' | 'rejected' | 'ignored';

/**
 * Judges one uploaded object against its slot: actual size, type by content, SHA-256. A failure is
 * recorded with its reason and the object is quarantined; an object without a slot (not written through
 * an issued URL) is quarantined too. Runs again on every write to the key, so a second PUT to the same
 * URL is judged like the first.
 */
/** The verifier reads and moves objects, so it, and only it, has the S3 client behind its store. */
export interface VerifierDeps extends Pick<DocumentDeps, 'documents' | 'now'> {
  readonly store: FileStore;
}

export async function verifyUpload(deps: VerifierDeps, key: string, versionId?: string, reportedSize?: number): Promise<VerifyOutcome> {
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
  // Judged by the version the event names: with two quick PUTs, each event judges its own bytes. The
  // event carries the object's size (S3 sets it on every ObjectCreated event); only without it is it asked.
  const size = reportedSize ?? (await deps.store.size(key, versionId));
  // Gone already: an earlier delivery of the same event quarantined it.
  if (size === undefined) return 'ignored';
  const at = deps.now.toISOString();
  const inspected = size > slot.maxSizeBytes || size === 0 ? { size, head: new Uint8Array() } : await deps.store.inspect(key, versionId);
  if (!inspected) return 'ignored';
  const result = verdict(slot, inspected);
  if (result.status === 'verified') {
    await deps.documents.recordVerification(parsed.dossierCode, parsed.id, { status: 'verified', size: inspected.size, type: result.type, sha256: inspected.sha256 ?? '', at, ...(versionId ? { versionId } : {}) });
    return 'verified';
  }
  if ((await deps.store.quarantine(key, versionId)) === undefined) return 'ignored';
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
