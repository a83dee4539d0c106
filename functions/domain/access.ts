import { AppError } from './errors.js';

/**
 * The one access policy: who may do what to a dossier, decided over role × ownership × agency × draft.
 * Every use case asks it; the route declaration only pre-filters by role (so that a token of the wrong
 * role is refused before any read). Pure: no I/O, the dossier is passed in.
 *
 * Two answers matter to a caller, and they are given in this order:
 * 1. may the caller know the dossier exists (`see`)? If not, the answer is 404 with the same body as for
 *    a code never issued, whatever was asked: nobody can probe codes.
 * 2. may the caller do this to a dossier they can see? If not, 403.
 */

export type Caller =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'citizen'; readonly subject: string }
  | { readonly kind: 'official'; readonly subject: string; readonly agencyId: string }
  | { readonly kind: 'admin'; readonly subject: string };

/** What the policy needs of a dossier. */
export interface Guarded {
  readonly code: string;
  readonly applicantSubject: string;
  readonly agencyId: string;
  readonly draft?: boolean;
  /** counter and post dossiers were registered by their agency, which files their papers for the citizen */
  readonly channel?: string;
}

/** Steps of the one-stop workflow an official of the responsible agency performs. */
export const officialSteps = [
  'receive',
  'refuse',
  'request-supplement',
  'start-processing',
  'request-payment',
  'confirm-payment',
  'stop',
  'finish',
  'return',
  'apologize',
] as const;

/** What the applicant does with their own dossier. */
export const applicantActions = ['withdraw', 'supplement', 'rate', 'submit', 'upload-document'] as const;

export type DossierAction =
  | 'see'
  | 'read'
  | (typeof officialSteps)[number]
  | (typeof applicantActions)[number]
  | 'upload-result'
  /** open a verified document the applicant filed, or a verified result */
  | 'read-document'
  | 'read-result'
  /** open a payment of what is due (the applicant's; a draft or a dossier owing nothing answers 409) */
  | 'pay'
  /** the electronic receipt of a settled payment: the payer, the agency that collected, and oversight */
  | 'read-receipt';

type Relation = 'applicant' | 'other-citizen' | 'agency' | 'other-agency' | 'admin' | 'anonymous';

function relationOf(caller: Caller, d: Guarded): Relation {
  switch (caller.kind) {
    case 'citizen':
      return caller.subject === d.applicantSubject ? 'applicant' : 'other-citizen';
    case 'official':
      return caller.agencyId === d.agencyId ? 'agency' : 'other-agency';
    case 'admin':
      return 'admin';
    case 'anonymous':
      return 'anonymous';
  }
}

/**
 * The table itself: for each relation, the actions allowed on a submitted dossier and on a draft. A draft
 * is the applicant's alone: it carries their personal data before they decided to send it.
 */
const allowed: Readonly<Record<Relation, { readonly submitted: readonly DossierAction[]; readonly draft: readonly DossierAction[] }>> = {
  applicant: {
    submitted: ['see', 'read', ...applicantActions, 'read-document', 'read-result', 'pay', 'read-receipt'],
    // a draft has no result or receipt yet; asking is not forbidden, it just finds none (paying one is a 409)
    draft: ['see', 'read', ...applicantActions, 'read-document', 'read-result', 'pay', 'read-receipt'],
  },
  agency: { submitted: ['see', 'read', ...officialSteps, 'upload-result', 'read-document', 'read-result', 'read-receipt'], draft: [] },
  // oversight of the province: the dossier and its history (its payments and their receipts with it, the
  // same data the dossier shows), not the files, and no step of its own
  admin: { submitted: ['see', 'read', 'read-receipt'], draft: [] },
  'other-citizen': { submitted: [], draft: [] },
  'other-agency': { submitted: [], draft: [] },
  anonymous: { submitted: [], draft: [] },
};

/**
 * A dossier received at the one-stop desk or by post has no applicant account: the citizen hands papers
 * to the desk, and the agency's officials scan them onto the dossier (its documents, and those a
 * supplement request asks for) and record the answer to a supplement request.
 */
export const deskActions: readonly DossierAction[] = ['upload-document', 'supplement'];

export const isDeskDossier = (d: Pick<Guarded, 'channel'>): boolean => d.channel === 'counter' || d.channel === 'post';

export function can(caller: Caller, action: DossierAction, dossier: Guarded): boolean {
  const relation = relationOf(caller, dossier);
  const rules = allowed[relation];
  if (relation === 'agency' && !dossier.draft && isDeskDossier(dossier) && deskActions.includes(action)) return true;
  return (dossier.draft ? rules.draft : rules.submitted).includes(action);
}

/** The one answer for a dossier the caller may not know about, identical to a code never issued. */
export const dossierNotFound = (code: string): AppError => new AppError('not_found', 'not_found', `dossier ${code} not found`, 'Không tìm thấy hồ sơ.');

/** Throws 404 unless the caller may see the dossier (or it is absent), then 403 unless they may do `action`. */
export function authorize<D extends Guarded>(caller: Caller, action: DossierAction, dossier: D | undefined, code: string): asserts dossier is D {
  if (!dossier || !can(caller, 'see', dossier)) throw dossierNotFound(code);
  if (!can(caller, action, dossier)) {
    throw new AppError('forbidden', 'forbidden', `"${action}" is not available to the ${caller.kind} on dossier ${code}`, 'Bạn không có quyền thực hiện thao tác này.');
  }
}

/** Whose list a page is, for binding its cursors to the caller: `<role>:<subject>`. */
export function viewerOf(caller: Caller): string {
  return caller.kind === 'anonymous' ? 'anonymous' : caller.kind === 'official' ? `official:${caller.agencyId}:${caller.subject}` : `${caller.kind}:${caller.subject}`;
}

/** An agency's inbox: its own officials and the province's administrators. */
export function canListAgency(caller: Caller, agencyId: string): boolean {
  return caller.kind === 'admin' || (caller.kind === 'official' && caller.agencyId === agencyId);
}
