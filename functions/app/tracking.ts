import type { DossierLists, DossierStore, PinHasher, TrackingAttemptStore } from './ports.js';
import { AppError } from '../domain/errors.js';
import { viewerOf, type Caller } from '../domain/access.js';
import { statusView } from '../domain/status.js';
import { TRACKING_MAX_FAILURES, TRACKING_WINDOW_MS, trackingGate } from '../domain/tracking.js';
import { publicTrackingView } from './views.js';

export interface TrackingDeps {
  readonly repo: Pick<DossierStore, 'getForTracking'> & TrackingAttemptStore & Pick<DossierLists, 'listByApplicant'>;
  readonly pins: Pick<PinHasher, 'verify'>;
  readonly now: Date;
}

/** Unknown code and wrong PIN answer alike, so that neither can be used to find the other. */
const noMatch = () => new AppError('not_found', 'not_found', 'no dossier with this code and PIN', 'Không tìm thấy hồ sơ với mã và mã tra cứu này.');

/**
 * GET /track/{code}?pin=. An attempt is taken (atomically) before the PIN is looked at, so concurrent
 * guesses cannot slip past the limit; the right PIN gives its attempt back. A locked receipt answers 429
 * with Retry-After until its window ends, even with the right PIN; the applicant signed in still sees
 * the dossier (GET /dossiers/{code} does not look at the lock).
 */
export async function trackByPin(deps: TrackingDeps, code: string, pin: string) {
  if (!(await deps.repo.takeTrackingAttempt(code, deps.now, TRACKING_MAX_FAILURES, TRACKING_WINDOW_MS))) {
    const gate = trackingGate(await deps.repo.trackingFailures(code), deps.now);
    const retryAfterSeconds = gate.allowed ? 1 : gate.retryAfterSeconds;
    throw new AppError('rate_limited', 'too_many_attempts', `too many wrong PINs for this dossier; try again in ${retryAfterSeconds} s`, 'Nhập sai mã tra cứu quá nhiều lần, vui lòng thử lại sau.', {
      retryAfterSeconds,
    });
  }
  // only what the page shows is read (the function may read nothing else); a submitted draft's id is not tracked
  const found = await deps.repo.getForTracking(code);
  if (!found || found.dossier.draft || found.dossier.code !== code || !(await deps.pins.verify(code, pin, found.dossier.trackingPinHash))) throw noMatch();
  await deps.repo.returnTrackingAttempt(code);
  return publicTrackingView(found.dossier, found.history, deps.now);
}

export async function listMyDossiers(deps: { readonly repo: Pick<DossierLists, 'listByApplicant'>; readonly now: Date }, caller: Extract<Caller, { kind: 'citizen' }>, limit: number, cursor?: string) {
  const page = await deps.repo.listByApplicant(caller.subject, { limit, cursor, viewer: viewerOf(caller) });
  return {
    items: page.items.map((d) => ({
      code: d.code,
      service: { id: d.serviceId, name: d.serviceName },
      status: statusView(d.status),
      submittedAt: d.submittedAt,
      ...(d.dueAt ? { dueAt: d.dueAt } : {}),
      ...(d.draft ? { draft: true } : {}),
    })),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  };
}
