import type { Agency, CatalogSearchEntry, Province, Service } from '../../provinces/schema.js';
import { agenciesFor } from '../domain/catalog.js';
import { feeRule } from '../domain/fees.js';

// apart from the dossier views, so that the public catalog reads bundle nothing of the dossier
export const agencyView = (a: Agency) => ({ id: a.id, code: a.code, name: a.name, tier: a.tier, ...(a.validUntil ? { validUntil: a.validUntil } : {}) });

export function serviceSummary(s: Service | CatalogSearchEntry) {
  return {
    id: s.id,
    code: s.code,
    name: s.name,
    field: s.field,
    tier: s.tier,
    level: s.level,
    fullyOnline: s.fullyOnline,
    ...(s.notEligibleReason ? { notEligibleReason: s.notEligibleReason } : {}),
    processing: s.processing,
  };
}

export function serviceDetail(province: Province, s: Service) {
  return {
    ...serviceSummary(s),
    agencies: agenciesFor(province, s).map(agencyView),
    fees: s.fees.map(feeRule),
    documents: s.documents,
    fields: s.fields,
  };
}
