import * as z from 'zod/mini';
import '../functions/domain/zod-setup.js';

/**
 * One schema for every province file. It is checked at synthesis (bin/) and when the local runtime and
 * each Lambda start, so a broken file never reaches a citizen.
 */

const slug = z.string().check(z.regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lowercase letters, digits and single hyphens'));
const isoDate = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD'));
const clock = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time as HH:mm'));

/** Decision 20/2020 agency code, e.g. `000.00.14.H56` */
export const agencyCodePattern = /^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$/;

/**
 * `validUntil` (the last day, local) keeps an abolished tier or agency in history: its dossiers, queue and
 * statistics remain, but the current catalog never routes a dossier to it. District-level People's
 * Committees were abolished on 1 July 2025 (two-tier local government, Resolution 203/2025/QH15).
 */
export const tierSchema = z.object({
  id: slug,
  name: z.string().check(z.minLength(1)),
  /** the first day (local) of a tier or agency created by a reorganisation; absent: always existed */
  validFrom: z.optional(isoDate),
  validUntil: z.optional(isoDate),
  /** the act that created or abolished it */
  source: z.optional(z.string().check(z.minLength(1))),
  /**
   * an abolished tier: the current tier that took over its procedures. The catalog import maps a row of
   * the abolished tier to it (and says so, row by row); without it such a row is refused.
   */
  succeededBy: z.optional(slug),
});

export const agencySchema = z.object({
  id: slug.check(z.maxLength(40, 'at most 40 characters (it is part of a queue name)')),
  code: z.string().check(z.regex(agencyCodePattern, 'an agency code like 000.00.14.H37')),
  name: z.string().check(z.minLength(1)),
  tier: slug,
  validFrom: z.optional(isoDate),
  validUntil: z.optional(isoDate),
  source: z.optional(z.string().check(z.minLength(1))),
  /** where the officials' hourly digest goes; without it the agency gets none (the sweep reports it) */
  email: z.optional(z.email()),
});

export const mimeTypeSchema = z.enum(['application/pdf', 'image/jpeg', 'image/png']);

export const documentComponentSchema = z.object({
  id: slug,
  name: z.string().check(z.minLength(1)),
  required: z.boolean(),
  allowedTypes: z.array(mimeTypeSchema).check(z.minLength(1)),
  maxSizeBytes: z.number().check(z.int(), z.positive(), z.lte(50 * 1024 * 1024)),
  maxFiles: z._default(z.number().check(z.int(), z.positive(), z.lte(20)), 1),
});

export const formFieldSchema = z.object({
  name: z.string().check(z.regex(/^[a-zA-Z][a-zA-Z0-9]*$/, 'a camelCase field name')),
  label: z.string().check(z.minLength(1)),
  type: z.enum(['string', 'number', 'date', 'boolean', 'enum']),
  required: z.boolean(),
  maxLength: z.optional(z.number().check(z.int(), z.positive())),
  options: z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1))),
  /** number fields: whole numbers only */
  integer: z.optional(z.boolean()),
  /** number fields: bounds, inclusive; without them a number is any safe integer or a decimal of at most 6 places */
  min: z.optional(z.number().check(z.gte(-Number.MAX_SAFE_INTEGER), z.lte(Number.MAX_SAFE_INTEGER))),
  max: z.optional(z.number().check(z.gte(-Number.MAX_SAFE_INTEGER), z.lte(Number.MAX_SAFE_INTEGER))),
});

const fieldValue = z.union([z.string().check(z.minLength(1)), z.number(), z.boolean()]);

/**
 * A fee (phí, lệ phí) of a procedure. `amountVnd` is due once per dossier; `perUnit` adds an amount for
 * each unit the applicant asks for in a number field beyond `includedUnits` (copies, pages); a
 * `reductions` entry replaces the amount when a form field has a value (students pay half); an
 * `exemptions` entry waives the fee (children, poor households). The applicant's answer decides, the
 * agency checks the evidence, as at the counter.
 */
export const feeSchema = z.object({
  name: z.string().check(z.minLength(1)),
  amountVnd: z.number().check(z.int(), z.nonnegative()),
  perUnit: z.optional(
    z.object({
      field: z.string().check(z.minLength(1)),
      amountVnd: z.number().check(z.int(), z.positive()),
      includedUnits: z._default(z.number().check(z.int(), z.nonnegative()), 0),
    }),
  ),
  reductions: z._default(
    z.array(z.object({ field: z.string().check(z.minLength(1)), equals: fieldValue, amountVnd: z.number().check(z.int(), z.nonnegative()), reason: z.string().check(z.minLength(1)) })),
    [],
  ),
  exemptions: z._default(z.array(z.object({ field: z.string().check(z.minLength(1)), equals: fieldValue, reason: z.string().check(z.minLength(1)) })), []),
  /** the legal text that sets the amount, shown with the fee */
  basis: z.optional(z.string().check(z.minLength(1))),
});

