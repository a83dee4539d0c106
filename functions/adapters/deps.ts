import { environment } from '../declaration.js';
import { dynamo } from './dynamo-client.js';
import { requiredEnv } from './env.js';
import { DossierRepository } from './dossier-repository.js';
import { currentProvince } from './province.js';
import { requestClock } from './clock.js';
import { pinHasher } from './pin.js';
import { admitted } from './admission.js';

let repo: DossierRepository | undefined;

/**
 * Wires the real adapters for a request; created lazily so that a cold start reads env once. The use
 * cases' deps types (functions/app) check this shape where a handler passes it in.
 */
export function dossierDeps() {
  repo ??= new DossierRepository(dynamo(), requiredEnv(environment.tableName));
  return { repo, pins: pinHasher, admit: admitted, province: currentProvince(), ...requestClock(), baseUrl: process.env[environment.publicBaseUrl] ?? '' };
}

export const workflowDeps = dossierDeps;
