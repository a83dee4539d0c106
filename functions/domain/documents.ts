import type { DocumentComponent, Service } from '../../provinces/schema.js';
import { bucketLayout } from '../declaration.js';
import { AppError, invalidInput, type ErrorDetail } from './errors.js';
import { normalizeText, textProblem } from './text.js';

/**
 * Documents of a dossier: what the applicant files for each component of the procedure, and the result
 * documents the agency returns. Pure rules only: the object key, the slot checks before a URL is issued,
 * the content sniffing and the verdict after upload, and what is still missing before submission.
 */

export type DocumentType = 'application/pdf' | 'image/jpeg' | 'image/png';
export type DocumentKind = 'application' | 'result';
export type DocumentStatus = 'pending' | 'verified' | 'rejected';

/** The reserved component of result documents; component ids are slugs, so the leading underscore cannot clash. */
export const RESULT_COMPONENT = '_result';

/** How long a presigned PUT or GET URL is valid. */
export const UPLOAD_URL_TTL_SECONDS = 10 * 60;
export const DOWNLOAD_URL_TTL_SECONDS = 5 * 60;
/**
 * A pending slot outlives its URL by this margin and then expires (TTL): the URL can no longer write the
 * object, so nothing is left half-done. Verified and rejected items lose their expiry.
 */
export const SLOT_GRACE_SECONDS = 30 * 60;
/** Result documents have no catalog rules; these bound them. */
export const RESULT_RULES = { allowedTypes: ['application/pdf', 'image/jpeg', 'image/png'] as DocumentType[], maxSizeBytes: 20 * 1024 * 1024, maxFiles: 10 };

/** A document as stored beside its dossier (`DOSSIER#<code> / DOC#<id>`). */
export interface DocumentRecord {
  readonly id: string;
  readonly dossierCode: string;
  readonly kind: DocumentKind;
  readonly component: string;
  readonly fileName: string;
  readonly objectKey: string;
  readonly declaredType: DocumentType;
  readonly declaredSize: number;
  /** the component's rules when the slot was issued, so the verifier needs no catalog */
  readonly allowedTypes: readonly DocumentType[];
  readonly maxSizeBytes: number;
  readonly status: DocumentStatus;
  readonly uploadedBy: { readonly kind: 'citizen' | 'official'; readonly subject: string; readonly agencyId?: string };
  readonly uploadedAt: string;
  /** epoch seconds; only on pending slots */
  readonly expiresAt?: number;
  readonly actualSize?: number;
  readonly actualType?: DocumentType;
  readonly sha256?: string;
  readonly verifiedAt?: string;
  readonly reason?: string;
  readonly reasonVi?: string;
  /** the S3 version that was judged (versioned bucket); downloads are pinned to it */
  readonly versionId?: string;
  /** hash of the slot request of an Idempotency-Key, so the same key with another request is refused */
  readonly requestHash?: string;
}

/** `dossiers/<code>/<component>/<id>`: never the user's file name, so a name cannot steer where an object lands. */
export function objectKey(dossierCode: string, component: string, id: string): string {
  return `${DOCUMENT_KEY_PREFIX}${dossierCode}/${component}/${id}`;
}

/** Upload slots of one dossier that may wait for their file at the same time. */
export const MAX_PENDING_SLOTS = 10;

