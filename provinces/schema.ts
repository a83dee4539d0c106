import * as z from 'zod';

/**
 * One schema for every province file. It is checked at synthesis (bin/) and when the local runtime and
 * each Lambda start, so a broken file never reaches a citizen.
 */

const slug = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lowercase letters, digits and single hyphens');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time as HH:mm');

/** Decision 20/2020 agency code, e.g. `000.00.14.H56` */
export const agencyCodePattern = /^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$/;

/**
 * `validUntil` (the last day, local) keeps an abolished tier or agency in history: its dossiers, queue and
 * statistics remain, but the current catalog never routes a dossier to it. District-level People's
 * Committees were abolished on 1 July 2025 (two-tier local government, Resolution 203/2025/QH15).
 */
export const tierSchema = z.object({
  id: slug,
  name: z.string().min(1),
  /** the first day (local) of a tier or agency created by a reorganisation; absent: always existed */
  validFrom: isoDate.optional(),
  validUntil: isoDate.optional(),
  /** the act that created or abolished it */
  source: z.string().min(1).optional(),
  /**
   * an abolished tier: the current tier that took over its procedures. The catalog import maps a row of
   * the abolished tier to it (and says so, row by row); without it such a row is refused.
   */
  succeededBy: slug.optional(),
});

export const agencySchema = z.object({
  id: slug.max(40, 'at most 40 characters (it is part of a queue name)'),
  code: z.string().regex(agencyCodePattern, 'an agency code like 000.00.14.H37'),
  name: z.string().min(1),
  tier: slug,
  validFrom: isoDate.optional(),
  validUntil: isoDate.optional(),
  source: z.string().min(1).optional(),
  /** where the officials' hourly digest goes; without it the agency gets none (the sweep reports it) */
  email: z.email().optional(),
});

export const mimeTypeSchema = z.enum(['application/pdf', 'image/jpeg', 'image/png']);

export const documentComponentSchema = z.object({
  id: slug,
  name: z.string().min(1),
  required: z.boolean(),
  allowedTypes: z.array(mimeTypeSchema).min(1),
  maxSizeBytes: z.number().int().positive().max(50 * 1024 * 1024),
  maxFiles: z.number().int().positive().max(20).default(1),
});

export const formFieldSchema = z.object({
  name: z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/, 'a camelCase field name'),
  label: z.string().min(1),
  type: z.enum(['string', 'number', 'date', 'boolean', 'enum']),
  required: z.boolean(),
  maxLength: z.number().int().positive().optional(),
  options: z.array(z.string().min(1)).min(1).optional(),
  /** number fields: whole numbers only */
  integer: z.boolean().optional(),
  /** number fields: bounds, inclusive; without them a number is any safe integer or a decimal of at most 6 places */
  min: z.number().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER).optional(),
  max: z.number().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER).optional(),
});

const fieldValue = z.union([z.string().min(1), z.number(), z.boolean()]);

/**
 * A fee (phí, lệ phí) of a procedure. `amountVnd` is due once per dossier; `perUnit` adds an amount for
 * each unit the applicant asks for in a number field beyond `includedUnits` (copies, pages); a
 * `reductions` entry replaces the amount when a form field has a value (students pay half); an
 * `exemptions` entry waives the fee (children, poor households). The applicant's answer decides, the
 * agency checks the evidence, as at the counter.
 */
export const feeSchema = z.object({
  name: z.string().min(1),
  amountVnd: z.number().int().nonnegative(),
  perUnit: z
    .object({
      field: z.string().min(1),
      amountVnd: z.number().int().positive(),
      includedUnits: z.number().int().nonnegative().default(0),
    })
    .optional(),
  reductions: z.array(z.object({ field: z.string().min(1), equals: fieldValue, amountVnd: z.number().int().nonnegative(), reason: z.string().min(1) })).default([]),
  exemptions: z.array(z.object({ field: z.string().min(1), equals: fieldValue, reason: z.string().min(1) })).default([]),
  /** the legal text that sets the amount, shown with the fee */
  basis: z.string().min(1).optional(),
});

