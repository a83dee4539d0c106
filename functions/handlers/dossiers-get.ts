import { httpRoute } from '../http/route.js';
import * as input from '../contracts/inputs.js';
import { dossierDeps } from '../adapters/deps.js';
import { readDossier } from '../app/dossiers.js';
import { traced } from '../adapters/tracing.js';

export const handler = traced(httpRoute(input.GetDossier, async ({ caller, params }) => ({
  status: 200,
  body: await readDossier(dossierDeps(), caller, params.code),
})));
