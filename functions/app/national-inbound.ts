import type { Province } from '../../provinces/schema.js';
import type { IntakeDeps } from './intake.js';
import type { NationalDossier } from '../contracts/national.js';
import { validateIntake } from '../domain/intake.js';
import { statusView } from '../domain/status.js';
import { canonicalHash } from './dossiers.js';
import { fileDossier } from './intake.js';

export interface InboundDeps extends IntakeDeps {
  readonly province: Province;
}

export { NATIONAL_SUBJECT } from '../domain/intake.js';

/**
 * A dossier from the national portal enters the same intake as one filed here (same catalog checks, same
 * code allocation, same `dossier.submitted` event that routes it to the agency queue), once per national
 * code. Its documents stay on the portal, so it is never held as a draft waiting for uploads. It has no
 * tracking PIN: its applicant follows it on the portal, which hears of every step through the sync.
 */
export async function receiveNationalDossier(deps: InboundDeps, input: NationalDossier, deadline?: number) {
  const source = { kind: 'national' as const, nationalCode: input.nationalCode };
  const valid = validateIntake(deps.province, input, source);
  // the same admission as a submission here: a burst from the portal is shed, not convoyed
  const outcome = await fileDossier(deps, valid, source, {
    idempotency: { key: input.nationalCode, requestHash: canonicalHash(input) },
    ...(deadline !== undefined ? { deadline } : {}),
    trackingPin: false,
    extra: { origin: 'dvcqg', nationalCode: input.nationalCode, ...(input.documents.length ? { nationalDocuments: input.documents } : {}) },
  });
  return {
    replayed: outcome.replayed,
    body: { code: outcome.dossier.code, nationalCode: input.nationalCode, status: statusView(outcome.dossier.status), replayed: outcome.replayed },
  };
}
