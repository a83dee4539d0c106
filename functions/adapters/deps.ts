import { environment } from '../declaration.js';
import { dynamo } from './dynamo-client.js';
import { requiredEnv } from './env.js';
import { DossierRepository } from './dossier-repository.js';
import { currentProvince } from './province.js';
import { now } from './clock.js';
import type { DossierDeps } from '../app/dossiers.js';
import type { WorkflowDeps } from '../app/workflow.js';
import type { TrackingDeps } from '../app/tracking.js';

let repo: DossierRepository | undefined;

/** Wires the real adapters for a request; created lazily so that a cold start reads env once. */
export function dossierDeps(): DossierDeps & WorkflowDeps & TrackingDeps {
  repo ??= new DossierRepository(dynamo(), requiredEnv(environment.tableName));
  return { repo, province: currentProvince(), now: now(), baseUrl: process.env[environment.publicBaseUrl] ?? '' };
}

export const workflowDeps: () => WorkflowDeps = dossierDeps;