export const DOCUMENT_KEY_PREFIX = bucketLayout.documents;
/** where rejected objects are moved; a lifecycle rule expires them */
export const QUARANTINE_PREFIX = bucketLayout.quarantine;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const codePattern = /^[A-Za-z0-9.-]{1,60}$/;
const componentPattern = /^_?[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** The reverse of `objectKey`; anything else in the bucket is not a document slot. */
export function parseObjectKey(key: string): { dossierCode: string; component: string; id: string } | undefined {
  const parts = key.split('/');
  if (parts.length !== 4 || parts[0] !== 'dossiers') return undefined;
  const [, dossierCode, component, id] = parts as [string, string, string, string];
  if (!codePattern.test(dossierCode) || !componentPattern.test(component) || !uuidPattern.test(id)) return undefined;
  return { dossierCode, component, id };
}

/**
 * A file name is metadata shown back to people, never a path: refused if it has a directory part, a
 * control character, or is `.`/`..`; otherwise trimmed and normalised (NFC, Vietnamese diacritics kept).
 */
export function sanitiseFileName(raw: string): { ok: true; name: string } | { ok: false; message: string } {
  const name = normalizeText(raw);
  if (name.length === 0) return { ok: false, message: 'must not be empty' };
  if (name.length > 200) return { ok: false, message: 'at most 200 characters' };
  // C0, DEL, C1 and the bidi overrides that can disguise an extension (e.g. "fdp.exe" shown reversed)
  if (/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(name)) return { ok: false, message: 'must not contain control characters' };
  // and the rest of the text rules: lone surrogates, bidi marks, invisible-only names
  const problem = textProblem(name);
  if (problem) return { ok: false, message: problem };
  if (/[/\\]/.test(name) || name === '.' || name === '..' || /^[A-Za-z]:/.test(name)) return { ok: false, message: 'a file name, not a path' };
  return { ok: true, name };
}

const extensions: Readonly<Record<DocumentType, readonly string[]>> = { 'application/pdf': ['.pdf'], 'image/jpeg': ['.jpg', '.jpeg'], 'image/png': ['.png'] };

/**
 * The name a verified file is saved under: the uploader's, ending in an extension of the type its bytes
 * were verified as. The name is the uploader's choice and the browser saves under it, so without this a
 * PDF named "don.pdf.cmd" or "CCCD.html" would reach the official's disk as a script or a page (a
 * trailing dot or space is dropped first, as Windows would). Shown names stay as uploaded.
 */
export function downloadName(fileName: string, type: DocumentType): string {
  const trimmed = fileName.replace(/[.\s]+$/u, '') || 'tep';
  const own = extensions[type];
  return own.some((e) => trimmed.toLowerCase().endsWith(e)) ? trimmed : `${trimmed}${own[0]}`;
}

const magic: readonly { type: DocumentType; bytes: readonly number[] }[] = [
  { type: 'application/pdf', bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] },
  { type: 'image/jpeg', bytes: [0xff, 0xd8, 0xff] },
  { type: 'image/png', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
];

const knownBinaries: readonly { name: string; bytes: readonly number[] }[] = [
  { name: 'a Windows executable (MZ)', bytes: [0x4d, 0x5a] },
  { name: 'an ELF executable', bytes: [0x7f, 0x45, 0x4c, 0x46] },
  { name: 'a Mach-O executable', bytes: [0xcf, 0xfa, 0xed, 0xfe] },
  { name: 'a ZIP archive', bytes: [0x50, 0x4b, 0x03, 0x04] },
  { name: 'a script', bytes: [0x23, 0x21] },
];

const startsWith = (head: Uint8Array, bytes: readonly number[]) => head.length >= bytes.length && bytes.every((b, i) => head[i] === b);

/** The type by content (magic bytes), never by name or declared type; `undefined` for anything else. */
export function sniffType(head: Uint8Array): DocumentType | undefined {
  return magic.find((m) => startsWith(head, m.bytes))?.type;
}

/** Bytes to read from the start of an object to sniff it. */
export const SNIFF_BYTES = 16;

export interface Inspection {
  readonly size: number;
  readonly head: Uint8Array;
  readonly sha256?: string;
}

export type Verdict = { readonly status: 'verified'; readonly type: DocumentType } | { readonly status: 'rejected'; readonly reason: string; readonly reasonVi: string };

/** What the verifier decides about an uploaded object, against the slot it was uploaded for. */
export function verdict(slot: Pick<DocumentRecord, 'declaredType' | 'declaredSize' | 'allowedTypes' | 'maxSizeBytes'>, object: Inspection): Verdict {
  if (object.size === 0) return { status: 'rejected', reason: 'the file is empty', reasonVi: 'Tệp rỗng.' };
  if (object.size > slot.maxSizeBytes) {
    return { status: 'rejected', reason: `the file is ${object.size} bytes, the limit is ${slot.maxSizeBytes}`, reasonVi: 'Tệp vượt quá dung lượng cho phép.' };
  }
  const type = sniffType(object.head);
  if (!type) {
    const binary = knownBinaries.find((b) => startsWith(object.head, b.bytes));
    return {
      status: 'rejected',
      reason: binary ? `the content is ${binary.name}, not a document` : 'the content is not a PDF, JPEG or PNG file',
      reasonVi: 'Nội dung tệp không phải là PDF, JPEG hoặc PNG.',
    };
  }
  if (!slot.allowedTypes.includes(type)) {
    return { status: 'rejected', reason: `the content is ${type}, this component accepts ${slot.allowedTypes.join(', ')}`, reasonVi: 'Loại tệp không được chấp nhận cho thành phần này.' };
  }
  if (type !== slot.declaredType) {
    return { status: 'rejected', reason: `the content is ${type} but ${slot.declaredType} was declared`, reasonVi: 'Loại tệp không khớp với loại đã khai báo.' };
  }
  // a truncated or padded upload is not the file the applicant declared
  if (object.size !== slot.declaredSize) {
    return { status: 'rejected', reason: `the file is ${object.size} bytes but ${slot.declaredSize} were declared`, reasonVi: 'Dung lượng tệp không khớp với dung lượng đã khai báo.' };
  }
  return { status: 'verified', type };
}

/** A slot still counts while it is pending and unexpired, or verified; rejected ones free their place. */
export function occupiesSlot(doc: DocumentRecord, now: Date): boolean {
  if (doc.status === 'verified') return true;
  if (doc.status === 'pending') return doc.expiresAt === undefined || doc.expiresAt * 1000 > now.getTime();
  return false;
}

/** Whether a document is shown: an expired pending slot never got its file, so it is as if it never was. */
export const isShown = (doc: DocumentRecord, now: Date): boolean => doc.status !== 'pending' || occupiesSlot(doc, now);

export interface SlotRequest {
  readonly component: string;
  readonly fileName: string;
  readonly contentType: string;
  readonly size: number;
}

export interface SlotRules {
  readonly allowedTypes: readonly DocumentType[];
  readonly maxSizeBytes: number;
  readonly maxFiles: number;
}

/**
 * The checks before any URL is issued. Returns the rules the verifier will apply and the clean file name;
 * throws 400 (with the field) for bad input and 409 when the component already has its files.
 */
export function checkSlot(rules: SlotRules, request: SlotRequest, existing: readonly DocumentRecord[], now: Date): { fileName: string; type: DocumentType } {
  const details: ErrorDetail[] = [];
  const name = sanitiseFileName(request.fileName);
  if (!name.ok) details.push({ field: 'fileName', message: name.message });
  if (!(rules.allowedTypes as readonly string[]).includes(request.contentType)) {
    details.push({ field: 'contentType', message: `accepted: ${rules.allowedTypes.join(', ')}` });
  }
  if (!Number.isInteger(request.size) || request.size <= 0) details.push({ field: 'size', message: 'a positive number of bytes' });
  else if (request.size > rules.maxSizeBytes) details.push({ field: 'size', message: `at most ${rules.maxSizeBytes} bytes` });
  if (details.length) throw invalidInput(details);
  // every pending slot holds a live upload URL: a dossier may have only so many open at once
  const pending = existing.filter((d) => d.status === 'pending' && occupiesSlot(d, now)).length;
  if (pending >= MAX_PENDING_SLOTS) {
    throw new AppError('conflict', 'too_many_pending_uploads', `at most ${MAX_PENDING_SLOTS} uploads may wait for their file at once; finish or cancel one first`, 'Hồ sơ đang có quá nhiều tệp chờ tải lên, vui lòng hoàn tất hoặc hủy bớt.', [
      { field: 'component', message: `at most ${MAX_PENDING_SLOTS} pending uploads per dossier` },
    ]);
  }
  const taken = existing.filter((d) => d.component === request.component && occupiesSlot(d, now)).length;
  if (taken >= rules.maxFiles) {
    throw new AppError('conflict', 'too_many_files', `component ${request.component} takes at most ${rules.maxFiles} file(s)`, 'Thành phần hồ sơ này đã đủ số tệp cho phép.', [
      { field: 'component', message: `at most ${rules.maxFiles} file(s)` },
    ]);
  }
  return { fileName: (name as { name: string }).name, type: request.contentType as DocumentType };
}

/** The catalog component of a service, or a 400 naming the field. */
export function componentOf(service: Service, id: string): DocumentComponent {
  const component = service.documents.find((d) => d.id === id);
  if (!component) {
    throw invalidInput([{ field: 'component', message: `not a document of this procedure; expected one of: ${service.documents.map((d) => d.id).join(', ') || '(none)'}` }]);
  }
  return component;
}

/** Required components without a verified file. */
export function missingComponents(service: Service, documents: readonly DocumentRecord[]): DocumentComponent[] {
  return service.documents.filter((c) => c.required && !documents.some((d) => d.kind === 'application' && d.component === c.id && d.status === 'verified'));
}

export const hasRequiredDocuments = (service: Service): boolean => service.documents.some((d) => d.required);

/**
 * During a supplement request, which files of a component still count against its `maxFiles`: only those
 * filed since the request, so that the applicant can replace what was asked for. Components the request
 * did not name cannot be touched (undefined).
 */
export function supplementSlotFiles(
  pending: { readonly components?: readonly string[]; readonly requestedAt: string },
  component: string,
  existing: readonly DocumentRecord[],
): DocumentRecord[] | undefined {
  if (pending.components && !pending.components.includes(component)) return undefined;
  return existing.filter((d) => d.component !== component || Date.parse(d.uploadedAt) >= Date.parse(pending.requestedAt));
}

/** The components a supplement request named that have no verified file filed since the request. */
export function supplementLacking(
  pending: { readonly components?: readonly string[]; readonly requestedAt: string },
  documents: readonly DocumentRecord[],
): string[] {
  return (pending.components ?? []).filter(
    (c) => !documents.some((d) => d.kind === 'application' && d.component === c && d.status === 'verified' && Date.parse(d.uploadedAt) >= Date.parse(pending.requestedAt)),
  );
}

/**
 * Whether an answer to a supplement request brings nothing at all. A request that names no component
 * asks for information: its answer carries it in a note, or in a verified file filed since the request.
 * (A request naming components is answered by their files: `supplementLacking`.)
 */
export function supplementBringsNothing(
  pending: { readonly components?: readonly string[]; readonly requestedAt: string },
  documents: readonly DocumentRecord[],
  note: string | undefined,
): boolean {
  if (pending.components?.length) return false;
  if (note !== undefined && note.trim().length > 0) return false;
  return !documents.some((d) => d.kind === 'application' && d.status === 'verified' && Date.parse(d.uploadedAt) >= Date.parse(pending.requestedAt));
}
