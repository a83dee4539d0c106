import type { Fee, Service } from '../../provinces/schema.js';

/**
 * The fees (phí, lệ phí) a dossier owes, computed from the catalog and the applicant's form. Pure, so the
 * amount shown before submission, stored on the payment and printed on the receipt is one computation.
 */

/**
 * The most a dossier can be asked to pay: the national payment platform carries an amount as at most 15
 * digits (SoTien), so a larger fee could be opened but never settled. Intake refuses a form whose fees
 * come to more, and an official's payment request above it is refused.
 */
export const MAX_PAYABLE_VND = 999_999_999_999_999;

export interface FeeLine {
  readonly name: string;
  /** what is due for this line after reductions and exemptions */
  readonly amountVnd: number;
  /** the catalog's amount before any reduction or exemption */
  readonly baseAmountVnd: number;
  /** units charged beyond those included (copies from the 3rd, pages…), with their unit price */
  readonly extraUnits?: { readonly field: string; readonly units: number; readonly unitAmountVnd: number };
  /** why less (or nothing) is due: the catalog's reason for the reduction or exemption */
  readonly reduction?: string;
  readonly exemption?: string;
  readonly basis?: string;
}

export interface FeeAssessment {
  readonly lines: readonly FeeLine[];
  readonly totalVnd: number;
}

function matches(fields: Readonly<Record<string, unknown>>, rule: { field: string; equals: string | number | boolean }): boolean {
  return fields[rule.field] === rule.equals;
}

/** One fee for one form. Without a form (the catalog page) the fee is shown for one unit, no reduction. */
export function assessFee(fee: Fee, fields: Readonly<Record<string, unknown>> = {}): FeeLine {
  const exemption = fee.exemptions.find((e) => matches(fields, e));
  const reduction = exemption ? undefined : fee.reductions.find((r) => matches(fields, r));
  let extraUnits: FeeLine['extraUnits'];
  if (fee.perUnit) {
    const asked = fields[fee.perUnit.field];
    // the form schema already refused a non-number; a fraction of a copy is rounded up, a negative is none
    const units = typeof asked === 'number' && Number.isFinite(asked) ? Math.max(0, Math.ceil(asked)) : 0;
    const extra = Math.max(0, units - fee.perUnit.includedUnits);
    if (extra > 0) extraUnits = { field: fee.perUnit.field, units: extra, unitAmountVnd: fee.perUnit.amountVnd };
  }
  const base = reduction ? reduction.amountVnd : fee.amountVnd;
  const gross = fee.amountVnd + (extraUnits ? extraUnits.units * extraUnits.unitAmountVnd : 0);
  const amountVnd = exemption ? 0 : base + (extraUnits ? extraUnits.units * extraUnits.unitAmountVnd : 0);
  return {
    name: fee.name,
    amountVnd,
    baseAmountVnd: gross,
    ...(extraUnits ? { extraUnits } : {}),
    ...(reduction ? { reduction: reduction.reason } : {}),
    ...(exemption ? { exemption: exemption.reason } : {}),
    ...(fee.basis ? { basis: fee.basis } : {}),
  };
}

export function assessFees(service: Service, fields: Readonly<Record<string, unknown>> = {}): FeeAssessment {
  const lines = service.fees.map((f) => assessFee(f, fields));
  return { lines, totalVnd: lines.reduce((sum, l) => sum + l.amountVnd, 0) };
}

/** How a fee reads in the catalog: the rule itself, for the applicant to see before filling the form. */
export function feeRule(fee: Fee) {
  return {
    name: fee.name,
    amountVnd: fee.amountVnd,
    ...(fee.perUnit ? { perUnit: fee.perUnit } : {}),
    ...(fee.reductions.length ? { reductions: fee.reductions } : {}),
    ...(fee.exemptions.length ? { exemptions: fee.exemptions } : {}),
    ...(fee.basis ? { basis: fee.basis } : {}),
  };
}
