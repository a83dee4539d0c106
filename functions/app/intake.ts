import { randomUUID } from 'node:crypto';
import type { Admission, CreateOutcome, DossierStore, PinHasher } from './ports.js';
import type { ValidSubmission } from '../domain/dossier.js';
import { idempotencySubject, intakeDossier, type IntakeExtras, type IntakeSource } from '../domain/intake.js';
import { localDayStamp } from '../domain/codes.js';

export interface IntakeDeps {
  readonly repo: Pick<DossierStore, 'submit'>;
  readonly pins: Pick<PinHasher, 'newPin'>;
  readonly admit: Admission;
  readonly now: Date;
}

export interface IntakeOptions {
  /** the caller's Idempotency-Key (or the national code) and the hash of what it was sent with */
  readonly idempotency?: { readonly key: string; readonly requestHash: string };
  /** epoch ms by which the answer must be given */
  readonly deadline?: number;
  /** a PIN printed on the receipt, for following the dossier without an account */
  readonly trackingPin: boolean;
  readonly fees?: IntakeExtras['fees'];
  readonly extra?: IntakeExtras['extra'];
}

/**
 * What every submission tells the repository about the number it takes: the responsible agency's counter
 * of the Vietnam-local day, and how long the request may spend writing under it.
 */
export function numberOfTheDay(agency: { readonly id: string; readonly code: string }, now: Date, deadline: number | undefined) {
  return { agencyId: agency.id, agencyCode: agency.code, day: localDayStamp(now), at: now, ...(deadline !== undefined ? { deadline } : {}) };
}

/**
 * Files a validated dossier, whoever brings it: the agency's number of the day, written with its first
 * event (and the key's answer) in one transaction, under the same admission that sheds a burst first.
 */
export function fileDossier(deps: IntakeDeps, valid: ValidSubmission, source: IntakeSource, options: IntakeOptions): Promise<CreateOutcome> {
  return deps.admit(options.deadline, () =>
    deps.repo.submit({
      ...numberOfTheDay(valid.agency, deps.now, options.deadline),
      ...(options.idempotency ? { idempotency: { subject: idempotencySubject(source), ...options.idempotency } } : {}),
      build: async (code) => {
        const trackingPinHash = options.trackingPin ? (await deps.pins.newPin(code)).hash : undefined;
        return intakeDossier(valid, source, {
          code,
          at: deps.now,
          eventId: randomUUID(),
          ...(trackingPinHash ? { trackingPinHash } : {}),
          ...(options.fees ? { fees: options.fees } : {}),
          ...(options.extra ? { extra: options.extra } : {}),
        });
      },
    }),
  );
}
