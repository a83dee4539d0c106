import type { DossierView } from '../contracts/api.js';
import type { DocumentView } from '../contracts/documents.js';
import { trackingUrl, type Dossier, type DossierEvent } from '../domain/dossier.js';
import type { DocumentRecord } from '../domain/documents.js';
import { statusView } from '../domain/status.js';
import { deadlineStanding, type WorkflowDossier } from '../domain/workflow.js';

/** What the API answers of a dossier: the domain's records shaped for each reader. */

/** What identifies a dossier in every view: code, procedure, agency and status. */
export function dossierHeader(d: Dossier) {
  return {
    code: d.code,
    service: { id: d.serviceId, code: d.serviceCode, name: d.serviceName },
    agency: { id: d.agencyId, code: d.agencyCode, name: d.agencyName },
    status: statusView(d.status),
  };
}

/** What a caller sees; personal data only when `withPersonalData` (the applicant or the agency). */
export function dossierView(dossier: WorkflowDossier, history: readonly DossierEvent[], baseUrl: string, withPersonalData: boolean, now: Date): DossierView {
  const optional = <K extends keyof WorkflowDossier>(...names: K[]) =>
    Object.fromEntries(names.filter((n) => dossier[n] !== undefined).map((n) => [n, dossier[n]])) as Partial<Pick<WorkflowDossier, K>>;
  return {
    ...dossierHeader(dossier),
    channel: dossier.channel,
    ...(withPersonalData ? { applicant: dossier.applicant, fields: dossier.fields } : {}),
    submittedAt: dossier.submittedAt,
    updatedAt: dossier.updatedAt,
    version: dossier.version,
    trackingUrl: trackingUrl(baseUrl, dossier.code),
    standing: deadlineStanding(dossier, now),
    ...optional('receivedAt', 'dueAt', 'legalDueAt', 'calendarBasis', 'lateApology', 'receipt', 'pendingSupplement', 'pendingPayment', 'apologies', 'closingReason', 'finishedAt', 'returnedAt', 'rating', 'draft', 'fees', 'submissionFeesPaidAt'),
    history: history.map((e) => ({
      at: e.at,
      type: e.type,
      actor: { kind: e.actor.kind, ...(e.actor.agencyId ? { agencyId: e.actor.agencyId } : {}) },
      from: e.from,
      to: e.to,
      ...(e.note ? { note: e.note } : {}),
    })),
  };
}

/** What anyone holding the receipt may see: progress and dates, never the applicant's personal data. */
export function publicTrackingView(d: WorkflowDossier, history: readonly DossierEvent[], now: Date) {
  return {
    ...dossierHeader(d),
    submittedAt: d.submittedAt,
    ...(d.receivedAt ? { receivedAt: d.receivedAt } : {}),
    ...(d.dueAt ? { dueAt: d.dueAt } : {}),
    standing: deadlineStanding(d, now),
    ...(d.pendingSupplement ? { pendingSupplement: { reason: d.pendingSupplement.reason, missing: d.pendingSupplement.missing } } : {}),
    history: history.map((e) => ({ at: e.at, type: e.type, from: e.from, to: e.to })),
  };
}

/** What the applicant and the agency see of a document. */
export function documentView(doc: DocumentRecord): DocumentView {
  return {
    id: doc.id,
    kind: doc.kind,
    component: doc.component,
    fileName: doc.fileName,
    status: doc.status,
    declaredType: doc.declaredType,
    declaredSize: doc.declaredSize,
    ...(doc.actualSize !== undefined ? { size: doc.actualSize } : {}),
    ...(doc.actualType ? { type: doc.actualType } : {}),
    ...(doc.sha256 ? { sha256: doc.sha256 } : {}),
    ...(doc.reason ? { reason: doc.reason } : {}),
    ...(doc.reasonVi ? { reasonVi: doc.reasonVi } : {}),
    uploadedBy: doc.uploadedBy.kind,
    uploadedAt: doc.uploadedAt,
    ...(doc.verifiedAt ? { verifiedAt: doc.verifiedAt } : {}),
  };
}
