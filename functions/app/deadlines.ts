import { randomUUID } from 'node:crypto';
import type { Province } from '../../provinces/schema.js';
import type { DeadlineCandidates, DossierStore } from './ports.js';
import { AppError } from '../domain/errors.js';
import { candidateBound, sweepKind, sweepTransition } from '../domain/deadlines.js';
import { processingOf } from '../domain/catalog.js';
import { legalAppointment, type WorkflowDossier } from '../domain/workflow.js';

export interface SweepDeps {
  readonly repo: Pick<DossierStore, 'saveMark'>;
  readonly index: DeadlineCandidates;
  readonly province: Province;
  readonly now: Date;
}

export interface SweepResult {
  readonly examined: number;
  readonly overdue: number;
  readonly reminded: number;
  /** someone acted on the dossier between the read and the write; the next sweep looks again */
  readonly skipped: number;
}

/**
 * One pass over the province's agencies. Each mark is recorded in the history but leaves the version
 * alone, so an official's `expectedVersion` read before the sweep still holds. The write is conditional
 * on the version and status judged, so an official acting at the same moment wins and the mark is
 * simply not made (or made next time, if still due).
 */
export async function sweepDeadlines(deps: SweepDeps): Promise<SweepResult> {
  const { province, now } = deps;
  const bound = candidateBound(now, province.calendar);
  let examined = 0;
  let overdue = 0;
  let reminded = 0;
  let skipped = 0;
  // only dossiers stored before `legalDueAt` existed need their procedure to know the legal appointment
  const judge = (d: WorkflowDossier) => {
    const processing = d.legalDueAt ? undefined : processingOf(province, d);
    return { kind: sweepKind(d, now, province.calendar, processing), processing };
  };
  for (const agency of province.agencies) {
    for await (const indexed of deps.index.openDueBefore(agency.id, bound)) {
      examined += 1;
      if (!judge(indexed).kind) continue;
      // The index holds what judging needs; the mark's event carries the whole dossier, so the few that
      // get one are read from the table (and judged again on what was read).
      const d = await deps.index.dossier(indexed.code);
      const { kind, processing } = d ? judge(d) : { kind: undefined, processing: undefined };
      if (!d || !kind) {
        skipped += 1;
        continue;
      }
      const { dossier, mark, event } = sweepTransition(d, kind, now, legalAppointment(d, province.calendar, processing));
      try {
        await deps.repo.saveMark(d, mark, { ...event, eventId: randomUUID() }, dossier);
        if (kind === 'overdue') overdue += 1;
        else reminded += 1;
      } catch (err) {
        if (err instanceof AppError && err.kind === 'conflict') {
          skipped += 1;
          continue;
        }
        throw err;
      }
    }
  }
  return { examined, overdue, reminded, skipped };
}
