import { randomUUID } from 'node:crypto';
import type { Province } from '../../provinces/schema.js';
import { admitted } from '../adapters/admission.js';
import type { DossierRepository } from '../adapters/dossier-repository.js';
import type { NationalDossier } from '../contracts/national.js';
import { newDossier, submittedEvent, validateSubmission } from '../domain/dossier.js';
import { statusView } from '../domain/status.js';
import { canonicalHash, numberOfTheDay } from './dossiers.js';

export interface InboundDeps {
  readonly repo: Pick<DossierRepository, 'submit'>;
  readonly province: Province;
  readonly now: Date;
}

/** Whose dossiers these are in the table: the portal's citizen has no account here. */
export const NATIONAL_SUBJECT = 'dvcqg';

/**
 * A dossier from the national portal enters the same intake as one filed here (same catalog checks, same
 * code allocation, same `dossier.submitted` event that routes it to the agency queue), once per national
 * code. Its documents stay on the portal, so it is never held as a draft waiting for uploads. It has no
 * tracking PIN: its applicant follows it on the portal, which hears of every step through the sync.
 */
export async function receiveNationalDossier(deps: InboundDeps, input: NationalDossier, deadline?: number) {
  const valid = validateSubmission(deps.province, {
    serviceId: input.serviceId,
    ...(input.agencyId ? { agencyId: input.agencyId } : {}),
    applicant: input.applicant,
    fields: input.fields,
    channel: 'online',
  });
  const actor = { kind: 'system' as const, subject: NATIONAL_SUBJECT };
  // the same admission as a submission here: a burst from the portal is shed, not convoyed
  const outcome = await admitted(deadline, () =>
    deps.repo.submit({
    ...numberOfTheDay(valid.agency, deps.now, deadline),
    idempotency: { subject: NATIONAL_SUBJECT, key: input.nationalCode, requestHash: canonicalHash(input) },
    build: async (code) => {
      const dossier = {
        ...newDossier({ ...valid, code, applicantSubject: `${NATIONAL_SUBJECT}:${input.nationalCode}`, at: deps.now }),
        origin: 'dvcqg' as const,
        nationalCode: input.nationalCode,
        ...(input.documents.length ? { nationalDocuments: input.documents } : {}),
      };
      return { dossier, event: submittedEvent(dossier, randomUUID(), actor) };
    },
    }),
  );
  return {
    replayed: outcome.replayed,
    body: { code: outcome.dossier.code, nationalCode: input.nationalCode, status: statusView(outcome.dossier.status), replayed: outcome.replayed },
  };
}
