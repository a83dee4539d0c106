/**
 * Tracking by code and PIN, for people who filed at the counter or have no account. A PIN has a million
 * values, so guessing is what must be stopped: a few wrong tries per dossier, then a pause.
 */
export const TRACKING_MAX_FAILURES = 5;
export const TRACKING_WINDOW_MS = 15 * 60 * 1000;

export interface FailureWindow {
  readonly failures: number;
  readonly windowStart: string;
}

export type TrackingGate = { readonly allowed: true; readonly newWindow: boolean } | { readonly allowed: false; readonly retryAfterSeconds: number };

export function trackingGate(window: FailureWindow | undefined, now: Date): TrackingGate {
  if (!window) return { allowed: true, newWindow: true };
  const elapsed = now.getTime() - Date.parse(window.windowStart);
  if (elapsed >= TRACKING_WINDOW_MS || elapsed < 0) return { allowed: true, newWindow: true };
  if (window.failures >= TRACKING_MAX_FAILURES) return { allowed: false, retryAfterSeconds: Math.ceil((TRACKING_WINDOW_MS - elapsed) / 1000) };
  return { allowed: true, newWindow: false };
}

