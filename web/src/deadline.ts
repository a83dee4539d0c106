/**
 * How an inbox row reads against its appointment date (pure: `now` is passed in). Open dossiers count
 * whole Vietnam-local calendar days left, near due at 2 days or less, overdue once the date has passed
 * or the API says so; closed ones show how they ended (early, on time, late) instead of a countdown.
 * When the API gives `workingDaysLeft` (working days by the province's calendar) it is the count shown.
 */
export type DeadlineView =
  | { readonly kind: 'none' }
  | { readonly kind: 'ok' | 'near'; readonly daysLeft: number; readonly working?: true }
  | { readonly kind: 'overdue'; readonly daysLate: number; readonly working?: true }
  | { readonly kind: 'closed'; readonly standing: 'early' | 'on-time' | 'late' | 'no-deadline' };

export const nearDueDays = 2;
const closedStatuses = new Set([3, 7, 8, 9, 10]);

/** Whole days between two instants in Vietnam's calendar (UTC+7, no DST); negative once `iso` has passed. */
export function daysUntil(iso: string, now: number): number {
  const day = (t: number): number => Math.floor((t + 7 * 3_600_000) / 86_400_000);
  return day(Date.parse(iso)) - day(now);
}

export function deadlineView(input: { dueAt?: string | undefined; standing: string; statusCode: number; workingDaysLeft?: number | undefined }, now: number): DeadlineView {
  if (closedStatuses.has(input.statusCode)) {
    const s = input.standing;
    return { kind: 'closed', standing: s === 'early' || s === 'on-time' || s === 'late' ? s : 'no-deadline' };
  }
  if (!input.dueAt) return { kind: 'none' };
  const w = input.workingDaysLeft;
  if (typeof w === 'number' && Number.isFinite(w)) {
    if (input.standing === 'overdue' || w < 0 || Date.parse(input.dueAt) < now) return { kind: 'overdue', daysLate: Math.max(0, -w), working: true };
    return { kind: w <= nearDueDays ? 'near' : 'ok', daysLeft: w, working: true };
  }
  const days = daysUntil(input.dueAt, now);
  if (input.standing === 'overdue' || Date.parse(input.dueAt) < now) return { kind: 'overdue', daysLate: Math.max(0, -days) };
  return days <= nearDueDays ? { kind: 'near', daysLeft: days } : { kind: 'ok', daysLeft: days };
}
