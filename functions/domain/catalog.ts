import type { Agency, CatalogSearchEntry, Province, Service } from '../../provinces/schema.js';
import { AppError, notFound } from './errors.js';

/** Vietnamese search must match "ly lich tu phap" to "lý lịch tư pháp": fold case and diacritics. */
export function foldVietnamese(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase();
}

export interface ServiceFilter {
  readonly level?: 1 | 2 | 3 | 4;
  readonly tier?: string;
  readonly agencyId?: string;
  readonly fullyOnline?: boolean;
  readonly text?: string;
}

/** An agency of the current structure; one with `validUntil` was abolished and is kept for history only. */
export const isCurrentAgency = (a: Agency): boolean => a.validUntil === undefined;

/**
 * Whether an agency existed on a local day (YYYY-MM-DD): from `validFrom` to `validUntil`, both included.
 * For replays and history: a dossier received on 30/6/2025 went to a district, one of 1/7/2025 to a commune.
 */
export const agencyValidOn = (a: Pick<Agency, 'validFrom' | 'validUntil'>, day: string): boolean =>
  (a.validFrom === undefined || a.validFrom <= day) && (a.validUntil === undefined || day <= a.validUntil);

/** The agencies of the current structure (two tiers since 1 July 2025), those a dossier can be routed to. */
export function currentAgencies(province: Province): Agency[] {
  return province.agencies.filter(isCurrentAgency);
}

/** Agencies that may process a service: its own list, or every current agency of its tier. */
export function agenciesFor(province: Province, service: Service): Agency[] {
  if (service.agencyIds) return province.agencies.filter((a) => isCurrentAgency(a) && service.agencyIds!.includes(a.id));
  return province.agencies.filter((a) => isCurrentAgency(a) && a.tier === service.tier);
}

export function filterServices(province: Province, filter: ServiceFilter): Service[] {
  const words = filter.text ? foldVietnamese(filter.text).split(/\s+/).filter(Boolean) : [];
  return province.services.filter((s) => {
    if (filter.level !== undefined && s.level !== filter.level) return false;
    if (filter.tier !== undefined && s.tier !== filter.tier) return false;
    if (filter.fullyOnline !== undefined && s.fullyOnline !== filter.fullyOnline) return false;
    if (filter.agencyId !== undefined && !agenciesFor(province, s).some((a) => a.id === filter.agencyId)) return false;
    if (words.length > 0) {
      const haystack = foldVietnamese(`${s.name} ${s.field} ${s.code}`);
      if (!words.every((w) => haystack.includes(w))) return false;
    }
    return true;
  });
}

/**
 * A procedure of the province file, else of the imported catalog: its current version, or `version`
 * (the one a dossier was submitted under) when given.
 */
export function findService(province: Province, id: string, version?: number): Service {
  const service = province.services.find((s) => s.id === id) ?? province.catalog?.get(id, version);
  if (!service) throw notFound(`service "${id}"`, 'Không tìm thấy thủ tục hành chính.');
  return service;
}

/**
 * The processing time of a dossier's procedure (the version it was filed under), or undefined when the
 * catalog no longer holds it: for reads that must not fail on one stale dossier, such as an inbox page.
 */
export function processingOf(province: Province, d: { readonly serviceId: string; readonly serviceVersion?: number | undefined }): Service['processing'] | undefined {
  return (province.services.find((s) => s.id === d.serviceId) ?? province.catalog?.get(d.serviceId, d.serviceVersion))?.processing;
}

/** Levels 1 and 2 only inform and offer forms: a dossier can be filed online from level 3 up. */
export function assertAcceptsOnlineDossiers(service: Service): void {
  if (service.level < 3) {
    throw new AppError(
      'unprocessable',
      'service_not_online',
      `service "${service.id}" is offered at level ${service.level}: dossiers are filed at the one-stop desk`,
      'Thủ tục này chưa nhận hồ sơ trực tuyến, vui lòng nộp tại bộ phận một cửa.',
    );
  }
}

/**
 * The agency responsible for a dossier. A service processed by one agency needs no choice; a
 * commune service asks the applicant which one (their place of residence).
 */
export function chooseAgency(province: Province, service: Service, requested: string | undefined): Agency {
  const candidates = agenciesFor(province, service);
  if (requested === undefined) {
    if (candidates.length === 1) return candidates[0]!;
    throw new AppError('invalid', 'invalid_input', 'agencyId: required, this service is processed by several agencies', 'Vui lòng chọn cơ quan giải quyết.', [
      { field: 'agencyId', message: 'required: choose one of the agencies that process this service', allowed: candidates.map((a) => a.id) },
    ]);
  }
  const chosen = candidates.find((a) => a.id === requested);
  if (!chosen) {
    throw new AppError('invalid', 'invalid_input', `agencyId: "${requested}" does not process this service`, 'Cơ quan được chọn không giải quyết thủ tục này.', [
      { field: 'agencyId', message: 'not an agency that processes this service', allowed: candidates.map((a) => a.id) },
    ]);
  }
  return chosen;
}

/** Agency ids that may process an imported procedure: its own list, or every agency of its tier. */
function entryAgencies(province: Province, entry: CatalogSearchEntry): readonly string[] {
  return entry.agencyIds ?? province.agencies.filter((a) => a.tier === entry.tier).map((a) => a.id);
}

/** The compact search entries of the imported catalog that pass a filter (the same rules as filterServices). */
export function filterCatalogEntries(province: Province, filter: ServiceFilter): CatalogSearchEntry[] {
  const entries = province.catalog?.entries() ?? [];
  if (entries.length === 0) return [];
  const words = filter.text ? foldVietnamese(filter.text).split(/\s+/).filter(Boolean) : [];
  const own = new Set(province.services.map((s) => s.id));
  return entries.filter((e) => {
    // a procedure written in the province file wins over an imported one of the same id
    if (own.has(e.id)) return false;
    if (filter.level !== undefined && e.level !== filter.level) return false;
    if (filter.tier !== undefined && e.tier !== filter.tier) return false;
    if (filter.fullyOnline !== undefined && e.fullyOnline !== filter.fullyOnline) return false;
    if (filter.agencyId !== undefined && !entryAgencies(province, e).includes(filter.agencyId)) return false;
    return words.every((w) => e.text.includes(w));
  });
}
