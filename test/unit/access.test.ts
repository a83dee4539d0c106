import { describe, expect, it } from 'vitest';
import { applicantActions, authorize, can, officialSteps, viewerOf, type Caller, type DossierAction } from '../../functions/domain/access.js';
import { httpStatusOf } from '../../functions/http/error-status.js';
import type { AppError } from '../../functions/domain/errors.js';

const dossier = { code: '000.00.05.H37-260424-0001', applicantSubject: 'lan', agencyId: 'so-tu-phap' };
const draft = { ...dossier, draft: true };

const callers: Record<string, Caller> = {
  applicant: { kind: 'citizen', subject: 'lan' },
  'other citizen': { kind: 'citizen', subject: 'minh' },
  'own agency': { kind: 'official', subject: 'o1', agencyId: 'so-tu-phap' },
  'other agency': { kind: 'official', subject: 'o2', agencyId: 'so-xay-dung' },
  admin: { kind: 'admin', subject: 'a1' },
  anonymous: { kind: 'anonymous' },
};

/** The expected answer of `authorize`: the policy table of the README, written out by hand. */
function expected(who: string, action: DossierAction, isDraft: boolean): 200 | 403 | 404 {
  // paying is the applicant's alone, like their own steps
  const applicantOnly = (applicantActions as readonly string[]).includes(action) || action === 'pay';
  const agencyOnly = (officialSteps as readonly string[]).includes(action) || action === 'upload-result';
  switch (who) {
    case 'applicant':
      return agencyOnly ? 403 : 200;
    case 'own agency':
      if (isDraft) return 404;
      return applicantOnly ? 403 : 200;
    case 'admin':
      if (isDraft) return 404;
      // oversight: the dossier, its history and the receipts of its payments
      return action === 'see' || action === 'read' || action === 'read-receipt' ? 200 : 403;
    default:
      return 404;
  }
}

const actions: DossierAction[] = ['see', 'read', ...officialSteps, ...applicantActions, 'upload-result', 'read-document', 'read-result', 'pay', 'read-receipt'];

describe('the access policy', () => {
  const cases = Object.keys(callers).flatMap((who) => actions.flatMap((action) => [false, true].map((isDraft) => [who, action, isDraft] as const)));
  it.each(cases)('%s may %s (draft: %s) as the table says', (who, action, isDraft) => {
    const d = isDraft ? draft : dossier;
    const want = expected(who, action, isDraft);
    expect(can(callers[who]!, action, d)).toBe(want === 200);
    let got: number = 200;
    try {
      authorize(callers[who]!, action, d, d.code);
    } catch (err) {
      got = httpStatusOf(err as AppError);
    }
    expect(got).toBe(want);
  });

  it('answers a missing dossier and a hidden one with the very same error', () => {
    const errorOf = (f: () => void) => {
      try {
        f();
      } catch (err) {
        const e = err as AppError;
        return { status: httpStatusOf(e), code: e.code, message: e.message, messageVi: e.messageVi };
      }
      throw new Error('not refused');
    };
    const missing = errorOf(() => authorize(callers['own agency']!, 'receive', undefined, dossier.code));
    expect(errorOf(() => authorize(callers['other agency']!, 'receive', dossier, dossier.code))).toEqual(missing);
    expect(errorOf(() => authorize(callers['other citizen']!, 'read', dossier, dossier.code))).toEqual(missing);
    expect(errorOf(() => authorize(callers['own agency']!, 'read', draft, dossier.code))).toEqual(missing);
    expect(missing.status).toBe(404);
  });

  it('names each viewer distinctly for cursor binding', () => {
    const names = Object.values(callers).map(viewerOf);
    expect(new Set(names).size).toBe(names.length);
  });
});
