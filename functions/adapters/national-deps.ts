import { setTimeout as sleep } from 'node:timers/promises';
import { environment } from '../declaration.js';
import { dynamo } from './dynamo-client.js';
import { requiredEnv } from './env.js';
import { DossierRepository } from './dossier-repository.js';
import { NationalPortal, nationalConfig, type NationalConfig } from './national-portal.js';
import { SyncStateRepository } from './sync-state.js';

let state: SyncStateRepository | undefined;
let dossiers: DossierRepository | undefined;
let portal: { config: NationalConfig; portal: NationalPortal } | undefined;

/** Retries inside one invocation; DVCQG_ATTEMPTS and DVCQG_BACKOFF_MS tune them (the local runtime shortens them). */
const positive = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

export async function nationalSyncDeps() {
  const table = requiredEnv(environment.tableName);
  state ??= new SyncStateRepository(dynamo(), table);
  dossiers ??= new DossierRepository(dynamo(), table);
  const config = await nationalConfig();
  // a new session only when the credentials changed (a rotation)
  if (config && portal?.config !== config) portal = { config, portal: new NationalPortal(config) };
  return {
    state,
    dossiers,
    portal: config ? portal!.portal : undefined,
    attempts: positive('DVCQG_ATTEMPTS', 4),
    backoffBaseMs: positive('DVCQG_BACKOFF_MS', 500),
    sleep: (ms: number) => sleep(ms).then(() => undefined),
    random: Math.random,
    now: () => new Date(),
  };
}
