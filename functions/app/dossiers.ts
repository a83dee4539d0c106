import { createHash, randomUUID } from 'node:crypto';
import type { Province } from '../../provinces/schema.js';
import type { Caller } from '../adapters/identity.js';
import type { DossierRepository } from '../adapters/dossier-repository.js';
import type { Submission } from '../contracts/api.js';
import { localDayStamp } from '../domain/codes.js';
import { dossierView, newDossier, submittedEvent, trackingUrl, validateSubmission, type Dossier } from '../domain/dossier.js';
import { AppError, notFound } from '../domain/errors.js';
import { statusView } from '../domain/status.js';
import { documentView, isShown } from '../domain/documents.js';
import { hashPin, newTrackingPin } from '../adapters/pin.js';
import { assessFees } from '../domain/fees.js';
import { paymentView } from './payments.js';

export interface DossierDeps {
  readonly repo: Pick<DossierRepository, 'create' | 'get'>;
  readonly province: Province;
  readonly now: Date;
  readonly baseUrl: string;
}

/** Keys are opaque to us but bounded, so they cannot bloat the table or its keys. */
const idempotencyKeyPattern = /^[A-Za-z0-9._:-]{8,128}$/;

/** What a repeated Idempotency-Key is compared with: the validated request, independent of key order. */
export function canonicalHash(value: unknown): string {
  const canonical = JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
  return createHash('sha256').update(canonical).digest('hex');
}

export async function submitDossier(
  deps: DossierDeps,
  caller: Extract<Caller, { kind: 'citizen' }>,
  submission: Submission,
  idempotencyKey: string | undefined,
) {
  if (idempotencyKey !== undefined && !idempotencyKeyPattern.test(idempotencyKey)) {
    throw new AppError(400, 'invalid_input', 'Idempotency-Key: 8 to 128 letters, digits or . _ : -', 'Idempotency-Key không hợp lệ.', [
      { field: 'Idempotency-Key', message: '8 to 128 letters, digits or . _ : -' },
    ]);
  }
  const valid = validateSubmission(deps.province, submission);
  const actor = { kind: 'citizen' as const, subject: caller.subject };
  // Hashed once, outside the retry loop of code allocation: scrypt is deliberately slow.
  const pin = newTrackingPin();
  const trackingPinHash = hashPin(pin);
  const outcome = await deps.repo.create({
    agencyId: valid.agency.id,
    agencyCode: valid.agency.code,
    day: localDayStamp(deps.now),
    at: deps.now,
    ...(idempotencyKey
      ? { idempotency: { subject: caller.subject, key: idempotencyKey, requestHash: canonicalHash(submission), replayData: { trackingPin: pin } } }
      : {}),
    build: (code) => {
      const dossier = { ...newDossier({ ...valid, code, applicantSubject: caller.subject, at: deps.now, trackingPinHash }), fees: assessFees(valid.service, valid.fields) };
      // A draft waits for its documents: nothing is published until POST /dossiers/{code}/submit. A
      // procedure with required documents always starts as one, so no client can route an incomplete dossier.
      if (submission.draft || valid.service.documents.some((d) => d.required)) return { dossier: { ...dossier, version: 0, draft: true }, event: undefined };
      return { dossier, event: submittedEvent(dossier, randomUUID(), actor) };
    },
  });
  const view = dossierView(outcome.dossier, outcome.history, deps.baseUrl, true, deps.now);
  return {
    replayed: outcome.replayed,
    body: {
      code: view.code,
      trackingUrl: trackingUrl(deps.baseUrl, view.code),
      status: statusView(outcome.dossier.status),
      // a replay answers the PIN the first answer printed, kept with the idempotency record
      ...(outcome.replayed ? (outcome.replayData?.trackingPin ? { trackingPin: outcome.replayData.trackingPin } : {}) : { trackingPin: pin }),
      dossier: view,
    },
  };
}

/** Who may see a dossier: its applicant, the responsible agency's officials, the province's administrators. */
export function canRead(caller: Caller, dossier: Dossier): boolean {
  switch (caller.kind) {
    case 'citizen':
      return caller.subject === dossier.applicantSubject;
    case 'official':
      return caller.agencyId === dossier.agencyId;
    case 'admin':
      return true;
    case 'anonymous':
      return false;
  }
}

export async function readDossier(deps: Pick<DossierDeps, 'repo' | 'baseUrl' | 'now'>, caller: Caller, code: string) {
  const found = await deps.repo.get(code);
  // Someone else's dossier answers exactly like a missing one, so codes cannot be probed.
  if (!found || !canRead(caller, found.dossier)) throw notFound(`dossier ${code}`, 'Không tìm thấy hồ sơ.');
  const view = dossierView(found.dossier, found.history, deps.baseUrl, true, deps.now);
  // slot expiry is DynamoDB TTL, which runs on the real clock, not on the (locally settable) business clock
  const documents = (found.documents ?? []).filter((d) => isShown(d, new Date()));
  const payments = found.payments ?? [];
  return { ...view, ...(documents.length ? { documents: documents.map(documentView) } : {}), ...(payments.length ? { payments: payments.map(paymentView) } : {}) };
}
