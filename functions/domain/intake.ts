import type { Province } from '../../provinces/schema.js';
import { newDossier, submittedEvent, validateSubmission, type Actor, type Channel, type Dossier, type DossierEvent, type IntakeRequest, type ValidSubmission } from './dossier.js';
import type { FeeAssessment } from './fees.js';

/**
 * The one intake of the province: a dossier filed online by its applicant, one registered by an official
 * of the agency for a citizen who came to the one-stop desk or sent it by post, and one the national
 * portal forwards all pass the same catalog checks and become the same status-1 dossier with the same
 * `dossier.submitted` event (which routes it to the agency queue and counts it by channel). Only who
 * files it, under which channel, and whose dossier it is in the table differ; they are decided here.
 */
export type IntakeSource =
  | { readonly kind: 'online'; readonly subject: string }
  | { readonly kind: 'desk'; readonly channel: 'counter' | 'post'; readonly official: { readonly subject: string; readonly agencyId: string } }
  | { readonly kind: 'national'; readonly nationalCode: string };

/** Whose dossiers the national portal's are in the table: their citizen has no account here. */
export const NATIONAL_SUBJECT = 'dvcqg';

export const channelOf = (source: IntakeSource): Channel => (source.kind === 'desk' ? source.channel : 'online');

/** The catalog checks of every intake; at the desk the agency is the official's own, whatever the body says. */
export function validateIntake(province: Province, request: Omit<IntakeRequest, 'channel'>, source: IntakeSource): ValidSubmission {
  return validateSubmission(province, { ...request, agencyId: source.kind === 'desk' ? source.official.agencyId : request.agencyId, channel: channelOf(source) });
}

/** Who the first event names: the applicant, the receiving official, or the portal. */
export function intakeActor(source: IntakeSource): Actor {
  switch (source.kind) {
    case 'online':
      return { kind: 'citizen', subject: source.subject };
    case 'desk':
      return { kind: 'official', subject: source.official.subject, agencyId: source.official.agencyId };
    case 'national':
      return { kind: 'system', subject: NATIONAL_SUBJECT };
  }
}

/**
 * Whose dossier it is in the table (the applicant relation of the access policy, the applicant's list).
 * A desk dossier's applicant has no account here: it is nobody's but its agency's, and the citizen follows
 * it with the code and PIN printed on the receipt. The prefix keeps these apart from the subjects of
 * citizens' tokens (the user pool's UUIDs).
 */
export function intakeSubject(source: IntakeSource, code: string): string {
  switch (source.kind) {
    case 'online':
      return source.subject;
    case 'desk':
      return `desk:${source.official.agencyId}:${code}`;
    case 'national':
      return `${NATIONAL_SUBJECT}:${source.nationalCode}`;
  }
}

/** The namespace of the Idempotency-Key (or national code) of a request: keys of different callers never meet. */
export function idempotencySubject(source: IntakeSource): string {
  switch (source.kind) {
    case 'online':
      return source.subject;
    case 'desk':
      return `desk:${source.official.agencyId}:${source.official.subject}`;
    case 'national':
      return NATIONAL_SUBJECT;
  }
}

export interface IntakeExtras {
  readonly code: string;
  readonly at: Date;
  readonly eventId: string;
  readonly trackingPinHash?: string;
  readonly fees?: FeeAssessment;
  /** what the national portal's dossier carries beside: its code and the links of its documents */
  readonly extra?: Partial<Dossier> & Record<string, unknown>;
}

/** The status-1 dossier and its `dossier.submitted` event, once the code is allocated. */
export function intakeDossier(valid: ValidSubmission, source: IntakeSource, x: IntakeExtras): { dossier: Dossier; event: DossierEvent } {
  const dossier: Dossier = {
    ...newDossier({ ...valid, code: x.code, applicantSubject: intakeSubject(source, x.code), at: x.at, ...(x.trackingPinHash ? { trackingPinHash: x.trackingPinHash } : {}) }),
    ...(x.fees ? { fees: x.fees } : {}),
    ...x.extra,
  };
  return { dossier, event: submittedEvent(dossier, x.eventId, intakeActor(source)) };
}
