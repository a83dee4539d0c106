import { PortalError, type DossierStore, type NationalPortalClient, type SyncStates } from './ports.js';
import { alreadyExists, backoffMs, dossierSyncItem, progressItem } from '../domain/dvcqg.js';
import type { DossierEvent } from '../domain/dossier.js';
import type { WorkflowDossier } from '../domain/workflow.js';
import type { DossierSnapshot } from '../domain/event-view.js';
import type { StoredEvent } from './route-events.js';

export interface SyncDeps {
  readonly state: SyncStates;
  /** undefined while the province has no portal credentials: dossiers then wait, counted as not in sync */
  readonly portal: NationalPortalClient | undefined;
  readonly attempts: number;
  readonly backoffBaseMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  readonly now: () => Date;
}

/** `work` with the portal's retries; `onFirstFailure` runs once, before the first retry or the failure is thrown */
async function withRetries<T>(deps: SyncDeps, work: () => Promise<T>, onFirstFailure?: () => Promise<void>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (attempt === 0) await onFirstFailure?.();
      const retryable = !(err instanceof PortalError) || err.retryable;
      if (!retryable || attempt + 1 >= deps.attempts) throw err;
      await deps.sleep(backoffMs(attempt, deps.backoffBaseMs, 10_000, deps.random()));
    }
  }
}

/**
 * Sends the dossier as it stands (DongBoHoSoMC: created the first time, updated after) and, for each step
 * the portal has not seen, its progress line (CapNhatTienDoHoSoMC), oldest first.
 */
async function send(portal: NationalPortalClient, dossier: DossierSnapshot, steps: readonly DossierEvent[], firstTime: boolean): Promise<void> {
  const item = dossierSyncItem(dossier);
  let answer = await portal.call('DongBoHoSoMC', [item], !firstTime);
  if (!answer.ok && firstTime && alreadyExists(answer.message)) answer = await portal.call('DongBoHoSoMC', [item], true);
  if (!answer.ok) throw new PortalError(`DongBoHoSoMC refused: ${answer.message}`, false);
  const progress = steps.filter((e) => e.type !== 'dossier.submitted').map((e) => progressItem(e, dossier));
  if (progress.length === 0) return;
  const updated = await portal.call('CapNhatTienDoHoSoMC', progress, true);
  if (!updated.ok) throw new PortalError(`CapNhatTienDoHoSoMC refused: ${updated.message}`, false);
}

export type SyncOutcome = 'sent' | 'already-synced' | 'not-configured';

/**
 * One outbox event, sent unless the portal already has it, then recorded as synced. It is sent before
 * anything is recorded: when the portal takes it at once (the usual case) the state is written once,
 * created synced with the dossier's count or marked synced, instead of entering the unsynced index and
 * leaving it again (1 write unit per event instead of 4). When the first send fails, the dossier enters
 * the unsynced index before any retry, so that an outage outlasting the stream's retries leaves it for
 * the reconciliation. At the portal's default timeout (10 s) the first send, at most three calls, ends
 * well within the 60 s invocation; a record retried by the stream is first in its batch.
 * Without portal credentials nothing is sent: the dossier waits in the index, counted as not in sync.
 */
export async function syncEvent(deps: SyncDeps, stored: StoredEvent): Promise<SyncOutcome> {
  const code = stored.dossierCode;
  const read = { state: await deps.state.get(code) };
  if (!deps.portal) {
    await deps.state.observe(code, stored.version, stored.to, stored.at, read);
    return 'not-configured';
  }
  const synced = read.state?.syncedVersion ?? 0;
  if (synced >= stored.version) return 'already-synced';
  const portal = deps.portal;
  let behind = false;
  try {
    await withRetries(
      deps,
      () => send(portal, stored.dossier, [stored], synced === 0),
      async () => {
        behind = true;
        await deps.state.observe(code, stored.version, stored.to, stored.at, read);
      },
    );
  } catch (err) {
    await deps.state.markFailed(code, (err as Error).message);
    throw err;
  }
  const at = deps.now().toISOString();
  if (behind) await deps.state.markSynced(code, stored.version, stored.to, at);
  else await deps.state.recordSynced(code, stored.version, stored.to, at, read);
  return 'sent';
}

export interface ReconcileDeps extends SyncDeps {
  readonly dossiers: Pick<DossierStore, 'get'>;
}

export interface Divergence {
  readonly code: string;
  readonly status: number;
  readonly version: number;
  readonly syncedStatus: number | null;
  readonly syncedVersion: number | null;
  readonly lastError?: string;
}

export interface ReconcileReport {
  readonly checked: number;
  readonly divergent: readonly Divergence[];
  readonly resent: number;
  readonly failed: readonly { code: string; error: string }[];
  readonly dossiers: number;
  readonly unsyncedAfter: number;
  /** dossiers whose last synced version is the real one ÷ all dossiers seen × 100 */
  readonly shareInSync: number | null;
}

/**
 * The reconciliation: every dossier the portal is behind on (found through the sparse index), compared
 * with the dossier as it really is, and sent again with the steps the portal missed. `resend: false` only lists.
 */
export async function reconcile(deps: ReconcileDeps, options: { resend: boolean }): Promise<ReconcileReport> {
  const candidates = await deps.state.unsynced();
  const divergent: Divergence[] = [];
  const failed: { code: string; error: string }[] = [];
  let resent = 0;
  for (const candidate of candidates) {
    const found = await deps.dossiers.get(candidate.code);
    if (!found) continue;
    const dossier = found.dossier as WorkflowDossier;
    const syncedVersion = candidate.syncedVersion ?? 0;
    if (syncedVersion >= dossier.version) {
      await deps.state.markSynced(candidate.code, dossier.version, dossier.status, deps.now().toISOString());
      continue;
    }
    divergent.push({
      code: candidate.code,
      status: dossier.status,
      version: dossier.version,
      syncedStatus: candidate.syncedStatus ?? null,
      syncedVersion: candidate.syncedVersion ?? null,
      ...(candidate.lastError ? { lastError: candidate.lastError } : {}),
    });
    if (!options.resend || !deps.portal) continue;
    const portal = deps.portal;
    const missed = found.history.filter((e) => e.version > syncedVersion).sort((a, b) => a.version - b.version);
    try {
      await deps.state.observe(candidate.code, dossier.version, dossier.status, dossier.updatedAt);
      await withRetries(deps, () => send(portal, dossier, missed, syncedVersion === 0));
      await deps.state.markSynced(candidate.code, dossier.version, dossier.status, deps.now().toISOString());
      resent += 1;
    } catch (err) {
      await deps.state.markFailed(candidate.code, (err as Error).message);
      failed.push({ code: candidate.code, error: (err as Error).message });
    }
  }
  const counts = await deps.state.counts();
  return {
    checked: candidates.length,
    divergent,
    resent,
    failed,
    dossiers: counts.dossiers,
    unsyncedAfter: counts.unsynced,
    shareInSync: counts.dossiers === 0 ? null : Math.round(((counts.dossiers - counts.unsynced) / counts.dossiers) * 10_000) / 100,
  };
}
