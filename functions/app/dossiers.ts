import { createHash, randomUUID } from 'node:crypto';
import type { Province } from '../../provinces/schema.js';
import type { Caller } from '../adapters/identity.js';
import type { DossierRepository } from '../adapters/dossier-repository.js';
import type { Submission } from '../contracts/api.js';
import { localDayStamp } from '../domain/codes.js';
import { dossierView, MAX_OPEN_DRAFTS, newDossier, submittedEvent, trackingUrl, validateSubmission, type Dossier, type DossierEvent } from '../domain/dossier.js';
import { AppError } from '../domain/errors.js';
import { authorize } from '../domain/access.js';
import { statusView } from '../domain/status.js';
import { documentView, isShown } from '../domain/documents.js';
import { newTrackingPin, trackingPinFor } from '../adapters/pin.js';
import { admitted } from '../adapters/admission.js';
import { assessFees } from '../domain/fees.js';
import { paymentView } from './payments.js';

export interface DossierDeps {
  readonly repo: Pick<DossierRepository, 'submit' | 'createDraft' | 'submitDraft' | 'get'>;
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

/**
 * What every submission tells the repository about the number it takes: the responsible agency's counter
 * of the Vietnam-local day, and how long the request may spend writing under it.
 */
export function numberOfTheDay(agency: { readonly id: string; readonly code: string }, now: Date, deadline: number | undefined) {
  return { agencyId: agency.id, agencyCode: agency.code, day: localDayStamp(now), at: now, ...(deadline !== undefined ? { deadline } : {}) };
}

export async function submitDossier(
  deps: DossierDeps,
  caller: Extract<Caller, { kind: 'citizen' }>,
  submission: Submission,
  idempotencyKey: string | undefined,
  /** epoch ms by which the answer must be given; a submission that could not be stored by then is refused first */
  deadline?: number,
) {
  if (idempotencyKey !== undefined && !idempotencyKeyPattern.test(idempotencyKey)) {
    throw new AppError(400, 'invalid_input', 'Idempotency-Key: 8 to 128 letters, digits or . _ : -', 'Idempotency-Key không hợp lệ.', [
      { field: 'Idempotency-Key', message: '8 to 128 letters, digits or . _ : -' },
    ]);
  }
  const valid = validateSubmission(deps.province, submission);
  const actor = { kind: 'citizen' as const, subject: caller.subject };
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
  const outcome = await admitted(deadline, () =>
    deps.repo.submit({
    ...numberOfTheDay(valid.agency, deps.now, deadline),
    ...(idempotencyKey ? { idempotency: { subject: caller.subject, key: idempotencyKey, requestHash } } : {}),
    build: async (code) => {
      const { hash } = await newTrackingPin(code);
      const dossier = { ...newDossier({ ...valid, code, applicantSubject: caller.subject, at: deps.now, trackingPinHash: hash }), fees };
      return { dossier, event: submittedEvent(dossier, randomUUID(), actor) };
    },
    }),
  );
  return receipt(deps, outcome.dossier, outcome.history, outcome.replayed);
}

/** The answer to a submission; a replay answers the same PIN as the first answer (it is recomputed, never kept). */
async function receipt(deps: Pick<DossierDeps, 'baseUrl' | 'now'>, dossier: Dossier, history: readonly DossierEvent[], replayed: boolean) {
  const view = dossierView(dossier, history, deps.baseUrl, true, deps.now);
  // a draft has no code yet, so no PIN
  const trackingPin = dossier.draft ? undefined : await trackingPinFor(dossier.code);
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
