import type { DossierRepository } from '../adapters/dossier-repository.js';
import { verifyPin } from '../adapters/pin.js';
import { AppError } from '../domain/errors.js';
import { viewerOf, type Caller } from '../domain/access.js';
import { statusView } from '../domain/status.js';
import { TRACKING_WINDOW_MS, publicTrackingView, trackingGate } from '../domain/tracking.js';

export interface TrackingDeps {
  readonly repo: Pick<DossierRepository, 'get' | 'trackingFailures' | 'recordTrackingFailure' | 'listByApplicant'>;
  readonly now: Date;
}

/** Unknown code and wrong PIN answer alike, so that neither can be used to find the other. */
const noMatch = () => new AppError(404, 'not_found', 'no dossier with this code and PIN', 'Không tìm thấy hồ sơ với mã và mã tra cứu này.');

export async function trackByPin(deps: TrackingDeps, code: string, pin: string) {
  const gate = trackingGate(await deps.repo.trackingFailures(code), deps.now);
  if (!gate.allowed) {
    throw new AppError(429, 'too_many_attempts', `too many wrong PINs for this dossier; try again in ${gate.retryAfterSeconds} s`, 'Nhập sai mã tra cứu quá nhiều lần, vui lòng thử lại sau.', {
      retryAfterSeconds: gate.retryAfterSeconds,
    });
  }
  const found = await deps.repo.get(code);
  if (!found || found.dossier.draft || !verifyPin(pin, found.dossier.trackingPinHash)) {
    await deps.repo.recordTrackingFailure(code, deps.now, gate.newWindow, Math.ceil(TRACKING_WINDOW_MS / 1000));
    throw noMatch();
  }
  return publicTrackingView(found.dossier, found.history, deps.now);
}

export async function listMyDossiers(deps: TrackingDeps, caller: Extract<Caller, { kind: 'citizen' }>, limit: number, cursor?: string) {
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