export const serviceSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9.-]+$/, 'lowercase letters, digits, dots and hyphens'),
    /** national procedure code, e.g. 1.010708.000.00.00.H56 */
    code: z.string().min(1),
    name: z.string().min(1),
    field: z.string().min(1),
    tier: slug,
    /** agencies that may process it; absent = every agency of the tier (the applicant picks one) */
    agencyIds: z.array(slug).min(1).optional(),
    level: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]),
    /** Decree 42/2022: "toàn trình" (fully online) or "một phần" (partly online) */
    fullyOnline: z.boolean(),
    /** why the procedure is not offered at level 4; required below level 4 */
    notEligibleReason: z.string().min(1).optional(),
    processing: z.object({
      amount: z.number().positive(),
      unit: z.enum(['working-days', 'calendar-days']),
    }),
    fees: z.array(feeSchema).default([]),
    documents: z.array(documentComponentSchema).default([]),
    fields: z.array(formFieldSchema).default([]),
    /** set by the catalog import, which keeps every version; procedures of the province file have none */
    version: z.number().int().positive().optional(),
  })
  .superRefine((service, ctx) => {
    if (service.level < 4 && !service.notEligibleReason) {
      ctx.addIssue({ code: 'custom', path: ['notEligibleReason'], message: 'required when level is below 4' });
    }
    if (service.fullyOnline && service.level < 4) {
      ctx.addIssue({ code: 'custom', path: ['fullyOnline'], message: 'a fully online (toàn trình) service must be level 4' });
    }
    for (const [i, field] of service.fields.entries()) {
      if (field.type === 'enum' && !field.options) {
        ctx.addIssue({ code: 'custom', path: ['fields', i, 'options'], message: 'required for an enum field' });
      }
      for (const key of ['integer', 'min', 'max'] as const) {
        if (field[key] !== undefined && field.type !== 'number') ctx.addIssue({ code: 'custom', path: ['fields', i, key], message: 'only for a number field' });
      }
      if (field.min !== undefined && field.max !== undefined && field.min > field.max) {
        ctx.addIssue({ code: 'custom', path: ['fields', i, 'max'], message: 'must not be below min' });
      }
    }
    for (const [i, fee] of service.fees.entries()) {
      const named = (name: string) => service.fields.find((f) => f.name === name);
      if (fee.perUnit && named(fee.perUnit.field)?.type !== 'number') {
        ctx.addIssue({ code: 'custom', path: ['fees', i, 'perUnit', 'field'], message: `"${fee.perUnit.field}" is not a number field of this service` });
      }
      for (const [kind, list] of [['reductions', fee.reductions], ['exemptions', fee.exemptions]] as const) {
        for (const [j, rule] of list.entries()) {
          if (!named(rule.field)) ctx.addIssue({ code: 'custom', path: ['fees', i, kind, j, 'field'], message: `"${rule.field}" is not a field of this service` });
        }
      }
    }
  });

const namedDate = z.object({ date: isoDate, name: z.string().min(1) });

export const calendarSchema = z.object({
  timezone: z.literal('Asia/Ho_Chi_Minh').default('Asia/Ho_Chi_Minh'),
  /** office hours, in local time, in order, not overlapping */
  officeHours: z
    .array(z.object({ start: clock, end: clock }))
    .min(1)
    .default([
      { start: '07:00', end: '11:30' },
      { start: '13:30', end: '17:00' },
    ]),
  /** days of week off, 0 = Sunday … 6 = Saturday */
  weekendDays: z.array(z.number().int().min(0).max(6)).default([0, 6]),
  /**
   * Per year: public holidays (a holiday falling on a weekend day is given back on the next working day),
   * extra days off decided by the government (bridges, Tết extensions), and weekend days swapped into
   * working days. A year listed here replaces the statutory computation for that year whole; a year not
   * listed is computed from the Labour Code (functions/domain/holidays.ts) and reported as such.
   */
  years: z.record(
    z.string().regex(/^\d{4}$/, 'a year as YYYY'),
    z.object({
      /**
       * false while the year's dates are only the statute's (the government has not published its
       * arrangement yet): they are used, but reported as `statutory` like a year missing from the file
       */
      confirmed: z.boolean().default(true),
      /** the notices the year's data follows (e.g. "Công văn 12729/VPCP-KGVX ngày 25/12/2025"), for audit */
      source: z.string().min(1).optional(),
      holidays: z.array(namedDate).default([]),
      daysOff: z.array(namedDate).default([]),
      workingDays: z.array(namedDate).default([]),
    }),
  ),
});

