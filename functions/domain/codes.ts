/**
 * Dossier codes: `<agency code>-<yyMMdd>-<4-digit sequence>`, e.g. `000.00.14.H56-200203-0118`, the day
 * being the local (UTC+7) day of submission and the sequence restarting daily per agency. A day past
 * 9,999 dossiers goes on with 5 digits (`…-200203-10000`), then 6: a valid dossier is never refused
 * because its agency's day ran out of numbers, and every code still matches `codePattern`.
 */
const VIETNAM_OFFSET_MS = 7 * 60 * 60 * 1000;

/** yyMMdd of the instant in Vietnam local time */
export function localDayStamp(instant: Date): string {
  const local = new Date(instant.getTime() + VIETNAM_OFFSET_MS);
  const yy = String(local.getUTCFullYear() % 100).padStart(2, '0');
  const mm = String(local.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(local.getUTCDate()).padStart(2, '0');
  return `${yy}${mm}${dd}`;
}

/** The sequences the national format's 4 digits hold; beyond them the sequence simply gets longer. */
export const FOUR_DIGIT_SEQUENCES = 9999;
/** A bound no agency day reaches (a million dossiers), so that a corrupt counter cannot mint absurd codes. */
export const MAX_DAILY_SEQUENCE = 999_999;

export function formatDossierCode(agencyCode: string, day: string, sequence: number): string {
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > MAX_DAILY_SEQUENCE) {
    throw new RangeError(`sequence ${sequence} is outside 1..${MAX_DAILY_SEQUENCE}`);
  }
  return `${agencyCode}-${day}-${String(sequence).padStart(4, '0')}`;
}

/** 4 digits with leading zeros, or 5 to 6 digits without, so each sequence has exactly one spelling. */
export const codePattern = /^(\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2})-(\d{6})-(\d{4}|[1-9]\d{4,5})$/;

export function parseDossierCode(code: string): { agencyCode: string; day: string; sequence: number } | undefined {
  const m = codePattern.exec(code);
  if (!m) return undefined;
  return { agencyCode: m[1]!, day: m[2]!, sequence: Number(m[3]) };
}