export const serviceSchema = z
  .object({
    id: z.string().check(z.regex(/^[a-z0-9.-]+$/, 'lowercase letters, digits, dots and hyphens')),
    /** national procedure code, e.g. 1.010708.000.00.00.H56 */
    code: z.string().check(z.minLength(1)),
    name: z.string().check(z.minLength(1)),
    field: z.string().check(z.minLength(1)),
    tier: slug,
    /** agencies that may process it; absent = every agency of the tier (the applicant picks one) */
    agencyIds: z.optional(z.array(slug).check(z.minLength(1))),
    level: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]),
    /** Decree 42/2022: "toàn trình" (fully online) or "một phần" (partly online) */
    fullyOnline: z.boolean(),
    /** why the procedure is not offered at level 4; required below level 4 */
    notEligibleReason: z.optional(z.string().check(z.minLength(1))),
    processing: z.object({
      amount: z.number().check(z.positive()),
      unit: z.enum(['working-days', 'calendar-days']),
    }),
    fees: z._default(z.array(feeSchema), []),
    documents: z._default(z.array(documentComponentSchema), []),
    fields: z._default(z.array(formFieldSchema), []),
    /** set by the catalog import, which keeps every version; procedures of the province file have none */
    version: z.optional(z.number().check(z.int(), z.positive())),
  })
  .check(
    z.superRefine((service, ctx) => {
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
        for (const [kind, list] of [
          ['reductions', fee.reductions],
          ['exemptions', fee.exemptions],
        ] as const) {
          for (const [j, rule] of list.entries()) {
            if (!named(rule.field)) ctx.addIssue({ code: 'custom', path: ['fees', i, kind, j, 'field'], message: `"${rule.field}" is not a field of this service` });
          }
        }
      }
    }),
  );

const namedDate = z.object({ date: isoDate, name: z.string().check(z.minLength(1)) });

export const calendarSchema = z.object({
  timezone: z._default(z.literal('Asia/Ho_Chi_Minh'), 'Asia/Ho_Chi_Minh'),
  /** office hours, in local time, in order, not overlapping */
  officeHours: z._default(z.array(z.object({ start: clock, end: clock })).check(z.minLength(1)), [
    { start: '07:00', end: '11:30' },
    { start: '13:30', end: '17:00' },
  ]),
  /** days of week off, 0 = Sunday … 6 = Saturday */
  weekendDays: z._default(z.array(z.number().check(z.int(), z.gte(0), z.lte(6))), [0, 6]),
  /**
   * Per year: public holidays (a holiday falling on a weekend day is given back on the next working day),
   * extra days off decided by the government (bridges, Tết extensions), and weekend days swapped into
   * working days. A year listed here replaces the statutory computation for that year whole; a year not
   * listed is computed from the Labour Code (functions/domain/holidays.ts) and reported as such.
   */
  years: z.record(
    z.string().check(z.regex(/^\d{4}$/, 'a year as YYYY')),
    z.object({
      /**
       * false while the year's dates are only the statute's (the government has not published its
       * arrangement yet): they are used, but reported as `statutory` like a year missing from the file
       */
      confirmed: z._default(z.boolean(), true),
      /** the notices the year's data follows (e.g. "Công văn 12729/VPCP-KGVX ngày 25/12/2025"), for audit */
      source: z.optional(z.string().check(z.minLength(1))),
      holidays: z._default(z.array(namedDate), []),
      daysOff: z._default(z.array(namedDate), []),
      workingDays: z._default(z.array(namedDate), []),
    }),
  ),
});

export const provinceSchema = z
  .object({
    id: slug,
    name: z.string().check(z.minLength(1)),
    /** letter code of the province in agency codes, e.g. H37 */
    code: z.string().check(z.regex(/^[A-Z]\d{2}$/, 'a letter code like H37')),
    tiers: z.array(tierSchema).check(z.minLength(1)),
    agencies: z.array(agencySchema).check(z.minLength(1)),
    services: z.array(serviceSchema),
    calendar: calendarSchema,
    /**
     * Notifications: the SES identity (verified in the account) that sends applicant and official emails,
     * and the SMS sender id where the carrier supports one. Without `fromEmail` no email is sent: each is
     * parked in the notification dead-letter queue with the reason.
     */
    notifications: z.optional(
      z.object({
        fromEmail: z.email(),
        smsSenderId: z.optional(z.string().check(z.regex(/^[A-Za-z0-9]{1,11}$/, 'at most 11 letters or digits'))),
      }),
    ),
    /** browser origins of the province's portal, allowed by CORS on the API and the document bucket */
    portalOrigins: z._default(z.array(z.url()), []),
    /**
     * An external OpenID Connect issuer (e.g. the national VNeID / DVCQG login) instead of the user pool
     * the stack creates by default. Its tokens must carry `sub`, and for officials and administrators the
     * `cognito:groups` and `custom:agencyId` claims (map them in the issuer), as functions/adapters/identity.ts reads.
     */
    identity: z.optional(
      z.object({
        issuer: z.url().check(z.refine((u) => u.startsWith('https://'), 'an https issuer URL')),
        audience: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
      }),
    ),
  })
  .check(
    z.superRefine((province, ctx) => {
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
        if (historicalTiers.has(service.tier))
          ctx.addIssue({ code: 'custom', path: ['services', i, 'tier'], message: `the tier "${service.tier}" was abolished; the catalog routes to current tiers only` });
        for (const [j, agencyId] of (service.agencyIds ?? []).entries()) {
          const agency = agencies.get(agencyId);
          if (!agency) ctx.addIssue({ code: 'custom', path: ['services', i, 'agencyIds', j], message: `unknown agency "${agencyId}"` });
          else if (agency.validUntil) ctx.addIssue({ code: 'custom', path: ['services', i, 'agencyIds', j], message: `agency "${agencyId}" was abolished (validUntil ${agency.validUntil})` });
        }
        if (!service.agencyIds && !province.agencies.some((a) => a.tier === service.tier && !a.validUntil)) {
          ctx.addIssue({ code: 'custom', path: ['services', i, 'tier'], message: `no agency of tier "${service.tier}" can process it` });
        }
      }
    }),
  );

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
