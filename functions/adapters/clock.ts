/**
 * The only place handlers read the time. Domain code never reads a clock: handlers pass `now()` in.
 * The local runtime replaces the source so that deadlines can be walked across weekends and holidays;
 * a Lambda never calls `setClockSource`, so in the cloud this is the system clock.
 */
import type { Clock } from '../app/ports.js';

let source: () => Date = () => new Date();

export function now(): Date {
  return source();
}

export function setClockSource(next: () => Date): void {
  source = next;
}

/** The two times of one request: business time from the source above, wall time from the system clock. */
export function requestClock(): Clock {
  return { now: now(), wallClock: new Date() };
}
