import * as z from 'zod/mini';
import './zod-setup.js';

/**
 * Rules for text that people send and agencies read: names, form fields, reasons, notes, file names.
 * Text is normalised to NFC (one spelling of each Vietnamese letter, so "Lan" typed on two keyboards is
 * one name) and trimmed. Refused, naming the field: lone surrogates (not Unicode, and not storable as
 * UTF-8), NUL and the other C0 controls, DEL and C1 controls (a line break is allowed in multi-line text
 * only), the bidirectional overrides, embeddings, isolates and marks that can make text read differently
 * than it is stored (e.g. a file name ending "fdp.exe" shown reversed), line/paragraph separators, and
 * text that is empty once the invisible characters (zero-width spaces, joiners, BOM, soft hyphen) are
 * set aside.
 */

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const controls = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const lineBreaks = /[\n\r\t]/;
const bidi = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const separators = /[\u2028\u2029]/;
const invisible = /[\s\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200d\u2060-\u2064\u3164\ufeff\uffa0]/g;

export interface TextRules {
  /** line breaks (LF; CRLF is turned into LF) are allowed; tabs never */
  readonly multiline?: boolean;
}

/** NFC, trimmed, CRLF → LF: what is stored and shown. */
export function normalizeText(raw: string, rules: TextRules = {}): string {
  if (loneSurrogate.test(raw)) return raw; // refused by textProblem; normalising would hide the surrogate
  const nfc = raw.normalize('NFC').trim();
  return rules.multiline ? nfc.replace(/\r\n?/g, '\n') : nfc;
}

/** Why a text is refused, or undefined when it is acceptable (after `normalizeText`). */
export function textProblem(text: string, rules: TextRules = {}): string | undefined {
  if (loneSurrogate.test(text)) return 'must be valid Unicode (a lone surrogate was found)';
  const withoutBreaks = rules.multiline ? text.replace(/\n/g, '') : text;
  if (controls.test(withoutBreaks) || (!rules.multiline && lineBreaks.test(text)) || (rules.multiline && /[\t\r]/.test(text))) {
    return rules.multiline ? 'must not contain control characters (line breaks are allowed)' : 'must not contain control characters or line breaks';
  }
  if (bidi.test(text)) return 'must not contain bidirectional control characters';
  if (separators.test(text)) return 'must not contain line or paragraph separators';
  if (text.length > 0 && text.replace(invisible, '').length === 0) return 'must contain visible characters';
  return undefined;
}

/**
 * A zod string that applies these rules: normalised first, then length-checked (on the normalised
 * text), then checked for what is refused. OpenAPI keeps minLength/maxLength.
 */
export function safeText(options: { min?: number; max: number } & TextRules) {
  const rules: TextRules = { multiline: options.multiline ?? false };
  return z.string().check(
    z.overwrite((v) => normalizeText(v, rules)),
    z.minLength(options.min ?? 0),
    z.maxLength(options.max),
    z.superRefine((v, ctx) => {
      const problem = textProblem(v, rules);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  );
}

/** A calendar day, `YYYY-MM-DD`, that exists: no 2024-02-31 rolling over to March. */
export function isRealDay(v: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1000 || mo < 1 || mo > 12 || d < 1) return false;
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/**
 * Cells of a CSV export that a spreadsheet would run as a formula (OWASP "CSV injection"): text starting
 * with = + - @, a tab or a carriage return gets a leading apostrophe, which spreadsheets show as text.
 * Numbers are written as numbers: a negative figure is data, not a formula.
 */
export function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
