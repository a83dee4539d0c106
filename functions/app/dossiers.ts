import { createHash, randomUUID } from 'node:crypto';
import type { Province } from '../../provinces/schema.js';
import type { Admission, DossierStore, PinHasher } from './ports.js';
import type { DeskSubmission, Submission } from '../contracts/api.js';
import { MAX_OPEN_DRAFTS, newDossier, trackingUrl, type Dossier, type DossierEvent } from '../domain/dossier.js';
import { validateIntake } from '../domain/intake.js';
import { fileDossier } from './intake.js';
import { AppError, notFound } from '../domain/errors.js';
import { authorize, type Caller } from '../domain/access.js';
import { statusView } from '../domain/status.js';
import { isShown } from '../domain/documents.js';
import { documentView, dossierView } from './views.js';
import { assessFees } from '../domain/fees.js';
import { paymentView } from './payments.js';

export interface DossierDeps {
  readonly repo: Pick<DossierStore, 'submit' | 'createDraft' | 'submitDraft' | 'get'>;
  readonly pins: Pick<PinHasher, 'pinFor' | 'newPin'>;
  readonly admit: Admission;
  readonly province: Province;
  readonly now: Date;
  readonly baseUrl: string;
}

/** Keys are opaque to us but bounded, so they cannot bloat the table or its keys. */
export const idempotencyKeyPattern = /^[A-Za-z0-9._:-]{8,128}$/;

/** What a repeated Idempotency-Key is compared with: the validated request, independent of key order. */
export function canonicalHash(value: unknown): string {
  const canonical = JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
  return createHash('sha256').update(canonical).digest('hex');
}

export function checkIdempotencyKey(idempotencyKey: string | undefined): void {
  if (idempotencyKey !== undefined && !idempotencyKeyPattern.test(idempotencyKey)) {
    throw new AppError('invalid', 'invalid_input', 'Idempotency-Key: 8 to 128 letters, digits or . _ : -', 'Idempotency-Key không hợp lệ.', [
      { field: 'Idempotency-Key', message: '8 to 128 letters, digits or . _ : -' },
    ]);
  }
}

export async function submitDossier(
  deps: DossierDeps,
  caller: Extract<Caller, { kind: 'citizen' }>,
  submission: Submission,
  idempotencyKey: string | undefined,
  /** epoch ms by which the answer must be given; a submission that could not be stored by then is refused first */
  deadline?: number,
) {
  checkIdempotencyKey(idempotencyKey);
  const source = { kind: 'online' as const, subject: caller.subject };
  const valid = validateIntake(deps.province, submission, source);
  const requestHash = canonicalHash(submission);
  // what is due at submission is assessed from the form as filed, for a draft as for a one-step submission
  const fees = assessFees(valid.service, valid.fields);
  // A draft waits for its documents: nothing is published until POST /dossiers/{code}/submit. A procedure
  // with required documents always starts as one, so no client can route an incomplete dossier. It has its
  // own id and no code: the agency's numbers are spent on submitted dossiers only.
  if (submission.draft || valid.service.documents.some((d) => d.required)) {
    const draft = { ...newDossier({ ...valid, code: `draft-${randomUUID()}`, applicantSubject: caller.subject, at: deps.now }), fees, version: 0, draft: true };
    const outcome = await deps.repo.createDraft({
      draft,
      at: deps.now,
      maxOpenDrafts: MAX_OPEN_DRAFTS,
      ...(idempotencyKey ? { idempotency: { subject: caller.subject, key: idempotencyKey, requestHash } } : {}),
    });
    return receipt(deps, outcome.dossier, outcome.history, outcome.replayed);
  }
  const outcome = await fileDossier(deps, valid, source, {
    ...(idempotencyKey ? { idempotency: { key: idempotencyKey, requestHash } } : {}),
    ...(deadline !== undefined ? { deadline } : {}),
    trackingPin: true,
    fees,
  });
  return receipt(deps, outcome.dossier, outcome.history, outcome.replayed);
}

/**
 * POST /agencies/{id}/dossiers: an official of the agency registers a dossier a citizen brought to the
 * one-stop desk or sent by post. Same catalog checks and the same status-1 dossier as online (the agency
 * then receives it with the usual step, issuing the receipt), the channel recorded, a PIN for the receipt.
 * It is never a draft: the official scans its documents onto it (POST /dossiers/{code}/documents) before
 * receiving it. Another agency's path answers as a missing agency, as its inbox does.
 */
export async function registerDeskDossier(
  deps: DossierDeps,
  caller: Caller,
  agencyId: string,
  request: DeskSubmission,
  idempotencyKey: string | undefined,
  deadline?: number,
) {
  if (caller.kind !== 'official' || caller.agencyId !== agencyId || !deps.province.agencies.some((a) => a.id === agencyId)) {
    throw notFound(`agency ${agencyId}`, 'Không tìm thấy cơ quan.');
  }
  checkIdempotencyKey(idempotencyKey);
  const source = { kind: 'desk' as const, channel: request.channel, official: { subject: caller.subject, agencyId: caller.agencyId } };
  const valid = validateIntake(deps.province, request, source);
  const outcome = await fileDossier(deps, valid, source, {
    ...(idempotencyKey ? { idempotency: { key: idempotencyKey, requestHash: canonicalHash(request) } } : {}),
    ...(deadline !== undefined ? { deadline } : {}),
    trackingPin: true,
    fees: assessFees(valid.service, valid.fields),
  });
  return receipt(deps, outcome.dossier, outcome.history, outcome.replayed);
}

/** The answer to a submission; a replay answers the same PIN as the first answer (it is recomputed, never kept). */
export async function receipt(deps: Pick<DossierDeps, 'baseUrl' | 'now' | 'pins'>, dossier: Dossier, history: readonly DossierEvent[], replayed: boolean) {
  const view = dossierView(dossier, history, deps.baseUrl, true, deps.now);
  // a draft has no code yet, so no PIN
  const trackingPin = dossier.draft ? undefined : await deps.pins.pinFor(dossier.code);
  return {
    replayed,
    body: {
      code: view.code,
      trackingUrl: trackingUrl(deps.baseUrl, view.code),
      status: statusView(dossier.status),
      ...(trackingPin ? { trackingPin } : {}),
      dossier: view,
    },
  };
}

export async function readDossier(deps: Pick<DossierDeps, 'repo' | 'baseUrl' | 'now'>, caller: Caller, code: string) {
  const found = await deps.repo.get(code);
  // Someone else's dossier (or another's draft) answers exactly like a missing one, so codes cannot be probed.
  authorize(caller, 'read', found?.dossier, code);
  const view = dossierView(found.dossier, found.history, deps.baseUrl, true, deps.now);
  // slot expiry is DynamoDB TTL, which runs on the real clock, not on the (locally settable) business clock
  const documents = (found.documents ?? []).filter((d) => isShown(d, new Date()));
  const payments = found.payments ?? [];
  return { ...view, ...(documents.length ? { documents: documents.map(documentView) } : {}), ...(payments.length ? { payments: payments.map(paymentView) } : {}) };
}
