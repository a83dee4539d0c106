import type { AgencyMessageV1 } from '../contracts/agency-message.js';
import { agencyMessageV1Schema } from '../contracts/agency-message.js';
import type { Dossier, DossierEvent } from '../domain/dossier.js';
import { trackingUrl } from '../domain/dossier.js';
import type { DossierSnapshot } from '../domain/event-view.js';
import { statusView } from '../domain/status.js';

/** An event item as stored: the event plus the view of the dossier right after it (no personal data). */
export type StoredEvent = DossierEvent & { readonly dossier: DossierSnapshot; readonly details?: Record<string, unknown> };

/**
 * The agency queue message for a stored event: everything an agency system needs. The applicant and the
 * form come from the dossier item (`personal`), as they stand when the event is routed.
 */
export function agencyMessage(provinceId: string, baseUrl: string, stored: StoredEvent, personal: Pick<Dossier, 'applicant' | 'fields'>): AgencyMessageV1 {
  const d = stored.dossier;
  return agencyMessageV1Schema.parse({
    schemaVersion: 1,
    eventId: stored.eventId,
    type: stored.type,
    occurredAt: stored.at,
    province: provinceId,
    agency: { id: d.agencyId, code: d.agencyCode },
    dossier: {
      code: d.code,
      version: stored.version,
      service: { id: d.serviceId, code: d.serviceCode, name: d.serviceName },
      status: statusView(stored.to),
      previousStatus: stored.from,
      channel: d.channel,
      applicant: personal.applicant,
      fields: personal.fields,
      submittedAt: d.submittedAt,
      trackingUrl: trackingUrl(baseUrl, d.code),
    },
    // agencies need the dossier, not who logged in: a citizen actor carries no identity subject
    actor: stored.actor.kind === 'citizen' ? { kind: 'citizen' } : stored.actor,
    ...(stored.note ? { note: stored.note } : {}),
  });
}
