import { httpRoute } from '../http/route.js';
import { dossierDeps } from '../adapters/deps.js';
import { readDossier } from '../app/dossiers.js';

export const handler = httpRoute('GetDossier', async ({ caller, params }) => ({
  status: 200,
  body: await readDossier(dossierDeps(), caller, params.code),
}));