export const provinceSchema = z
  .object({
    id: slug,
    name: z.string().min(1),
    /** letter code of the province in agency codes, e.g. H37 */
    code: z.string().regex(/^[A-Z]\d{2}$/, 'a letter code like H37'),
    tiers: z.array(tierSchema).min(1),
    agencies: z.array(agencySchema).min(1),
    services: z.array(serviceSchema),
    calendar: calendarSchema,
    /**
     * Notifications: the SES identity (verified in the account) that sends applicant and official emails,
     * and the SMS sender id where the carrier supports one. Without `fromEmail` no email is sent: each is
     * parked in the notification dead-letter queue with the reason.
     */
    notifications: z
      .object({
        fromEmail: z.email(),
        smsSenderId: z.string().regex(/^[A-Za-z0-9]{1,11}$/, 'at most 11 letters or digits').optional(),
      })
      .optional(),
    /** browser origins of the province's portal, allowed by CORS on the API and the document bucket */
    portalOrigins: z.array(z.url()).default([]),
    /**
     * An external OpenID Connect issuer (e.g. the national VNeID / DVCQG login) instead of the user pool
     * the stack creates by default. Its tokens must carry `sub`, and for officials and administrators the
     * `cognito:groups` and `custom:agencyId` claims (map them in the issuer), as functions/adapters/identity.ts reads.
     */
    identity: z
      .object({
        issuer: z.url().refine((u) => u.startsWith('https://'), 'an https issuer URL'),
        audience: z.array(z.string().min(1)).min(1),
      })
      .optional(),
  })
  .superRefine((province, ctx) => {
    const tiers = new Set(province.tiers.map((t) => t.id));
    const agencies = new Map(province.agencies.map((a) => [a.id, a]));
    const seen = new Set<string>();
    for (const [i, agency] of province.agencies.entries()) {
      if (!tiers.has(agency.tier)) ctx.addIssue({ code: 'custom', path: ['agencies', i, 'tier'], message: `unknown tier "${agency.tier}"` });
      if (seen.has(agency.id)) ctx.addIssue({ code: 'custom', path: ['agencies', i, 'id'], message: `duplicate agency id "${agency.id}"` });
      seen.add(agency.id);
      if (!agency.code.endsWith(province.code)) {
        ctx.addIssue({ code: 'custom', path: ['agencies', i, 'code'], message: `must end with the province code ${province.code}` });
      }
    }
    const serviceIds = new Set<string>();
    const historicalTiers = new Set(province.tiers.filter((t) => t.validUntil).map((t) => t.id));
    for (const [i, tier] of province.tiers.entries()) {
      if (tier.succeededBy === undefined) continue;
      if (!tier.validUntil) ctx.addIssue({ code: 'custom', path: ['tiers', i, 'succeededBy'], message: 'only an abolished tier (validUntil) has a successor' });
      else if (!tiers.has(tier.succeededBy) || historicalTiers.has(tier.succeededBy)) {
        ctx.addIssue({ code: 'custom', path: ['tiers', i, 'succeededBy'], message: `"${tier.succeededBy}" is not a current tier` });
      }
    }
    for (const [i, agency] of province.agencies.entries()) {
      if (historicalTiers.has(agency.tier) && !agency.validUntil) {
        ctx.addIssue({ code: 'custom', path: ['agencies', i, 'validUntil'], message: `required: the tier "${agency.tier}" was abolished` });
      }
    }
    for (const [i, service] of province.services.entries()) {
      if (serviceIds.has(service.id)) ctx.addIssue({ code: 'custom', path: ['services', i, 'id'], message: `duplicate service id "${service.id}"` });
      serviceIds.add(service.id);
      if (!tiers.has(service.tier)) ctx.addIssue({ code: 'custom', path: ['services', i, 'tier'], message: `unknown tier "${service.tier}"` });
      if (historicalTiers.has(service.tier)) ctx.addIssue({ code: 'custom', path: ['services', i, 'tier'], message: `the tier "${service.tier}" was abolished; the catalog routes to current tiers only` });
      for (const [j, agencyId] of (service.agencyIds ?? []).entries()) {
        const agency = agencies.get(agencyId);
        if (!agency) ctx.addIssue({ code: 'custom', path: ['services', i, 'agencyIds', j], message: `unknown agency "${agencyId}"` });
        else if (agency.validUntil) ctx.addIssue({ code: 'custom', path: ['services', i, 'agencyIds', j], message: `agency "${agencyId}" was abolished (validUntil ${agency.validUntil})` });
      }
      if (!service.agencyIds && !province.agencies.some((a) => a.tier === service.tier && !a.validUntil)) {
        ctx.addIssue({ code: 'custom', path: ['services', i, 'tier'], message: `no agency of tier "${service.tier}" can process it` });
      }
    }
  });

/**
 * A province with an imported catalog (provinces/catalog/) besides the procedures of its file: read one
 * procedure at a time, never all at once.
 */
export type Province = z.infer<typeof provinceSchema> & { readonly catalog?: ServiceCatalog };
export type ProvinceInput = z.input<typeof provinceSchema>;
export type Agency = z.infer<typeof agencySchema>;
export type Service = z.infer<typeof serviceSchema>;
export type FormField = z.infer<typeof formFieldSchema>;
export type DocumentComponent = z.infer<typeof documentComponentSchema>;
export type Calendar = z.infer<typeof calendarSchema>;
export type Fee = z.infer<typeof feeSchema>;

/** The imported part of a catalog, as the functions read it (functions/adapters/catalog-store.ts). */
export interface ServiceCatalog {
  /** one procedure at its current version, or at the version a dossier was submitted under */
  get(id: string, version?: number): Service | undefined;
  /** the compact search entries of every current procedure (loaded on first use) */
  entries(): readonly CatalogSearchEntry[];
}

export interface CatalogSearchEntry {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  readonly field: string;
  readonly tier: string;
  readonly level: 1 | 2 | 3 | 4;
  readonly fullyOnline: boolean;
  readonly notEligibleReason?: string;
  readonly processing: Service['processing'];
  readonly agencyIds?: readonly string[];
  readonly version: number;
  /** name, field and code, folded */
  readonly text: string;
}
