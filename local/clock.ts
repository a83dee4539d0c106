import { join } from 'node:path';
import { now, setClockSource } from '../functions/adapters/clock.js';
import { readJson, writeJsonAtomic } from './support.js';

/**
 * The local clock is the real clock plus an offset, so time keeps flowing after it is set or advanced
 * (a dossier submitted "next Monday" still ages by the minute). The offset is kept in `<dataDir>/clock.json`
 * so that a restart does not silently jump back to today.
 */
export interface LocalClock {
  now(): Date;
  offsetMs(): number;
  set(instant: Date): void;
  advance(by: { days?: number; hours?: number; minutes?: number }): void;
  reset(): void;
}

export function createLocalClock(options: { dataDir: string; install: boolean }): LocalClock {
  const file = join(options.dataDir, 'clock.json');
  let offset = readJson<{ offsetMs?: number }>(file)?.offsetMs ?? 0;
  if (!Number.isFinite(offset)) offset = 0;
  const current = (): Date => new Date(Date.now() + offset);
  const save = (): void => writeJsonAtomic(file, { offsetMs: offset, setAt: new Date().toISOString(), localNow: current().toISOString() });
  if (options.install) setClockSource(current);
  return {
    now: options.install ? now : current,
    offsetMs: () => offset,
    set(instant) {
      offset = instant.getTime() - Date.now();
      save();
    },
    advance(by) {
      offset += ((by.days ?? 0) * 24 * 60 + (by.hours ?? 0) * 60 + (by.minutes ?? 0)) * 60_000;
      save();
    },
    reset() {
      offset = 0;
      save();
    },
  };
}
